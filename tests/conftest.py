"""Test order: the unit tests of the core run before the end-to-end tests. The browser
fixture keeps Playwright's event loop running in the test thread for the rest of the
session, and unit tests of async core code call ``asyncio.run``, which refuses to start
inside a running loop.

Hypothesis runs without a per-example deadline."""
from hypothesis import settings


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: "/e2e/" in item.nodeid.replace("\\", "/"))


# Shared 2-core machines are noisy: a slow example is not a failure (speed is for bench/).
settings.register_profile("studio", deadline=None)
settings.load_profile("studio")
