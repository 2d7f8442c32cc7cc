"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright's sync API.

Without the browser these tests skip with a reason; with BAYAN_REQUIRE_BROWSER=1 (CI) they
fail instead, so a CI machine that lost its browser cannot pass silently.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a
# thread with a running loop unless told that this synchronous use is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _missing(reason: str):
    if os.environ.get("BAYAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; BAYAN_REQUIRE_BROWSER=1 makes the browser tests mandatory.")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def index_in_the_foreground(settings):
    # The live server shares one SQLite database with the test; a background index thread
    # writing to it at the same time locks tables. Tests drain the queue themselves.
    settings.BAYAN_INDEX_IN_BACKGROUND = False


def _context(browser, live_server, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def page(browser, live_server, transactional_db):
    context = _context(browser, live_server, DESKTOP)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server, transactional_db):
    context = _context(browser, live_server, PHONE)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str, full_page: bool = True) -> Path:
    """Keep a picture of the page for a reviewer: tests/artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def serious_violations(page, impacts=("serious", "critical")) -> list[str]:
    """axe-core's findings of these impacts on the page (serious and critical unless told;
    the others are "moderate" and "minor"), one line each."""
    # Evaluated through DevTools, not added as an inline <script>: the site's CSP forbids those.
    page.evaluate("source => { (0, eval)(source); }", AXE.read_text(encoding="utf-8"))
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['impact']}: {v['id']} — {v['help']} (e.g. {v['nodes'][0]['target']})"
        for v in violations
        if v["impact"] in impacts
    ]


def index_all() -> None:
    """Apply the queued index updates now, as the drain worker would."""
    from search.queue import drain

    drain()


def watch_csp(page) -> list[str]:
    """Collect CSP violations (console errors and securitypolicyviolation events)."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' "
        "+ e.blockedURI));"
    )
    return violations
