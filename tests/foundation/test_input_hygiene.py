"""Input no database can store is a 422 that names where it is, never a 500: a NUL character, an unpaired
surrogate, bytes that are not UTF-8, a whole number beyond 64 bits (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from support import make_tenant, using_postgres
from tendero.api.deps import MAX_INT64
from tendero.api.errors import unstorable_text

HUGE = [2**63, 2**64, 10**30, 147 * 10**40]


def _json(client, path: str, raw: str, headers: dict[str, str], language: str = "en"):
    return client.post(
        path, content=raw.encode(), headers={**headers, "content-type": "application/json", "accept-language": language}
    )


@pytest.mark.parametrize(("escape", "word"), [("\\ud800", "surrogate"), ("\\udfff", "surrogate"), ("\\u0000", "NUL")])
def test_unstorable_text_in_a_json_body_is_422_naming_the_field(client, tenant, escape, word):
    rows = '{"rows": [{"product_id": "P1", "name": "ok"}, {"product_id": "P2", "name": "mal' + escape + 'o"}]}'
    answer = _json(client, "/v1/data/products", rows, tenant.headers())
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert answer.headers["content-type"] == "application/problem+json"
    assert body["errors"][0]["field"] == "body.rows.1.name" and word in body["errors"][0]["message"]
    assert "body.rows.1.name" in body["detail"]
    spanish = _json(client, "/v1/data/products", rows, tenant.headers(), "es").json()
    assert "texto" in spanish["errors"][0]["message"]
    train = '{"kind": "baseline", "idempotency_key": "x' + escape + '"}'
    assert _json(client, "/v1/models/m/train", train, tenant.headers()).status_code == 422
    key = '{"name": "k' + escape + '", "role": "service"}'
    assert _json(client, "/v1/keys", key, tenant.headers()).status_code == 422
    listed = client.get("/v1/data/profile", headers=tenant.headers())
    assert listed.status_code == 200 and "P2" not in listed.text  # nothing of the refused body was written


def test_valid_escapes_pass(client, tenant):
    pair = '{"rows": [{"product_id": "EMOJI", "name": "caf\\u00e9 \\ud83d\\ude00 \\\\u0000 literal"}]}'
    answer = _json(client, "/v1/data/products", pair, tenant.headers())
    assert answer.status_code in (200, 201), answer.text


def test_a_body_that_is_not_utf8_is_422_with_the_byte(client, tenant):
    raw = b'{"kind": "baseline", "idempotency_key": "\xed\xa0\x80"}'  # a surrogate written as raw bytes
    headers = {**tenant.headers(), "content-type": "application/json", "accept-language": "en"}
    answer = client.post("/v1/models/m/train", content=raw, headers=headers)
    assert answer.status_code == 422 and "UTF-8" in answer.json()["detail"] and "byte 41" in answer.json()["detail"]


@pytest.mark.parametrize(
    "path", ["/v1/jobs?kind=a%00b", "/v1/jobs/abc%00def", "/v1/audit?action=%00", "/v1/models?kind=%00"]
)
def test_a_nul_in_the_url_is_422(client, tenant, path):
    answer = client.get(path, headers={**tenant.headers(), "accept-language": "en"})
    assert answer.status_code == 422, answer.text
    assert "NUL" in answer.json()["errors"][0]["message"]


def test_a_nul_in_a_dashboard_form_is_never_a_500(client, tenant):
    web = TestClient(client.app, follow_redirects=False)
    token = re.search(r'name="csrf" value="([^"]+)"', web.get("/app/login").text).group(1)
    form = {"csrf": token, "tenant": "tienda\x00", "username": "x\x00", "password": "y" * 12}
    answer = web.post("/app/login", data=form)
    # PostgreSQL refuses the NUL (a 422 page that says why); SQLite stores any text, so the shop is unknown (401)
    assert answer.status_code == (422 if using_postgres() else 401) and "Traceback" not in answer.text


@pytest.fixture(scope="module")
def owner(client):
    """A tenant with one (failed: it has no data) job, shared so that the job runner is not kept busy."""
    tenant = make_tenant("enteros")
    job = client.post("/v1/models/m/train", json={"kind": "baseline"}, headers=tenant.headers())
    return tenant, job.json()["id"]


@pytest.mark.parametrize("number", HUGE)
def test_integers_past_64_bits_are_422_everywhere(client, owner, number):
    tenant, job_id = owner
    for path in (
        f"/v1/models?offset={number}",
        f"/v1/jobs?offset={number}",
        f"/v1/data/imports?offset={number}",
        f"/v1/keys?offset={number}",
        f"/v1/audit?offset={number}",
        f"/v1/jobs/{job_id}/progress?after={number}",
        f"/v1/jobs/{job_id}/progress?after=-{number}",
    ):
        answer = client.get(path, headers=tenant.headers())
        assert answer.status_code == 422, (path, answer.status_code, answer.text[:200])


def test_the_largest_64_bit_offset_is_an_empty_page(client, owner):
    tenant, job_id = owner
    for path in ("/v1/models", "/v1/jobs", "/v1/data/imports", "/v1/keys", "/v1/audit"):
        answer = client.get(f"{path}?offset={MAX_INT64}", headers=tenant.headers())
        assert answer.status_code == 200 and answer.json()["items"] == [], path
    progress = client.get(f"/v1/jobs/{job_id}/progress?after={MAX_INT64}", headers=tenant.headers())
    assert progress.status_code == 200 and progress.json()["events"] == []


def test_every_integer_parameter_of_the_api_is_bounded(client):
    """A guard for routes to come: every integer query or path parameter declares a minimum and a maximum."""
    unbounded = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                options = schema.get("anyOf", [schema])
                for option in options:
                    if option.get("type") == "integer" and ("maximum" not in option or "minimum" not in option):
                        unbounded.append(f"{method.upper()} {path} {parameter['name']}")
    assert not unbounded, unbounded


def test_driver_refusals_are_recognised_through_wrappers():
    class Wrapped(Exception):
        def __init__(self, orig: BaseException) -> None:
            super().__init__("(psycopg.DataError) wrapped")
            self.orig = orig

    assert unstorable_text(Wrapped(ValueError("PostgreSQL text fields cannot contain NUL (0x00) bytes"))) == "nul"
    assert unstorable_text(Wrapped(OverflowError("Python int too large to convert to SQLite INTEGER"))) == "overflow"
    try:
        "\ud800".encode()
    except UnicodeEncodeError as error:
        assert unstorable_text(Wrapped(error)) == "surrogate"
    assert unstorable_text(RuntimeError("disk full")) is None
