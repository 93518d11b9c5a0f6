"""Experiment rows, always for one tenant: definitions, variants, sticky assignments, idempotent events.

Bulk paths (assignments and events) use Core inserts that skip rows whose key already exists
(``ON CONFLICT DO NOTHING`` on both SQLite and PostgreSQL), so a retried batch or two racing requests never
write a unit's variant or an event twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tendero.store.db import get_engine
from tendero.store.experiment_tables import Experiment, ExperimentAssignment, ExperimentEvent, ExperimentVariant
from tendero.store.tables import utcnow
from tendero.store.tenants import Conflict, NotFound

CHUNK = 5000  # ids per IN (...) lookup: well under SQLite's and PostgreSQL's bind-parameter limits


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


def _insert_ignoring_duplicates(connection: Connection, table: Any, rows: list[dict[str, Any]],
                                keys: list[str]) -> int:  # fmt: skip
    """Insert rows, skipping those whose ``keys`` exist; the number of rows written."""
    if not rows:
        return 0
    dialect = connection.dialect.name
    if dialect == "postgresql":
        statement = postgresql.insert(table).on_conflict_do_nothing(index_elements=keys)
    elif dialect == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=keys)
    else:  # pragma: no cover - tendero supports SQLite and PostgreSQL
        raise NotImplementedError(dialect)
    written = 0
    for start in range(0, len(rows), CHUNK):
        result = connection.execute(statement, rows[start : start + CHUNK])
        written += max(result.rowcount, 0)
    return written


def assignments_of(connection: Connection, tenant_id: str, experiment_id: str, units: Iterable[str]) -> dict[str, str]:
    """The recorded variant of each of ``units`` that has one."""
    wanted = list(dict.fromkeys(units))
    found: dict[str, str] = {}
    table = ExperimentAssignment.__table__
    for start in range(0, len(wanted), CHUNK):
        query = select(table.c.unit, table.c.variant).where(
            table.c.tenant_id == tenant_id,
            table.c.experiment_id == experiment_id,
            table.c.unit.in_(wanted[start : start + CHUNK]),
        )
        found.update({unit: variant for unit, variant in connection.execute(query)})
    return found


def record_assignments(connection: Connection, tenant_id: str, experiment_id: str,
                       rows: list[tuple[str, str, datetime]]) -> int:  # fmt: skip
    """Record (unit, variant, at) for units not yet assigned; units already assigned keep theirs."""
    payload = [{"experiment_id": experiment_id, "unit": unit, "tenant_id": tenant_id, "variant": variant, "at": at}
               for unit, variant, at in rows]  # fmt: skip
    return _insert_ignoring_duplicates(connection, ExperimentAssignment.__table__, payload, ["experiment_id", "unit"])


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


def existing_event_ids(connection: Connection, tenant_id: str, experiment_id: str, ids: Iterable[str]) -> set[str]:
    wanted = list(dict.fromkeys(ids))
    table = ExperimentEvent.__table__
    found: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        query = select(table.c.event_id).where(
            table.c.tenant_id == tenant_id,
            table.c.experiment_id == experiment_id,
            table.c.event_id.in_(wanted[start : start + CHUNK]),
        )
        found.update(connection.execute(query).scalars())
    return found


def insert_events(connection: Connection, tenant_id: str, experiment_id: str, rows: list[dict[str, Any]]) -> int:
    """Write events (event_id, unit, variant, type, event, value, at); ids already stored are skipped."""
    payload = [{"tenant_id": tenant_id, "experiment_id": experiment_id, **row} for row in rows]
    return _insert_ignoring_duplicates(connection, ExperimentEvent.__table__, payload, ["experiment_id", "event_id"])


# --- reading for the analysis ------------------------------------------------------------------------------


def read_assignments(tenant_id: str, experiment_id: str) -> pd.DataFrame:
    """Every assigned unit: unit, variant, at."""
    table = ExperimentAssignment.__table__
    query = select(table.c.unit, table.c.variant, table.c.at).where(
        table.c.tenant_id == tenant_id, table.c.experiment_id == experiment_id
    )
    return _frame(query, ["unit", "variant", "at"])


def read_events(tenant_id: str, experiment_id: str, type_: str) -> pd.DataFrame:
    """Events of one type (outcome, covariate, exposure): unit, variant, event, value, at."""
    table = ExperimentEvent.__table__
    query = select(table.c.unit, table.c.variant, table.c.event, table.c.value, table.c.at).where(
        table.c.tenant_id == tenant_id, table.c.experiment_id == experiment_id, table.c.type == type_
    )
    return _frame(query, ["unit", "variant", "event", "value", "at"])


def count_events(tenant_id: str, experiment_id: str) -> dict[str, int]:
    table = ExperimentEvent.__table__
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
