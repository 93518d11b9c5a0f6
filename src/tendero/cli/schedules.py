"""``tendero schedules | channels | deliveries | retention``: the automation service for one tenant.

Tables for people, ``--json`` for machines; a mistake the user can fix is one line, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from tendero.cli.capabilities import JsonOpt, TenantOpt, console, fail, print_json, run_job_here, tenant_id_of
from tendero.cli.failures import readable_failure
from tendero.cli.output import Column, language, print_table, say

schedules_app = typer.Typer(
    help="Schedules: retraining, churn-risk lists, likely buyers, drift checks.", no_args_is_help=True
)
channels_app = typer.Typer(help="Channels: webhooks (Slack or signed JSON) and email.", no_args_is_help=True)
deliveries_app = typer.Typer(help="Deliveries: what was sent, the dead-letter list, replay.", no_args_is_help=True)
retention_app = typer.Typer(help="How long jobs, audit rows and deliveries are kept.", no_args_is_help=True)
ParamOpt = Annotated[list[str], typer.Option("--param", "-p", help="KEY=VALUE (JSON values allowed), repeatable")]


def _params(values: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for value in values:
        key, sep, raw = value.partition("=")
        if not sep or not key:
            fail(say("pair", option="--param", value=value, form="KEY=VALUE (--param min_probability=0.6)"), 2)
        try:
            out[key] = json.loads(raw)
        except json.JSONDecodeError:
            out[key] = raw
    return out


def _when(value: Any) -> str:
    return str(value)[:16].replace("T", " ") if value else "-"


# ---- schedules ----------------------------------------------------------------------------------------------------


@schedules_app.command("list")
def schedules_list(tenant: TenantOpt, json_output: JsonOpt = False) -> None:
    """Schedules with their next run and the last run's state."""
    from tendero.services import automation

    items, _ = automation.list_all(tenant_id_of(tenant), 500, 0)
    if json_output:
        print_json(items)
        return
    rows = [{**s, "next": _when(s["next_run_at"]), "enabled": say("yes") if s["enabled"] else say("no"),
             "last": f"{s['last_run']['status']} {_when(s['last_run']['due_at'])}" if s["last_run"] else "-"}
            for s in items]  # fmt: skip
    columns = [Column("name", "col.name"), Column("action", "col.action_name"), Column("cron", "col.cron", "id"),
               Column("timezone", "col.timezone"), Column("next", "col.next_run", "date"),
               Column("last", "col.last_run", "date"), Column("enabled", "col.enabled")]  # fmt: skip
    print_table(rows, columns)


@schedules_app.command("create")
def schedules_create(
    tenant: TenantOpt,
    name: Annotated[str, typer.Argument(help="a name for the schedule")],
    action: Annotated[str, typer.Option(help="retrain, churn_risk, likely_buyers, drift_check or sales_analysis")],
    cron: Annotated[str, typer.Option(help="5 fields, e.g. '0 8 * * 1' (Mondays 08:00), or @daily")],
    timezone: Annotated[str, typer.Option(help="IANA time zone, e.g. Europe/Madrid")] = "UTC",
    param: ParamOpt = [],  # noqa: B006
    channel: Annotated[list[str], typer.Option("--channel", help="channel id or name, repeatable")] = [],  # noqa: B006
    disabled: Annotated[bool, typer.Option("--disabled", help="create it switched off")] = False,
    json_output: JsonOpt = False,
) -> None:
    """Create a schedule; prints its next five runs."""
    from tendero.services import automation

    tenant_id = tenant_id_of(tenant)
    body = automation.ScheduleIn.model_validate(
        {
            "name": name,
            "action": action,
            "cron": cron,
            "timezone": timezone,
            "params": _params(param),
            "channels": [_channel_id(tenant_id, c) for c in channel],
            "enabled": not disabled,
        },
    )
    created = automation.create(tenant_id, body)
    if json_output:
        print_json(created)
        return
    console.print(say("schedule.created", name=created["name"], id=created["id"],
                      description=created["description"]), markup=False)  # fmt: skip
    for due in created["next_runs"]:
        console.print(say("schedule.next", when=due["local"]), markup=False)


@schedules_app.command("show")
def schedules_show(tenant: TenantOpt, schedule: str, json_output: JsonOpt = False) -> None:
    """A schedule, its next runs and its recent runs."""
    from tendero.services import automation

    tenant_id = tenant_id_of(tenant)
    schedule_id = _schedule_id(tenant_id, schedule)
    found = automation.get(tenant_id, schedule_id)
    history, _ = automation.runs(tenant_id, schedule_id, 20, 0)
    if json_output:
        print_json({**found, "runs": history})
        return
    console.print(f"{found['name']} · {found['action']} · {found['cron']} ({found['timezone']}) · "
                  f"{found['description']}", markup=False)  # fmt: skip
    console.print(say("schedule.params", params=json.dumps(found["params"], ensure_ascii=False)), markup=False)
    for due in found["next_runs"]:
        console.print(say("schedule.next", when=due["local"]), markup=False)
    rows = [{**run, "due": _when(run["due_at"]), "summary": run["summary"] or run["error"] or ""} for run in history]
    columns = [Column("id", "col.run", "id"), Column("trigger", "col.trigger"), Column("due", "col.due", "date"),
               Column("missed", "col.missed", "count"), Column("status", "col.status"),
               Column("summary", "col.summary")]  # fmt: skip
    print_table(rows, columns)


@schedules_app.command("update")
def schedules_update(
    tenant: TenantOpt,
    schedule: str,
    cron: Annotated[str | None, typer.Option()] = None,
    timezone: Annotated[str | None, typer.Option()] = None,
    param: ParamOpt = [],  # noqa: B006
    enable: Annotated[bool | None, typer.Option("--enable/--disable")] = None,
) -> None:
    """Change the time, the params (merged into the current ones) or switch it on/off."""
    from tendero.services import automation

    tenant_id = tenant_id_of(tenant)
    schedule_id = _schedule_id(tenant_id, schedule)
    changes: dict[str, Any] = {}
    if cron is not None:
        changes["cron"] = cron
    if timezone is not None:
        changes["timezone"] = timezone
    if param:
        current = automation.get(tenant_id, schedule_id)["params"]
        changes["params"] = {**current, **_params(param)}
    if enable is not None:
        changes["enabled"] = enable
    updated = automation.update(tenant_id, schedule_id, automation.ScheduleUpdate.model_validate(changes))
    console.print(say("schedule.updated", name=updated["name"], when=_when(updated["next_run_at"])), markup=False)


@schedules_app.command("delete")
def schedules_delete(tenant: TenantOpt, schedule: str) -> None:
    from tendero.services import automation

    tenant_id = tenant_id_of(tenant)
    automation.delete(tenant_id, _schedule_id(tenant_id, schedule))
    console.print(say("deleted"), markup=False)


@schedules_app.command("run")
def schedules_run(
    tenant: TenantOpt,
    schedule: str,
    follow: Annotated[bool, typer.Option("--follow/--no-follow", help="run it here and wait for it")] = True,
    json_output: JsonOpt = False,
) -> None:
    """Run a schedule now; with --follow (the default) it runs in this process and prints its report."""
    from tendero.services import automation

    tenant_id = tenant_id_of(tenant)
    run = automation.run_now(tenant_id, _schedule_id(tenant_id, schedule))
    if not follow:
        print_json(run) if json_output else console.print(say("run.queued", id=run["id"], job=run["job_id"]),
                                                          markup=False)  # fmt: skip
        return
    job = run_job_here(tenant_id, run["job_id"])
    if job.get("status") != "completed":
        fail(say("job.failed", status=job.get("status"), reason=readable_failure(str(job.get("error")), tenant)))
    result, markdown = automation.report(tenant_id, run["id"], language())
    print_json(result) if json_output else console.print(markdown)


@schedules_app.command("report")
def schedules_report(
    tenant: TenantOpt,
    run: Annotated[str, typer.Argument(help="the run's id")],
    json_output: JsonOpt = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write it to a file")] = None,
) -> None:
    """A run's report (Markdown; --json for the JSON)."""
    from tendero.services import automation

    result, markdown = automation.report(tenant_id_of(tenant), run, language())
    text = json.dumps(result, indent=2, default=str, ensure_ascii=False) if json_output else markdown
    if output is not None:
        output.write_text(text, encoding="utf-8")
        console.print(say("written", path=output), markup=False)
    else:
        typer.echo(text)


def _schedule_id(tenant_id: str, name_or_id: str) -> str:
    from tendero.services import automation

    items, _ = automation.list_all(tenant_id, 500, 0)
    for item in items:
        if name_or_id in (item["id"], item["name"]):
            return str(item["id"])
    fail(say("schedule.unknown", ref=name_or_id))
    raise AssertionError


# ---- channels ------------------------------------------------------------------------------------------------------


def _channel_id(tenant_id: str, name_or_id: str) -> str:
    from tendero.services import channels

    items, _ = channels.list_all(tenant_id, 500, 0)
    for item in items:
        if name_or_id in (item["id"], item["name"]):
            return str(item["id"])
    fail(say("channel.unknown", ref=name_or_id))
    raise AssertionError


@channels_app.command("list")
def channels_list(tenant: TenantOpt, json_output: JsonOpt = False) -> None:
    from tendero.services import channels

    items, _ = channels.list_all(tenant_id_of(tenant), 500, 0)
    if json_output:
        print_json(items)
        return
    rows = [{**c, "address": (c["webhook"] or {}).get("host") or ", ".join((c["email"] or {}).get("to", [])),
             "events": ", ".join(c["events"]), "enabled": say("yes") if c["enabled"] else say("no")}
            for c in items]  # fmt: skip
    columns = [Column("name", "col.name"), Column("id", "col.id", "id"), Column("kind", "col.kind"),
               Column("language", "col.language"), Column("address", "col.address"), Column("events", "col.events"),
               Column("enabled", "col.enabled")]  # fmt: skip
    print_table(rows, columns)


@channels_app.command("add-webhook")
def channels_add_webhook(
    tenant: TenantOpt,
    name: str,
    url: Annotated[str, typer.Option(help="where to POST (kept sealed)")],
    style: Annotated[str, typer.Option(help="slack or json")] = "json",
    secret: Annotated[str | None, typer.Option(help="HMAC signing secret, 16+ characters (json style)")] = None,
    language: Annotated[str, typer.Option(help="es or en")] = "es",
    event: Annotated[list[str], typer.Option("--event", help="events heard without a schedule")] = [],  # noqa: B006
) -> None:
    from tendero.services import channels

    body: dict[str, Any] = {
        "name": name,
        "kind": "webhook",
        "language": language,
        "webhook": {"url": url, "style": style, "secret": secret},
    }
    if event:
        body["events"] = event
    created = channels.create(tenant_id_of(tenant), channels.ChannelIn.model_validate(body))
    console.print(say("channel.created", name=created["name"], id=created["id"]), markup=False)


@channels_app.command("add-email")
def channels_add_email(
    tenant: TenantOpt,
    name: str,
    to: Annotated[list[str], typer.Option("--to", help="recipient, repeatable")],
    language: Annotated[str, typer.Option(help="es or en")] = "es",
    event: Annotated[list[str], typer.Option("--event", help="events heard without a schedule")] = [],  # noqa: B006
) -> None:
    """An email channel through the installation's SMTP server (TENDERO_SMTP_*)."""
    from tendero.services import channels

    body: dict[str, Any] = {"name": name, "kind": "email", "language": language, "email": {"to": to}}
    if event:
        body["events"] = event
    created = channels.create(tenant_id_of(tenant), channels.ChannelIn.model_validate(body))
    console.print(say("channel.created", name=created["name"], id=created["id"]), markup=False)


@channels_app.command("test")
def channels_test(tenant: TenantOpt, channel: str) -> None:
    """Send a test message; follow it with: tendero deliveries show."""
    from tendero.services import channels

    tenant_id = tenant_id_of(tenant)
    delivery = channels.send_test(tenant_id, _channel_id(tenant_id, channel))
    console.print(say("channel.test_queued", id=delivery["id"]), markup=False)


@channels_app.command("delete")
def channels_delete(tenant: TenantOpt, channel: str) -> None:
    from tendero.services import channels

    tenant_id = tenant_id_of(tenant)
    channels.delete(tenant_id, _channel_id(tenant_id, channel))
    console.print(say("deleted"), markup=False)


# ---- deliveries and retention ---------------------------------------------------------------------------------------


@deliveries_app.command("list")
def deliveries_list(
    tenant: TenantOpt,
    status: Annotated[str | None, typer.Option(help="dead: the dead-letter list")] = None,
    json_output: JsonOpt = False,
) -> None:
    from tendero.services import deliveries

    items, total = deliveries.list_all(tenant_id_of(tenant), status=status, limit=200)
    if json_output:
        print_json(items)
        return
    rows = [{**d, "attempts": f"{d['attempts']}/{d['max_attempts']}", "code": str(d["last_status_code"] or "-"),
             "created": _when(d["created_at"]), "error": d["last_error"] or ""} for d in items]  # fmt: skip
    columns = [Column("id", "col.id", "id"), Column("event", "col.event"), Column("channel", "col.channel"),
               Column("status", "col.status"), Column("attempts", "col.attempts", "id"),
               Column("code", "col.http_code", "id"), Column("created", "col.created", "date"),
               Column("error", "col.error")]  # fmt: skip
    print_table(rows, columns)
    console.print(say("deliveries.total", total=f"{total:,}"), markup=False)


@deliveries_app.command("show")
def deliveries_show(tenant: TenantOpt, delivery: str) -> None:
    from tendero.services import deliveries

    print_json(deliveries.get(tenant_id_of(tenant), delivery))


@deliveries_app.command("replay")
def deliveries_replay(tenant: TenantOpt, delivery: str) -> None:
    """Send a dead-lettered delivery's event to its channel again."""
    from tendero.services import deliveries

    replay = deliveries.replay(tenant_id_of(tenant), delivery)
    console.print(say("delivery.replay_queued", id=replay["id"]), markup=False)


@retention_app.command("show")
def retention_show(tenant: TenantOpt) -> None:
    from tendero.services import automation

    print_json(automation.retention(tenant_id_of(tenant)))


@retention_app.command("set")
def retention_set(tenant: TenantOpt, days: Annotated[int, typer.Argument(min=1, max=3650)]) -> None:
    from tendero.services import automation

    shown = automation.set_retention(tenant_id_of(tenant), automation.RetentionIn(days=days))
    console.print(say("retention.days", days=shown["days"]), markup=False)


@retention_app.command("run")
def retention_run(tenant: TenantOpt) -> None:
    """Delete what is older than the retention now, in this process."""
    from tendero.services import automation

    tenant_id = tenant_id_of(tenant)
    queued = automation.run_retention_now(tenant_id)
    job = run_job_here(tenant_id, queued["job_id"])
    print_json(job.get("result"))
