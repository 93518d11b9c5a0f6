"""From unit-level outcomes to per-metric results: arms, comparisons against the control, CUPED, SRM.

``unit_table`` builds one row per exposed unit (its variant, the sum of each outcome event, the
pre-period covariate); ``analyze`` compares every treatment with the control (the first variant) on every
metric; ``effect_over_time`` replays the analysis at successive days for the dashboard's chart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from tendero.experiments.metrics import MetricSpec, VariantSpec
from tendero.experiments.statistics import (
    DEFAULT_TUNING,
    SRM_THRESHOLD,
    Arm,
    Comparison,
    Interval,
    compare,
    cuped_arms,
    mean_arm,
    proportion_arm,
    ratio_arm,
    srm_p_value,
)

COVARIATE = "__covariate__"


@dataclass(frozen=True)
class Design:
    """How to read an experiment: its variants (the first is the control), metrics and error rate."""

    variants: list[VariantSpec]
    metrics: list[MetricSpec]
    alpha: float = 0.05
    sequential: bool = True
    tuning: float = DEFAULT_TUNING
    events: tuple[str, ...] = field(default=())

    @property
    def control(self) -> str:
        return self.variants[0].key

    def outcome_events(self) -> list[str]:
        return sorted({event for metric in self.metrics for event in metric.events()} | set(self.events))


def unit_table(exposures: pd.DataFrame, outcomes: pd.DataFrame, events: list[str],
               covariates: pd.DataFrame | None = None) -> pd.DataFrame:  # fmt: skip
    """One row per exposed unit: ``unit, variant``, one column per outcome event (the sum of its values,
    0 without events) and, when covariates are given, ``__covariate__`` (0 for units without one).

    ``exposures``: unit, variant (a unit's first row wins); ``outcomes``: unit, event, value;
    ``covariates``: unit, value. Outcomes of units never exposed are not part of the experiment.
    """
    units = exposures.drop_duplicates("unit")[["unit", "variant"]].set_index("unit")
    if len(outcomes):
        sums = outcomes[outcomes["event"].isin(events)].pivot_table(
            index="unit", columns="event", values="value", aggfunc="sum"
        )
        units = units.join(sums, how="left")
    for event in events:
        if event not in units.columns:
            units[event] = 0.0
        units[event] = units[event].astype(np.float64).fillna(0.0)
    if covariates is not None:
        values = covariates.drop_duplicates("unit", keep="last").set_index("unit")["value"]
        units[COVARIATE] = values.reindex(units.index).astype(np.float64).fillna(0.0).to_numpy()
    return units.reset_index()


def metric_arm(rows: pd.DataFrame, metric: MetricSpec) -> Arm:
    """One variant's arm for one metric, without covariate adjustment."""
    if metric.kind == "ratio":
        return ratio_arm(rows[metric.numerator].to_numpy(), rows[metric.denominator].to_numpy())
    values = rows[metric.events()[0]].to_numpy()
    if metric.kind == "proportion":
        return proportion_arm(float((values > 0).sum()), len(values))
    return mean_arm(values)


def _outcome(rows: pd.DataFrame, metric: MetricSpec) -> np.ndarray:
    values = rows[metric.events()[0]].to_numpy(dtype=np.float64)
    return (values > 0).astype(np.float64) if metric.kind == "proportion" else values


def _interval(interval: Interval) -> dict[str, float]:
    return asdict(interval)


def _decision(interval: Interval, metric: MetricSpec) -> str:
    if interval.lower > 0 or interval.upper < 0:
        up = interval.estimate > 0
        return "better" if up == metric.higher_is_better else "worse"
    return "inconclusive"


def compare_metric(rows_a: pd.DataFrame, rows_b: pd.DataFrame, metric: MetricSpec, design: Design,
                   use_covariate: bool) -> dict[str, Any]:  # fmt: skip
    """Treatment rows against control rows on one metric; CUPED when a covariate is there and helps."""
    plain_a, plain_b = metric_arm(rows_a, metric), metric_arm(rows_b, metric)
    theta = None
    arm_a, arm_b = plain_a, plain_b
    if use_covariate and metric.kind != "ratio" and COVARIATE in rows_a.columns:
        adjusted_a, adjusted_b, slope = cuped_arms(_outcome(rows_a, metric), rows_a[COVARIATE].to_numpy(),
                                                   _outcome(rows_b, metric), rows_b[COVARIATE].to_numpy())  # fmt: skip
        if slope != 0:
            arm_a, arm_b, theta = adjusted_a, adjusted_b, slope
    distribution: Literal["t", "normal"] = "normal" if metric.kind in ("proportion", "ratio") else "t"
    result: Comparison | None = compare(arm_a, arm_b, alpha=design.alpha, distribution=distribution,
                                        tuning=design.tuning)  # fmt: skip
    out: dict[str, Any] = {"units": [plain_a.n, plain_b.n], "theta": theta}
    if result is None:
        out["decision"] = "not_enough_data"
        return out
    chosen = result.relative_sequential if design.sequential else result.relative
    plain = compare(plain_a, plain_b, alpha=design.alpha, distribution=distribution, tuning=design.tuning)
    reduction = None
    if theta is not None and plain is not None and plain.absolute.standard_error > 0:
        reduction = 1.0 - (result.absolute.standard_error / plain.absolute.standard_error) ** 2
    out.update(
        absolute=_interval(result.absolute),
        relative=_interval(result.relative),
        absolute_sequential=_interval(result.absolute_sequential),
        relative_sequential=_interval(result.relative_sequential),
        variance_reduction=reduction,
        decision=_decision(chosen, metric),
    )
    return out


def analyze(units: pd.DataFrame, design: Design) -> dict[str, Any]:
    """Every treatment against the control on every metric, with the sample-ratio check.

    ``units`` is ``unit_table``'s frame. Decisions read the always-valid interval when the design is
    sequential (the default), the fixed-horizon one otherwise.
    """
    keys = [v.key for v in design.variants]
    counts = units.groupby("variant").size().reindex(keys, fill_value=0)
    weights = [v.weight for v in design.variants]
    p_srm = srm_p_value(counts.to_numpy(), weights)
    total_weight = sum(weights)
    use_covariate = COVARIATE in units.columns and float(units[COVARIATE].var(ddof=0) or 0.0) > 0
    by_variant = {key: rows for key, rows in units.groupby("variant")}
    empty = units.iloc[0:0]
    metrics = []
    for metric in design.metrics:
        arms = []
        for key in keys:
            rows = by_variant.get(key, empty)
            arm = metric_arm(rows, metric)
            arms.append({"variant": key, "units": len(rows), "mean": arm.mean})
        comparisons = []
        control_rows = by_variant.get(design.control, empty)
        for key in keys[1:]:
            comparison = compare_metric(control_rows, by_variant.get(key, empty), metric, design, use_covariate)
            comparisons.append({"variant": key, "against": design.control, **comparison})
        metrics.append({
            "metric": metric.name, "kind": metric.kind, "role": metric.role, "unit": metric.unit,
            "higher_is_better": metric.higher_is_better,
            "cuped": use_covariate and metric.kind != "ratio", "variants": arms, "comparisons": comparisons,
        })  # fmt: skip
    return {
        "units": len(units),
        "alpha": design.alpha,
        "sequential": design.sequential,
        "srm": {
            "p_value": p_srm,
            "mismatch": p_srm < SRM_THRESHOLD,
            "counts": {key: int(counts[key]) for key in keys},
            "expected_shares": {v.key: v.weight / total_weight for v in design.variants},
        },
        "metrics": metrics,
    }


def effect_over_time(exposures: pd.DataFrame, outcomes: pd.DataFrame, covariates: pd.DataFrame | None,
                     design: Design, metric: MetricSpec, points: int = 30) -> list[dict[str, Any]]:  # fmt: skip
    """The primary comparison replayed at up to ``points`` days: what a person looking daily saw.

    ``exposures`` and ``outcomes`` carry an ``at`` timestamp; each checkpoint keeps the units exposed
    and the outcomes recorded by the end of that day.
    """
    if exposures.empty:
        return []
    days = pd.to_datetime(exposures["at"]).dt.normalize()
    outcome_days = pd.to_datetime(outcomes["at"]).dt.normalize() if len(outcomes) else pd.Series(dtype="M8[ns]")
    unique_days = np.sort(days.unique())
    if len(unique_days) > points:
        unique_days = unique_days[np.unique(np.linspace(0, len(unique_days) - 1, points).round().astype(int))]
    events = list(metric.events())
    series = []
    for day in unique_days:
        shown = exposures[days.to_numpy() <= day]
        seen = outcomes[outcome_days.to_numpy() <= day] if len(outcomes) else outcomes
        table = unit_table(shown, seen, events, covariates)
        use_covariate = COVARIATE in table.columns and float(table[COVARIATE].var(ddof=0) or 0.0) > 0
        control = table[table["variant"] == design.control]
        for variant in design.variants[1:]:
            result = compare_metric(control, table[table["variant"] == variant.key], metric, design, use_covariate)
            point: dict[str, Any] = {"day": pd.Timestamp(day).date().isoformat(), "variant": variant.key,
                                     "units": len(table)}  # fmt: skip
            if "relative" in result:
                point.update(
                    estimate=result["relative"]["estimate"],
                    lower=result["relative"]["lower"], upper=result["relative"]["upper"],
                    sequential_lower=result["relative_sequential"]["lower"],
                    sequential_upper=result["relative_sequential"]["upper"],
                )  # fmt: skip
            series.append(point)
    return series
