"""The dashboard's assistant page: ask in Spanish and English, follow up in the same conversation, see the figures
and their sources, filter conversations by type, errors flashed in the user's language, another tenant gets 404;
and in Debian's Chromium a question is asked and answered with no script error, on desktop and phone."""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import load_demo, make_tenant
from web.web_helpers import browser as http_browser
from web.web_helpers import csrf_of
from web.web_helpers import sign_in as http_sign_in

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def shop(client, demo_store):
    tenant = make_tenant("asistente-web")
    load_demo(tenant.id, demo_store)
    return tenant


def test_ask_follow_up_and_read_the_sources_in_both_languages(client, shop):
    web = http_browser(client)
    http_sign_in(web, shop, "analyst")
    empty = web.get("/app/assistant", headers={"accept-language": "es"})
    assert empty.status_code == 200 and ">Asistente<" in empty.text and 'id="assistant-examples"' in empty.text
    asked = web.post("/app/assistant", data={"csrf": csrf_of(empty.text), "query": "¿cuánto vendimos el mes pasado?",
                     "assistant_type": "SALES_ANALYSIS"})  # fmt: skip
    assert asked.status_code == 303 and "/app/assistant?c=" in asked.headers["location"], asked.text
    conversation_id = asked.headers["location"].split("c=")[1].split("#")[0]
    page = web.get(asked.headers["location"], headers={"accept-language": "es"})
    stored = client.get(f"/v1/assistant/conversations/{conversation_id}", headers=shop.headers()).json()
    first = stored["messages"][0]
    assert first["intent"] == "sales_total" and html.escape(first["answer"]) in page.text
    assert "Cifras y de dónde salen" in page.text and html.escape(first["sources"][0]["query"]) in page.text
    follow = web.post("/app/assistant", data={"csrf": csrf_of(page.text), "query": "and in units?",
                      "conversation_id": conversation_id})  # fmt: skip
    assert follow.headers["location"].startswith(f"/app/assistant?c={conversation_id}")
    stored = client.get(f"/v1/assistant/conversations/{conversation_id}", headers=shop.headers()).json()
    second = stored["messages"][1]
    assert (second["intent"], second["slots"]["measure"], second["language"]) == ("sales_total", "units", "en")
    assert second["slots"]["period"] == first["slots"]["period"]  # the follow-up kept the month
    english = web.get(f"/app/assistant?c={conversation_id}", headers={"accept-language": "en"})
    assert "Figures and their sources" in english.text and html.escape(second["answer"]) in english.text
    listed = web.get("/app/assistant?type=SALES_ANALYSIS").text
    assert f'data-conversation="{conversation_id}"' in listed
    assert f'data-conversation="{conversation_id}"' not in web.get("/app/assistant?type=CUSTOMER_INSIGHT").text


def test_blank_and_huge_questions_are_flashed_and_other_tenants_get_404(client, shop):
    web = http_browser(client)
    http_sign_in(web, shop, "analyst")
    token = csrf_of(web.get("/app/assistant").text)
    blank = web.post("/app/assistant", data={"csrf": token, "query": "   "}, follow_redirects=True,
                     headers={"accept-language": "es"})  # fmt: skip
    assert blank.status_code == 200 and "Escribe una pregunta." in blank.text and "Traceback" not in blank.text
    huge = web.post("/app/assistant", data={"csrf": token, "query": "sales last week " * 300}, follow_redirects=True)
    assert huge.status_code == 200 and "The question is too long" in huge.text
    asked = web.post("/app/assistant", data={"csrf": token, "query": "top 3 productos del mes pasado"})
    conversation_id = asked.headers["location"].split("c=")[1].split("#")[0]
    intruder = http_browser(client)
    http_sign_in(intruder, make_tenant("intrusa-web"), "analyst")
    assert intruder.get(f"/app/assistant?c={conversation_id}").status_code == 404
    assert conversation_id not in intruder.get("/app/assistant").text
    other = intruder.post("/app/assistant", data={"csrf": csrf_of(intruder.get("/app/assistant").text),
                          "query": "y en unidades?", "conversation_id": conversation_id})  # fmt: skip
    assert other.status_code == 404
    service = http_browser(client)
    http_sign_in(service, shop, "service")
    assert service.get("/app/assistant").status_code == 403


@pytest.fixture(scope="module")
def chromium():  # type: ignore[no-untyped-def]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        pytest.skip("playwright is not installed (pip install playwright; no browser download is needed)")
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(client) -> Iterator[str]:
    import uvicorn

    from tendero.app import create_app
    from tendero.bench.server import free_port

    port = free_port()
    config = uvicorn.Config(create_app(run_jobs=False, migrate=False), host="127.0.0.1", port=port, log_config=None)
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(10)


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])  # fmt: skip
def test_a_question_is_asked_and_answered_in_a_real_browser(chromium, server, shop, viewport):
    from playwright.sync_api import expect

    context = chromium.new_context(viewport=viewport, locale="es-ES", extra_http_headers={"accept-language": "es"})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/app/login")
    form = page.locator("#login-key")
    form.locator("input[name=tenant]").fill(shop.name)
    form.locator("input[name=key]").fill(shop.analyst)
    form.locator("button").click()
    page.wait_for_load_state("load")
    page.goto(f"{server}/app/assistant")
    page.locator("#assistant-query").fill("ticket medio del mes pasado")
    page.locator("#assistant-ask button").click()
    expect(page.locator("#last")).to_have_attribute("data-intent", "average_ticket")
    expect(page.locator("#last .answer")).to_contain_text("€")
    page.locator("#last summary").click()
    expect(page.locator("#last details pre")).to_contain_text('"revenue"')
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"assistant-{'phone' if viewport['width'] < 600 else 'desktop'}.png"),
                    full_page=True)  # fmt: skip
    if viewport["width"] < 600:
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    assert not errors, errors
    context.close()
