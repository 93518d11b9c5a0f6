"""The dashboard's assistant page: ask in Spanish and English, follow up in the same conversation, see the figures
and their sources, filter conversations by type, errors flashed in the user's language, another tenant gets 404;
and in Debian's Chromium a question is asked and answered with no script error, on desktop and phone."""

from __future__ import annotations

import html

import pytest

from browser import VIEWPORTS, fits_the_phone, new_page, open_page, shot, sign_in
from support import load_demo, make_tenant
from web.web_helpers import browser as http_browser
from web.web_helpers import csrf_of
from web.web_helpers import sign_in as http_sign_in


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


@pytest.mark.browser
@VIEWPORTS
def test_a_question_is_asked_and_answered_in_a_real_browser(chromium, server, shop, viewport):
    from playwright.sync_api import expect

    page = new_page(chromium, viewport, "es")
    sign_in(page, server, shop, "analyst")
    open_page(page, server, "/app/assistant")
    page.locator("#assistant-query").fill("ticket medio del mes pasado")
    page.locator("#assistant-ask button").click()
    expect(page.locator("#last")).to_have_attribute("data-intent", "average_ticket")
    expect(page.locator("#last .answer")).to_contain_text("€")
    page.locator("#last summary").click()
    expect(page.locator("#last details pre")).to_contain_text('"revenue"')
    shot(page, "assistant")
    assert fits_the_phone(page)
    assert not page.errors, page.errors
    page.context.close()
