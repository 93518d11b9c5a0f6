"""Champion and challenger: whether a new version goes live, by the request's rule or its kind's."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tendero.errors import Conflict
from tendero.kinds import ModelKind
from tendero.store import registry as registry_rows


def relative_gain(new: float, old: float, higher_is_better: bool) -> float:
    """How much better ``new`` is than ``old``, relative to ``old`` (negative: worse); inf/-inf from 0."""
    difference = new - old if higher_is_better else old - new
    if old == 0:
        return 0.0 if difference == 0 else float("inf") if difference > 0 else float("-inf")
    return difference / abs(old)


def is_better(new: float, old: float, min_gain: float, higher_is_better: bool = True) -> bool:
    """Whether ``new`` beats ``old`` by at least ``min_gain`` (relative): the one promotion rule."""
    gain = relative_gain(new, old, higher_is_better)
    return gain >= min_gain if min_gain > 0 else gain >= 0


def promote_if_better(
    session: Session,
    tenant_id: str,
    name: str,
    version: str,
    metric: str,
    min_gain: float,
    higher_is_better: bool = True,
) -> bool:
    """Deploy the challenger only if ``metric`` beats the champion's by ``min_gain`` (relative)."""
    challenger = registry_rows.get_version(session, tenant_id, name, version)
    champion = registry_rows.deployed_version(session, tenant_id, name)
    if champion is None:
        registry_rows.deploy(session, tenant_id, name, version)
        return True
    if metric not in challenger.metrics:
        raise Conflict(f"version {version} of {name!r} has no metric {metric!r}")
    new, old = float(challenger.metrics[metric]), float(champion.metrics.get(metric, float("nan")))
    better = old != old or is_better(new, old, min_gain, higher_is_better)  # never measured: the challenger wins
    if better:
        registry_rows.deploy(session, tenant_id, name, version)
    return better


def apply_deploy_policy(
    session: Session,
    tenant_id: str,
    model: str,
    version: Any,
    kind: ModelKind,
    deploy: str | None,
    rule: tuple[str | None, float, bool],
) -> bool:
    """Deploy per a training request's ``deploy``; ``if_better`` uses the request's ``rule`` (metric, min gain,
    higher is better), else the kind's own promotion rule (e.g. the recommender's: NDCG@10 up by at least 2 %),
    else deploys."""
    if deploy in (None, "never"):
        return False
    current = registry_rows.deployed_version(session, tenant_id, model)
    if deploy == "always" or current is None:
        registry_rows.deploy(session, tenant_id, model, version.version)
        return True
    metric, min_gain, higher = rule
    if metric is None and getattr(kind, "promotion", None):
        metric, min_gain, higher = kind.promotion  # type: ignore[attr-defined]
    if metric is None:
        registry_rows.deploy(session, tenant_id, model, version.version)
        return True
    return promote_if_better(session, tenant_id, model, version.version, metric, min_gain, higher)
