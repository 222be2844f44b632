"""serve.py for embedding: embed.json comes from the deployer's file (absent: 404, the
embedding API off), and only the host snippet's modules may be read by other origins."""
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import serve  # noqa: E402


@pytest.fixture
def studio(tmp_path):
    config = tmp_path / "embed.json"
    server = serve.make_server("127.0.0.1", 0, embed_config=config)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", config
    server.shutdown()
    server.server_close()


def fetch(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, b""


def test_embed_json_is_the_configured_file_or_missing(studio):
    url, config = studio
    assert fetch(url + "embed.json")[0] == 404
    config.write_text('{"allowedOrigins": ["https://my-site.example"]}')
    status, _, body = fetch(url + "embed.json?x=1")
    assert status == 200 and b"my-site.example" in body


def test_only_the_host_modules_are_shared_with_other_origins(studio):
    url, _ = studio
    for module in serve.EMBED_MODULES:
        status, headers, _ = fetch(url + module)
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = fetch(url + "assets/boot.js")
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    assert fetch(url + "serve.py")[0] == 404
