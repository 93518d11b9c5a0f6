"""The whole customer-intelligence fit: segments, buy-till-you-die, spend, churn, one scores table.

``fit_customer_model`` is what both the ``customers`` model kind and the bench call. Its stages:

1. the history: the transaction log and the BTYD summary at ``as_of`` (weeks as the time unit);
2. ``backtest``: every BTYD model refit at ``as_of - window``, predicting the window;
3. ``selection``: the model with the lowest per-customer MAE (the choice is recorded), fitted on
   the full history;
4. ``calibration``: the chosen model's actual/predicted purchases in the backtest window become a
   level factor on its expected purchases and CLV, shrunk towards 1 by the backtest's uncertainty;
5. ``spend``: Gamma-Gamma for spend; CLV is discounted;
6. ``selection`` again: the supervised churn model, trained on the same time split, is kept if its
   held-out AUC beats the probabilistic score P(no purchase in the window) (recorded);
7. ``scoring``: every customer scored once (segment, cluster, P(alive), expected purchases 30/90
   days, CLV, churn probability, value at risk, reason codes) into one table that the API reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tendero.catalogue.refusals import Refusal
from tendero.customers import btyd
from tendero.customers.backtest import run_backtest
from tendero.customers.calibration import calibrate_purchases
from tendero.customers.churn import MODEL_FEATURES, ChurnModel, reason_text
from tendero.customers.rfm import (
    SEGMENT_ACTIONS,
    SEGMENTS,
    Clusters,
    rfm_segments,
    rfm_table,
    segment_summary,
)
from tendero.customers.scoring import score_customers, segment_customers, with_customer_ids
from tendero.customers.selection import choose_churn_model, choose_count_model
from tendero.customers.settings import UNIT_DAYS, Report, Settings
from tendero.customers.spend import fit_spend
from tendero.customers.transactions import (
    TransactionLog,
    late_customers,
    summarise,
    with_integer_ids,
)


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

    def knows_customer(self, customer_id: str) -> bool:
        """Whether the model scored ``customer_id``."""
        return customer_id in self.scores.index

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
    scores = score_customers(
        log, summary, end, model.count_model, spend, model.churn, model.churn_source, window, settings
    )
    rfm = rfm_segments(rfm_table(log.orders, log.returns, end).reindex(summary.index))
    return with_customer_ids(rfm.join(scores), ids)


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


def fit_customer_model(
    log: TransactionLog, settings: Settings | None = None, report: Report | None = None
) -> CustomerModel:
    """Fit every part on history up to ``settings.as_of`` (default: the last day with activity)."""
    settings = settings or Settings()
    say = report or (lambda message: None)
    as_of = pd.Timestamp(settings.as_of).normalize() if settings.as_of is not None else log.end
    log, ids, summary, metrics = _history(log, as_of)
    backtest = run_backtest(log, as_of, settings, say)
    metrics |= backtest.metrics
    count = choose_count_model(backtest, summary, settings, say)
    metrics |= count.metrics
    choices: dict[str, Any] = dict(count.choices)
    purchase_factor, choices["purchase_calibration"] = calibrate_purchases(backtest, count.name, settings, say)
    metrics["purchase_factor"] = purchase_factor
    count_model = btyd.ScaledCountModel(btyd.count_model(count.name, count.params[count.name]), purchase_factor)
    spend, expected_spend = fit_spend(summary, say)
    say(f"chosen BTYD model {count.name}")  # its parameters are saved with the model
    churn = choose_churn_model(log, backtest, count.name, settings, say)
    metrics |= churn.metrics
    choices["churn_model"] = churn.choice
    window = backtest.window
    scores = score_customers(
        log, summary, as_of, count_model, expected_spend, churn.model, churn.source, window, settings
    )
    rfm, clusters = segment_customers(log, summary, as_of, settings)
    scores = with_customer_ids(rfm.join(scores), ids)
    if clusters is not None:
        clusters.labels = with_customer_ids(clusters.labels, ids)
    segments = segment_summary(rfm)
    metrics["segments_nonempty"] = float((segments["customers"] > 0).sum())
    return CustomerModel(
        as_of=as_of,
        settings={k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(settings).items()}
        | {"as_of": as_of.isoformat(), "churn_window_days": window},
        count_params=count.params,
        count_model_name=count.name,
        spend_params=spend.params,
        churn_source=churn.source,
        churn=churn.model,
        clusters=clusters,
        scores=scores,
        segments=segments,
        metrics=metrics,
        choices=choices,
        purchase_factor=purchase_factor,
    )


def _history(
    log: TransactionLog, as_of: pd.Timestamp
) -> tuple[TransactionLog, pd.Index, pd.DataFrame, dict[str, float]]:
    """The log with integer customer codes (and the ids they stand for), the BTYD summary at
    ``as_of``, and the counts every fit reports; at least 10 customers are needed."""
    if log.orders.empty:
        raise Refusal("customers.no_purchases")
    log, ids = with_integer_ids(log)
    summary = summarise(log.orders, as_of, UNIT_DAYS)
    if len(summary) < 10:
        raise Refusal("customers.too_few", count=len(summary), day=as_of.date(), needed=10)
    metrics: dict[str, float] = {
        "customers": float(len(summary)),
        "repeat_customers": float((summary["frequency"] > 0).sum()),
        "late_customers": float(len(late_customers(log.orders, as_of))),
        **{f"dropped_{k}": float(v) for k, v in log.dropped.items()},
    }
    return log, ids, summary, metrics


def _rule_reasons(features: pd.DataFrame) -> list[list[tuple[str, float, float]]]:
    """Without a supervised model: recency, overdue ratio and P(quiet) as the reasons, in that order."""
    names = ("recency_days", "overdue_ratio", "p_quiet")
    values = features[list(names)].to_numpy(dtype=float)
    return [[(name, float(v), float("nan")) for name, v in zip(names, row, strict=True)] for row in values]
