"""Issue #17's walk: every dashboard page of a shop with every model kind trained, and every message of every job type,
read in Spanish, holds no English word from the catalogue's English-only words (words of the ``en`` texts that no
``es`` text uses); read in English, no Spanish-only word. Words inside identifiers the shop chose (model names, ids,
product names) are not the dashboard's words and are left out by marking them in the templates (``<code>``)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from html.parser import HTMLParser
from typing import ClassVar

import pytest
from web_helpers import browser, sign_in

from support import TenantKeys, load_demo, make_tenant, wait_for_job
from tendero.catalogue import entries
from tendero.catalogue.jobs import JOB_TEXTS
from tendero.services.demo import DEMO_MODELS

pytestmark = pytest.mark.slow

WORD = re.compile(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ]+")
# Words both languages write alike though one text or another has them in one language only: names of things
# (LightGBM, MASE), units and codes; each is here because it is the same word in Spanish, not to hide a leak.
SHARED_WORDS = {"api", "csv", "json", "url", "id", "ids", "sku", "rfm", "clv", "auc", "mae", "mase", "wape", "ndcg",
                "lightgbm", "xgboost", "ets", "ces", "mstl", "ease", "als", "bm", "tendero", "admin", "email", "web",
                "online", "ticket", "tenant", "cron", "webhook", "smtp", "post", "get", "bfgs", "btyd", "nbd",
                "pareto", "gamma", "croston", "adida", "imapa", "tsb", "theta", "parquet", "xlsx", "jsonl", "utf",
                "iso", "eur", "usd", "gbp", "mape", "smape", "rmse", "ok", "no", "top", "ranking", "total",
                "demo", "error", "local", "normal", "general", "final", "real", "ideal", "base", "plan", "abc",
                "median", "actual"}  # fmt: skip


def _words(text: str) -> set[str]:
    return {word.lower() for word in WORD.findall(text) if len(word) >= 3}


def one_language_words(only: str, other: str) -> set[str]:
    """Words of the catalogue's ``only`` texts that none of its ``other`` texts uses (numbers and codes aside)."""
    mine: set[str] = set()
    theirs: set[str] = set()
    for _, texts in entries():
        mine |= _words(texts[only])
        theirs |= _words(texts[other])
    return mine - theirs - SHARED_WORDS


class _Visible(HTMLParser):
    """The text a person reads on a page: text nodes and the placeholder/title/aria-label/alt attributes, without
    scripts, styles, figures' JSON, ``<code>`` and what the page marks ``translate="no"`` (the shop's own names and
    ids: model names, product names, customer ids)."""

    SKIP: ClassVar[set[str]] = {"script", "style", "code", "template"}
    SHOWN: ClassVar[tuple[str, ...]] = ("placeholder", "title", "aria-label", "alt")
    VOID: ClassVar[set[str]] = {"input", "br", "img", "meta", "link", "hr", "source", "col", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[tuple[str, bool]] = []  # each open element and whether it hides its content

    @property
    def skipping(self) -> bool:
        return any(hides for _, hides in self.open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        hides = tag in self.SKIP or ("translate", "no") in attrs
        if not self.skipping and not hides:
            self.parts += [value for name, value in attrs if name in self.SHOWN and value]
        if tag not in self.VOID:
            self.open.append((tag, hides))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):  # close up to the matching element (HTML forgives)
            if self.open[index][0] == tag:
                del self.open[index:]
                break

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def offending(text: str, forbidden: set[str], own: Sequence[str] = ()) -> list[str]:
    """Each forbidden word of ``text`` with a little of what surrounds it, so a failure shows where it is; the shop's
    own words (``own``: its product names, categories, model names: ids are text as the shop wrote them) and
    identifiers written with hyphens (``use-multilingual-v3``) are not the dashboard's and are left out."""
    for name in own:
        text = text.replace(name, " ")
    text = re.sub(r"\S*\w-\w\S*", " ", text)
    found = []
    for match in WORD.finditer(text):
        if match.group().lower() in forbidden and len(match.group()) >= 3:
            context = " ".join(text[max(0, match.start() - 40) : match.end() + 40].split())
            found.append(f"{match.group()}: {context}")
    return found


def shop_words(tenant: TenantKeys, client, headers: dict[str, str]) -> list[str]:
    """What the shop itself named: products, their categories and brands, customers, models (longest first)."""
    from tendero.store import commerce

    products = commerce.read_products(tenant.id)
    customers = commerce.read_customers(tenant.id)
    models = [m["name"] for m in client.get("/v1/models", params={"limit": 100}, headers=headers).json()["items"]]
    names = {*products["name"].dropna(), *products["category"].dropna(), *products["brand"].dropna(),
             *customers["name"].dropna(), *models}  # fmt: skip
    return sorted((str(n) for n in names if str(n).strip()), key=len, reverse=True)


@pytest.fixture(scope="module")
def walked_shop(client) -> Iterator[TenantKeys]:
    """A shop with every demo model kind trained and deployed through the real job runner, its product search index,
    an async sales analysis, a batch prediction, a schedule's run, a retention sweep, and one failing job."""
    from tendero.data.datasets import create_from_frame
    from tendero.data.demo import generate_store, route_costs
    from tendero.jobs.runner import get_runner
    from tendero.kinds import get_kind
    from tendero.registry.service import OPERATOR, submit_training
    from tendero.services.search import submit_index_job
    from tendero.store.db import session_scope

    tenant = make_tenant("paseo")
    load_demo(tenant.id, generate_store(seed=11, customers=250, days=800))
    dataset = create_from_frame(tenant.id, route_costs(11), "demo: rutas de reparto", "rutas", "regression",
                                "cost_eur").id  # fmt: skip
    jobs = []
    with session_scope() as session:  # queued as ``tendero demo`` queues them
        for model, kind, params in DEMO_MODELS:
            request = {"model": model, "kind": kind, "params": params, "deploy": "always"}
            if "dataset" in get_kind(kind).needs:
                request["dataset"] = dataset
            job, _ = submit_training(session, tenant.id, request, role=OPERATOR)
            jobs.append(job.id)
    for job_id in jobs:
        get_runner().notify(job_id)
    jobs.append(submit_index_job(tenant.id))
    for job_id in jobs:
        job = wait_for_job(client, tenant, job_id, timeout=600)
        assert job["status"] == "completed", (job["kind"], job["params"], job["error"])
    analysis = client.post("/v1/insights/sales?async=true", json={"period": "2026-11"}, headers=tenant.headers())
    batch = client.post("/v1/models/costes-rutas/batch-predictions", json={"dataset": dataset},
                        headers=tenant.headers())  # fmt: skip
    too_early = {"kind": "customers", "params": {"as_of": "2000-01-01"}}
    failing = client.post("/v1/models/clientes-sin-historia/train", json=too_early, headers=tenant.headers())
    for answer, ends in ((analysis, "completed"), (batch, "completed"), (failing, "failed")):
        assert answer.status_code == 202, answer.text
        job = wait_for_job(client, tenant, answer.json()["id"], timeout=300)
        assert job["status"] == ends, (job["kind"], job["error"])
    # a schedule's run (the churn-risk list of the deployed customers model) and a retention sweep
    weekly = {"name": "riesgo-semanal", "cron": "0 8 * * 1", "action": "churn_risk", "params": {"model": "customers"}}
    schedule = client.post("/v1/schedules", headers=tenant.headers(), json=weekly)
    assert schedule.status_code == 201, schedule.text
    run = client.post(f"/v1/schedules/{schedule.json()['id']}/run", headers=tenant.headers())
    swept = client.post("/v1/retention/run", headers=tenant.headers())
    for answer in (run, swept):
        assert answer.status_code == 202, answer.text
        job = wait_for_job(client, tenant, answer.json()["job_id"], timeout=300)
        assert job["status"] == "completed", (job["kind"], job["error"])
    yield tenant


def _pages(client, tenant: TenantKeys) -> list[str]:
    """Every page of the dashboard with the shop's own ids filled in: each model's and each segment's view too."""
    customers = client.get("/v1/customers/segments", headers=tenant.headers()).json()
    segment = next(s["segment"] for s in customers["summary"] if s["customers"])
    at_risk = client.get("/v1/customers/at-risk", params={"limit": 1}, headers=tenant.headers()).json()["items"]
    insight = client.get("/v1/insights", headers=tenant.headers()).json()["items"][0]["id"]
    schedule = client.get("/v1/schedules", headers=tenant.headers()).json()["items"][0]["id"]
    return [
        "/app", "/app?days=7", "/app/forecast?level=category&freq=M", "/app/forecast?level=total&freq=D",
        "/app/forecast?level=product&freq=W", "/app/customers", f"/app/customers?segment={segment}",
        f"/app/customers/{at_risk[0]['customer_id']}", "/app/recommendations", "/app/experiments", "/app/insights",
        f"/app/insights/{insight}", "/app/assistant", "/app/data", "/app/models", "/app/jobs", "/app/schedules",
        f"/app/schedules/{schedule}",
        "/app/settings", "/app/search?q=cafe", "/app/no-such-page",
    ]  # fmt: skip


def _every_page_route_is_walked(client, pages: list[str]) -> None:
    walked = {page.split("?")[0] for page in pages}
    routes = {route.path for route in client.app.routes if getattr(route, "methods", None) and "GET" in route.methods}
    missing = sorted(path for path in routes
                     if path.startswith("/app") and "{" not in path and path not in walked
                     and not path.endswith((".json", ".js")) and path != "/app/login")  # fmt: skip
    assert not missing, f"pages the walk does not open: {missing}"


@pytest.mark.parametrize(("lang", "other"), [("es", "en"), ("en", "es")])
def test_every_page_and_job_message_is_in_one_language(client, walked_shop, lang, other):
    forbidden = one_language_words(other, lang)
    assert {"the", "and", "with"} & forbidden if other == "en" else {"los", "con", "para"} & forbidden
    web = browser(client)
    sign_in(web, walked_shop)
    pages = _pages(client, walked_shop)
    _every_page_route_is_walked(client, pages)
    found: dict[str, list[str]] = {}
    own = shop_words(walked_shop, client, walked_shop.headers())
    for path in pages:
        page = web.get(path, headers={"accept-language": lang})
        assert page.status_code in (200, 404), (path, page.status_code)
        words = offending(visible_text(page.text), forbidden, [*own, path])
        if words:
            found[path] = words
    headers = {**walked_shop.headers(), "accept-language": lang}
    jobs = client.get("/v1/jobs", params={"limit": 100}, headers=headers).json()["items"]
    kinds = {job["kind"] for job in jobs}
    assert {"train", "search_index", "insights", "batch_predict", "schedule", "retention"} <= kinds, kinds
    assert all(job["status"] == "completed" for job in jobs if job["kind"] in ("schedule", "retention"))
    assert any(job["status"] == "failed" for job in jobs)
    for job in jobs:
        events = client.get(f"/v1/jobs/{job['id']}/progress", params={"limit": 5000}, headers=headers).json()
        lines = [job["error"] or ""] + [event["message"] for event in events["events"]]
        words = [word for line in lines for word in offending(line, forbidden, own)]
        if words:
            found[f"job {job['kind']} {job['params'].get('model', '')}"] = sorted(set(words))[:10]
    assert not found, "\n".join(f"{where}: {words}" for where, words in found.items())


def test_every_job_line_has_both_languages_and_the_same_particulars():
    import string

    formatter = string.Formatter()
    for code, texts in JOB_TEXTS.items():
        fields = {lang: sorted(f for _, f, _, _ in formatter.parse(text) if f) for lang, text in texts.items()}
        assert fields["es"] == fields["en"], code
