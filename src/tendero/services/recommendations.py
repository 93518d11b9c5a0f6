"""Recommendations for every face: which recommender serves (the deployed one, or the rules fallback when none is
deployed or it fails to load, cached per tenant), items looked up in its catalogue, feedback for online CTR."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from tendero.errors import NotFound, UnknownId
from tendero.kinds import RecommenderModel
from tendero.recommend.recommender import Filters as Filters
from tendero.registry.service import deployed_models
from tendero.services import audit, items
from tendero.store.commerce import read_user_interactions_since

log = logging.getLogger("tendero.recommendations")
DEFAULT_MODEL = "recommender"
RULES_CACHE_SECONDS = 60.0


class _RulesCache:
    """The rules fallback per tenant, rebuilt from the tenant's data at most once a minute."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, tenant_id: str) -> Any:
        entry = self._entries.get(tenant_id)
        if entry is not None and time.monotonic() - entry[0] < RULES_CACHE_SECONDS:
            return entry[1]
        from tendero.data.frames import tenant_frames
        from tendero.recommend.recommender import Recommender

        frames = tenant_frames(tenant_id, ("interactions", "order_lines", "products"))
        recommender = Recommender.rules_only(frames["interactions"], frames["order_lines"], frames["products"])
        with self._lock:
            self._entries[tenant_id] = (time.monotonic(), recommender)
        return recommender


rules_cache = _RulesCache()


FALLBACK_REASONS: dict[str, dict[str, str]] = {
    "no_model": {
        "en": "no recommender is deployed: business rules answered",
        "es": "no hay un recomendador desplegado: respondieron las reglas de negocio",
    },
    "load_failed": {
        "en": "the deployed recommender could not be loaded ({error}): business rules answered; it has been logged",
        "es": "no se pudo cargar el recomendador desplegado ({error}): respondieron las reglas de negocio; "
        "quedó registrado en el log",
    },
}
_LOG_EVERY_SECONDS = 60.0
_last_logged: dict[tuple[str, str, str], float] = {}


def serving_recommender(tenant_id: str, model: str, language: str = "es") -> tuple[Any, dict[str, Any]]:
    """The deployed recommender, or the rules fallback — when none is deployed, and also when the
    deployed one cannot be loaded (a damaged or unreadable artifact: logged, and said in the answer
    as ``fallback_reason``); and how to describe which one served."""
    try:
        served = deployed_models.get(tenant_id, model, RecommenderModel)
    except NotFound:  # none deployed under that name, or a model of another kind (WrongSurface)
        return rules_cache.get(tenant_id), _rules_answer("no_model", language)
    except Exception as error:  # the deployed version exists but will not load: rules keep the shop selling
        _log_load_failure(tenant_id, model, error)
        return rules_cache.get(tenant_id), _rules_answer("load_failed", language, type(error).__name__)
    return served.fitted, {"model": model, "version": served.version, "path": "model"}


def _rules_answer(code: str, language: str, error: str = "") -> dict[str, Any]:
    text = FALLBACK_REASONS[code]["en" if language == "en" else "es"].format(error=error)
    return {"model": None, "version": None, "path": "rules", "fallback_reason": {"code": code, "message": text}}


def _log_load_failure(tenant_id: str, model: str, error: Exception) -> None:
    """Log a failed load once a minute per tenant, model and error kind (every request would retry it)."""
    key = (tenant_id, model, type(error).__name__)
    now = time.monotonic()
    if now - _last_logged.get(key, -_LOG_EVERY_SECONDS) >= _LOG_EVERY_SECONDS:
        _last_logged[key] = now
        log.error("deployed recommender %r of tenant %s failed to load; serving the rules fallback: %s: %s",
                  model, tenant_id, type(error).__name__, error)  # fmt: skip


def fresh(tenant_id: str, model: str) -> Any:
    """The cached deployed version without waiting (for the event loop); None when none is cached."""
    return deployed_models.fresh(tenant_id, model, RecommenderModel)


def interactions_since(tenant_id: str, user_id: str, since: Any) -> Any:
    """What the user did after the model's training data ends, folded into the answer with no refit."""
    return read_user_interactions_since(tenant_id, user_id, since)


def require_item(recommender: Any, item_id: str, served: dict[str, Any] | None = None,
                 field: str = "path.item_id") -> None:  # fmt: skip
    """UnknownId (a NotFound naming the id and where it was given) unless the recommender's catalogue has it."""
    if not recommender.knows_item(item_id):
        served = served or {}
        raise UnknownId("item", item_id, served.get("model") or "rules", served.get("version"), field)


def who_asked(recommender: Any, user_id: str | None, recent: Any, history: list[str], language: str) -> dict[str, Any]:
    """Whether the recommender knows ``user_id`` (its training data, or what they did since); an unknown
    customer is said to be unknown, with the fallback that answered named as such (``null`` with no user).
    An unknown customer sent with their ``history`` is answered from it: no fallback."""
    if user_id is None:
        return {"known": None}
    if recommender.knows_user(user_id) or (recent is not None and len(recent) > 0):
        return {"known": True}
    if history:
        return {"known": False}
    from tendero.catalogue.answers import answer_text

    text = answer_text("fallback.unknown_customer", language, id=user_id)
    return {"known": False, "fallback": {"code": "unknown_customer", "answered_by": "popular", "message": text}}


def record_feedback(tenant_id: str, model: str, version: str | None, user_id: str, item_ids: list[str],
                    event: str) -> int:  # fmt: skip
    """Impressions, clicks and conversions of items a version served; CTR and conversion appear in the usage."""
    rows = [{"model_name": model, "model_version": version, "user_id": user_id, "item_id": item, "event": event}
            for item in item_ids]  # fmt: skip
    audit.add_feedback(tenant_id, rows)
    return len(rows)


def excluded_items(tenant_id: str) -> frozenset[str]:
    """Items no recommendation offers: the tenant's non-products while its rule is on (postage, fees...)."""
    return items.excluded_items(tenant_id)


def room_for(excluded: frozenset[str], k: int) -> int:
    """How many neighbours to ask for so that ``k`` remain once the excluded items are taken out."""
    return k + min(len(excluded), 200)


def item_rows(tenant_id: str, answered: list[Any], excluded: frozenset[str], k: int) -> list[dict[str, Any]]:
    """The answer's items without the excluded ones, at most ``k``, each with its name and category."""
    rows = [item.model_dump() for item in answered if item.item_id not in excluded][:k]
    return items.with_item_facts(tenant_id, rows)


def item_of(tenant_id: str, item_id: str) -> dict[str, str | None]:
    """The asked item's ``name`` and ``category`` (null where the catalogue lacks them), to answer beside its id."""
    return items.item_facts(tenant_id, [item_id])[item_id]
