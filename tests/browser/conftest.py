"""Browser fixtures: Debian's Chromium driven by Playwright, the app served from a thread on
a free local port (against the test database), and an axe-core accessibility check.

Without /usr/bin/chromium the browser tests skip with a message, unless DHR_REQUIRE_BROWSER=1
or CI=true, when they fail instead.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.support import PROJECT

CHROMIUM = Path("/usr/bin/chromium")
AXE = PROJECT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = PROJECT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-quic", "--no-first-run",
                 "--disable-component-update", "--disable-sync"]
# axe-core impacts that fail a page; "minor" ones are printed only.
FAILING_IMPACTS = frozenset({"moderate", "serious", "critical"})


def _browser_required() -> bool:
    return (os.environ.get("DHR_REQUIRE_BROWSER") == "1"
            or os.environ.get("CI", "").lower() in {"1", "true", "yes"})


def _unavailable(reason: str) -> None:
    if _browser_required():
        pytest.fail(f"{reason} (DHR_REQUIRE_BROWSER=1 or CI=true: browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole run."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: install Debian's chromium to run browser tests")
    if not AXE.exists():
        _unavailable(f"{AXE} is missing: run ./scripts/setup (npm ci in frontend/)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test app served on 127.0.0.1 and a free port; yields its base URL. Each request
    runs in a server thread with its own app context and database session."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # shutdown() waits for the serving loop to look at its flag: every 50 ms, not 500.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser tab (own cookies). bypass_csp lets the axe-core script be injected;
    `strict_page` keeps the CSP enforced."""
    context = browser.new_context(bypass_csp=True, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


@dataclass
class StrictTab:
    """A tab that enforces the app's Content-Security-Policy, with what went wrong on it:
    console errors (a script or style the CSP blocked shows up there) and failed requests."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def watch(self) -> None:
        self.page.on("console", lambda message: self.console_errors.append(message.text)
                     if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        self.page.on("response", lambda response: self.failed_requests.append(
            f"{response.status} {response.url}") if response.status >= 400 else None)


@pytest.fixture
def strict_page(browser: Any) -> Iterator[StrictTab]:
    context = browser.new_context(locale="en-GB")
    tab = StrictTab(context.new_page())
    tab.page.set_default_timeout(15_000)
    tab.watch()
    yield tab
    context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the current page; return every violation (all impacts)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await window.axe.run(document, "
                           "{resultTypes: ['violations']})")
    return result["violations"]


@pytest.fixture
def check_accessibility() -> Callable[[Any], None]:
    """check_accessibility(page): fail on moderate, serious or critical axe-core violations,
    printing each one (rule, impact, help, where) so the failure says what to fix."""

    def check(page: Any) -> None:
        violations = axe_violations(page)
        for violation in violations:
            targets = [node["target"] for node in violation["nodes"]][:5]
            print(f"axe {violation['impact']}: {violation['id']} on {page.url}: "
                  f"{violation['help']} {json.dumps(targets)}")
        failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
        assert failing == [], (
            f"{len(failing)} moderate or worse accessibility problems on {page.url}: "
            + "; ".join(f"{v['id']} ({v['help']})" for v in failing))

    return check


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    """screenshot(page, name) -> path of a full-page PNG under test-artifacts/ (gitignored)."""

    def take(page: Any, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
