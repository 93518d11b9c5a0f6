"""``tendero schedules | channels | deliveries | retention``: the automation service for one tenant.

Tables for people, ``--json`` for machines; a mistake the user can fix is one line, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tendero.cli.capabilities import JsonOpt, TenantOpt, console, fail, print_json, run_job_here, tenant_id_of

schedules_app = typer.Typer(
    help="Schedules: retraining, churn-risk lists, likely buyers, drift checks.", no_args_is_help=True
)
channels_app = typer.Typer(help="Channels: webhooks (Slack or signed JSON) and email.", no_args_is_help=True)
deliveries_app = typer.Typer(help="Deliveries: what was sent, the dead-letter list, replay.", no_args_is_help=True)
retention_app = typer.Typer(help="How long jobs, audit rows and deliveries are kept.", no_args_is_help=True)
ParamOpt = Annotated[list[str], typer.Option("--param", "-p", help="KEY=VALUE (JSON values allowed), repeatable")]


def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    from pydantic import ValidationError

    from tendero.errors import Conflict, NotFound
    from tendero.services import Invalid

    try:
        return function(*args, **kwargs)
    except Invalid as error:
        details = "; ".join(
            f"{e['field'].removeprefix('body.')}: {e['message']}"
            for e in error.errors[:3]
            if e["message"] != str(error)
        )
        fail(f"{error}" + (f" ({details})" if details else ""))
    except ValidationError as error:
        fail("; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()[:5]))
    except (NotFound, Conflict, ValueError) as error:
        fail(str(error))


def _params(values: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for value in values:
        key, sep, raw = value.partition("=")
        if not sep or not key:
            fail(f"--param {value!r}: write KEY=VALUE, e.g. --param min_probability=0.6")
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
    table = Table("name", "action", "cron", "time zone", "next run (UTC)", "last run", "enabled")
    for s in items:
        last = s["last_run"]
        shown = f"{last['status']} {_when(last['due_at'])}" if last else "-"
        table.add_row(
            s["name"],
            s["action"],
            s["cron"],
            s["timezone"],
            _when(s["next_run_at"]),
            shown,
            "yes" if s["enabled"] else "no",
        )
    console.print(table)


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
    body = _call(
        automation.ScheduleIn.model_validate,
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
    created = _call(automation.create, tenant_id, body)
    if json_output:
        print_json(created)
        return
    console.print(f"schedule [bold]{created['name']}[/bold] ({created['id']}): {created['description']}")
    for due in created["next_runs"]:
        console.print(f"  next: {due['local']}")


@schedules_app.command("show")
def schedules_show(tenant: TenantOpt, schedule: str, json_output: JsonOpt = False) -> None:
    """A schedule, its next runs and its recent runs."""
    from tendero.services import automation

    tenant_id = tenant_id_of(tenant)
    schedule_id = _schedule_id(tenant_id, schedule)
    found = _call(automation.get, tenant_id, schedule_id)
    history, _ = automation.runs(tenant_id, schedule_id, 20, 0)
    if json_output:
        print_json({**found, "runs": history})
        return
    console.print(
        f"[bold]{found['name']}[/bold] · {found['action']} · {found['cron']} ({found['timezone']}) · "
        f"{found['description']}"
    )
    console.print(f"params: {json.dumps(found['params'])}")
    for due in found["next_runs"]:
        console.print(f"  next: {due['local']}")
    table = Table("run", "trigger", "due (UTC)", "missed", "status", "summary")
    for run in history:
        table.add_row(
            run["id"][:8],
            run["trigger"],
            _when(run["due_at"]),
            str(run["missed"]),
            run["status"],
            run["summary"] or run["error"] or "",
        )
    console.print(table)


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
        current = _call(automation.get, tenant_id, schedule_id)["params"]
        changes["params"] = {**current, **_params(param)}
    if enable is not None:
        changes["enabled"] = enable
    updated = _call(automation.update, tenant_id, schedule_id, _call(automation.ScheduleUpdate.model_validate, changes))
    console.print(f"{updated['name']}: next run {_when(updated['next_run_at'])} UTC")


@schedules_app.command("delete")
def schedules_delete(tenant: TenantOpt, schedule: str) -> None:
    from tendero.services import automation

    tenant_id = tenant_id_of(tenant)
    _call(automation.delete, tenant_id, _schedule_id(tenant_id, schedule))
    console.print("deleted")


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
    run = _call(automation.run_now, tenant_id, _schedule_id(tenant_id, schedule))
    if not follow:
        print_json(run) if json_output else console.print(f"run {run['id']} queued (job {run['job_id']})")
        return
    job = run_job_here(tenant_id, run["job_id"])
    if job.get("status") != "completed":
        fail(f"the run {job.get('status')}: {job.get('error')}")
    result, markdown = automation.report(tenant_id, run["id"], "es")
    print_json(result) if json_output else console.print(markdown)


@schedules_app.command("report")
def schedules_report(
    tenant: TenantOpt,
    run: Annotated[str, typer.Argument(help="the run's id")],
    lang: Annotated[str, typer.Option("--lang", help="es or en")] = "es",
    json_output: JsonOpt = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write it to a file")] = None,
) -> None:
    """A run's report (Markdown; --json for the JSON)."""
    from tendero.services import automation

    result, markdown = _call(automation.report, tenant_id_of(tenant), run, lang)
    text = json.dumps(result, indent=2, default=str, ensure_ascii=False) if json_output else markdown
    if output is not None:
        output.write_text(text, encoding="utf-8")
        console.print(f"written to {output}")
    else:
        typer.echo(text)


def _schedule_id(tenant_id: str, name_or_id: str) -> str:
    from tendero.services import automation

    items, _ = automation.list_all(tenant_id, 500, 0)
    for item in items:
        if name_or_id in (item["id"], item["name"]):
            return str(item["id"])
    fail(f"no schedule named or numbered {name_or_id!r}")
    raise AssertionError


# ---- channels ------------------------------------------------------------------------------------------------------


def _channel_id(tenant_id: str, name_or_id: str) -> str:
    from tendero.services import channels

    items, _ = channels.list_all(tenant_id, 500, 0)
    for item in items:
        if name_or_id in (item["id"], item["name"]):
            return str(item["id"])
    fail(f"no channel named or numbered {name_or_id!r}")
    raise AssertionError


@channels_app.command("list")
def channels_list(tenant: TenantOpt, json_output: JsonOpt = False) -> None:
    from tendero.services import channels

    items, _ = channels.list_all(tenant_id_of(tenant), 500, 0)
    if json_output:
        print_json(items)
        return
    table = Table("name", "id", "kind", "language", "address", "events", "enabled")
    for c in items:
        address = (c["webhook"] or {}).get("host") or ", ".join((c["email"] or {}).get("to", []))
        table.add_row(
            c["name"],
            c["id"],
            c["kind"],
            c["language"],
            address or "",
            ", ".join(c["events"]),
            "yes" if c["enabled"] else "no",
        )
    console.print(table)


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
    created = _call(channels.create, tenant_id_of(tenant), _call(channels.ChannelIn.model_validate, body))
    console.print(f"channel [bold]{created['name']}[/bold] ({created['id']})")


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
    created = _call(channels.create, tenant_id_of(tenant), _call(channels.ChannelIn.model_validate, body))
    console.print(f"channel [bold]{created['name']}[/bold] ({created['id']})")


@channels_app.command("test")
def channels_test(tenant: TenantOpt, channel: str) -> None:
    """Send a test message; follow it with `tendero deliveries show`."""
    from tendero.services import channels

    tenant_id = tenant_id_of(tenant)
    delivery = _call(channels.send_test, tenant_id, _channel_id(tenant_id, channel))
    console.print(f"test message queued: delivery {delivery['id']}")


@channels_app.command("delete")
def channels_delete(tenant: TenantOpt, channel: str) -> None:
    from tendero.services import channels

    tenant_id = tenant_id_of(tenant)
    _call(channels.delete, tenant_id, _channel_id(tenant_id, channel))
    console.print("deleted")


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
    table = Table("id", "event", "channel", "status", "attempts", "code", "created (UTC)", "error")
    for d in items:
        table.add_row(
            d["id"],
            d["event"],
            d["channel"],
            d["status"],
            f"{d['attempts']}/{d['max_attempts']}",
            str(d["last_status_code"] or "-"),
            _when(d["created_at"]),
            (d["last_error"] or "")[:60],
        )
    console.print(table)
    console.print(f"{total} deliveries")


@deliveries_app.command("show")
def deliveries_show(tenant: TenantOpt, delivery: str) -> None:
    from tendero.services import deliveries

    print_json(_call(deliveries.get, tenant_id_of(tenant), delivery))


@deliveries_app.command("replay")
def deliveries_replay(tenant: TenantOpt, delivery: str) -> None:
    """Send a dead-lettered delivery's event to its channel again."""
    from tendero.services import deliveries

    replay = _call(deliveries.replay, tenant_id_of(tenant), delivery)
    console.print(f"replay queued: delivery {replay['id']}")


@retention_app.command("show")
def retention_show(tenant: TenantOpt) -> None:
    from tendero.services import automation

    print_json(automation.retention(tenant_id_of(tenant)))


@retention_app.command("set")
def retention_set(tenant: TenantOpt, days: Annotated[int, typer.Argument(min=1, max=3650)]) -> None:
    from tendero.services import automation

    shown = _call(automation.set_retention, tenant_id_of(tenant), automation.RetentionIn(days=days))
    console.print(f"retention: {shown['days']} days")


@retention_app.command("run")
def retention_run(tenant: TenantOpt) -> None:
    """Delete what is older than the retention now, in this process."""
    from tendero.services import automation

    tenant_id = tenant_id_of(tenant)
    queued = automation.run_retention_now(tenant_id)
    job = run_job_here(tenant_id, queued["job_id"])
    print_json(job.get("result"))
