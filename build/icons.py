"""Render the studio's PNG icons from the SVGs in assets/icons/ with Chromium.

The PNGs are committed (the web app manifest and iOS need raster icons); run this
after changing an SVG, with the test environment's Python (it has Playwright):

    $MUSESPARK_CACHE/venv-test-*/bin/python build/icons.py

Public: ``ICONS`` (source SVG, size, PNG), ``render``.
"""
from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ICONS_DIR = ROOT / "assets" / "icons"
sys.path.insert(0, str(ROOT))
from tests.browser import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402

ICONS = [
    ("icon.svg", 192, "icon-192.png"),
    ("icon.svg", 512, "icon-512.png"),
    ("icon-maskable.svg", 180, "icon-180.png"),  # iOS home screen: square, it rounds the corners
    ("icon-maskable.svg", 192, "icon-maskable-192.png"),
    ("icon-maskable.svg", 512, "icon-maskable-512.png"),
]


def render() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for source, size, target in ICONS:
            page = browser.new_page(viewport={"width": size, "height": size})
            page.goto((ICONS_DIR / source).as_uri())
            page.screenshot(path=str(ICONS_DIR / target), omit_background=True)
            page.close()
            print(f"{target}: {size}×{size} from {source}")
        browser.close()


if __name__ == "__main__":
    render()
