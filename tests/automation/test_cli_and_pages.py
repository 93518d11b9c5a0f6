"""The faces of automation besides the API: ``tendero schedules|channels|deliveries|retention`` and the
dashboard's Automation pages (in Spanish and English)."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from support import make_tenant, wait_for_job
from tendero.cli import app

runner = CliRunner()
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout  # progress bars go to stderr


def test_the_cli_creates_runs_and_reports_a_schedule_and_manages_channels_and_retention(client, receiver):
    tenant = make_tenant("cli")
    added = _cli("channels", "add-webhook", "--tenant", tenant.name, "ops", "--url", receiver.url, "--secret",
                 receiver.secret, "--language", "en")  # fmt: skip
    assert "ops" in added
    create = ["schedules", "create", "--tenant", tenant.name, "weekly-drift", "--action", "drift_check",
              "--cron", "0 8 * * 1", "--timezone", "Europe/Madrid", "--channel", "ops", "--json"]  # fmt: skip
    created = json.loads(_cli(*create))
    assert created["channels"] and len(created["next_runs"]) == 5
    listed = json.loads(_cli("schedules", "list", "--tenant", tenant.name, "--json"))
    assert [s["name"] for s in listed] == ["weekly-drift"]
    report = _cli("schedules", "run", "--tenant", tenant.name, "weekly-drift", "--json")
    assert json.loads(report)["summary"] == "0 forecasts checked, 0 drifted"
    assert "ops" in _cli("channels", "list", "--tenant", tenant.name)
    _cli("retention", "set", "--tenant", tenant.name, "30")
    assert "30" in _cli("retention", "show", "--tenant", tenant.name)
    _cli("schedules", "update", "--tenant", tenant.name, "weekly-drift", "--disable")
    shown = json.loads(_cli("schedules", "show", "--tenant", tenant.name, "weekly-drift", "--json"))
    assert shown["enabled"] is False and shown["next_run_at"] is None


def test_the_cli_says_what_is_wrong_without_a_traceback():
    tenant = make_tenant("cli-errors")
    for args, words in (
        (["--action", "shout", "--cron", "0 8 * * 1"], "action"),
        (["--action", "drift_check", "--cron", "0 8 * *"], "it needs 5"),
        (["--action", "drift_check", "--cron", "0 8 * * 1", "--timezone", "Mars/Olympus"], "time zone"),
    ):
        result = runner.invoke(app, ["schedules", "create", "--tenant", tenant.name, "bad", *args])
        assert result.exit_code == 1 and words in result.output and "Traceback" not in result.output, result.output
        assert result.output.count("field(s)") <= 1  # said once


def _signed_in(client, tenant) -> TestClient:
    """A browser-like client with its own cookies, signed in with the tenant's admin key."""
    web = TestClient(client.app, base_url="http://testserver", follow_redirects=False)
    token = CSRF.search(web.get("/app/login").text).group(1)
    answer = web.post("/app/login", data={"csrf": token, "tenant": tenant.name, "key": tenant.admin})
    assert answer.status_code == 303, answer.text
    return web


def test_the_automation_pages_show_schedules_with_next_runs_and_history_in_both_languages(client):
    tenant = make_tenant("pages")
    made = client.post("/v1/schedules", headers=tenant.headers(), json={
        "name": "lunes", "cron": "0 8 * * 1", "timezone": "Europe/Madrid", "action": "drift_check"}).json()  # fmt: skip
    run = client.post(f"/v1/schedules/{made['id']}/run", headers=tenant.headers()).json()
    wait_for_job(client, tenant, run["job_id"])
    web = _signed_in(client, tenant)
    for language, words in (("es", "Próximas ejecuciones"), ("en", "Next runs")):
        page = web.get("/app/schedules", headers={"Accept-Language": language})
        assert page.status_code == 200 and "lunes" in page.text and words in page.text, page.text[:500]
        detail = web.get(f"/app/schedules/{made['id']}", headers={"Accept-Language": language})
        assert detail.status_code == 200 and made["next_runs"][0]["local"][:10] in detail.text
        assert run["id"] in detail.text  # the history links each run's report
    other = _signed_in(client, make_tenant("pages-other"))
    assert other.get(f"/app/schedules/{made['id']}").status_code == 404
    assert other.get(f"/app/schedule-runs/{run['id']}").status_code == 404
    assert "lunes" not in other.get("/app/schedules").text
