"""Set up (first run) and serve the studio on localhost.

    python serve.py [--port 8000] [--host 127.0.0.1] [--no-setup] [--no-model] [--root DIR]
                    [--embed-config FILE] [--engines-config FILE] [--model-host-config FILE]
                    [--frame-ancestors SOURCES]
                    [--no-csp-header] [--add-model FILE.gguf [--model-name NAME] [--model-licence L]]

The first run fetches and builds every runtime file (build/setup.py); later runs
find them in place and start serving at once. Only the page's own files are
served (index.html, pyscript.toml, sw.js, offline-files.js, embed.json, model-host.json,
app/, assets/, vendor/, models/); any static host serving those paths works the same.
The service worker (sw.js) must sit at the site root so that its scope covers the
page. ``--add-model`` converts a GGUF file of the Llama, Qwen2 or Qwen3 family into the
model catalogue first (build/added_models.py), checked as the built-in model is. ``--root`` serves another built copy of the studio (it implies ``--no-setup``).

Embedding: ``embed.json`` (beside this file, or the file named by --embed-config)
lists the origins whose pages may talk to the studio embedded in them; without it
the embedding API is off. The host snippet's modules (``EMBED_MODULES``) are served
to any origin (CORS), as a page elsewhere imports them.

Engines: the page may send text to the creator's own server on this machine (loopback);
``engines.json`` (or --engines-config FILE) adds a team server's origin to the header's
connect-src. A static host must add it to index.html's <meta> policy itself.

Model host: ``model-host.json`` (or --model-host-config FILE, served as /model-host.json) names a
host that serves more models ({"url": "https://models.example.org/musespark/"}: a folder with a
catalogue.json, written by build/model_host.py); its origin is added to connect-src too.

Every response carries the Content-Security-Policy below as a header; index.html
carries the same policy in a <meta> tag for static hosts that cannot send
headers (a unit test keeps the two in step). Public: ``CONTENT_SECURITY_POLICY``,
``FRAME_ANCESTORS``, ``header_policy``, ``engine_origins``, ``model_host_origin``, ``make_server``, ``main``.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import io
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
SERVED_FILES = {"index.html", "pyscript.toml", "sw.js", "offline-files.js", "embed.json", "model-host.json"}
SERVED_DIRS = {"app", "assets", "vendor", "models"}
EMBED_CONFIG = "embed.json"
ENGINES_CONFIG = "engines.json"  # {"allowedOrigins": [ORIGIN, …]}: more servers the page may send text to
MODEL_HOST_CONFIG = "model-host.json"  # {"url": FOLDER_URL}: a host serving more models (build/model_host.py)
EMBED_MODULES = {"assets/embed.js", "assets/embed-protocol.js"}

# The strictest policy under which PyScript, Pyodide and transformers.js fully work (DESIGN.md §7).
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    # Scripts only from this origin. 'wasm-unsafe-eval': Pyodide and ONNX Runtime compile
    # WebAssembly. 'unsafe-eval': PyScript builds its start-up hooks with Function() (plain
    # Pyodide needs no eval); the Trusted Types default policy admits only the source PyScript
    # generates, so no other string can become code.
    "script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'",
    # The creator's own engine on this machine (llama.cpp, Ollama, LM Studio): loopback only.
    # A deployment adds its team server's origin in engines.json (``ENGINES_CONFIG``).
    "connect-src 'self' http://127.0.0.1:* http://localhost:*",
    "style-src 'self'",
    "img-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    # Every script sink takes Trusted Types: `default` is assets/trusted-types.js; `dompurify`
    # is DOMPurify's own policy, which signs only markup it has just sanitized.
    "require-trusted-types-for 'script'",
    "trusted-types default dompurify",
))
# Who may show the studio in a frame: a header-only directive (browsers ignore it in <meta>).
# Not 'none': creators embed the studio in their own sites, whose origins cannot be listed
# here. Any HTTPS site, the studio's own origin and local development pages may frame it; plain
# HTTP pages elsewhere (whose content anyone on the way could change) may not. The studio keeps
# nothing on a server and holds no login, so a framing page can trick a click but reach no data:
# storage in a frame is partitioned by the top-level site. A deployment for one site can narrow
# it with --frame-ancestors.
FRAME_ANCESTORS = "'self' https: http://localhost:* http://127.0.0.1:*"


def header_policy(frame_ancestors: str = FRAME_ANCESTORS, engine_origins: tuple[str, ...] = ()) -> str:
    """The Content-Security-Policy header: the page's policy, with ``engine_origins`` added to
    connect-src, plus ``frame-ancestors``."""
    policy = CONTENT_SECURITY_POLICY
    if engine_origins:
        policy = policy.replace("connect-src 'self'", "connect-src 'self' " + " ".join(engine_origins), 1)
    return f"{policy}; frame-ancestors {frame_ancestors}"


def is_origin(text) -> bool:
    """Whether ``text`` is an http(s) origin: a scheme, host and optional port, nothing after them."""
    parts = urlsplit(text) if isinstance(text, str) else None
    return bool(parts and parts.scheme in ("http", "https") and parts.hostname
                and text == f"{parts.scheme}://{parts.netloc}")


def model_host_origin(path: Path) -> tuple[str, ...]:
    """The origin of the model host model-host.json names (none when there is no file); a
    ValueError says what is wrong with it."""
    if not path.is_file():
        return ()
    try:
        url = json.loads(path.read_text(encoding="utf-8")).get("url")
    except (ValueError, AttributeError) as error:
        raise ValueError(f"{path} is not a JSON object with a url: {error}") from None
    parts = urlsplit(url) if isinstance(url, str) else None
    origin = parts and f"{parts.scheme}://{parts.netloc}"
    if not origin or not is_origin(origin) or not url.endswith("/"):
        raise ValueError(f"{path} names {url!r}, which is not the http(s) URL of a folder "
                         "(like https://models.example.org/musespark/)")
    return (origin,)


def engine_origins(path: Path) -> tuple[str, ...]:
    """The origins engines.json allows besides loopback (none when there is no file); a
    ValueError says which entry is not an origin."""
    if not path.is_file():
        return ()
    try:
        listed = json.loads(path.read_text(encoding="utf-8")).get("allowedOrigins", [])
    except (ValueError, AttributeError) as error:
        raise ValueError(f"{path} is not a JSON object with allowedOrigins: {error}") from None
    for origin in listed:
        if not is_origin(origin):
            raise ValueError(f"{path} lists {origin!r}, which is not an origin (like https://llm.example.org:8000)")
    return tuple(listed)


class StudioHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from the allowed paths; revalidated on each load."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".wasm": "application/wasm",
        ".onnx": "application/octet-stream",
        ".toml": "application/toml",
        ".webmanifest": "application/manifest+json",
    }
    quiet = True
    embed_config = ROOT / EMBED_CONFIG
    model_host_config = ROOT / MODEL_HOST_CONFIG
    csp: str | None = header_policy()

    def _served_path(self) -> str:
        return getattr(self, "path", "").split("?", 1)[0].split("#", 1)[0].lstrip("/")

    def send_head(self):
        path = self._served_path()
        top = path.split("/", 1)[0]
        if path and path not in SERVED_FILES and top not in SERVED_DIRS:
            self.send_error(404, "Not part of the studio")
            return None
        if path == MODEL_HOST_CONFIG and not self.model_host_config.is_file():
            return self._no_model_host()
        return super().send_head()

    def _no_model_host(self):
        """An empty model-host.json where the deployment names no host (the page asks at every
        start; a 404 would be an error in its console)."""
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def translate_path(self, path):
        if self._served_path() == EMBED_CONFIG:
            return str(self.embed_config)
        if self._served_path() == MODEL_HOST_CONFIG:
            return str(self.model_host_config)
        return super().translate_path(path)

    def end_headers(self):
        if self._served_path() in EMBED_MODULES:
            self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.csp:
            self.send_header("Content-Security-Policy", self.csp)
        super().end_headers()

    def log_message(self, format, *args):
        if not self.quiet:
            super().log_message(format, *args)


class StudioServer(http.server.ThreadingHTTPServer):
    """A threading server that does not print a traceback when a browser drops a download."""

    daemon_threads = True
    request_queue_size = 64  # a page opens many module requests at once; the default is 5

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


def make_server(host: str, port: int, quiet: bool = True, root: Path = ROOT, embed_config: Path | None = None,
                csp: str | None = header_policy(), model_host_config: Path | None = None) -> StudioServer:
    """A server for the studio at ``root``; ``csp`` is the policy header (None: rely on the
    page's <meta> tag)."""
    handler = functools.partial(StudioHandler, directory=str(root))
    StudioHandler.quiet = quiet
    StudioHandler.embed_config = embed_config or root / EMBED_CONFIG
    StudioHandler.model_host_config = model_host_config or root / MODEL_HOST_CONFIG
    StudioHandler.csp = csp
    return StudioServer((host, port), handler)


def add_model(path: Path, name: str | None, licence: str | None) -> int:
    """Convert a GGUF file into the catalogue; say what was added, or why not."""
    import added_models
    import setup

    try:
        entry = added_models.add(path, name, licence)
    except setup.SetupError as error:
        print(f"The model was not added: {error}", file=sys.stderr)
        return 1
    print(f"Added {entry['name']} ({entry['licence']}) to the catalogue as {entry['id']}.", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Set up and serve the MuseSpark studio.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--no-setup", action="store_true", help="serve what is already built")
    parser.add_argument("--no-model", action="store_true", help="set up without building the model")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="serve this built copy of the studio instead (no set-up)")
    parser.add_argument("--embed-config", type=Path, metavar="FILE",
                        help="serve FILE as /embed.json, the origins allowed to embed the studio "
                             "(default: embed.json beside serve.py)")
    parser.add_argument("--engines-config", type=Path, metavar="FILE", default=ROOT / ENGINES_CONFIG,
                        help="the servers besides this machine the page may send text to, as "
                             '{"allowedOrigins": [...]} (default: engines.json beside serve.py)')
    parser.add_argument("--model-host-config", type=Path, metavar="FILE",
                        help='serve FILE as /model-host.json, {"url": FOLDER_URL} naming a host of more models '
                             "(default: model-host.json beside serve.py)")
    parser.add_argument("--frame-ancestors", default=FRAME_ANCESTORS, metavar="SOURCES",
                        help="who may embed the studio in a frame (CSP sources; default: %(default)s)")
    parser.add_argument("--add-model", type=Path, metavar="FILE.gguf",
                        help="convert this GGUF model (Llama, Qwen2 or Qwen3 family) into the catalogue, then serve")
    parser.add_argument("--model-name", help="the added model's name (default: the one in the file)")
    parser.add_argument("--model-licence", help="the added model's licence (default: the one in the file)")
    parser.add_argument("--no-csp-header", action="store_true",
                        help="send no Content-Security-Policy header, as a static host would "
                             "(the page's <meta> policy still applies)")
    args = parser.parse_args(argv)
    if not args.frame_ancestors.strip() or any(c in args.frame_ancestors for c in ";,\r\n"):
        parser.error("--frame-ancestors takes CSP sources separated by spaces, e.g. \"'self' https://example.org\"")
    if not (args.root / "index.html").is_file():
        print(f"{args.root} holds no studio (no index.html): pass the folder of a built copy.", file=sys.stderr)
        return 1
    if args.add_model and (args.no_setup or args.no_model or args.root.resolve() != ROOT):
        parser.error("--add-model sets up the models: leave out --no-setup, --no-model and --root")
    if not args.no_setup and args.root.resolve() == ROOT:
        sys.path.insert(0, str(ROOT / "build"))
        import setup

        if args.add_model and add_model(args.add_model, args.model_name, args.model_licence) != 0:
            return 1
        if setup.main(["--no-model"] if args.no_model else []) != 0:
            return 1
    try:
        origins = engine_origins(args.engines_config) + model_host_origin(
            args.model_host_config or args.root / MODEL_HOST_CONFIG)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    try:
        csp = None if args.no_csp_header else header_policy(args.frame_ancestors, origins)
        server = make_server(args.host, args.port, quiet=not args.verbose, root=args.root,
                             embed_config=args.embed_config, csp=csp, model_host_config=args.model_host_config)
    except OSError as err:
        print(f"Cannot listen on {args.host}:{args.port} ({err.strerror}): pick another --port.",
              file=sys.stderr)
        return 1
    host, port = server.server_address[:2]
    print(f"MuseSpark is at http://{host}:{port}/  (Ctrl+C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
