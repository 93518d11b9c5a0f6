"""The dashboard in a real browser, for every page test: Debian's Chromium driven by Playwright against a real uvicorn
on loopback. Fixtures ``chromium`` and ``server`` (in conftest.py, one per test module), and the steps every page
walk repeats: a page that records script errors, signing in with a key, opening a path (a 200, no traceback), a
screenshot."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from support import TenantKeys

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Response

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
SHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
LOCALES = {"es": "es-ES", "en": "en-GB"}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless (skips, saying why, where Playwright or Chromium is missing)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        pytest.skip("playwright is not installed (pip install playwright; no browser download is needed)")
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(client: Any) -> Iterator[str]:
    """A real uvicorn on a free loopback port; jobs run on the session's in-process runner (``client``)."""
    import uvicorn

    from tendero.app import create_app
    from tendero.bench.server import free_port

    port = free_port()
    config = uvicorn.Config(create_app(run_jobs=False, migrate=False), host="127.0.0.1", port=port, log_config=None)
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:  # a condition, polled: the server says when it listens
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(10)


def new_page(chromium: Browser, viewport: dict[str, int] = DESKTOP, lang: str = "en") -> Page:
    """A page in a fresh context in ``lang`` (``es``/``en`` or a locale such as ``es-ES``) whose script errors and
    console errors collect in ``page.errors``; dialogs are accepted."""
    locale = LOCALES.get(lang, lang)
    context = chromium.new_context(viewport=viewport, locale=locale, extra_http_headers={"accept-language": locale})
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.errors.append(str(e)))  # type: ignore[attr-defined]
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def sign_in(page: Page, base: str, tenant: TenantKeys, role: str = "admin") -> None:
    """Sign in on the login page with the tenant's key for ``role``."""
    page.goto(f"{base}/app/login")
    form = page.locator("#login-key")
    form.locator("input[name=tenant]").fill(tenant.name)
    form.locator("input[name=key]").fill(getattr(tenant, role))
    form.locator("button").click()
    page.wait_for_load_state("load")
    assert "/app/login" not in page.url, f"signing in as {role} stayed on the login page"


def open_page(page: Page, base: str, path: str, ready: str | None = None) -> Response:
    """Open ``path``: it answers 200 with no Python traceback, and ``ready`` (a selector) is there when given."""
    response = page.goto(f"{base}{path}")
    assert response is not None and response.status == 200, f"{path}: {response.status if response else None}"
    if ready is not None:
        page.wait_for_selector(ready)
    assert "Traceback" not in page.content(), f"{path} shows a traceback"
    return response


def shot(page: Page, name: str) -> None:
    """A full-page screenshot, ``test-artifacts/screenshots/NAME-desktop.png`` (or ``-phone``)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(SHOTS / f"{name}-{'phone' if width < 600 else 'desktop'}.png"), full_page=True)


def fits_the_phone(page: Page) -> bool:
    """Nothing wider than a phone's viewport: no sideways scrolling of the page itself."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    return width >= 600 or page.evaluate("document.documentElement.scrollWidth") <= width + 1
