"""How the tests and benchmarks start Chromium: Debian's browser, headless, with the
background networking a closed machine refuses turned off. Public: ``CHROMIUM``,
``CHROMIUM_FLAGS``."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
