"""Schedules as a service: define them (cron + time zone + action + channels), see their next runs and
history, run one now, read a run's report; and the job every run becomes (``run_scheduled``).

Actions: ``retrain`` (champion/challenger, or ``refresh`` between full retrains), ``churn_risk`` (customers
above a risk and a value threshold and their total value at risk), ``likely_buyers`` (customers likely to
buy in the next N days), ``drift_check`` (deployed forecasts against what happened), ``sales_analysis`` (the
last complete day, week, month or quarter against the one before, with its findings). What a run finds is
an event; the schedule's channels, and any channel subscribed to that kind of event, hear about it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, available_timezones

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tendero.catalogue.refusals import refusal_text
from tendero.config import get_settings
from tendero.jobs import cron
from tendero.jobs.execute import JobContext, JobFailed
from tendero.jobs.scheduler import RETENTION_JOB, queue_run
from tendero.notify.reports import report_markdown
from tendero.registry.challenger import RetrainPolicy
from tendero.services import Invalid
from tendero.store import automation as rows
from tendero.store import jobs as job_rows
from tendero.store import retention as retention_rows
from tendero.store.automation_tables import Schedule
from tendero.store.db import session_scope
from tendero.store.tables import utcnow
from tendero.store.tenants import NotFound

NAME = r"^[A-Za-z0-9][A-Za-z0-9 _.:-]*$"
# the documented choices (the check itself, with a message in words, is cron.zone's)
ZONES = sorted(available_timezones() - {"localtime", "Factory"})
CRON_FIELD = r"[0-9A-Za-z*,/?#-]+"
CRON = rf"^\s*(@[a-z]+|{CRON_FIELD}(\s+{CRON_FIELD}){{4}})\s*$"
UPCOMING = 5


class ChurnRiskParams(BaseModel):
    """3T's fortnightly list: customers above a churn probability and a value at risk, most at stake first."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field("customers", min_length=1, max_length=200)
    min_probability: float = Field(0.5, ge=0.0, le=1.0)
    min_value: float = Field(0.0, ge=0.0, description="least value at risk (money, in the currency below)")
    limit: int = Field(200, ge=1, le=10_000, description="customers listed (the total at risk counts them all)")
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="default: the tenant's currency")


class LikelyBuyersParams(BaseModel):
    """3T's Monday list: customers most likely to buy in the next ``days``."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field("customers", min_length=1, max_length=200)
    days: int = Field(7, ge=1, le=365)
    min_probability: float = Field(0.3, ge=0.0, le=1.0)
    limit: int = Field(200, ge=1, le=10_000)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="default: the tenant's currency")


class SalesAnalysisParams(BaseModel):
    """A sales analysis (the insights issue's) of the last complete period with sales, against the one before."""

    model_config = ConfigDict(extra="forbid")

    period: Literal["day", "week", "month", "quarter"] = "month"
    language: Literal["es", "en"] = Field("es", description="the stored report's language (channels use their own)")
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="default: the tenant's currency")
    top: int = Field(10, ge=1, le=50, description="findings listed")


class DriftCheckParams(BaseModel):
    """Compare deployed forecasts with what happened (the import hook does it too); drift alerts follow."""

    model_config = ConfigDict(extra="forbid")


ACTIONS: dict[str, type[BaseModel]] = {
    "retrain": RetrainPolicy,
    "churn_risk": ChurnRiskParams,
    "likely_buyers": LikelyBuyersParams,
    "drift_check": DriftCheckParams,
    "sales_analysis": SalesAnalysisParams,
}
Action = Literal["retrain", "churn_risk", "likely_buyers", "drift_check", "sales_analysis"]


def _five_fields(value: Any) -> Any:
    """Before the pattern: a wrong number of fields is said in words."""
    if isinstance(value, str) and not cron.expand(value).startswith("@"):
        count = len(cron.expand(value).split())
        if count != 5:
            raise ValueError(f"cron {value[:60]!r} has {count} field(s); it needs 5: {', '.join(cron.FIELDS)}")
    return value


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=NAME)
    cron: str = Field(min_length=1, max_length=120, pattern=CRON,
                      description="5 fields: minute hour day month weekday, or @daily")  # fmt: skip
    timezone: str = Field("UTC", max_length=64, json_schema_extra={"enum": list[Any](ZONES)},
                          description="IANA time zone the cron reads in, e.g. Europe/Madrid")  # fmt: skip
    action: Action
    params: dict[str, Any] = Field(default_factory=dict, description="the action's settings (see the action)")
    channels: list[str] = Field(default_factory=list, max_length=20, description="channel ids told about each run")
    enabled: bool = True

    _cron_fields = field_validator("cron", mode="before")(_five_fields)


class ScheduleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200, pattern=NAME)
    cron: str | None = Field(None, min_length=1, max_length=120, pattern=CRON)
    timezone: str | None = Field(None, max_length=64, json_schema_extra={"enum": [*ZONES, None]})
    params: dict[str, Any] | None = None
    channels: list[str] | None = Field(None, max_length=20)
    enabled: bool | None = None

    _cron_fields = field_validator("cron", mode="before")(_five_fields)


# ---- validation -------------------------------------------------------------------------------------------


def _checked_cron(expression: str, timezone: str) -> str:
    try:
        return cron.validate(expression, timezone)
    except cron.CronError as error:
        field = "body.timezone" if "time zone" in str(error) else "body.cron"
        raise Invalid(str(error), [{"field": field, "message": str(error)}]) from error


def _checked_params(action: str, params: dict[str, Any]) -> dict[str, Any]:
    try:
        parsed = ACTIONS[action].model_validate(params)
    except ValidationError as error:
        errors = [
            {"field": ".".join(["body", "params", *[str(p) for p in e["loc"]]]), "message": e["msg"]}
            for e in error.errors()
        ]
        raise Invalid(
            f"invalid params for action {action}: " + "; ".join(f"{e['field']}: {e['message']}" for e in errors[:3]),
            errors,
        ) from error
    return parsed.model_dump(mode="json", exclude_none=True)


def _checked_channels(session: Any, tenant_id: str, channel_ids: list[str]) -> list[str]:
    for index, channel_id in enumerate(channel_ids):
        try:
            rows.get_channel(session, tenant_id, channel_id)
        except NotFound as error:
            raise Invalid(str(error), [{"field": f"body.channels.{index}", "message": str(error)}]) from error
    return list(dict.fromkeys(channel_ids))


# ---- what the faces show ------------------------------------------------------------------------------------


def run_public(view: rows.RunView) -> dict[str, Any]:
    run = view.run
    result = run.result or {}
    return {
        "id": run.id,
        "schedule_id": run.schedule_id,
        "trigger": run.trigger,
        "due_at": run.due_at,
        "missed": run.missed,
        "first_missed_at": run.first_missed_at,
        "job_id": run.job_id,
        "status": view.status,
        "attempts": view.attempts,
        "started_at": view.started_at,
        "finished_at": view.finished_at,
        "error": view.error,
        "created_at": run.created_at,
        "summary": result.get("summary"),
        "has_report": bool(result),
    }


def public(schedule: Schedule, last: rows.RunView | None = None, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    upcoming = cron.upcoming(schedule.cron, schedule.timezone, now, UPCOMING) if schedule.enabled else []
    tz = ZoneInfo(schedule.timezone)
    return {
        "id": schedule.id,
        "name": schedule.name,
        "action": schedule.action,
        "params": schedule.params,
        "cron": schedule.cron,
        "timezone": schedule.timezone,
        "description": cron.describe(schedule.cron),
        "enabled": schedule.enabled,
        "channels": schedule.channels,
        "next_run_at": schedule.next_due_at,
        "next_runs": [{"at": due, "local": due.astimezone(tz).isoformat()} for due in upcoming],
        "last_due_at": schedule.last_due_at,
        "last_run": run_public(last) if last else None,
        "created_at": schedule.created_at,
        "updated_at": schedule.updated_at,
    }


# ---- schedules --------------------------------------------------------------------------------------------------


def create(tenant_id: str, body: ScheduleIn) -> dict[str, Any]:
    expression = _checked_cron(body.cron, body.timezone)
    params = _checked_params(body.action, body.params)
    now = utcnow()
    with session_scope() as session:
        channels = _checked_channels(session, tenant_id, body.channels)
        schedule = rows.create_schedule(
            session,
            tenant_id,
            name=body.name,
            action=body.action,
            params=params,
            cron=expression,
            timezone=body.timezone,
            enabled=body.enabled,
            channels=channels,
            next_due_at=cron.next_due(expression, body.timezone, now) if body.enabled else None,
            revision=0,
        )
        return public(schedule, None, now)


def list_all(tenant_id: str, limit: int = 50, offset: int = 0, action: str | None = None) -> tuple[list[dict], int]:
    with session_scope() as session:
        schedules, total = rows.list_schedules(session, tenant_id, action=action, limit=limit, offset=offset)
        last = rows.last_runs(session, [s.id for s in schedules])
        return [public(s, last.get(s.id)) for s in schedules], total


def get(tenant_id: str, schedule_id: str) -> dict[str, Any]:
    with session_scope() as session:
        schedule = rows.get_schedule(session, tenant_id, schedule_id)
        last = rows.last_runs(session, [schedule.id]).get(schedule.id)
        return public(schedule, last)


def update(tenant_id: str, schedule_id: str, body: ScheduleUpdate) -> dict[str, Any]:
    # a field sent as null is left as it is, like one not sent (every field of a schedule has a value)
    changes = {key: value for key, value in body.model_dump(exclude_unset=True).items() if value is not None}
    now = utcnow()
    with session_scope() as session:
        schedule = rows.get_schedule(session, tenant_id, schedule_id)
        expression = _checked_cron(changes.get("cron", schedule.cron), changes.get("timezone", schedule.timezone))
        if "cron" in changes:
            changes["cron"] = expression
        if "params" in changes:
            changes["params"] = _checked_params(schedule.action, changes["params"] or {})
        if "channels" in changes:
            changes["channels"] = _checked_channels(session, tenant_id, changes["channels"] or [])
        enabled = changes.get("enabled", schedule.enabled)
        timing = {"cron", "timezone", "enabled"} & set(changes)
        if timing and enabled:  # a new time (or re-enabled): the next due time after now, nothing caught up
            changes["next_due_at"] = cron.next_due(expression, changes.get("timezone", schedule.timezone), now)
        elif not enabled:
            changes["next_due_at"] = None
        rows.update_schedule(session, schedule, **changes)
        return public(schedule, rows.last_runs(session, [schedule.id]).get(schedule.id), now)


def delete(tenant_id: str, schedule_id: str) -> None:
    with session_scope() as session:
        rows.delete_schedule(session, tenant_id, schedule_id)


def run_now(tenant_id: str, schedule_id: str) -> dict[str, Any]:
    """A manual run, now (the schedule's own due times are untouched)."""
    from tendero.jobs.runner import get_runner

    with session_scope() as session:
        schedule = rows.get_schedule(session, tenant_id, schedule_id)
        queued = queue_run(session, schedule, "manual", utcnow(), claimed_by="manual")
        if queued is None:
            raise Invalid("a manual run was asked for this very instant already; try again")
        run_row, job = queued
        run_id, job_id = run_row.id, job.id
    get_runner().notify(job_id)
    return run(tenant_id, run_id)


def runs(tenant_id: str, schedule_id: str | None, limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    with session_scope() as session:
        if schedule_id is not None:
            rows.get_schedule(session, tenant_id, schedule_id)
        views, total = rows.list_runs(session, tenant_id, schedule_id, limit=limit, offset=offset)
        return [run_public(view) for view in views], total


def run(tenant_id: str, run_id: str) -> dict[str, Any]:
    with session_scope() as session:
        view = rows.get_run(session, tenant_id, run_id)
        return {**run_public(view), "result": view.run.result}


def report(tenant_id: str, run_id: str, lang: str = "es") -> tuple[dict[str, Any], str]:
    """A run's report as JSON and as Markdown in ``lang``; NotFound while the run has none yet."""
    found = run(tenant_id, run_id)
    result = found.get("result")
    if not result:
        raise NotFound(f"run {run_id} has no report yet (it is {found['status']})")
    return result, report_markdown(result, lang)


# ---- retention ------------------------------------------------------------------------------------------------------


class RetentionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: int = Field(ge=1, le=3650, description="jobs, progress events, audit rows and deliveries older go")


def retention(tenant_id: str) -> dict[str, Any]:
    default = get_settings().retention_days
    with session_scope() as session:
        days = retention_rows.retention_days(session, tenant_id, default)
    return {
        "days": days,
        "default_days": default,
        "applies_to": list(retention_rows.PURGES),
        "sweep": {"cron": "17 3 * * *", "timezone": "UTC"},
    }


def set_retention(tenant_id: str, body: RetentionIn) -> dict[str, Any]:
    with session_scope() as session:
        retention_rows.set_retention_days(session, tenant_id, body.days)
    return retention(tenant_id)


def run_retention_now(tenant_id: str) -> dict[str, Any]:
    """Queue this tenant's retention job now (the daily sweep also does)."""
    from tendero.jobs.runner import get_runner

    settings = get_settings()
    with session_scope() as session:
        days = retention_rows.retention_days(session, tenant_id, settings.retention_days)
        job, _ = job_rows.submit_job(
            session, tenant_id, RETENTION_JOB, {"days": days, "trigger": "manual"}, max_attempts=settings.job_attempts
        )
        job_id = job.id
    get_runner().notify(job_id)
    return {"job_id": job_id, "days": days}


# ---- the job every run becomes -----------------------------------------------------------------------------------


def _action_params(model: type[BaseModel], params: dict[str, Any]) -> Any:
    return model.model_validate({k: v for k, v in params.items() if k in model.model_fields})


def run_scheduled(ctx: JobContext) -> dict[str, Any]:
    """Do the run's action, keep its result on the run, and tell the channels (once, whatever the attempts)."""
    from tendero.services import workflows

    action = ctx.params.get("action")
    if action not in ACTIONS:
        raise JobFailed(refusal_text("schedule.unknown_action", action=action, known=", ".join(ACTIONS)))
    try:
        params = _action_params(ACTIONS[action], ctx.params)
    except ValidationError as error:  # the fields by name, never pydantic's own text
        fields = ", ".join(sorted({".".join(str(p) for p in e["loc"]) or "params" for e in error.errors()}))
        raise JobFailed(refusal_text("schedule.invalid_params", action=action, fields=fields)) from error
    meta = {
        "schedule": ctx.params.get("schedule"),
        "trigger": ctx.params.get("trigger"),
        "due_at": ctx.params.get("due_at"),
        "missed": ctx.params.get("missed", 0),
    }
    if action == "retrain":
        from tendero.registry.challenger import retrain

        result = retrain(ctx, params, trigger=str(meta["trigger"]), schedule=str(meta["schedule"] or ""))
        kind = "refresh" if params.mode == "refresh" else "retrain"
        result["summary"] = _retrain_summary(result)
    elif action == "churn_risk":
        result, kind = workflows.churn_risk(ctx.tenant_id, params), "churn_risk"
    elif action == "likely_buyers":
        result, kind = workflows.likely_buyers(ctx.tenant_id, params), "likely_buyers"
    elif action == "sales_analysis":
        result, kind = workflows.sales_analysis(ctx.tenant_id, params, ctx.job_id), "sales_analysis"
    else:
        result, kind = workflows.drift_check(ctx.tenant_id), ""
    result = {**result, **meta}
    run_id = ctx.params.get("run_id")
    with session_scope() as session:
        if run_id:
            rows.set_run_result(session, run_id, result)
        if kind:
            rows.record_event(
                session,
                ctx.tenant_id,
                kind,
                f"run:{run_id or ctx.job_id}",
                result,
                schedule_id=ctx.params.get("schedule_id"),
                channel_ids=ctx.params.get("channels") or [],
                default_attempts=get_settings().delivery_attempts,
            )
    return {"summary": result.get("summary"), "run_id": run_id, "event": kind or None}


def _retrain_summary(report: dict[str, Any]) -> str:
    decision = report.get("decision")
    if decision == "refresh":
        return f"refreshed to {report.get('new_version')}"
    reason = (report.get("reason") or {}).get("code", "")
    champion = (report.get("champion") or {}).get("score")
    challenger = (report.get("challenger") or {}).get("score")
    scores = f" ({report.get('metric')}: {champion} → {challenger})" if champion is not None else ""
    return f"{decision}: {reason}{scores}; serving {report.get('deployed_version')}"
