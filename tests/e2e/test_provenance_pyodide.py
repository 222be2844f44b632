"""The provenance core in the page's own Python (Pyodide) with the bundled wheels: records
and embedded Content Credentials are made and verified there."""
FILES = ["app/__init__.py"] + [f"app/core/{name}.py" for name in (
    "__init__", "authorship", "signing", "provenance", "certificates", "jumbf", "c2pa")]

SCRIPT = r'''
import datetime, hashlib
from ecdsa import NIST256p, SigningKey
from ecdsa.util import sigencode_string
from app.core import c2pa, certificates, provenance
from app.core.authorship import Authorship

class Key:
    """Signs in Python here (the studio signs with WebCrypto)."""
    def __init__(self):
        self.key = SigningKey.generate(curve=NIST256p)
        self.public_key = b"\x04" + self.key.get_verifying_key().to_string()
    def sign(self, data):
        return self.key.sign(data, hashfunc=hashlib.sha256, sigencode=sigencode_string)

async def check():
    root, key = Key(), Key()
    now = datetime.datetime.now(datetime.timezone.utc)
    root_der = await certificates.root_certificate(root, "Ada Writer", now)
    signing_der = await certificates.signing_certificate(root, root_der, key.public_key, "Ada Writer", now)
    text = "Written in the page.\nThe model added this — café."
    authorship = Authorship(text, ((21, "human"), (len(text) - 21, "ai")))
    record = await provenance.create_record(authorship, [], key, "2026-05-01T09:30:00Z")
    action = c2pa.export_action(authorship, "2026-05-01T09:30:00Z")
    embedded = await c2pa.embed_manifest(text, [action], c2pa.Credentials(key, signing_der))
    return [provenance.verify_record(text, record).valid,
            provenance.verify_record(text + "!", record).problems[0].code,
            c2pa.verify_embedded(embedded, [root_der]).trusted,
            c2pa.verify_embedded(embedded.replace("café", "cafe")).failures[0][0]]
'''


def test_records_and_credentials_work_in_pyodide(open_studio):
    studio = open_studio("assets/studio.css", routes={"**/favicon.ico": lambda route: route.fulfill(status=204)})
    result = studio.page.evaluate("""async ([files, script]) => {
      const { loadPyodide } = await import('/vendor/pyodide/pyodide.mjs');
      const python = await loadPyodide({ indexURL: '/vendor/pyodide/' });
      python.unpackArchive(await (await fetch('/vendor/python/packages.zip')).arrayBuffer(), 'zip');
      python.FS.mkdirTree('app/core');
      for (const file of files) python.FS.writeFile(file, await (await fetch('/' + file)).text());
      python.runPython(script);
      return (await python.runPythonAsync('await check()')).toJs();
    }""", [FILES, SCRIPT])
    assert result == [True, "text-changed", True, "assertion.dataHash.mismatch"]
