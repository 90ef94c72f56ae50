"""Helpers of the browser tests (test_browser, test_workbench, test_documents_browser, test_incoming): Debian's
Chromium driven by Playwright, against the real app served by waitress in the test process.

Never runs `playwright install`: it uses /usr/bin/chromium, which .ci/run installs. Screenshots go to
var/screenshots/ (git-ignored), or to $TERMTM_SCREENSHOTS. The fixtures that use these (base_url, browser)
are in conftest.py.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(os.environ.get("TERMTM_SCREENSHOTS", ROOT / "var" / "screenshots"))


def need_chromium() -> None:
    """Skip, saying what to install, when Chromium or the playwright package is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk); .ci/run does it")
    pytest.importorskip("playwright.sync_api", reason="playwright (the Python package) is in the [test] extra")


def serve(app: Any) -> tuple[Any, str]:
    """Serve a WSGI app on a free port in a daemon thread: (the server, to close it; its base URL)."""
    from waitress import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return server, f"http://127.0.0.1:{server.effective_port}"


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (a playwright Browser), closed on exit; the screenshot folder exists."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()
