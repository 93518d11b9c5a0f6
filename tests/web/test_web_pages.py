"""What the pages show and do: KPIs from the order lines, empty states, train → deploy → roll back, imports,
keys shown once, languages, errors as messages, plotly.js from the installed package."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pandas as pd
import pytest
from web_helpers import browser, sign_in

from support import load_demo, make_tenant, wait_for_job
from tendero.services.summaries import compute_sales
from tendero.web.i18n import format_metric, format_number, pick_language


@pytest.fixture(scope="module")
def demo_shop(client, demo_store):
    tenant = make_tenant("tienda")
    load_demo(tenant.id, demo_store)
    return tenant


def _lines(rows: list[tuple[str, str, str, float, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "ordered_at", "revenue", "status"])
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"])
    frame["category"] = "pan"
    return frame


def test_kpis_compare_the_last_period_with_the_one_before():
    lines = _lines([
        ("o1", "c1", "2026-03-01 10:00", 10.0, "completed"),   # before
        ("o2", "c2", "2026-03-05 10:00", 30.0, "completed"),   # before
        ("o3", "c1", "2026-03-09 10:00", 20.0, "completed"),   # current
        ("o3", "c1", "2026-03-09 10:00", 5.0, "completed"),    # current, same order
        ("o4", "c3", "2026-03-14 18:00", 50.0, "completed"),   # current, the last day
        ("o5", "c4", "2026-03-13 18:00", 99.0, "cancelled"),   # never counted
    ])  # fmt: skip
    summary = compute_sales(lines, days=7)
    kpis = {k.key: k for k in summary.kpis}
    assert summary.last_day == "2026-03-14"
    assert (kpis["revenue"].current, kpis["revenue"].previous) == (75.0, 40.0)
    assert (kpis["orders"].current, kpis["orders"].previous) == (2, 2)
    assert (kpis["customers"].current, kpis["customers"].previous) == (2, 2)
    assert kpis["ticket"].current == 37.5 and kpis["ticket"].previous == 20.0
    assert kpis["revenue"].change == pytest.approx(0.875)
    assert summary.daily["day"][-1] == "2026-03-14" and summary.daily["revenue"][-1] == 50.0
    assert len(summary.daily["day"]) == 14  # every calendar day, zero where nothing sold
    assert compute_sales(lines.iloc[:0], 7).empty


def test_languages_follow_the_browser_and_format_numbers():
    assert pick_language("es-ES,es;q=0.9,en;q=0.8") == "es"
    assert pick_language("fr-FR, en;q=0.5, es;q=0.7") == "es"
    assert pick_language("de") == "en" and pick_language(None) == "en"
    assert format_number(1234567.891, "es", 2) == "1.234.567,89"
    assert format_number(1234567.891, "en", 2) == "1,234,567.89"
    assert (format_metric(8.0, "es"), format_metric(0.12345, "es"), format_metric(1234.56, "en")) == (
        "8",
        "0,123",
        "1,234.6",
    )


def test_overview_shows_kpis_and_the_sales_figure_on_demo_data(client, demo_shop):
    web = browser(client)
    sign_in(web, demo_shop, "analyst")
    page = web.get("/app?days=28")
    assert page.status_code == 200
    for key in ("revenue", "orders", "customers", "ticket"):
        assert f'data-kpi="{key}"' in page.text
    figure = json.loads(
        re.search(r'<script type="application/json" id="sales-figure">(.*?)</script>', page.text, re.S)[1]
    )
    assert len(figure["data"][0]["x"]) >= 56 and sum(figure["data"][0]["y"]) > 0
    assert "/app/assets/plotly-" in page.text
    again = time.perf_counter()
    web.get("/app?days=28")
    assert time.perf_counter() - again < 1.0, "a warm Overview must load in under a second"


def test_empty_shop_pages_say_what_to_do(client):
    empty = make_tenant("vacia")
    web = browser(client)
    sign_in(web, empty)
    overview = web.get("/app").text
    assert 'id="empty-sales"' in overview and "Import your orders" in overview and "sales-figure" not in overview
    assert "No model trained yet" in overview
    assert "No models yet" in web.get("/app/models").text
    assert "No jobs yet" in web.get("/app/jobs").text
    assert "No imports yet" in web.get("/app/data").text


def test_train_deploy_roll_back_and_archive_from_the_pages(client, demo_shop):
    web = browser(client)
    token = sign_in(web, demo_shop)
    for weeks in (4, 3):
        answer = web.post("/app/models/train", data={"csrf": token, "model": "ventas", "kind": "baseline",
                          "weeks": str(weeks), "deploy": "never"})  # fmt: skip
        assert answer.status_code == 303 and answer.headers["location"].startswith("/app/jobs/")
        job = client.get("/v1/jobs?limit=1", headers=demo_shop.headers()).json()["items"][0]
        assert job["params"]["params"] == {"weeks": weeks, "holdout_days": 7}
        assert wait_for_job(client, demo_shop, job["id"])["status"] == "completed"
    assert "Training queued" in web.get("/app/jobs").text
    deployed = lambda: client.get("/v1/models/ventas", headers=demo_shop.headers()).json()["deployed_version"]  # noqa: E731
    assert web.post("/app/models/ventas/versions/1.0.0/deploy", data={"csrf": token}).status_code == 303
    assert deployed() == "1.0.0"
    web.post("/app/models/ventas/versions/1.1.0/deploy", data={"csrf": token})
    assert deployed() == "1.1.0"
    models = web.get("/app/models").text
    assert re.search(r'data-version="1.1.0" data-status="deployed"', models) and "is deployed" in models
    web.post("/app/models/ventas/rollback", data={"csrf": token})
    assert deployed() == "1.0.0"
    archived = web.post("/app/models/ventas/versions/1.1.0/archive", data={"csrf": token})
    assert archived.status_code == 303
    assert 'data-version="1.1.0" data-status="archived"' in web.get("/app/models").text
    # a refused action is a message on the page, not an error screen
    web.post("/app/models/ventas/versions/1.1.0/deploy", data={"csrf": token})
    assert "archived versions cannot be deployed" in web.get("/app/models").text
    assert "ventas" in web.get("/app").text  # model health on the overview


def test_bad_training_input_is_a_message_beside_its_field(client, demo_shop):
    web = browser(client)
    token = sign_in(web, demo_shop, "analyst")
    for form, field, expected in [
        ({"kind": "baseline", "weeks": "many"}, "weeks", "Allowed: whole number, 1 ≤ x ≤ 520"),
        ({"kind": "baseline", "weeks": "0"}, "weeks", "Allowed: whole number, 1 ≤ x ≤ 520"),
        ({"kind": "baseline", "model": "../etc"}, "model", "Letters, digits"),
    ]:
        answer = web.post("/app/models/train", data={"csrf": token, **form})
        assert answer.status_code == 422, form
        assert f'data-error-for="{field}">' in answer.text and expected in answer.text, form
        typed = form.get(field, "")
        assert f'value="{typed}"' in answer.text.replace("&#34;", '"') or field == "model", form


def test_upload_shows_the_validation_report(client):
    shop = make_tenant("subida")
    web = browser(client)
    token = sign_in(web, shop)
    lines = ("order_id,ordered_at,product_id,quantity,unit_price,customer_id\n"
             "A1,2026-03-01 10:00,P1,2,1.80,C1\nA2,not a date,P2,1,0.95,C2\n"
             "A3,2026-03-02 12:00,P2,-1,0.95,C2\n")  # fmt: skip
    answer = web.post("/app/data/imports", data={"csrf": token, "entity": "order_lines"},
                      files={"file": ("ventas.csv", lines.encode(), "text/csv")})  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"].startswith("/app/data/imports/")
    report = web.get(answer.headers["location"]).text
    assert "ventas.csv" in report and "2 rejected" in report and "ordered_at" in report
    spanish = web.get(answer.headers["location"], headers={"accept-language": "es"}).text
    assert 'data-status="completed">completado' in spanish  # the import's state in the reader's language
    reasons = {
        lang: re.search(r'<ul id="reasons">(.*?)</ul>', page, re.S)[1]
        for lang, page in (("en", report), ("es", spanish))
    }
    assert "negative quantity" in reasons["en"] and "— <strong>1</strong>" in reasons["en"]
    assert "cantidad negativa" in reasons["es"] and "negative quantity" not in reasons["es"]  # the summary, translated
    data = web.get("/app/data").text
    assert "ventas.csv" in data and 'id="profile"' in data
    nothing = web.post("/app/data/imports", data={"csrf": token, "entity": "order_lines"})
    assert nothing.status_code == 303 and "Choose a file" in web.get("/app/data").text
    broken = web.post("/app/data/imports", data={"csrf": token, "entity": "products"},
                      files={"file": ("x.parquet", b"not parquet at all", "application/octet-stream")})  # fmt: skip
    assert broken.status_code == 303
    assert 'class="flash error"' in web.get("/app/data").text


def test_a_new_key_is_shown_once_and_works_then_revoked(client):
    shop = make_tenant("claves")
    web = browser(client)
    token = sign_in(web, shop)
    created = web.post("/app/settings/keys", data={"csrf": token, "name": "caja", "role": "service"})
    secret = re.search(r'id="new-key-secret">([^<]+)<', created.text)[1]
    assert created.status_code == 200 and secret.startswith("tdr_")
    assert secret not in web.get("/app/settings").text and secret not in created.headers.get("set-cookie", "")
    assert client.post("/v1/data/products", json={"rows": [{"product_id": "K1", "name": "k"}]},
                       headers={"Authorization": f"Bearer {secret}"}).status_code == 201  # fmt: skip
    key_id = next(
        k["id"] for k in client.get("/v1/keys", headers=shop.headers()).json()["items"] if k["name"] == "caja"
    )
    assert web.post(f"/app/settings/keys/{key_id}/revoke", data={"csrf": token}).status_code == 303
    assert client.get("/v1/models", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_spanish_by_accept_language_and_switchable(client, demo_shop):
    web = browser(client)
    web.headers["accept-language"] = "es-ES,es;q=0.9"
    login = web.get("/app/login").text
    assert "Iniciar sesión" in login and 'lang="es"' in login
    token = sign_in(web, demo_shop)
    page = web.get("/app").text
    assert "Ventas" in page and "Ticket medio" in page
    web.post("/app/language", data={"csrf": token, "lang": "en", "next": "/app/models"})
    assert "Average ticket" in web.get("/app").text
    web.post("/app/language", data={"csrf": token, "lang": "es", "next": "/app"})
    assert "Ticket medio" in web.get("/app").text


def test_errors_are_messages_not_tracebacks(client, demo_shop):
    web = browser(client)
    token = sign_in(web, demo_shop)
    missing = web.get("/app/data/imports/does-not-exist")
    assert missing.status_code == 404 and "Not found" in missing.text and "Traceback" not in missing.text
    invalid = web.post("/app/settings/keys", data={"csrf": token, "name": "x", "role": "emperor"})
    assert invalid.status_code == 422 and "Invalid input" in invalid.text and "<html" in invalid.text
    assert web.post("/app/models/nada/rollback", data={"csrf": token}).status_code == 404


def test_job_progress_json_follows_a_running_job(client, demo_shop):
    web = browser(client)
    token = sign_in(web, demo_shop, "analyst")
    web.post("/app/models/train", data={"csrf": token, "model": "lento", "kind": "slow", "steps": "4",
             "seconds_per_step": "0.05", "deploy": "never"})  # fmt: skip
    job_id = client.get("/v1/jobs?limit=1", headers=demo_shop.headers()).json()["items"][0]["id"]
    assert wait_for_job(client, demo_shop, job_id)["status"] == "completed"
    body = web.get(f"/app/jobs/progress.json?ids={job_id}").json()["jobs"][job_id]
    assert body["status"] == "completed" and body["progress"] == 100.0 and body["finished"]
    assert [e["metrics"]["loss"] for e in body["events"]] == [1.0, 0.5, 1 / 3, 0.25]
    last = body["events"][-1]["id"]
    assert web.get(f"/app/jobs/progress.json?ids={job_id}&after={last}").json()["jobs"][job_id]["events"] == []


def test_plotly_js_comes_from_the_installed_package_gzipped(client):
    from importlib import metadata

    import plotly

    version = metadata.version("plotly")
    web = browser(client)
    shipped = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()
    packed = web.get(f"/app/assets/plotly-{version}.min.js", headers={"accept-encoding": "gzip"})
    assert packed.status_code == 200 and "immutable" in packed.headers["cache-control"]
    assert packed.headers["content-encoding"] == "gzip" and int(packed.headers["content-length"]) < len(shipped) / 2
    assert packed.content == shipped  # httpx unpacked it: the package's own file, byte for byte
    raw = web.get(f"/app/assets/plotly-{version}.min.js", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in raw.headers and raw.content == shipped
