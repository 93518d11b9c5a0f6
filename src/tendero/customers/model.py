"""The whole customer-intelligence fit: segments, buy-till-you-die, spend, churn, one scores table.

``fit_customer_model`` is what both the ``customers`` model kind and the bench call. It

1. builds the transaction log and the BTYD summary at ``as_of`` (weeks as the time unit);
2. runs an internal backtest: refits every BTYD model at ``as_of - window`` and predicts the
   window, and picks the model with the lowest per-customer MAE (the choice is recorded);
3. fits Gamma-Gamma for spend and the chosen model on the full history; CLV is discounted.
   The chosen model's actual/predicted purchases in the backtest window become a level factor on
   its expected purchases and CLV (``purchase_factor``, shrunk towards 1 by the backtest's
   uncertainty, see ``level_factor``): BTYD models miss aggregate repeat buying on real shops
   (-13 % on CDNOW, mostly one-time buyers who come back), and a correction learned on the shop's
   own past narrows that and keeps the ranking. P(alive) and P(no purchase) stay the model's own;
4. trains the supervised churn model on the same time split and keeps it if its held-out AUC
   beats the probabilistic score P(no purchase in the window) on the same customers (recorded);
5. scores every customer once (segment, cluster, P(alive), expected purchases 30/90 days, CLV,
   churn probability, value at risk, reason codes) into one table that the API reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from tendero.customers import btyd
from tendero.customers.churn import MODEL_FEATURES, ChurnModel, fit_churn, reason_text
from tendero.customers.features import behaviour_features
from tendero.customers.rfm import (
    SEGMENT_ACTIONS,
    SEGMENTS,
    Clusters,
    fit_clusters,
    rfm_segments,
    rfm_table,
    segment_summary,
)
from tendero.customers.transactions import (
    TransactionLog,
    holdout_counts,
    late_customers,
    summarise,
    with_integer_ids,
)

UNIT_DAYS = 7.0
Report = Callable[[str], None]
FrameOrSeries = TypeVar("FrameOrSeries", pd.DataFrame, pd.Series)


@dataclass
class Settings:
    """What the fit needs to know; the kind's Params map onto this one to one."""

    as_of: pd.Timestamp | None = None
    churn_window_days: float = 90.0
    backtest_days: float | None = None
    btyd_models: tuple[str, ...] = ("bgnbd", "mbgnbd", "pareto_nbd")
    clv_horizon_days: float = 365.0
    annual_discount_rate: float = 0.10
    clusters: int = 4
    n_estimators: int = 300
    learning_rate: float = 0.03
    num_leaves: int = 15
    seed: int = 0
    calibrate_purchases: bool = True


# The purchase factor is the backtest's log(actual / predicted) total shrunk towards 0 (normal prior
# and evidence on the log scale). Prior: a BTYD model's aggregate miss on a new window is mostly
# within +-15 %. Drift: the miss in the next window differs from the last one's by about 10 % even
# when both are measured exactly (inside CDNOW's calibration weeks alone, Pareto/NBD's miss at
# cutoffs 13, 19.5 and 26 weeks varies with a standard deviation of about 0.13 on the log scale).
# The evidence's other noise is measured per fit: parameter uncertainty (delta method on the
# Laplace covariance) and customer-level noise of the actual total.
PURCHASE_FACTOR_PRIOR_SD = 0.15
PURCHASE_FACTOR_DRIFT_SD = 0.10
PURCHASE_FACTOR_BOUNDS = (0.5, 2.0)


@dataclass
class CustomerModel:
    """Everything fitted, and the per-customer scores table; answers the API's questions."""

    as_of: pd.Timestamp
    settings: dict[str, Any]
    count_params: dict[str, dict[str, float]]  # the fitted BTYD model used for predictions, by name
    count_model_name: str
    spend_params: dict[str, float]
    churn_source: str  # "supervised" or "probabilistic"
    churn: ChurnModel | None
    clusters: Clusters | None
    scores: pd.DataFrame  # index customer_id
    segments: pd.DataFrame  # summary, index segment key
    metrics: dict[str, float] = field(default_factory=dict)
    choices: dict[str, Any] = field(default_factory=dict)
    purchase_factor: float = 1.0  # backtest level correction of expected purchases and CLV

    # ---- predictions the API calls -------------------------------------------------------------

    @property
    def count_model(self) -> btyd._CountModel:
        """The chosen BTYD model with the backtest's purchase factor applied to its expectations."""
        plain = btyd.count_model(self.count_model_name, self.count_params[self.count_model_name])
        return btyd.ScaledCountModel(plain, self.purchase_factor)

    def segments_summary(self, language: str = "en") -> list[dict[str, Any]]:
        """The ten segments with customers, revenue share, mean R/F/M, repeat rate, suggested action."""
        rows = []
        for key, row in self.segments.iterrows():
            rows.append(
                {
                    "segment": key,
                    "name": SEGMENTS[key][_lang(language)],
                    "action": SEGMENT_ACTIONS[key][_lang(language)],
                    "customers": int(row["customers"]),
                    "revenue_share": _num(row["revenue_share"]),
                    "mean_recency_days": _num(row["mean_recency_days"]),
                    "mean_frequency": _num(row["mean_frequency"]),
                    "mean_monetary": _num(row["mean_monetary"]),
                    "mean_r": _num(row["mean_r"]),
                    "mean_f": _num(row["mean_f"]),
                    "mean_m": _num(row["mean_m"]),
                    "repeat_rate": _num(row["repeat_rate"]),
                }
            )
        return rows

    def clusters_summary(self, language: str = "en") -> list[dict[str, Any]]:
        """The k-means clusters of log-RFM, most valuable first: described in words, their size and
        revenue share, the medians of their members, their churn risk and their commonest segment.
        Empty when the model has none (fewer than five customers per cluster when it was fitted)."""
        if self.clusters is None:
            return []
        lang = _lang(language)
        scored = self.scores[np.isfinite(self.scores["cluster"].astype(float))]
        revenue = float(scored["monetary"].clip(lower=0).sum())
        rows = []
        for number, description in sorted(self.clusters.descriptions.items()):
            members = scored[scored["cluster"].astype(int) == int(number)]
            centre = self.clusters.centers.loc[number] if number in self.clusters.centers.index else None
            common = members["segment"].mode()
            segment = str(common.iloc[0]) if len(common) else None
            rows.append(
                {
                    "cluster": int(number),
                    "description": description[lang],
                    "customers": len(members),
                    "share": _num(len(members) / len(scored)) if len(scored) else None,
                    "revenue_share": _num(members["monetary"].clip(lower=0).sum() / revenue) if revenue > 0 else None,
                    "median_recency_days": _num(centre["recency_days"]) if centre is not None else None,
                    "median_frequency": _num(centre["frequency"]) if centre is not None else None,
                    "median_monetary": _num(centre["monetary"]) if centre is not None else None,
                    "mean_churn_probability": _num(members["churn_probability"].mean()) if len(members) else None,
                    "mean_clv": _num(members["clv"].mean()) if len(members) else None,
                    "main_segment": segment,
                    "main_segment_name": SEGMENTS[segment][lang] if segment in SEGMENTS else None,
                }
            )
        return rows

    def segment_members(
        self, segment: str | None = None, limit: int = 100, offset: int = 0
    ) -> tuple[list[dict[str, Any]], int]:
        """Customers of one segment (or all), most valuable (CLV) first; returns (page, total)."""
        if segment is not None and segment not in SEGMENTS:
            raise KeyError(f"unknown segment {segment!r}; known: {', '.join(SEGMENTS)}")
        members = self.scores if segment is None else self.scores[self.scores["segment"] == segment]
        members = members.sort_values("clv", ascending=False)
        page = members.iloc[offset : offset + limit]
        return [self._member_row(cid, row) for cid, row in page.iterrows()], len(members)

    def insights(self, customer_id: str, language: str = "en") -> dict[str, Any]:
        """Segment, RFM scores, churn probability, P(alive), expected purchases 30/90 d, CLV, reasons.

        Raises ``KeyError`` for a customer the model has not seen (the API answers 404).
        """
        customer_id = str(customer_id)
        if customer_id not in self.scores.index:
            raise KeyError(f"customer {customer_id!r} is not in this model (trained as of {self.as_of.date()})")
        row = self.scores.loc[customer_id]
        lang = _lang(language)
        cluster = None
        if self.clusters is not None and np.isfinite(row["cluster"]):
            number = int(row["cluster"])
            cluster = {"cluster": number, "description": self.clusters.descriptions[number][lang]}
        return {
            **self._member_row(customer_id, row),
            "segment_name": SEGMENTS[row["segment"]][lang],
            "segment_action": SEGMENT_ACTIONS[row["segment"]][lang],
            "cluster": cluster,
            "recency_days": _num(row["recency_days"]),
            "frequency": int(row["frequency"]),
            "monetary": _num(row["monetary"]),
            "expected_spend": _num(row["expected_spend"]),
            "churn_window_days": float(self.settings["churn_window_days"]),
            "churn_model": self.churn_source,
            "btyd_model": self.count_model_name,
            "top_reasons": self.reasons(customer_id, lang),
        }

    def churn_prediction(self, customer_id: str, language: str = "en") -> dict[str, Any]:
        """The 3T contract: probability, risk level, whether we expect churn, and the reasons."""
        info = self.insights(customer_id, language)
        probability = info["churn_probability"]
        level = "high" if probability >= 0.7 else "medium" if probability >= 0.4 else "low"
        names = {"high": "alto", "medium": "medio", "low": "bajo"}
        return {
            "customer_id": info["customer_id"],
            "churn_probability": probability,
            "will_churn": probability >= 0.5,
            "risk_level": level if _lang(language) == "en" else names[level],
            "p_alive": info["p_alive"],
            "value_at_risk": info["value_at_risk"],
            "window_days": info["churn_window_days"],
            "model": info["churn_model"],
            "top_reasons": info["top_reasons"],
        }

    def at_risk(self, min_value: float = 0.0, limit: int = 50, language: str = "en") -> list[dict[str, Any]]:
        """Customers by value at risk (churn probability x value expected in the churn window if they
        stay), highest first, only those with ``value_at_risk >= min_value``; each with its reasons."""
        chosen = self.scores[self.scores["value_at_risk"] >= min_value]
        chosen = chosen.sort_values("value_at_risk", ascending=False).head(limit)
        reasons = self.reasons_many([str(c) for c in chosen.index], language) if len(chosen) else []
        return [
            {**self._member_row(cid, row), "top_reasons": why}
            for (cid, row), why in zip(chosen.iterrows(), reasons, strict=True)
        ]

    def likely_buyers(self, days: int = 7, limit: int = 50, min_probability: float = 0.0) -> list[dict[str, Any]]:
        """Customers most likely to buy in the next ``days``: P(at least one purchase), expected count."""
        summary = self.scores
        model = self.count_model
        args = (summary["frequency_btyd"], summary["recency_btyd"], summary["T_btyd"])
        probability = 1.0 - model.p_no_purchase(days / UNIT_DAYS, *args)
        expected = model.expected_purchases(days / UNIT_DAYS, *args)
        table = pd.DataFrame({"p_purchase": probability, "expected_purchases": expected}, index=summary.index)
        table = table[table["p_purchase"] >= min_probability]
        table = table.sort_values(["p_purchase", "expected_purchases"], ascending=False).head(limit)
        return [
            {
                **self._member_row(cid, summary.loc[cid]),
                "days": int(days),
                "p_purchase": _num(row["p_purchase"]),
                "expected_purchases_window": _num(row["expected_purchases"]),
            }
            for cid, row in table.iterrows()
        ]

    def reasons(self, customer_id: str, language: str = "en", top: int = 3) -> list[dict[str, Any]]:
        """Top reasons for this customer's churn risk, from the booster's SHAP values, in words."""
        return self.reasons_many([str(customer_id)], language, top)[0]

    def reasons_many(self, customer_ids: list[str], language: str = "en", top: int = 3) -> list[list[dict[str, Any]]]:
        """Reasons for several customers at once (one LightGBM call): for lists such as at-risk."""
        features = self.scores.loc[customer_ids, [f"x_{n}" for n in MODEL_FEATURES]]
        features.columns = list(MODEL_FEATURES)
        if self.churn is not None:
            codes = self.churn.reasons(features, top=top)
        else:
            codes = [row[:top] for row in _rule_reasons(features)]
        lang = _lang(language)
        return [
            [{"feature": f, "value": _num(v), "impact": _num(i), "text": reason_text(f, v, lang)} for f, v, i in row]
            for row in codes
        ]

    def probe(self) -> dict[str, Any]:
        """One representative prediction: the insights of the most valuable customer."""
        return self.insights(str(self.scores["clv"].idxmax()))

    def _member_row(self, customer_id: str, row: pd.Series) -> dict[str, Any]:
        return {
            "customer_id": str(customer_id),
            "segment": row["segment"],
            "r": int(row["r"]),
            "f": int(row["f"]),
            "m": int(row["m"]),
            "rfm": row["rfm"],
            "churn_probability": _num(row["churn_probability"]),
            "p_alive": _num(row["p_alive"]),
            "expected_purchases_30d": _num(row["expected_30d"]),
            "expected_purchases_90d": _num(row["expected_90d"]),
            "clv": _num(row["clv"]),
            "value_at_risk": _num(row["value_at_risk"]),
            "last_purchase": pd.Timestamp(row["last"]).date().isoformat(),
        }

    # ---- files ---------------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """JSON parameters, the LightGBM text model, and parquet tables: no pickle anywhere."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        params = {
            "as_of": self.as_of.isoformat(),
            "settings": self.settings,
            "count_params": self.count_params,
            "count_model": self.count_model_name,
            "purchase_factor": self.purchase_factor,
            "spend_params": self.spend_params,
            "churn_source": self.churn_source,
            "metrics": self.metrics,
            "choices": self.choices,
            "clusters": None
            if self.clusters is None
            else {
                "descriptions": {str(k): v for k, v in self.clusters.descriptions.items()},
                "mean": self.clusters.mean,
                "scale": self.clusters.scale,
                "centroids_scaled": self.clusters.centroids_scaled,
                "centers": self.clusters.centers.reset_index().to_dict(orient="list"),
            },
        }
        (folder / "params.json").write_text(json.dumps(params, indent=1, default=_json_default))
        self.scores.reset_index().to_parquet(folder / "scores.parquet", index=False)
        self.segments.reset_index().to_parquet(folder / "segments.parquet", index=False)
        if self.churn is not None:
            self.churn.save(folder)

    @classmethod
    def load(cls, folder: Path) -> CustomerModel:
        folder = Path(folder)
        params = json.loads((folder / "params.json").read_text())
        scores = pd.read_parquet(folder / "scores.parquet").set_index("customer_id")
        segments = pd.read_parquet(folder / "segments.parquet").set_index("segment")
        clusters = None
        if params["clusters"] is not None:
            raw = params["clusters"]
            centers = pd.DataFrame(raw["centers"]).set_index("cluster")
            clusters = Clusters(
                labels=scores["cluster"],
                centers=centers,
                descriptions={int(k): v for k, v in raw["descriptions"].items()},
                mean=raw["mean"],
                scale=raw["scale"],
                centroids_scaled=raw["centroids_scaled"],
            )
        churn = ChurnModel.load(folder) if (folder / "churn_lightgbm.txt").exists() else None
        return cls(
            as_of=pd.Timestamp(params["as_of"]),
            settings=params["settings"],
            count_params=params["count_params"],
            count_model_name=params["count_model"],
            spend_params=params["spend_params"],
            churn_source=params["churn_source"],
            churn=churn,
            clusters=clusters,
            scores=scores,
            segments=segments,
            metrics=params["metrics"],
            choices=params["choices"],
            purchase_factor=float(params.get("purchase_factor", 1.0)),  # older artifacts: none
        )


def score_log(model: CustomerModel, log: TransactionLog, as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """Score a (new or longer) history with an already fitted model, without refitting anything:
    segments, P(alive), expected purchases, CLV, churn probability and reasons per customer."""
    end = pd.Timestamp(as_of).normalize() if as_of is not None else log.end
    log, ids = with_integer_ids(log)
    summary = summarise(log.orders, end, UNIT_DAYS)
    if model.spend_params:
        spend = btyd.GammaGamma(model.spend_params).expected_spend(summary["frequency"], summary["monetary_value"])
    else:
        spend = (summary["revenue"] / summary["purchases"]).to_numpy()
    settings = Settings(
        clv_horizon_days=model.settings["clv_horizon_days"],
        annual_discount_rate=model.settings["annual_discount_rate"],
    )
    window = float(model.settings["churn_window_days"])
    scores = _score(log, summary, end, model.count_model, spend, model.churn, model.churn_source, window, settings)
    rfm = rfm_segments(rfm_table(log.orders, log.returns, end).reindex(summary.index))
    return _with_customer_ids(rfm.join(scores), ids)


def _lang(language: str) -> str:
    return "es" if str(language).lower().startswith("es") else "en"


def _num(value: Any) -> float | None:
    number = float(value)
    return number if np.isfinite(number) else None


def _json_default(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value)}")


def _btyd_args(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        summary["frequency"].to_numpy(float),
        summary["recency"].to_numpy(float),
        summary["T"].to_numpy(float),
    )


def _backtest_window(log: TransactionLog, as_of: pd.Timestamp, settings: Settings) -> float:
    first = log.orders["ordered_at"].min().normalize()
    span = (as_of - first).days
    wanted = settings.backtest_days if settings.backtest_days else settings.churn_window_days
    return float(max(1, min(wanted, span // 2)))


def fit_customer_model(
    log: TransactionLog, settings: Settings | None = None, report: Report | None = None
) -> CustomerModel:
    """Fit every part on history up to ``settings.as_of`` (default: the last day with activity)."""
    settings = settings or Settings()
    say = report or (lambda message: None)
    as_of = pd.Timestamp(settings.as_of).normalize() if settings.as_of is not None else log.end
    if log.orders.empty:
        raise ValueError("no purchases with a customer id: nothing to learn from")
    log, ids = with_integer_ids(log)
    summary = summarise(log.orders, as_of, UNIT_DAYS)
    if len(summary) < 10:
        raise ValueError(f"only {len(summary)} customers bought on or before {as_of.date()}: need at least 10")
    metrics: dict[str, float] = {
        "customers": float(len(summary)),
        "repeat_customers": float((summary["frequency"] > 0).sum()),
        "late_customers": float(len(late_customers(log.orders, as_of))),
        **{f"dropped_{k}": float(v) for k, v in log.dropped.items()},
    }
    choices: dict[str, Any] = {}

    # 1. internal backtest: refit at as_of - window, predict the window
    window = _backtest_window(log, as_of, settings)
    cutoff = as_of - pd.Timedelta(days=window)
    past = summarise(log.orders, cutoff, UNIT_DAYS)
    actual = holdout_counts(log.orders, cutoff, as_of)["purchases"].reindex(past.index).fillna(0.0).to_numpy()
    say(f"backtest: refit at {cutoff.date()} on {len(past)} customers, predict {window:.0f} days")
    past_models: dict[str, btyd._CountModel] = {}
    errors: dict[str, float] = {}
    if len(past) >= 10:
        baseline = past["frequency"] / past["T"].where(past["T"] > 0) * (window / UNIT_DAYS)
        metrics["backtest_baseline_mae"] = float(np.abs(baseline.fillna(0).to_numpy() - actual).mean())
        metrics["backtest_actual_purchases"] = float(actual.sum())
        # selection needs no more than 5,000 customers: fit on a fixed sample of them
        sample = past if len(past) <= 5_000 else past.sample(5_000, random_state=settings.seed)
        for name in settings.btyd_models:
            try:
                model = btyd.COUNT_MODELS[name]().fit(*_btyd_args(sample))
            except (RuntimeError, ValueError, FloatingPointError) as error:
                say(f"backtest: {name} failed to fit: {error}")
                continue
            predicted = model.expected_purchases(window / UNIT_DAYS, *_btyd_args(past))
            if not np.all(np.isfinite(predicted)):
                continue
            past_models[name] = model
            errors[name] = float(np.abs(predicted - actual).mean())
            metrics[f"backtest_mae_{name}"] = errors[name]
            metrics[f"backtest_purchases_{name}"] = float(predicted.sum())
    say(f"backtest MAE by model: {errors}")

    # 2. pick the count model by the backtest, fit it and the spend model on the full history
    if errors:
        chosen = min(errors, key=errors.__getitem__)
        choices["btyd_model"] = {"chosen": chosen, "by": "backtest per-customer MAE", "mae": errors}
        candidates = [chosen, *(n for n in sorted(errors, key=errors.__getitem__) if n != chosen)]
    else:
        candidates = list(settings.btyd_models)
        choices["btyd_model"] = {"chosen": None, "by": "history too short to backtest: first model that fits"}
    if errors and len(past) > len(sample):
        # the level correction and the churn features need the chosen model as fitted on everyone
        try:
            past_models[chosen] = btyd.COUNT_MODELS[chosen]().fit(*_btyd_args(past), start=past_models[chosen].params)
        except (RuntimeError, ValueError, FloatingPointError) as error:
            say(f"backtest: {chosen} refit on all customers failed ({error}); keeping the sample fit")
    count_params: dict[str, dict[str, float]] = {}
    for name in candidates:
        try:
            warm = past_models[name].params if name in past_models else None
            fitted = btyd.COUNT_MODELS[name]().fit(*_btyd_args(summary), start=warm)
        except (RuntimeError, ValueError, FloatingPointError) as error:
            say(f"{name} failed to fit: {error}")
            continue
        count_params[name] = fitted.params
        metrics[f"loglik_{name}"] = fitted.log_likelihood
        break
    if not count_params:
        raise RuntimeError("no buy-till-you-die model could be fitted on this history")
    chosen = next(iter(count_params))
    choices["btyd_model"]["chosen"] = chosen
    choices["btyd_backtest_params"] = {name: model.params for name, model in past_models.items()}
    purchase_factor = 1.0
    if settings.calibrate_purchases and chosen in past_models:
        past_model, past_args = past_models[chosen], _btyd_args(past)
        predicted = past_model.expected_purchases(window / UNIT_DAYS, *past_args)
        parameter_sd = past_model.total_log_sd(window / UNIT_DAYS, *past_args)
        purchase_factor, details = level_factor(actual, predicted, parameter_sd)
        choices["purchase_calibration"] = {"factor": purchase_factor, **details, "window_days": window}
    else:
        why = "turned off" if not settings.calibrate_purchases else "no backtest of the chosen model"
        choices["purchase_calibration"] = {"factor": 1.0, "by": why}
    metrics["purchase_factor"] = purchase_factor
    say(f"purchase calibration: {choices['purchase_calibration']}")
    count_model = btyd.ScaledCountModel(btyd.count_model(chosen, count_params[chosen]), purchase_factor)
    spend = btyd.GammaGamma()
    try:
        spend.fit(summary["frequency"], summary["monetary_value"])
        expected_spend = spend.expected_spend(summary["frequency"], summary["monetary_value"])
    except (RuntimeError, ValueError) as error:
        say(f"gamma-gamma not fitted ({error}); using each customer's mean order value")
        mean_order = (summary["revenue"] / summary["purchases"]).to_numpy()
        expected_spend = mean_order
    if not np.all(np.isfinite(expected_spend)):  # q <= 1: population mean undefined
        fallback = float(np.nanmean((summary["revenue"] / summary["purchases"]).to_numpy()))
        expected_spend = np.where(np.isfinite(expected_spend), expected_spend, fallback)
    say(f"chosen BTYD model {chosen} {count_model.params}; gamma-gamma {spend.params}")

    # 3. supervised churn on the same time split
    window_weeks = window / UNIT_DAYS
    churn: ChurnModel | None = None
    source = "probabilistic"
    if chosen in past_models:
        past_features = behaviour_features(log, cutoff).reindex(past.index)
        past_features = _with_btyd_features(past_features, past_models[chosen], past, window_weeks)
        churned = pd.Series(actual == 0, index=past.index)
        churn, held = fit_churn(
            past_features,
            churned,
            window,
            seed=settings.seed,
            n_estimators=settings.n_estimators,
            learning_rate=settings.learning_rate,
            num_leaves=settings.num_leaves,
        )
        if churn is not None:
            from sklearn.metrics import roc_auc_score

            probabilistic_auc = float(roc_auc_score(churned.loc[held], past_features.loc[held, "p_quiet"]))
            metrics["backtest_auc_supervised"] = churn.auc
            metrics["backtest_auc_probabilistic"] = probabilistic_auc
            source = "supervised" if churn.auc > probabilistic_auc else "probabilistic"
            choices["churn_model"] = {
                "chosen": source,
                "by": "backtest AUC on held-out customers",
                "auc": {"supervised": churn.auc, "probabilistic": probabilistic_auc},
            }
            metrics["churn_auc"] = max(churn.auc, probabilistic_auc)
    if "churn_model" not in choices:
        choices["churn_model"] = {"chosen": source, "by": "too few labelled customers for a supervised model"}
    say(f"churn: {choices['churn_model']}")

    # 4. score everyone as of the end
    scores = _score(log, summary, as_of, count_model, expected_spend, churn, source, window, settings)
    rfm = rfm_segments(rfm_table(log.orders, log.returns, as_of).reindex(summary.index))
    clusters = None
    if settings.clusters > 0 and len(rfm) >= settings.clusters * 5:
        clusters = fit_clusters(rfm, settings.clusters, seed=settings.seed)
        rfm["cluster"] = clusters.labels
    else:
        rfm["cluster"] = np.nan
    scores = _with_customer_ids(rfm.join(scores), ids)
    if clusters is not None:
        clusters.labels = _with_customer_ids(clusters.labels, ids)
    segments = segment_summary(rfm)
    metrics["segments_nonempty"] = float((segments["customers"] > 0).sum())
    return CustomerModel(
        as_of=as_of,
        settings={k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(settings).items()}
        | {"as_of": as_of.isoformat(), "churn_window_days": window},
        count_params=count_params,
        count_model_name=chosen,
        spend_params=spend.params,
        churn_source=source,
        churn=churn,
        clusters=clusters,
        scores=scores,
        segments=segments,
        metrics=metrics,
        choices=choices,
        purchase_factor=purchase_factor,
    )


def _with_customer_ids(table: FrameOrSeries, ids: pd.Index) -> FrameOrSeries:
    """Back from the integer codes of ``with_integer_ids`` to the customer ids."""
    return table.set_axis(pd.Index(ids[table.index.to_numpy()], name="customer_id"), axis=0)


def level_factor(
    actual: np.ndarray, predicted: np.ndarray, parameter_log_sd: float
) -> tuple[float, dict[str, float | str | None]]:
    """The factor on expected purchases from one backtest: per-customer actual and predicted counts
    in the window, and the uncertainty of log(predicted total) from the model's parameters.

    The log ratio of the totals is shrunk towards 0 by the weight prior / (prior + drift +
    parameter + noise variance), so a big shop with a clear miss gets most of the correction and a
    small one with a noisy fit little of it; the factor stays within ``PURCHASE_FACTOR_BOUNDS``.
    """
    actual_total, predicted_total = float(np.sum(actual)), float(np.sum(predicted))
    details: dict[str, float | str | None] = {
        "backtest_actual_purchases": actual_total,
        "backtest_predicted_purchases": predicted_total,
    }
    if actual_total <= 0 or not np.isfinite(predicted_total) or predicted_total <= 0:
        return 1.0, details | {"by": "no purchases (actual or predicted) in the backtest window: no correction"}
    ratio = actual_total / predicted_total
    # customer-level noise of the actual total, around the prediction scaled to match it
    residuals = np.asarray(actual, dtype=float) - ratio * np.asarray(predicted, dtype=float)
    noise_log_sd = float(np.sqrt(np.sum(residuals**2))) / actual_total
    prior = PURCHASE_FACTOR_PRIOR_SD**2
    spread = prior + PURCHASE_FACTOR_DRIFT_SD**2 + parameter_log_sd**2 + noise_log_sd**2
    weight = prior / spread if np.isfinite(spread) else 0.0
    log_ratio = float(np.log(ratio))
    low, high = PURCHASE_FACTOR_BOUNDS
    factor = float(np.clip(np.exp(weight * log_ratio), low, high))
    return factor, details | {
        "ratio": ratio,
        "weight": weight,
        "parameter_log_sd": parameter_log_sd if np.isfinite(parameter_log_sd) else None,
        "noise_log_sd": noise_log_sd,
        "by": "backtest actual / predicted purchases of the chosen model, shrunk towards 1 by its uncertainty",
    }


def _with_btyd_features(
    features: pd.DataFrame, model: btyd._CountModel, summary: pd.DataFrame, window_weeks: float
) -> pd.DataFrame:
    args = _btyd_args(summary.loc[features.index])
    out = features.copy()
    out["p_alive"] = model.p_alive(*args)
    out["expected_rate"] = model.expected_purchases(window_weeks, *args) / window_weeks
    out["p_quiet"] = model.p_no_purchase(window_weeks, *args)
    return out


def _score(
    log: TransactionLog,
    summary: pd.DataFrame,
    as_of: pd.Timestamp,
    model: btyd._CountModel,
    expected_spend: np.ndarray,
    churn: ChurnModel | None,
    source: str,
    window: float,
    settings: Settings,
) -> pd.DataFrame:
    args = _btyd_args(summary)
    window_weeks = window / UNIT_DAYS
    features = _with_btyd_features(behaviour_features(log, as_of).reindex(summary.index), model, summary, window_weeks)
    scores = pd.DataFrame(index=summary.index)
    scores["frequency_btyd"], scores["recency_btyd"], scores["T_btyd"] = args
    scores["p_alive"] = features["p_alive"]
    scores["expected_30d"] = model.expected_purchases(30 / UNIT_DAYS, *args)
    scores["expected_90d"] = model.expected_purchases(90 / UNIT_DAYS, *args)
    scores["expected_spend"] = expected_spend
    scores["clv"] = btyd.customer_lifetime_value(
        model, expected_spend, *args, settings.clv_horizon_days, settings.annual_discount_rate, UNIT_DAYS
    )
    if churn is not None and source == "supervised":
        scores["churn_probability"] = churn.predict_proba(features)
    else:
        scores["churn_probability"] = features["p_quiet"]
    # value the customer would bring in the window if they stay: posterior purchase rate x spend
    rate_if_alive = model.rate_if_alive(summary["frequency"].to_numpy(float), summary["T"].to_numpy(float))
    scores["value_at_risk"] = scores["churn_probability"] * rate_if_alive * window_weeks * expected_spend
    for column in features.columns:
        scores[f"x_{column}"] = features[column]
    return scores


def _rule_reasons(features: pd.DataFrame) -> list[list[tuple[str, float, float]]]:
    """Without a supervised model: recency, overdue ratio and P(quiet) as the reasons, in that order."""
    names = ("recency_days", "overdue_ratio", "p_quiet")
    values = features[list(names)].to_numpy(dtype=float)
    return [[(name, float(v), float("nan")) for name, v in zip(names, row, strict=True)] for row in values]
