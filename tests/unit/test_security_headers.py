"""serve.py's security headers: the page's <meta> policy is the header's, and frame-ancestors
is a header-only choice that rejects what would split or break the header."""
import html.parser
import importlib.util
import threading
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("studio_serve", ROOT / "serve.py")
serve = importlib.util.module_from_spec(spec)
spec.loader.exec_module(serve)


class MetaPolicy(html.parser.HTMLParser):
    """Collects the content of <meta http-equiv="Content-Security-Policy"> tags."""

    def __init__(self):
        super().__init__()
        self.policies = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "content-security-policy":
            self.policies.append(attrs["content"])


def directives(policy: str) -> dict[str, str]:
    parts = (part.strip().split(None, 1) for part in policy.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def test_the_page_meta_policy_is_the_header_policy_without_frame_ancestors():
    parser = MetaPolicy()
    parser.feed((ROOT / "index.html").read_text())
    assert len(parser.policies) == 1
    header = directives(serve.header_policy())
    assert header.pop("frame-ancestors") == serve.FRAME_ANCESTORS
    assert directives(parser.policies[0]) == header


def test_the_policy_allows_only_what_the_runtime_needs():
    policy = directives(serve.CONTENT_SECURITY_POLICY)
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self' 'wasm-unsafe-eval' 'unsafe-eval'"
    assert policy["connect-src"] == "'self' http://127.0.0.1:* http://localhost:*"  # the creator's own engine
    assert policy["require-trusted-types-for"] == "'script'"
    assert policy["trusted-types"] == "default dompurify"
    assert "'unsafe-inline'" not in serve.CONTENT_SECURITY_POLICY
    assert "frame-ancestors" not in policy and "'none'" not in serve.FRAME_ANCESTORS


def fetch_headers(csp):
    server = serve.make_server("127.0.0.1", 0, csp=csp)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/index.html") as response:
            return response.headers
    finally:
        server.shutdown()
        server.server_close()


def test_every_response_carries_the_header_unless_turned_off():
    headers = fetch_headers(serve.header_policy("'self' https://creator.example"))
    assert headers.get_all("Content-Security-Policy") == [
        serve.CONTENT_SECURITY_POLICY + "; frame-ancestors 'self' https://creator.example"]
    assert fetch_headers(None).get("Content-Security-Policy") is None


@pytest.mark.parametrize("sources", ["'self', https:", "'self'; script-src *", "", "https:\r\nX-Evil: 1"])
def test_frame_ancestors_that_would_split_or_break_the_header_are_refused(sources, capsys):
    with pytest.raises(SystemExit) as exit_info:
        serve.main(["--no-setup", "--frame-ancestors", sources])
    assert exit_info.value.code == 2
    assert "--frame-ancestors takes CSP sources separated by spaces" in capsys.readouterr().err


def test_engines_json_adds_a_team_server_to_connect_src_and_refuses_what_is_not_an_origin(tmp_path):
    config = tmp_path / "engines.json"
    assert serve.engine_origins(config) == ()
    config.write_text('{"allowedOrigins": ["https://llm.team.example:8000"]}')
    origins = serve.engine_origins(config)
    assert directives(serve.header_policy(engine_origins=origins))["connect-src"] == (
        "'self' https://llm.team.example:8000 http://127.0.0.1:* http://localhost:*")
    for bad in ('["https://x.example"]', '{"allowedOrigins": ["https://x.example/v1"]}',
                '{"allowedOrigins": ["*"]}', "not json"):
        config.write_text(bad)
        with pytest.raises(ValueError):
            serve.engine_origins(config)


def test_model_host_json_adds_the_host_to_connect_src_and_refuses_what_is_not_a_folder_url(tmp_path):
    config = tmp_path / "model-host.json"
    assert serve.model_host_origin(config) == ()
    config.write_text('{"url": "https://models.team.example/musespark/"}')
    assert serve.model_host_origin(config) == ("https://models.team.example",)
    for bad in ('{"url": "https://models.team.example/musespark"}', '{"url": "ftp://models.example/"}',
                '{"url": "models/"}', '["https://models.example/"]', "not json"):
        config.write_text(bad)
        with pytest.raises(ValueError):
            serve.model_host_origin(config)
