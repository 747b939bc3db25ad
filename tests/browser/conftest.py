"""Browser fixtures: Debian's Chromium (headless, off the network), a real server per module, pages per role."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.server import ServerProcess

from .helpers import SHOTS, TIMEOUT_MS, Pages

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]
INSTALL_HINT = "install Chromium: apt-get install -y chromium"
SERVER_MODULE = "tests.browser.lan_server"


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder `browser`."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium; skipped locally without it, a failure in CI."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing but CI is set: {INSTALL_HINT}", pytrace=False)
        pytest.skip(INSTALL_HINT)
    return CHROMIUM


@pytest.fixture(scope="session")
def playwright_api(chromium_path):
    """The Playwright sync API for the whole run."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    manager = sync_playwright()
    api = manager.start()
    yield api
    manager.__exit__(None, None, None)


@pytest.fixture(scope="session")
def browser(playwright_api, chromium_path):
    """One headless Chromium for the run; each test opens its own contexts."""
    chromium = playwright_api.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The git-ignored folder for screenshots (test-artifacts/screenshots)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def start_server(data_dir: Path, port: int = 0, env: dict[str, str] | None = None) -> ServerProcess:
    """A real `workshop serve` on 127.0.0.1 whose loopback join address counts as reachable (`env`: its settings)."""
    return ServerProcess(data_dir, port=port, module=SERVER_MODULE, env=env).start()


@pytest.fixture(scope="module")
def server(tmp_path_factory, chromium_path):
    """A real server process for one test module, on its own data dir."""
    process = start_server(tmp_path_factory.mktemp("browser") / "data")
    yield process
    process.stop()


@pytest.fixture
def pages(browser, screenshots):
    """Opens role pages (phone, projector, facilitator) and closes their contexts after the test."""
    opened = Pages(browser)
    yield opened
    opened.close()
    for line in sorted(set(opened.console)):
        print(f"console error: {line}")
    errors = opened.page_errors()
    assert not errors, f"JavaScript errors in the pages: {errors}"
