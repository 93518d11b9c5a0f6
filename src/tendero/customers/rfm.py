"""RFM scores, the ten named segments (Spanish and English), k-means clusters described in words.

Scores are 1-5 by rank among the tenant's customers: recency (fewer days since the last purchase
is better), frequency (purchase days) and monetary value (net revenue after returns). Ties share
the lowest score of their block (``rank(method="min")``), so when most customers bought once they
all get F=1 rather than being split at random across scores.

Segments follow the usual R x F map, with Lost and Hibernating for the quiet low-frequency corner:

    F:  1           2-3                  4-5
R 5     New         Potential loyalist   Champions
R 4     Promising   Potential loyalist   Loyal
R 3     Need attention (F 1-3)           Loyal
R 2     Hibernating (F 1-2), At risk (F 3-4), Can't lose them (F 5)
R 1     Lost (F 1-2),        At risk (F 3-4), Can't lose them (F 5)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tendero.catalogue.customers import CLUSTER_WORDS
from tendero.catalogue.customers import SEGMENT_ACTIONS as SEGMENT_ACTIONS
from tendero.catalogue.customers import SEGMENTS as SEGMENTS


def segment_for(r: int, f: int) -> str:
    """The segment key of one (R, F) score pair (see the module docstring for the map)."""
    if r == 5:
        return "new" if f == 1 else "potential_loyalists" if f <= 3 else "champions"
    if r == 4:
        return "promising" if f == 1 else "potential_loyalists" if f <= 3 else "loyal"
    if r == 3:
        return "need_attention" if f <= 3 else "loyal"
    if f == 5:
        return "cant_lose"
    if f >= 3:
        return "at_risk"
    return "hibernating" if r == 2 else "lost"


_SEGMENT_GRID = np.array([[segment_for(r, f) for f in range(1, 6)] for r in range(1, 6)], dtype=object)


def score(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """1-5 by rank; ties take the lowest score of their block."""
    n = len(values)
    if n == 0:
        return pd.Series(dtype=int)
    ranked = (values if higher_is_better else -values).rank(method="min")
    return (1 + np.floor(5 * (ranked - 1) / n)).clip(1, 5).astype(int)


def rfm_table(
    orders: pd.DataFrame, returns: pd.DataFrame | None = None, as_of: pd.Timestamp | str | None = None
) -> pd.DataFrame:
    """Per customer: recency_days, frequency (purchase days), monetary (net revenue), first/last."""
    end = orders["ordered_at"].max() if as_of is None else pd.Timestamp(as_of)
    end = pd.Timestamp(end).normalize()
    upto = orders[orders["ordered_at"] < end + pd.Timedelta(days=1)]
    day = upto["ordered_at"].dt.normalize()
    group = upto.assign(day=day).groupby("customer_id")
    table = pd.DataFrame(
        {
            "first": group["day"].min(),
            "last": group["day"].max(),
            "frequency": group["day"].nunique().astype(float),
            "monetary": group["revenue"].sum(),
        }
    )
    if returns is not None and len(returns):
        returned = returns[returns["ordered_at"] < end + pd.Timedelta(days=1)].groupby("customer_id")["revenue"]
        table["monetary"] = (table["monetary"] + returned.sum().reindex(table.index).fillna(0.0)).clip(lower=0)
    table["recency_days"] = (end - table["last"]).dt.days.astype(float)
    return table


def rfm_segments(table: pd.DataFrame) -> pd.DataFrame:
    """Add r, f, m scores, the ``rfm`` code (e.g. "545") and the ``segment`` key to an RFM table."""
    out = table.copy()
    out["r"] = score(out["recency_days"], higher_is_better=False)
    out["f"] = score(out["frequency"])
    out["m"] = score(out["monetary"])
    out["rfm"] = out["r"].astype(str) + out["f"].astype(str) + out["m"].astype(str)
    out["segment"] = _SEGMENT_GRID[out["r"].to_numpy() - 1, out["f"].to_numpy() - 1]
    return out


def segment_summary(segmented: pd.DataFrame) -> pd.DataFrame:
    """Per segment: customers, revenue share, mean R/F/M (raw and scores), repeat rate (>= 2 purchases),
    with the names in both languages; every one of the ten segments appears, empty ones with zeros."""
    total_revenue = float(segmented["monetary"].sum())
    group = segmented.groupby("segment")
    summary = pd.DataFrame(
        {
            "customers": group.size(),
            "revenue": group["monetary"].sum(),
            "mean_recency_days": group["recency_days"].mean(),
            "mean_frequency": group["frequency"].mean(),
            "mean_monetary": group["monetary"].mean(),
            "mean_r": group["r"].mean(),
            "mean_f": group["f"].mean(),
            "mean_m": group["m"].mean(),
            "repeat_rate": group["frequency"].apply(lambda f: float((f >= 2).mean())),
        }
    ).reindex(list(SEGMENTS))
    summary["customers"] = summary["customers"].fillna(0).astype(int)
    summary["revenue"] = summary["revenue"].fillna(0.0)
    summary["revenue_share"] = summary["revenue"] / total_revenue if total_revenue > 0 else 0.0
    summary["name_en"] = [SEGMENTS[k]["en"] for k in summary.index]
    summary["name_es"] = [SEGMENTS[k]["es"] for k in summary.index]
    summary.index.name = "segment"
    return summary


@dataclass
class Clusters:
    """k-means on standardised log-RFM: centroids in original units and a description per cluster."""

    labels: pd.Series
    centers: pd.DataFrame  # cluster -> recency_days, frequency, monetary (medians of members)
    descriptions: dict[int, dict[str, str]]
    mean: list[float]
    scale: list[float]
    centroids_scaled: list[list[float]]


def _log_rfm(table: pd.DataFrame) -> np.ndarray:
    return np.log1p(table[["recency_days", "frequency", "monetary"]].clip(lower=0).to_numpy(dtype=float))


def fit_clusters(table: pd.DataFrame, k: int = 4, seed: int = 0) -> Clusters:
    """k-means (scikit-learn) on standardised log1p(R, F, M), each cluster described in words."""
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    features = _log_rfm(table)
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale == 0] = 1.0
    scaled = (features - mean) / scale
    k = max(1, min(k, len(np.unique(scaled, axis=0))))
    # centroids from at most 5,000 customers are as good as from all, at a fraction of the time
    rows = np.random.default_rng(seed).permutation(len(scaled))[:5000]
    with threadpool_limits(1):  # on a shared small box, OpenMP threads spin more than they help
        model = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(scaled[rows])
        model.labels_ = model.predict(scaled)
    # order clusters from most to least valuable so that cluster 0 is always the best one
    value = model.cluster_centers_[:, 1] + model.cluster_centers_[:, 2] - model.cluster_centers_[:, 0]
    order = np.argsort(-value)
    relabel = np.empty(k, dtype=int)
    relabel[order] = np.arange(k)
    labels = pd.Series(relabel[model.labels_], index=table.index, name="cluster")
    centers = table[["recency_days", "frequency", "monetary"]].groupby(labels).median()
    centroids = model.cluster_centers_[order]
    descriptions = {int(i): describe_cluster(centroids[i]) for i in range(k)}
    return Clusters(labels, centers, descriptions, mean.tolist(), scale.tolist(), centroids.tolist())


def assign_clusters(table: pd.DataFrame, clusters: Clusters) -> pd.Series:
    """Nearest saved centroid for customers scored after the fit."""
    scaled = (_log_rfm(table) - np.array(clusters.mean)) / np.array(clusters.scale)
    distance = ((scaled[:, None, :] - np.array(clusters.centroids_scaled)[None, :, :]) ** 2).sum(axis=2)
    return pd.Series(distance.argmin(axis=1), index=table.index, name="cluster")


def describe_cluster(centroid_scaled: np.ndarray) -> dict[str, str]:
    """Words for a centroid in standard units (recency, frequency, spend, each low/average/high), from the
    catalogue, in both languages."""

    def level(z: float) -> str:
        return "high" if z > 0.5 else "low" if z < -0.5 else "mid"

    r_z, f_z, m_z = (float(v) for v in centroid_scaled)
    # recency is days since last purchase: a high value means long ago
    parts = {"recency": f"recency.{level(r_z)}", "frequency": f"frequency.{level(f_z)}", "spend": f"spend.{level(m_z)}"}
    return {
        lang: CLUSTER_WORDS["sentence"][lang].format(**{part: CLUSTER_WORDS[key][lang] for part, key in parts.items()})
        for lang in ("en", "es")
    }
