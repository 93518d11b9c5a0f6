"""`tendero bench customers`: fit on the calibration period, score the holdout after it.

METHOD ``tendero`` is the full customer model (BTYD model chosen by internal backtest, its expected
purchases scaled by the backtest's actual/predicted ratio, Gamma-Gamma, churn model chosen by
backtest AUC, RFM segments). Beside it: each plain BTYD model (no purchase factor) and the
constant-rate baseline. With ``--published-check`` the fitted BG/NBD, Pareto/NBD and Gamma-Gamma
parameters are printed next to Fader, Hardie & Lee's published CDNOW-sample values.

METHOD ``holdout_oracle`` is not a model tendero could ship: LightGBM fitted on the holdout outcomes
themselves (5-fold cross-fitted, so every customer is scored by a model that did not see them), from
the same calibration-period features plus the Pareto/NBD outputs. It learns from the future it is
scored on, so it estimates how far any model of the calibration history can go on these figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from tendero.bench.report import bench_report, emit, log

PUBLISHED = {
    "bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
    "pareto_nbd": {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
    "gamma_gamma": {"p": 6.25, "q": 3.74, "v": 15.44},
}


def command(
    transactions: Annotated[Path, typer.Option("--transactions", help="Transactions file")],
    calibration_end: Annotated[str, typer.Option("--calibration-end", help="Last day of calibration, YYYY-MM-DD")],
    format: Annotated[str, typer.Option("--format", help="cdnow or csv (order lines)")] = "cdnow",
    published_check: Annotated[
        bool, typer.Option("--published-check", help="Print BG/NBD, Pareto/NBD, Gamma-Gamma parameters")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json/--no-json", help="One JSON object on stdout")] = False,
) -> None:
    """Fit on the calibration period and score everything after it."""
    results, params = run(transactions, format, calibration_end, published_check)
    emit(bench_report("customers", str(transactions), params, results), json_output)


def run(
    transactions: Path, format: str, calibration_end: str, published_check: bool = False
) -> tuple[dict[str, dict[str, float]], dict[str, object]]:
    import time

    import numpy as np
    import pandas as pd
    from sklearn.metrics import roc_auc_score

    from tendero.customers import btyd
    from tendero.customers.model import UNIT_DAYS, Settings, fit_customer_model
    from tendero.customers.transactions import (
        holdout_counts,
        late_customers,
        read_cdnow,
        read_transactions_csv,
        summarise,
        transaction_log,
    )

    if format not in ("cdnow", "csv"):
        raise typer.BadParameter(f"--format must be cdnow or csv, not {format!r}")
    lines = read_cdnow(transactions) if format == "cdnow" else read_transactions_csv(transactions)
    history = transaction_log(lines)
    end = pd.Timestamp(calibration_end).normalize()
    last_day = history.end
    holdout_days = float((last_day - end).days)
    if holdout_days <= 0:
        raise typer.BadParameter(f"--calibration-end {end.date()} leaves no holdout (data ends {last_day.date()})")
    holdout_weeks = holdout_days / UNIT_DAYS
    log(f"{len(history.orders)} orders; calibration to {end.date()}, holdout {holdout_days:.0f} days")

    settings = Settings(as_of=end, churn_window_days=holdout_days, clv_horizon_days=holdout_days)
    started = time.perf_counter()
    import lightgbm  # noqa: F401  (a server has these loaded: keep import time out of fit time)
    import sklearn.cluster  # noqa: F401

    log(f"imported LightGBM and scikit-learn in {time.perf_counter() - started:.1f} s (not in fit_seconds)")
    started = time.perf_counter()
    model = fit_customer_model(history, settings, report=log)
    fit_seconds = time.perf_counter() - started
    scores = model.scores
    holdout = holdout_counts(history.orders, end).reindex(scores.index).fillna(0.0)
    actual = holdout["purchases"].to_numpy()
    bought = actual > 0
    summary = summarise(history.orders, end, UNIT_DAYS).loc[scores.index]
    args = (summary["frequency"].to_numpy(), summary["recency"].to_numpy(), summary["T"].to_numpy())

    predicted = model.count_model.expected_purchases(holdout_weeks, *args)
    score_seconds = _score_100k_seconds(model, history)

    clv = scores["clv"].to_numpy()
    top = np.argsort(-clv)[: max(1, len(clv) // 10)]
    revenue = holdout["revenue"].to_numpy()
    repeat = pd.Series(bought, index=scores.index).groupby(scores["segment"]).mean()
    ratio = repeat.get("champions", np.nan) / repeat.get("hibernating", np.nan)
    baseline = args[0] / np.where(args[2] > 0, args[2], np.nan) * holdout_weeks
    baseline = np.nan_to_num(baseline)

    results: dict[str, dict[str, float]] = {
        "tendero": {
            "holdout_purchases_actual": float(actual.sum()),
            "holdout_purchases_predicted": float(predicted.sum()),
            "holdout_error_pct": 100.0 * (predicted.sum() / actual.sum() - 1.0),
            "per_customer_mae": float(np.abs(predicted - actual).mean()),
            "baseline_mae": float(np.abs(baseline - actual).mean()),
            "per_customer_mae_vs_baseline_pct": 100.0
            * (1.0 - np.abs(predicted - actual).mean() / np.abs(baseline - actual).mean()),
            "per_customer_rmse": _rmse(predicted, actual),
            "churn_auc": float(roc_auc_score(~bought, scores["churn_probability"])),
            "top_decile_revenue_share": float(revenue[top].sum() / revenue.sum()),
            "champions_vs_hibernating_repeat_ratio": float(ratio),
            "purchase_factor": model.purchase_factor,
            "fit_seconds": fit_seconds,
            "score_seconds": score_seconds,
            "scored_customers": 100_000.0,
            "customers": float(len(scores)),
            "late_customers": float(len(late_customers(history.orders, end))),
            "backtest_auc_supervised": model.metrics.get("backtest_auc_supervised", np.nan),
            "backtest_auc_probabilistic": model.metrics.get("backtest_auc_probabilistic", np.nan),
        },
        "constant_rate": {
            "holdout_purchases_predicted": float(baseline.sum()),
            "holdout_error_pct": 100.0 * (baseline.sum() / actual.sum() - 1.0),
            "per_customer_mae": float(np.abs(baseline - actual).mean()),
            "per_customer_rmse": _rmse(baseline, actual),
        },
        # MAE rewards predicting each customer's median, 0 for most: this row shows how far that goes
        "no_purchases": {
            "holdout_purchases_predicted": 0.0,
            "per_customer_mae": float(np.abs(actual).mean()),
            "per_customer_rmse": _rmse(np.zeros_like(actual), actual),
        },
    }
    fitted: dict[str, dict[str, float]] = {"gamma_gamma": model.spend_params}
    for name, model_type in btyd.COUNT_MODELS.items():
        plain = model_type(model.count_params.get(name)) if name in model.count_params else None
        if plain is None:
            plain = model_type().fit(*args, start=model.choices["btyd_backtest_params"].get(name))
        fitted[name] = plain.params
        plain_predicted = plain.expected_purchases(holdout_weeks, *args)
        results[name] = {
            "holdout_purchases_predicted": float(plain_predicted.sum()),
            "holdout_error_pct": 100.0 * (plain_predicted.sum() / actual.sum() - 1.0),
            "per_customer_mae": float(np.abs(plain_predicted - actual).mean()),
            "per_customer_rmse": _rmse(plain_predicted, actual),
            "churn_auc": float(roc_auc_score(~bought, plain.p_no_purchase(holdout_weeks, *args))),
            "churn_auc_p_alive": float(roc_auc_score(~bought, -plain.p_alive(*args))),
        }
    log("holdout oracle: LightGBM cross-fitted on the holdout outcomes (an upper bound, not a model)")
    results["holdout_oracle"] = _holdout_oracle(history, end, scores.index, holdout, holdout_weeks, args, baseline)
    if published_check:
        for name, published in PUBLISHED.items():
            row = results.setdefault(name, {})
            worst = 0.0
            for key, value in published.items():
                row[key] = fitted[name][key]
                row[f"{key}_published"] = value
                worst = max(worst, abs(fitted[name][key] / value - 1.0) * 100.0)
            row["max_param_error_pct"] = worst
    params = {
        "format": format,
        "calibration_end": str(end.date()),
        "holdout_days": holdout_days,
        "btyd_model": model.count_model_name,
        "churn_model": model.churn_source,
        "churn_window_days": model.settings["churn_window_days"],
        "published_check": published_check,
    }
    return results, params


def _holdout_oracle(history, end, index, holdout, holdout_weeks, args, baseline) -> dict[str, float]:
    """How well the calibration history can predict the holdout at all: LightGBM trained on the
    holdout's own outcomes (no purchase; purchases, by a Poisson objective, so it predicts means as
    the models do; revenue, by a Tweedie objective), each customer scored by the fold that left them
    out. Fixed, untuned settings."""
    import lightgbm as lgb
    import numpy as np
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import KFold

    from tendero.customers import btyd
    from tendero.customers.features import behaviour_features

    features = behaviour_features(history, end).reindex(index)
    pareto = btyd.ParetoNBD().fit(*args)
    features["pareto_expected"] = pareto.expected_purchases(holdout_weeks, *args)
    features["pareto_p_alive"] = pareto.p_alive(*args)
    x = features.to_numpy(np.float64)
    actual = holdout["purchases"].to_numpy()
    revenue = holdout["revenue"].to_numpy()
    settings: dict[str, Any] = {"n_estimators": 300, "learning_rate": 0.03, "num_leaves": 15, "min_child_samples": 50}

    def cross_fitted(objective: str, target) -> np.ndarray:
        out = np.zeros(len(target))
        for fit_rows, scored_rows in KFold(5, shuffle=True, random_state=0).split(x):
            if objective == "binary":
                model = lgb.LGBMClassifier(**settings, verbose=-1, random_state=0)
                model.fit(x[fit_rows], target[fit_rows])
                out[scored_rows] = np.asarray(model.predict_proba(x[scored_rows]))[:, 1]
            else:
                model = lgb.LGBMRegressor(objective=objective, **settings, verbose=-1, random_state=0)
                model.fit(x[fit_rows], target[fit_rows])
                out[scored_rows] = model.predict(x[scored_rows])
        return out

    no_purchase = cross_fitted("binary", (actual == 0).astype(int))
    purchases = cross_fitted("poisson", actual)
    spend = cross_fitted("tweedie", revenue)
    top = np.argsort(-spend)[: max(1, len(spend) // 10)]
    return {
        "holdout_purchases_predicted": float(purchases.sum()),
        "holdout_error_pct": 100.0 * (purchases.sum() / actual.sum() - 1.0),
        "per_customer_mae": float(np.abs(purchases - actual).mean()),
        "per_customer_mae_vs_baseline_pct": 100.0
        * (1.0 - np.abs(purchases - actual).mean() / np.abs(baseline - actual).mean()),
        "per_customer_rmse": _rmse(purchases, actual),
        "churn_auc": float(roc_auc_score(actual == 0, no_purchase)),
        "top_decile_revenue_share": float(revenue[top].sum() / revenue.sum()),
    }


def _rmse(predicted, actual) -> float:
    """Root mean squared error: unlike MAE (best at each customer's median, 0 for most), it is best
    at the expected count, which is what the models predict."""
    import numpy as np

    return float(np.sqrt(np.mean((np.asarray(predicted) - np.asarray(actual)) ** 2)))


def _score_100k_seconds(model, history) -> float:
    """Seconds to score 100,000 customers through the full scoring path (features from the log,
    BTYD, CLV, churn probability, reasons, RFM): the calibration history copied under new ids."""
    import time

    import numpy as np
    import pandas as pd

    from tendero.customers.model import score_log
    from tendero.customers.transactions import TransactionLog

    orders = history.orders[history.orders["ordered_at"] <= model.as_of + pd.Timedelta(days=1)]
    customers = orders["customer_id"].nunique()
    copies = int(np.ceil(100_000 / customers))
    frames = [orders.assign(customer_id=orders["customer_id"] + f"#{k}") for k in range(copies)]
    big = pd.concat(frames, ignore_index=True)
    keep = big["customer_id"].isin(pd.Index(big["customer_id"].unique()[:100_000]))
    big_log = TransactionLog(orders=big[keep].reset_index(drop=True), returns=history.returns.iloc[:0])
    started = time.perf_counter()
    scored = score_log(model, big_log, model.as_of)
    seconds = time.perf_counter() - started
    log(f"scored {len(scored)} customers in {seconds:.2f} s")
    return seconds
