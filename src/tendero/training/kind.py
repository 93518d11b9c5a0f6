"""The ``tabular`` model kind: a user's dataset, task and algorithm in; a ``TabularModel`` out.

One fit: check the task → split (stratified for classes) or k folds → automatic preprocessing →
the algorithm's trainer (progress per epoch/iteration/tree) → held-out metrics → permutation
importance. With ``search`` set, an Optuna search over the declared space runs first and the best
trial's hyperparameters are the ones fitted.
"""

from __future__ import annotations

import math
import time
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator

from tendero.catalogue.refusals import Refusal
from tendero.kinds import Fitted, Frames, Holdout, HoldoutScore, KindParams, Progress
from tendero.training.algorithms import ALGORITHMS, Algorithm, TrainData, estimate_seconds, get_algorithm
from tendero.training.datasets import DatasetError, Issue, Task, column_type, infer_schema, validate_task
from tendero.training.evaluation import (
    classification_metrics,
    clustering_metrics,
    permutation_importance,
    regression_metrics,
)
from tendero.training.inputs import profile_inputs
from tendero.training.model import TabularModel, join_text, json_row
from tendero.training.preprocess import Preprocessor
from tendero.training.tuning import SearchSpec, Trial, search

AlgorithmName = Literal[
    "linear_regression",
    "logistic_regression",
    "random_forest",
    "lightgbm",
    "xgboost",
    "mlp",
    "kmeans",
    "text_classifier",
]
# What the search optimises per task, and whether larger is better.
PRIMARY_METRIC: dict[str, tuple[str, bool]] = {
    "classification": ("accuracy", True),
    "text_classification": ("accuracy", True),
    "regression": ("rmse", False),
    "clustering": ("silhouette", True),
}


class TabularParams(KindParams):
    """A training job's request: task, columns, algorithm, hyperparameters, validation, seed."""

    task: Task
    target: str | None = None
    features: list[str] | None = Field(None, description="default: every column but the target")
    algorithm: AlgorithmName = "lightgbm"
    hyperparameters: dict[str, Any] = Field(default_factory=dict, validate_default=True)
    validation: float = Field(0.2, gt=0.0, lt=0.9, description="held-out share of rows")
    folds: int | None = Field(None, ge=2, le=20, description="k-fold cross-validation instead of one split")
    seed: int = Field(0, ge=0, le=2**31 - 1)
    importance_repeats: int = Field(5, ge=0, le=50, description="0 skips permutation importance")
    importance_rows: int = Field(2000, ge=10, le=1_000_000)
    search: SearchSpec | None = None

    @field_validator("hyperparameters")
    @classmethod
    def _hyperparameters(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        if "algorithm" not in info.data:
            return value
        return _validated_hyperparameters(ALGORITHMS[info.data["algorithm"]], value, "hyperparameters")

    @model_validator(mode="after")
    def _check(self) -> TabularParams:
        spec = ALGORITHMS[self.algorithm]
        if self.task not in spec.tasks:
            raise ValueError(f"algorithm {self.algorithm} does not do {self.task}; it does {', '.join(spec.tasks)}")
        if self.search is not None:
            for name, rng in self.search.space.items():
                for corner in rng.corners():
                    _validated_hyperparameters(spec, {**self.hyperparameters, name: corner}, f"search.space.{name}")
        return self


def _validated_hyperparameters(spec: Algorithm, values: dict[str, Any], where: str) -> dict[str, Any]:
    """The algorithm's own model validates; errors are re-raised with the field's full location."""
    try:
        return spec.params.model_validate(values).model_dump()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"{where}.{field}: {first['msg']}") from None


class TabularKind:
    """Trains a user's own model on their uploaded ``dataset`` frame."""

    name: ClassVar[str] = "tabular"
    Params: ClassVar[type[KindParams]] = TabularParams
    needs: ClassVar[tuple[str, ...]] = ("dataset",)
    fitted_type: ClassVar[type[TabularModel]] = TabularModel

    def fit(self, frames: Frames, params: KindParams, progress: Progress) -> TabularModel:
        assert isinstance(params, TabularParams)
        return train_tabular(frames["dataset"], params, progress)

    def algorithm(self, params: KindParams) -> str:
        assert isinstance(params, TabularParams)
        return params.algorithm

    def estimate_seconds(self, params: KindParams, rows: int, columns: int) -> float:
        """Before the job starts: how long fitting should take on data of this size."""
        assert isinstance(params, TabularParams)
        return estimate_for_size(rows, columns, params)

    # ---- champion/challenger: the newest rows (the end of the table), the task's metric -----------------
    def holdout_metric(self, params: KindParams) -> tuple[str, bool]:
        assert isinstance(params, TabularParams)
        return PRIMARY_METRIC[params.task]

    def holdout_guardrails(self, params: KindParams) -> tuple[tuple[str, bool], ...]:
        return ()

    def split_holdout(self, frames: Frames, params: KindParams) -> Holdout:
        """The last ``validation`` share of rows in the table's order (rows appended last are the newest);
        rows without a target are not scored."""
        assert isinstance(params, TabularParams)
        frame = frames["dataset"]
        size = max(1, math.ceil(len(frame) * params.validation))
        if len(frame) - size < 4:
            raise Refusal("training.holdout", rows=len(frame), size=size)
        rows = frame.iloc[len(frame) - size :]
        if params.target is not None:
            rows = rows[rows[params.target].notna()]
        train = frames.derive(dataset=lambda f: f.iloc[: len(f) - size])
        return Holdout(train=train, params=params, data={"rows": rows}, start=f"row {len(frame) - size + 1}",
                       end=f"row {len(frame)}", rows=len(rows), train_rows=len(frame) - size, unit="rows")  # fmt: skip

    def score_holdout(self, fitted: Fitted, holdout: Holdout, keys: frozenset[Any] | None = None) -> HoldoutScore:
        assert isinstance(fitted, TabularModel)
        rows: pd.DataFrame = holdout.data["rows"]
        if keys is not None:
            rows = rows[rows.index.isin(list(keys))]
        if rows.empty:
            return HoldoutScore({}, frozenset())
        x = rows[fitted.features]
        if fitted.task in ("classification", "text_classification"):
            predicted = fitted.predict_frame(x)["prediction"].map(lambda v: str(_plain(v)))
            actual = rows[fitted.target].map(lambda v: str(_plain(v)))
            metrics = {"accuracy": float((predicted.to_numpy() == actual.to_numpy()).mean())}
        elif fitted.task == "regression":
            predicted = fitted.predict_frame(x)["prediction"].astype(float).to_numpy()
            metrics = regression_metrics(rows[fitted.target].astype(float).to_numpy(), predicted)
        else:
            assert fitted.preprocessor is not None
            metrics = clustering_metrics(fitted.preprocessor.transform(x), fitted.raw_output(x))
        return HoldoutScore(metrics, frozenset(rows.index.tolist()))


def estimate_duration(frame: pd.DataFrame, params: TabularParams) -> float:
    """Seconds the job should take, from rows, columns, algorithm, folds and search trials."""
    return estimate_for_size(len(frame), len(params.features or frame.columns), params)


def estimate_for_size(rows: int, columns: int, params: TabularParams) -> float:
    """The same estimate from the data's size alone (what the API knows before the job starts)."""
    features = len(params.features or []) or columns or 1
    one_fit = estimate_seconds(params.algorithm, params.hyperparameters, rows, features)
    fits = (params.folds + 1) if params.folds else 1
    trials = params.search.trials if params.search else 0
    importance = 0.002 * features * params.importance_repeats * min(rows, params.importance_rows) / 100
    return float(one_fit * (fits + trials) + importance)


# ---------------------------------------------------------------------------------------------


class _Tracker:
    """Maps the trainer's own step/total onto one job-wide count and adds the ETA."""

    def __init__(self, progress: Progress, *, trials: int, fits: int, extra: int) -> None:
        self.progress = progress
        self.trials, self.fits, self.extra = trials, fits, extra
        self.fit_total = 10
        self.done = 0
        self.started = time.monotonic()
        self._last_quiet = 0.0

    @property
    def total(self) -> int:
        return self.done + self._remaining()

    def _remaining(self) -> int:
        return self.trials + self.fits * self.fit_total + self.extra

    def emit(self, step: int, message: str, metrics: dict[str, float]) -> None:
        total = max(self.total, step)
        # only the model's own figures: the runner derives the ETA and the elapsed time from step/total itself
        clean = {k: float(v) for k, v in metrics.items() if v is not None and math.isfinite(float(v))}
        self.progress.update(step, total, message=message, **clean)

    def fit_report(self, step: int, total: int, message: str = "", **metrics: float) -> None:
        self.fit_total = total
        self.emit(self.done + step, message, metrics)

    def end_fit(self) -> None:
        self.done += self.fit_total
        self.fits -= 1

    def quiet_report(self, step: int, total: int, message: str = "", **metrics: float) -> None:
        """Inside a search trial: only check for cancellation, at most twice a second."""
        now = time.monotonic()
        if now - self._last_quiet >= 0.5:
            self._last_quiet = now
            self.progress.update(self.done, self.total, message=f"trial {self.done + 1}: {message}")

    def trial_done(self, message: str, metrics: dict[str, float]) -> None:
        self.done += 1
        self.trials -= 1
        self.emit(self.done, message, metrics)

    def one_step(self, message: str, **metrics: float) -> None:
        self.done += 1
        self.extra = max(self.extra - 1, 0)
        self.emit(self.done, message, metrics)


class _Prepared:
    """The checked task and its rows, labels encoded 0..k-1 for classification."""

    def __init__(self, frame: pd.DataFrame, params: TabularParams) -> None:
        spec = validate_task(frame, params.task, params.target, params.features)
        self.task = params.task
        self.target = spec.target
        self.features = spec.features
        self.notes: dict[str, Any] = {}
        rows = frame
        if spec.target is not None:
            keep = frame[spec.target].notna()
            self.notes["rows_without_target"] = int((~keep).sum())
            rows = frame[keep]
        self.labels: list[Any] = []
        self.y: np.ndarray | None = None
        if params.task in ("classification", "text_classification"):
            target = rows[spec.target]
            counts = target.value_counts()
            rare = counts[counts < 2].index
            if len(rare):
                self.notes["rows_of_classes_with_one_row"] = int(target.isin(rare).sum())
                rows = rows[~target.isin(rare)]
                target = rows[spec.target]
            if target.nunique() < 2:
                raise DatasetError(
                    "fewer than 2 classes with at least 2 rows",
                    [Issue(message="too few rows", column=spec.target)],
                )
            self.labels = sorted(_plain(v) for v in target.unique())
            codes = {label: i for i, label in enumerate(self.labels)}
            self.y = np.asarray([codes[_plain(v)] for v in target], dtype=np.int64)
        elif params.task == "regression":
            self.y = rows[spec.target].astype(float).to_numpy()
        self.x = rows[self.features].reset_index(drop=True)
        if len(self.x) < 4:
            raise DatasetError(f"only {len(self.x)} usable rows; at least 4 are needed")
        self.schema = infer_schema(self.x)
        self.inputs = profile_inputs(self.x, self.schema)  # what predict-time rows are checked against
        self.text_columns = [c.name for c in self.schema.columns if c.type == "text"]
        if params.task == "text_classification":
            self.text_columns = [c.name for c in self.schema.columns if c.type in ("text", "categorical")]

    @property
    def classification(self) -> bool:
        return self.task in ("classification", "text_classification")


def split_rows(n: int, validation: float, seed: int, y: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Train and held-out row positions: seeded, stratified by class when every class allows it."""
    from sklearn.model_selection import train_test_split

    indices = np.arange(n)
    stratify = None
    if y is not None:
        counts = np.bincount(y)
        n_val = math.ceil(n * validation)
        if counts[counts > 0].min() >= 2 and n_val >= len(counts[counts > 0]) and n - n_val >= len(counts[counts > 0]):
            stratify = y
    train, val = train_test_split(indices, test_size=validation, random_state=seed, stratify=stratify)
    return np.sort(train), np.sort(val)


def fold_rows(n: int, folds: int, seed: int, y: np.ndarray | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import KFold, StratifiedKFold

    indices = np.arange(n)
    if y is not None and np.bincount(y)[np.bincount(y) > 0].min() >= folds:
        splitter: Any = StratifiedKFold(folds, shuffle=True, random_state=seed)
        return list(splitter.split(indices, y))
    return list(KFold(folds, shuffle=True, random_state=seed).split(indices))


def _fit_once(
    prepared: _Prepared,
    algorithm: Algorithm,
    hyperparameters: dict[str, Any],
    train: np.ndarray,
    val: np.ndarray,
    seed: int,
    report: Any,
) -> TabularModel:
    """Preprocess on the training rows, train, and wrap the estimator as a model (metrics empty)."""
    x_train_raw = prepared.x.iloc[train]
    x_val_raw = prepared.x.iloc[val]
    y_train = prepared.y[train] if prepared.y is not None else None
    y_val = prepared.y[val] if prepared.y is not None else None
    preprocessor: Preprocessor | None = None
    if prepared.task == "text_classification":
        x_train: Any = join_text(x_train_raw, prepared.text_columns)
        x_val: Any = join_text(x_val_raw, prepared.text_columns)
    else:
        preprocessor = Preprocessor.fit(x_train_raw, encoding=algorithm.encoding, scale=algorithm.scale)
        if not preprocessor.steps:
            raise DatasetError(
                "no usable feature columns: text columns need the text_classification task",
                [Issue(message="text column", column=name) for name in preprocessor.dropped],
            )
        x_train = preprocessor.transform(x_train_raw)
        x_val = preprocessor.transform(x_val_raw)
    data = TrainData(
        task="classification" if prepared.classification else prepared.task,
        x_train=x_train,
        y_train=y_train,
        x_val=x_val,
        y_val=y_val,
        n_classes=len(prepared.labels),
        categorical=tuple(preprocessor.categorical_indices) if preprocessor else (),
        seed=seed,
    )
    hp = algorithm.params.model_validate(hyperparameters)
    started, cpu_started = time.monotonic(), time.process_time()
    estimator = algorithm.train(hp, data, report)
    fit_seconds = time.monotonic() - started
    details: dict[str, Any] = {"fit_seconds": fit_seconds, "fit_cpu_seconds": time.process_time() - cpu_started}
    if getattr(estimator, "settings", None):  # what "auto" hyperparameters resolved to on these rows
        details["resolved_hyperparameters"] = estimator.settings
    probe = json_row(x_val_raw.iloc[0]) if len(x_val_raw) else json_row(x_train_raw.iloc[0])
    return TabularModel(
        task=prepared.task,
        algorithm=algorithm.name,
        hyperparameters=hp.model_dump(),
        target=prepared.target,
        schema=prepared.schema,
        labels=prepared.labels,
        preprocessor=preprocessor,
        text_columns=prepared.text_columns if prepared.task == "text_classification" else [],
        estimator=estimator,
        metrics={},
        details=details,
        probe_row=probe,
        inputs=prepared.inputs,
    )


def evaluate(model: TabularModel, x: pd.DataFrame, y: np.ndarray | None) -> tuple[dict[str, float], dict[str, Any]]:
    """Held-out metrics of ``model`` on raw rows ``x`` (labels as 0..k-1 codes for classes)."""
    output = model.raw_output(x)
    if model.task in ("classification", "text_classification"):
        assert y is not None
        k = len(model.labels)
        return classification_metrics(y, output.argmax(axis=1), output if k >= 2 else None, list(range(k)))
    if model.task == "regression":
        assert y is not None
        return regression_metrics(y, output), {}
    assert model.preprocessor is not None
    return clustering_metrics(model.preprocessor.transform(x), output), {}


def _score(model: TabularModel, x: pd.DataFrame, y: np.ndarray | None) -> float:
    """The primary metric as higher-is-better, for the search."""
    metrics, _ = evaluate(model, x, y)
    name, maximize = PRIMARY_METRIC[model.task]
    return metrics[name] if maximize else -metrics[name]


def train_tabular(frame: pd.DataFrame, params: TabularParams, progress: Progress) -> TabularModel:
    """The whole fit (see the module docstring); raises ``DatasetError`` for unusable data."""
    started = time.monotonic()
    prepared = _Prepared(frame, params)
    algorithm = get_algorithm(params.algorithm)
    importance_steps = len(prepared.features) if params.importance_repeats and params.task != "clustering" else 0
    tracker = _Tracker(
        progress,
        trials=params.search.trials if params.search else 0,
        fits=(params.folds + 1) if params.folds else 1,
        extra=1 + importance_steps,
    )
    y_for_split = prepared.y if prepared.classification else None
    train, val = split_rows(len(prepared.x), params.validation, params.seed, y_for_split)
    hyperparameters = dict(params.hyperparameters)
    trials: list[Trial] = []

    if params.search is not None:
        name, maximize = PRIMARY_METRIC[params.task]
        trials_asked = params.search.trials

        def run_trial(chosen: dict[str, Any]) -> float:
            try:
                model = _fit_once(prepared, algorithm, chosen, train, val, params.seed, tracker.quiet_report)
            except ValidationError as exc:
                raise ValueError(str(exc)) from None
            score = _score(model, prepared.x.iloc[val], prepared.y[val] if prepared.y is not None else None)
            return score if maximize else -score

        def on_trial(trial: Trial, best: Trial | None) -> None:
            metrics = {name: trial.score} if trial.score is not None else {}
            if best is not None and best.score is not None:
                metrics[f"best_{name}"] = best.score
            tracker.trial_done(f"trial {trial.number + 1}/{trials_asked}", metrics)

        best, trials = search(
            params.search, hyperparameters, run_trial, maximize=maximize, seed=params.seed, on_trial=on_trial
        )
        hyperparameters = best.hyperparameters

    details: dict[str, Any] = dict(prepared.notes)
    if params.folds:
        fold_metrics: list[dict[str, float]] = []
        matrix: np.ndarray | None = None
        for fold_train, fold_val in fold_rows(len(prepared.x), params.folds, params.seed, y_for_split):
            model = _fit_once(
                prepared, algorithm, hyperparameters, fold_train, fold_val, params.seed, tracker.fit_report
            )
            tracker.end_fit()
            numbers, fold_details = evaluate(model, prepared.x.iloc[fold_val], _take(prepared.y, fold_val))
            fold_metrics.append(numbers)
            if "confusion_matrix" in fold_details:
                fold_matrix = np.asarray(fold_details["confusion_matrix"])
                matrix = fold_matrix if matrix is None else matrix + fold_matrix
        metrics = {key: float(np.nanmean([m[key] for m in fold_metrics])) for key in fold_metrics[0]}
        details["folds"] = fold_metrics
        if matrix is not None:
            details["confusion_matrix"] = matrix.tolist()
        importance_model, importance_rows = model, fold_val
        everything = np.arange(len(prepared.x))
        final = _fit_once(prepared, algorithm, hyperparameters, everything, fold_val, params.seed, tracker.fit_report)
        tracker.end_fit()
        tracker.one_step("cross-validated metrics", **metrics)
    else:
        final = _fit_once(prepared, algorithm, hyperparameters, train, val, params.seed, tracker.fit_report)
        tracker.end_fit()
        metrics, eval_details = evaluate(final, prepared.x.iloc[val], _take(prepared.y, val))
        details.update(eval_details)
        tracker.one_step("held-out metrics", **metrics)
        importance_model, importance_rows = final, val

    if importance_steps:
        rows = importance_rows
        if len(rows) > params.importance_rows:
            rows = np.sort(np.random.default_rng(params.seed).choice(rows, params.importance_rows, replace=False))
        x_imp = prepared.x.iloc[rows].reset_index(drop=True)
        y_imp = _take(prepared.y, rows)
        assert y_imp is not None, "importance is measured only for tasks with a target (not clustering)"

        def score(x: pd.DataFrame, target: np.ndarray) -> float:
            return _importance_score(importance_model, x, target)

        details["feature_importance"] = permutation_importance(
            score,
            x_imp,
            y_imp,
            n_repeats=params.importance_repeats,
            seed=params.seed,
            on_feature=lambda done, total: tracker.one_step(f"importance {done}/{total}"),
        )
    if "confusion_matrix" in details:
        details["labels"] = prepared.labels
    details.update(
        {
            "n_rows": len(prepared.x),
            "n_train": len(prepared.x) if params.folds else len(train),
            "n_validation": len(val) if not params.folds else None,
            "folds": details.get("folds"),
            "dropped_columns": final.preprocessor.dropped if final.preprocessor else [],
            "column_types": {c.name: c.type for c in prepared.schema.columns},
            "train_seconds": time.monotonic() - started,
            "fit_seconds": final.details["fit_seconds"],
            "fit_cpu_seconds": final.details["fit_cpu_seconds"],
            "estimated_seconds": estimate_duration(frame, params),
        }
    )
    if "resolved_hyperparameters" in final.details:
        details["resolved_hyperparameters"] = final.details["resolved_hyperparameters"]
    if trials:
        details["trials"] = [trial.model_dump() for trial in trials]
        details["best_hyperparameters"] = hyperparameters
    metrics["train_seconds"] = details["train_seconds"]
    final.metrics = {key: float(value) for key, value in metrics.items() if math.isfinite(value)}
    final.details = _json_safe(details)
    return final


def _json_safe(value: Any) -> Any:
    """NaN and infinities become null, so details store in any JSON column (PostgreSQL's included)."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _importance_score(model: TabularModel, x: pd.DataFrame, y: np.ndarray) -> float:
    """Accuracy for classes, R² for regression: scikit-learn's default scorers for each."""
    output = model.raw_output(x)
    if model.task in ("classification", "text_classification"):
        return float((output.argmax(axis=1) == y).mean())
    from sklearn.metrics import r2_score

    return float(r2_score(y, output))


def _take(y: np.ndarray | None, rows: np.ndarray) -> np.ndarray | None:
    return None if y is None else y[rows]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


__all__ = [
    "TabularKind",
    "TabularModel",
    "TabularParams",
    "column_type",
    "estimate_duration",
    "fold_rows",
    "split_rows",
    "train_tabular",
]
