"""The page's key store in real Chromium: WebCrypto keys that persist in IndexedDB,
cannot be exported, and sign what the Python core verifies."""
from app.core.authorship import Authorship
from app.core.provenance import create_record, verify_record
from app.core.signing import b64url, fingerprint, public_key_from_jwk, verify_signature

from ..unit.core.doubles import run_async

IMPORT = "const keys = await import('/assets/keystore.js');"


class PageSigner:
    """A ``signing.Signer`` whose key lives in the page's key store."""

    def __init__(self, page, name="signing"):
        self.page, self.name = page, name
        self.public_key = bytes(page.evaluate(f"async () => {{ {IMPORT} "
                                              f"return Array.from(await keys.publicKeyRaw('{name}')); }}"))

    def sign(self, data):
        return bytes(self.page.evaluate(
            f"async (data) => {{ {IMPORT} return Array.from(await keys.sign('{self.name}', new Uint8Array(data))); }}",
            list(data)))


class RecordingSigner:
    """Keeps the bytes it is asked to sign (the page signs them afterwards)."""

    def __init__(self, public_key):
        self.public_key = public_key
        self.signed = None

    def sign(self, data):
        self.signed = data
        return bytes(64)


def key_facts(page):
    return page.evaluate(f"""async () => {{ {IMPORT}
        const pair = await keys.keyPair('signing');
        let exported = true;
        try {{ await crypto.subtle.exportKey('pkcs8', pair.privateKey); }} catch {{ exported = false; }}
        return {{raw: Array.from(await keys.publicKeyRaw('signing')), jwk: await keys.publicKeyJwk('signing'),
                 fingerprint: await keys.fingerprint('signing'), extractable: pair.privateKey.extractable,
                 exported, spki: (await keys.publicKeySpki('signing')).length}}; }}""")


NO_ICON = {"**/favicon.ico": lambda route: route.fulfill(status=204)}


def test_keys_are_made_once_kept_and_never_exported(open_studio):
    studio = open_studio("assets/studio.css", routes=NO_ICON)
    facts = key_facts(studio.page)
    raw = bytes(facts["raw"])
    assert not facts["extractable"] and not facts["exported"]
    assert public_key_from_jwk(facts["jwk"]) == raw and facts["spki"] == 91
    assert facts["fingerprint"] == fingerprint(raw)
    studio.page.reload()
    assert bytes(key_facts(studio.page)["raw"]) == raw
    studio.page.evaluate(f"async () => {{ {IMPORT} await keys.forgetKey('signing'); }}")
    assert bytes(key_facts(studio.page)["raw"]) != raw


def test_page_signatures_verify_in_python_and_sign_records(open_studio):
    studio = open_studio("assets/studio.css", routes=NO_ICON)
    signer = PageSigner(studio.page)
    signature = signer.sign(b"provenance")
    assert len(signature) == 64 and verify_signature(signer.public_key, b"provenance", signature)
    assert not verify_signature(signer.public_key, b"provenance!", signature)
    text = "Typed in the page.\nSigned by WebCrypto."
    recorder = RecordingSigner(signer.public_key)  # Playwright's sync calls stay on this thread
    record = run_async(create_record(Authorship.written(text, "human"), [], recorder, "2026-05-01T09:30:00Z"))
    record["signature"] = b64url(signer.sign(recorder.signed))
    verdict = verify_record(text, record, expected_fingerprint=fingerprint(signer.public_key))
    assert verdict.valid, verdict.report()
