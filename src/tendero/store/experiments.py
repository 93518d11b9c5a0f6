"""Experiment rows, always for one tenant: definitions, variants, sticky assignments, idempotent events.

Bulk paths (assignments and events) are plain driver inserts that skip rows whose key already exists
(``ON CONFLICT DO NOTHING`` on both SQLite and PostgreSQL), so a retried batch or two racing requests never
write a unit's variant or an event twice, and the count written tells the duplicates apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from itertools import chain
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from tendero.errors import Conflict, NotFound
from tendero.store.db import get_engine
from tendero.store.experiment_tables import Experiment, ExperimentAssignment, ExperimentEvent, ExperimentVariant
from tendero.store.tables import table_of, utcnow


def create_experiment(session: Session, tenant_id: str, fields: dict[str, Any],
                      variants: list[dict[str, Any]]) -> Experiment:  # fmt: skip
    """A new experiment with its variants in order (the first is the control)."""
    name = fields["name"]
    if session.scalar(select(Experiment.id).where(Experiment.tenant_id == tenant_id, Experiment.name == name)):
        raise Conflict(f"an experiment named {name!r} already exists")
    experiment = Experiment(tenant_id=tenant_id, **fields)
    session.add(experiment)
    session.flush()
    for position, variant in enumerate(variants):
        session.add(ExperimentVariant(tenant_id=tenant_id, experiment_id=experiment.id, position=position, **variant))
    session.flush()
    return experiment


def get_experiment(session: Session, tenant_id: str, experiment_id: str) -> Experiment:
    """By id or by name; another tenant's experiment is not found either."""
    row = session.scalar(
        select(Experiment).where(
            Experiment.tenant_id == tenant_id, (Experiment.id == experiment_id) | (Experiment.name == experiment_id)
        )
    )
    if row is None:
        raise NotFound(f"no experiment {experiment_id!r}")
    return row


def list_experiments(session: Session, tenant_id: str, *, status: str | None = None, model: str | None = None,
                     limit: int = 50, offset: int = 0) -> tuple[Sequence[Experiment], int]:  # fmt: skip
    query = select(Experiment).where(Experiment.tenant_id == tenant_id)
    if status:
        query = query.where(Experiment.status == status)
    if model:
        query = query.where(Experiment.model_name == model)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Experiment.created_at.desc()).limit(limit).offset(offset)).all()
    return rows, total


def variants(session: Session, tenant_id: str, experiment_id: str) -> list[ExperimentVariant]:
    return list(
        session.scalars(
            select(ExperimentVariant)
            .where(ExperimentVariant.tenant_id == tenant_id, ExperimentVariant.experiment_id == experiment_id)
            .order_by(ExperimentVariant.position)
        )
    )


def set_weights(session: Session, tenant_id: str, experiment_id: str, weights: dict[str, float]) -> None:
    """New weights for new units; units already assigned keep their variant."""
    rows = {row.key: row for row in variants(session, tenant_id, experiment_id)}
    unknown = sorted(set(weights) - set(rows))
    if unknown:
        raise NotFound(f"no variant {unknown[0]!r} in this experiment; variants: {', '.join(rows)}")
    for key, weight in weights.items():
        rows[key].weight = float(weight)
    session.flush()


def active_for_model(session: Session, tenant_id: str, model_name: str) -> Experiment | None:
    """The running experiment that splits a model's traffic, if any (at most one runs per model)."""
    return session.scalar(
        select(Experiment).where(
            Experiment.tenant_id == tenant_id, Experiment.model_name == model_name, Experiment.status == "running"
        )
    )


# --- assignments and events -----------------------------------------------------------------------------


SQLITE_ROWS_PER_INSERT = 200  # rows per INSERT statement: far fewer statement steps (as the commerce imports do)


def _stamp(value: datetime, dialect: str) -> Any:
    """A timestamp as the driver stores it: SQLAlchemy's SQLite text format (naive UTC), aware on PostgreSQL."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds") if dialect == "sqlite" else value


def _insert_ignoring_duplicates(connection: Connection, table: str, columns: list[str], keys: list[str],
                                rows: list[tuple[Any, ...]]) -> int:  # fmt: skip
    """Insert rows, skipping those whose ``keys`` exist (ON CONFLICT DO NOTHING); the number written.

    Plain driver statements: per-row SQLAlchemy processing cost more than the insert itself here."""
    if not rows:
        return 0
    dialect = connection.dialect.name
    mark = "?" if dialect == "sqlite" else "%s"
    one = "(" + ", ".join([mark] * len(columns)) + ")"
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    tail = f" ON CONFLICT ({', '.join(keys)}) DO NOTHING"
    written = 0
    if dialect == "sqlite":
        per = SQLITE_ROWS_PER_INSERT
        whole = len(rows) // per * per
        if whole:
            many = head + ", ".join([one] * per) + tail
            batches = [tuple(chain.from_iterable(rows[i : i + per])) for i in range(0, whole, per)]
            written += max(connection.exec_driver_sql(many, batches).rowcount, 0)
        rows = rows[whole:]
    if rows:
        written += max(connection.exec_driver_sql(head + one + tail, rows).rowcount, 0)
    return written


def _among(connection: Connection, column: str, values: list[str]) -> tuple[str, Any]:
    """A condition ``column`` is one of ``values`` with a single bound parameter (a JSON array on SQLite, an
    array on PostgreSQL), so a batch of 10,000 ids costs one parameter, not 10,000."""
    if connection.dialect.name == "sqlite":
        return f"{column} IN (SELECT value FROM json_each(?))", json.dumps(values)
    return f"{column} = ANY(%s)", values


def assignments_of(connection: Connection, tenant_id: str, experiment_id: str, units: Iterable[str]) -> dict[str, str]:
    """The recorded variant of each of ``units`` that has one."""
    wanted = list(dict.fromkeys(units))
    if not wanted:
        return {}
    condition, value = _among(connection, "unit", wanted)
    mark = "?" if connection.dialect.name == "sqlite" else "%s"
    sql = (f"SELECT unit, variant FROM experiment_assignments WHERE experiment_id = {mark} AND tenant_id = {mark} "
           f"AND {condition}")  # fmt: skip
    return dict(connection.exec_driver_sql(sql, (experiment_id, tenant_id, value)).all())


def record_assignments(connection: Connection, tenant_id: str, experiment_id: str,
                       rows: list[tuple[str, str, datetime]]) -> int:  # fmt: skip
    """Record (unit, variant, at) for units not yet assigned; units already assigned keep theirs."""
    dialect = connection.dialect.name
    payload = [(experiment_id, unit, tenant_id, variant, _stamp(at, dialect)) for unit, variant, at in rows]
    return _insert_ignoring_duplicates(connection, "experiment_assignments",
                                       ["experiment_id", "unit", "tenant_id", "variant", "at"],
                                       ["experiment_id", "unit"], payload)  # fmt: skip


def assign_unit(tenant_id: str, experiment_id: str, unit: str, variant: str) -> tuple[str, bool]:
    """The unit's recorded variant, recording ``variant`` first if it has none: (variant, newly assigned)."""
    with get_engine().begin() as connection:
        existing = assignments_of(connection, tenant_id, experiment_id, [unit])
        if unit in existing:
            return existing[unit], False
        written = record_assignments(connection, tenant_id, experiment_id, [(unit, variant, utcnow())])
        if written:
            return variant, True
        return assignments_of(connection, tenant_id, experiment_id, [unit])[unit], False  # lost a race


def insert_events(connection: Connection, tenant_id: str, experiment_id: str, rows: list[dict[str, Any]]) -> int:
    """Write events (event_id, unit, variant, type, event, value, at); ids already stored are skipped, and the
    number actually written is returned (the rest were duplicates)."""
    dialect = connection.dialect.name
    payload = [(tenant_id, experiment_id, r["event_id"], r["unit"], r["variant"], r["type"], r["event"],
                float(r["value"]), _stamp(r["at"], dialect)) for r in rows]  # fmt: skip
    return _insert_ignoring_duplicates(connection, "experiment_events",
                                       ["tenant_id", "experiment_id", "event_id", "unit", "variant", "type", "event",
                                        "value", "at"], ["experiment_id", "event_id"], payload)  # fmt: skip


# --- reading for the analysis ------------------------------------------------------------------------------


def read_assignments(tenant_id: str, experiment_id: str) -> pd.DataFrame:
    """Every assigned unit: unit, variant, at."""
    table = table_of(ExperimentAssignment)
    query = select(table.c.unit, table.c.variant, table.c.at).where(
        table.c.tenant_id == tenant_id, table.c.experiment_id == experiment_id
    )
    return _frame(query, ["unit", "variant", "at"])


def read_events(tenant_id: str, experiment_id: str, type_: str) -> pd.DataFrame:
    """Events of one type (outcome, covariate, exposure): unit, variant, event, value, at."""
    table = table_of(ExperimentEvent)
    query = select(table.c.unit, table.c.variant, table.c.event, table.c.value, table.c.at).where(
        table.c.tenant_id == tenant_id, table.c.experiment_id == experiment_id, table.c.type == type_
    )
    return _frame(query, ["unit", "variant", "event", "value", "at"])


def count_events(tenant_id: str, experiment_id: str) -> dict[str, int]:
    table = table_of(ExperimentEvent)
    query = (
        select(table.c.type, func.count())
        .where(table.c.tenant_id == tenant_id, table.c.experiment_id == experiment_id)
        .group_by(table.c.type)
    )
    with get_engine().connect() as connection:
        return {kind: int(n) for kind, n in connection.execute(query)}


def _frame(query: Any, columns: list[str]) -> pd.DataFrame:
    with get_engine().connect() as connection:
        rows = connection.execute(query).all()
    frame = pd.DataFrame(rows, columns=columns)
    if "at" in frame.columns and len(frame):
        frame["at"] = pd.to_datetime(frame["at"], utc=True).dt.tz_localize(None)
    return frame
