"""The model-kind interface every feature implements, and the table of kinds.

A *kind* turns a tenant's data frames into a fitted model (``fit``); a *fitted* model saves to and
loads from a folder of native files and answers predictions. The job runner, the registry and the
API only ever talk to these two protocols, so every feature walks the same train and predict paths.
"""

from __future__ import annotations

import functools
import importlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

import pandas as pd
from pydantic import BaseModel, ConfigDict


class Cancelled(Exception):
    """Raised by ``Progress.update`` when the job was cancelled: fitting stops where it is."""


class KindParams(BaseModel):
    """Base for every kind's hyperparameters: unknown fields are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Progress(Protocol):
    """Where a fit reports how far it got; raises ``Cancelled`` once the job is cancelled."""

    def update(
        self,
        step: int,
        total: int | None = None,
        *,
        message: str = "",
        **metrics: float,
    ) -> None: ...


@dataclass
class ProgressEvent:
    step: int
    total: int | None
    message: str
    metrics: dict[str, float]
    at: float


@dataclass
class RecordingProgress:
    """Progress that keeps every event in memory: for notebooks, benches and tests.

    ``cancel_after`` makes it raise ``Cancelled`` at that step, to exercise cancellation paths.
    """

    events: list[ProgressEvent] = field(default_factory=list)
    cancel_after: int | None = None
    on_event: Callable[[ProgressEvent], None] | None = None

    def update(
        self,
        step: int,
        total: int | None = None,
        *,
        message: str = "",
        **metrics: float,
    ) -> None:
        event = ProgressEvent(step, total, message, {k: float(v) for k, v in metrics.items()}, time.time())
        self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)
        if self.cancel_after is not None and step >= self.cancel_after:
            raise Cancelled(f"cancelled at step {step}")


STAGE_SCALE = 1000  # the job-wide count a StagedProgress spreads its stages over


class StagedProgress:
    """Reports ``step/STAGE_SCALE``, each stage (in the order of ``costs``) owning a share equal to its measured cost.

    ``enter(stage)`` moves to the start of that stage (stages before it count as done); ``step()`` advances within the
    current stage by one of its ``steps[stage]`` expected steps (never past its end), so messages sent inside a long
    stage keep the bar moving at the right pace.
    """

    def __init__(self, progress: Progress, costs: Mapping[str, float], steps: Mapping[str, int] | None = None) -> None:
        total = sum(max(cost, 0.0) for cost in costs.values()) or 1.0
        self.progress = progress
        self.starts: dict[str, float] = {}
        self.shares: dict[str, float] = {}
        position = 0.0
        for stage, cost in costs.items():
            self.starts[stage] = position
            self.shares[stage] = max(cost, 0.0) / total
            position += self.shares[stage]
        self.steps = {stage: max(1, int((steps or {}).get(stage, 1))) for stage in costs}
        self.stage: str | None = None
        self.done_in_stage = 0

    @property
    def fraction(self) -> float:
        if self.stage is None:
            return 0.0
        steps = self.steps[self.stage]
        within = min(self.done_in_stage, steps) / (steps + 1)  # never the end of the stage: that is the next start
        return min(self.starts[self.stage] + self.shares[self.stage] * within, 1.0)

    def enter(self, stage: str, message: str = "") -> None:
        """Start ``stage`` (re-entering the current one counts as one of its steps)."""
        if stage == self.stage:
            self.step(message)
            return
        self.stage, self.done_in_stage = stage, 0
        self._report(message or stage)

    def step(self, message: str = "") -> None:
        if self.stage is not None:
            self.done_in_stage += 1
        self._report(message)

    def finish(self, message: str = "") -> None:
        self.progress.update(STAGE_SCALE, STAGE_SCALE, message=message)

    def _report(self, message: str) -> None:
        self.progress.update(min(round(self.fraction * STAGE_SCALE), STAGE_SCALE - 1), STAGE_SCALE, message=message)


class Frames(Mapping[str, pd.DataFrame]):
    """A tenant's data as named frames, loaded on first access and then kept.

    Standard names and their columns (external ids are strings, times are naive UTC datetimes):

    - ``customers``: customer_id, name, email, created_at
    - ``products``: product_id, name, description, category, brand, price, cost, active
    - ``order_lines``: order_id, customer_id (may be missing), ordered_at, store, status,
      product_id, category, quantity, unit_price, discount, revenue (= quantity * unit_price - discount)
    - ``interactions``: user_id, item_id, kind (view/click/cart/favorite/rating/purchase), value, at
    - ``non_products``: product_id — the items the tenant's non-product rule leaves out now (postage, fees,
      discounts, adjustments; empty while the rule is off)
    - ``dataset``: a user's uploaded table (training platform), columns as uploaded
    """

    def __init__(self, loaders: Mapping[str, Callable[[], pd.DataFrame]]) -> None:
        self._loaders = dict(loaders)
        self._loaded: dict[str, pd.DataFrame] = {}

    @classmethod
    def of(cls, **frames: pd.DataFrame) -> Frames:
        """Frames already in memory (tests, benches, notebooks)."""
        return cls({name: partial(_given, frame) for name, frame in frames.items()})

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._loaded:
            if name not in self._loaders:
                raise KeyError(f"no frame named {name!r}; available: {sorted(self._loaders)}")
            self._loaded[name] = self._loaders[name]()
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaders)

    def __len__(self) -> int:
        return len(self._loaders)

    def derive(self, **changes: Callable[[pd.DataFrame], pd.DataFrame]) -> Frames:
        """These frames with some replaced by a function of themselves, still loaded on first use
        (a holdout split: ``frames.derive(order_lines=lambda f: f[f["ordered_at"] < cut])``)."""
        loaders: dict[str, Callable[[], pd.DataFrame]] = {}
        for name in self._loaders:
            loaders[name] = functools.partial(self._derived, name, changes.get(name))
        return Frames(loaders)

    def _derived(self, name: str, change: Callable[[pd.DataFrame], pd.DataFrame] | None) -> pd.DataFrame:
        return change(self[name]) if change is not None else self[name]


def _given(frame: pd.DataFrame) -> pd.DataFrame:
    return frame


@runtime_checkable
class Fitted(Protocol):
    """A trained model: held-out metrics, native files on disk, and one representative prediction."""

    metrics: dict[str, float]

    def save(self, folder: Path) -> None: ...

    @classmethod
    def load(cls, folder: Path) -> Fitted: ...

    def probe(self) -> Any:
        """Make one representative prediction; the registry times it for serving figures."""
        ...


@runtime_checkable
class Reported(Protocol):
    """A fitted model with more to say than its metrics (the recommender's tuning: which blend and why): kept
    with its version and shown in the version's answer."""

    def training_report(self) -> dict[str, Any]: ...


# --- what a fitted model answers: each kind declares the surface its fitted model offers; a service asks the
# served-model cache for a model *as* one of these and gets it typed (``deployed_models.get(t, name, ForecastModel)``)


@runtime_checkable
class Servable(Protocol):
    """Answers ``POST /v1/models/{name}/predict``: a request in its kind's shape in, a JSON-able answer out.

    A ``ValueError`` (with ``issues`` naming rows and columns, when it has them) means the input was refused."""

    def serve(self, payload: Mapping[str, Any], language: str = "en") -> dict[str, Any]: ...


@runtime_checkable
class ForecastModel(Protocol):
    """Forecasts with intervals for one level × frequency, and the evidence behind them."""

    metrics: dict[str, float]

    @property
    def horizon(self) -> int | None:
        """Periods ahead the model was fitted for."""
        ...

    @property
    def measure(self) -> str:
        """``quantity`` or ``revenue``."""
        ...

    @property
    def params(self) -> dict[str, Any]:
        """The params it was fitted with (level, freq, history, ...)."""
        ...

    def forecast(
        self, ids: list[str] | None = None, levels: list[int] | None = None, horizon: int | None = None
    ) -> pd.DataFrame: ...

    def series_history(self, ids: list[str] | None = None) -> pd.DataFrame:
        """``unique_id, ds, y`` of the series at the model's level (``ids`` only, when given)."""
        ...

    def total_history(self) -> pd.DataFrame:
        """``unique_id, ds, y`` of the total."""
        ...

    def series_table(self) -> pd.DataFrame:
        """Per series: its group, the engine chosen for it and its backtest accuracy."""
        ...

    def choice(self) -> dict[str, str]:
        """The engine (or ensemble) chosen per group of series."""
        ...

    def candidates(self) -> list[dict[str, Any]]:
        """Every candidate engine's backtest score per group."""
        ...

    def series_report(self) -> dict[str, Any]:
        """What building the series left out, and why."""
        ...

    def dashboard(self, historic_months: int = 12, prediction_months: int = 3, lang: str = "es") -> dict[str, Any]: ...

    def demand(self, days_ahead: int, level: int = 95) -> dict[str, Any]: ...

    def drift(self, actuals: pd.DataFrame, threshold: float = 1.5) -> Any: ...


@runtime_checkable
class RecommenderModel(Protocol):
    """Ranked items with reasons for a user, scores for candidates, similar and bought-together items."""

    metrics: dict[str, float]

    def recommend(self, user_id: str | None, k: int = 10, *args: Any, **kwargs: Any) -> list[Any]: ...

    def score(
        self, user_id: str | None, item_ids: Sequence[str], history: Sequence[str] | None = None
    ) -> list[float]: ...

    def similar(self, item_id: str, k: int = 10, language: Any = "es") -> list[Any]: ...

    def bought_together(self, item_id: str, k: int = 10, language: Any = "es") -> list[Any]: ...

    def knows_item(self, item_id: str) -> bool:
        """Whether ``item_id`` is in the model's catalogue."""
        ...

    def knows_user(self, user_id: str) -> bool:
        """Whether ``user_id`` has a history in the model's training data."""
        ...

    def trained_until(self) -> Any: ...


@runtime_checkable
class CustomersModel(Protocol):
    """Segments, one customer's insights and churn, customers at risk, likely buyers."""

    metrics: dict[str, float]

    @property
    def as_of(self) -> Any:
        """The day the scores describe."""
        ...

    def knows_customer(self, customer_id: str) -> bool: ...

    def segments_summary(self, language: str = "en") -> list[dict[str, Any]]: ...

    def clusters_summary(self, language: str = "en") -> list[dict[str, Any]]: ...

    def segment_members(self, segment: str | None, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]: ...

    def insights(self, customer_id: str, language: str = "en") -> dict[str, Any]: ...

    def churn_prediction(self, customer_id: str, language: str = "en") -> dict[str, Any]: ...

    def at_risk(self, min_value: float = 0.0, limit: int = 50, language: str = "en") -> list[dict[str, Any]]: ...

    def likely_buyers(self, days: int = 7, limit: int = 50, min_probability: float = 0.0) -> list[dict[str, Any]]: ...


@runtime_checkable
class TabularModel(Servable, Protocol):
    """A user's own tabular model: rows in (checked against the training data), predictions out."""

    def predict(self, rows: Sequence[Any], on_invalid: Any = "auto", language: str = "en") -> Any: ...

    def predict_frame(
        self, frame: pd.DataFrame, on_invalid: Any = "auto", language: str = "en", first_row: int = 1
    ) -> pd.DataFrame: ...


class ModelKind(Protocol):
    """A feature's trainer: validated params in, ``Fitted`` out, progress reported on the way."""

    name: ClassVar[str]
    Params: ClassVar[type[KindParams]]
    needs: ClassVar[tuple[str, ...]]
    fitted_type: ClassVar[type[Fitted]]

    def fit(self, frames: Frames, params: KindParams, progress: Progress) -> Fitted: ...

    def algorithm(self, params: KindParams) -> str:
        """Name of the algorithm family; a change bumps the major version in the registry."""
        ...


@dataclass
class Holdout:
    """The newest slice of a tenant's data, split off so that a champion and a challenger are scored on
    the same rows with the same metric.

    The challenger fits on ``train`` with ``params`` (the kind's params moved to the cut where they name
    a date); ``data`` is the kind's own view of the held-out rows (actuals, scales); the window and the
    counts go into the retraining report.
    """

    train: Frames
    params: KindParams
    data: dict[str, Any]
    start: str
    end: str
    rows: int
    train_rows: int
    unit: str


@dataclass(frozen=True)
class HoldoutScore:
    """A fitted model's metrics on a holdout, the keys of the rows it could answer for (so two models
    are compared on the rows both answered), and whether its own training data reached into the holdout
    (None when the kind cannot tell)."""

    metrics: dict[str, float]
    keys: frozenset[Any]
    saw_holdout: bool | None = None


@runtime_checkable
class HoldoutScoring(Protocol):
    """Optional part of a kind: what champion/challenger retraining needs from it."""

    def holdout_metric(self, params: KindParams) -> tuple[str, bool]:
        """The metric decisions are made on, and whether higher is better."""
        ...

    def holdout_guardrails(self, params: KindParams) -> tuple[tuple[str, bool], ...]:
        """Metrics a promoted challenger may not worsen by more than the margin (name, higher is better)."""
        ...

    def split_holdout(self, frames: Frames, params: KindParams) -> Holdout: ...

    def score_holdout(self, fitted: Fitted, holdout: Holdout, keys: frozenset[Any] | None = None) -> HoldoutScore:
        """Score ``fitted`` on the holdout, only on ``keys`` when given."""
        ...


# name -> "module:attribute" of the ModelKind class; imported on first use so that the API does not
# pay for LightGBM or statsforecast until a model of that kind is trained or served.
_KIND_PATHS: dict[str, str] = {
    "baseline": "tendero.registry.baseline:BaselineKind",
    "forecast": "tendero.forecasting.kind:ForecastKind",
    "recommender": "tendero.recommend.kind:RecommenderKind",
    "customers": "tendero.customers.kind:CustomersKind",
    "tabular": "tendero.training.kind:TabularKind",
    "pricing": "tendero.pricing.kind:PricingKind",
}


def _paths() -> dict[str, str]:
    from tendero.config import get_settings  # plugins named in settings join the built-in kinds

    return {**_KIND_PATHS, **get_settings().extra_kinds}


def kind_names() -> list[str]:
    return sorted(_paths())


def get_kind(name: str) -> ModelKind:
    """The kind called ``name``; a ``KeyError`` naming the known kinds if there is none."""
    paths = _paths()
    if name not in paths:
        raise KeyError(f"unknown model kind {name!r}; known kinds: {', '.join(sorted(paths))}")
    module_name, _, attribute = paths[name].partition(":")
    try:
        kind_class = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise KeyError(f"model kind {name!r} is configured as {paths[name]!r} but cannot be loaded: {error}") from error
    return kind_class()
