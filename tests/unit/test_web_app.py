"""The studio is an installable web app: its manifest, icons and page head agree."""
import json
import re
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "assets" / "manifest.webmanifest"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


def css_colour(name: str) -> str:
    return re.search(rf"--{name}:\s*(#[0-9a-f]{{6}})", (ROOT / "assets" / "studio.css").read_text()).group(1)


def test_every_icon_exists_in_the_size_the_manifest_gives():
    manifest = json.loads(MANIFEST.read_text())
    for icon in manifest["icons"]:
        path = MANIFEST.parent / icon["src"]
        assert path.is_file(), icon["src"]
        if icon["type"] == "image/png":
            width, height = png_size(path)
            assert icon["sizes"] == f"{width}x{height}", icon["src"]
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable"), ("any", "any")} <= sizes


def test_the_manifest_opens_the_studio_standalone_in_its_colours():
    manifest = json.loads(MANIFEST.read_text())
    assert manifest["display"] == "standalone" and manifest["short_name"] == "MuseSpark"
    assert (MANIFEST.parent / manifest["start_url"]).resolve() == ROOT
    assert (MANIFEST.parent / manifest["scope"]).resolve() == ROOT
    assert manifest["theme_color"] == css_colour("accent")
    assert manifest["background_color"] == css_colour("paper")


def test_the_page_links_the_manifest_its_theme_and_apple_icon():
    head = (ROOT / "index.html").read_text().split("</head>")[0]
    assert '<link rel="manifest" href="./assets/manifest.webmanifest">' in head
    assert f'<meta name="theme-color" content="{css_colour("accent")}">' in head
    apple = re.search(r'rel="apple-touch-icon" href="\./([^"]+)"', head).group(1)
    assert png_size(ROOT / apple) == (180, 180)
