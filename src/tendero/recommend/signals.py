"""Turn interactions and order lines into one weighted user×item signal per pair.

Every event kind (rating, favourite, purchase, cart, click, view) has its own weight; ratings are
weighted by their value; older events fade with an optional half-life. The result is one row per
(user, item) pair, which the splitters and the sparse matrix builders work on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pydantic import Field

from tendero.kinds import KindParams

EVENT_KINDS = ("view", "click", "cart", "favorite", "rating", "purchase")
_CANCELLED_STATUSES = {"cancelled", "canceled", "returned", "refunded", "anulado", "cancelado", "devuelto"}


class SignalWeights(KindParams):
    """How much one event of each kind counts; a rating counts ``rating`` × its value (1–5 stars)."""

    view: float = Field(0.5, ge=0)
    click: float = Field(1.0, ge=0)
    cart: float = Field(3.0, ge=0)
    favorite: float = Field(5.0, ge=0)
    rating: float = Field(1.0, ge=0)
    purchase: float = Field(5.0, ge=0)
    half_life_days: float | None = Field(None, gt=0, description="events lose half their weight per period")


def signal_events(
    interactions: pd.DataFrame | None,
    order_lines: pd.DataFrame | None,
    weights: SignalWeights | None = None,
) -> pd.DataFrame:
    """One row per event: user_id, item_id, weight, value (rating or NaN), at (seconds since epoch)."""
    weights = weights or SignalWeights()
    parts: list[pd.DataFrame] = []
    if interactions is not None and len(interactions):
        parts.append(pd.DataFrame(interaction_columns(interactions, weights)))
    if order_lines is not None and len(order_lines):
        lines = order_lines
        keep = lines["customer_id"].notna()
        if "status" in lines:
            keep &= ~lines["status"].astype(str).str.lower().isin(_CANCELLED_STATUSES)
        if "quantity" in lines:
            keep &= pd.to_numeric(lines["quantity"], errors="coerce").fillna(1) > 0
        lines = lines[keep]
        parts.append(
            pd.DataFrame(
                {
                    "user_id": lines["customer_id"].astype(str).to_numpy(),
                    "item_id": lines["product_id"].astype(str).to_numpy(),
                    "weight": np.full(len(lines), weights.purchase),
                    "value": np.full(len(lines), np.nan),
                    "at": _seconds(lines["ordered_at"]) if "ordered_at" in lines else np.zeros(len(lines)),
                }
            )
        )
    if not parts:
        return pd.DataFrame({"user_id": [], "item_id": [], "weight": [], "value": [], "at": []})
    events = pd.concat(parts, ignore_index=True)
    events = events[events["weight"] > 0]
    if weights.half_life_days is not None and len(events):
        events = events.assign(weight=faded(events["weight"].to_numpy(), events["at"].to_numpy(), weights))
    return events.reset_index(drop=True)


def faded(weight: np.ndarray, at: np.ndarray, weights: SignalWeights) -> np.ndarray:
    """Events' weights halved per ``half_life_days`` of age before the newest event (unchanged without one)."""
    if weights.half_life_days is None or len(at) == 0:
        return weight
    age_days = (at.max() - at) / 86400.0
    return weight * np.power(0.5, age_days / weights.half_life_days)


def interaction_columns(frame: pd.DataFrame, weights: SignalWeights) -> dict[str, np.ndarray]:
    """``frame``'s interactions as event columns (user_id, item_id, weight, value, at), every event weighted
    by its kind (a rating by its value too). Kinds are looked up once per distinct kind, not per row: a
    request folding in a user's few new events pays microseconds for it, not a frame's group-by."""
    codes, kinds = pd.factorize(frame["kind"])
    names = [str(kind).lower() for kind in kinds]
    names = ["favorite" if name in ("favourite", "fav") else name for name in names]
    per_kind = np.array([float(getattr(weights, name)) if name in EVENT_KINDS else 0.0 for name in names] + [0.0])
    rating_kind = np.array([name == "rating" for name in names] + [False])
    base, is_rating = per_kind[codes], rating_kind[codes]  # code -1 (a missing kind) reads the last: 0, False
    value = pd.to_numeric(frame["value"], errors="coerce") if "value" in frame else None
    value_arr = value.to_numpy(float) if value is not None else np.full(len(frame), np.nan)
    rating_weight = np.where(np.isnan(value_arr), 1.0, value_arr)
    return {
        "user_id": frame["user_id"].astype(str).to_numpy(),
        "item_id": frame["item_id"].astype(str).to_numpy(),
        "weight": np.where(is_rating, base * rating_weight, base),
        "value": np.where(is_rating, value_arr, np.nan),
        "at": _seconds(frame["at"]) if "at" in frame else np.zeros(len(frame)),
    }


def _seconds(column: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(column):
        return column.to_numpy(float)
    stamps = pd.to_datetime(column, errors="coerce", utc=True)
    out = (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(float)
    return np.nan_to_num(out, nan=0.0)


def signal_pairs(events: pd.DataFrame) -> pd.DataFrame:
    """Sum events per (user, item): weight, last rating value, last time, number of events."""
    if not len(events):
        return pd.DataFrame({"user_id": [], "item_id": [], "weight": [], "value": [], "at": [], "count": []})
    grouped = events.groupby(["user_id", "item_id"], sort=False)
    return grouped.agg(
        weight=("weight", "sum"), value=("value", "last"), at=("at", "max"), count=("weight", "size")
    ).reset_index()


@dataclass
class IdMap:
    """External ids ↔ matrix rows/columns."""

    ids: np.ndarray

    def __post_init__(self) -> None:
        self.ids = np.asarray(self.ids, dtype=object)
        self.index = {key: position for position, key in enumerate(self.ids.tolist())}

    def __len__(self) -> int:
        return len(self.ids)

    def get(self, key: str) -> int | None:
        return self.index.get(key)

    def extended(self, keys: np.ndarray) -> IdMap:
        """These ids, then the new ones among ``keys`` in their order: known ids keep their positions."""
        new = [key for key in pd.unique(np.asarray(keys, dtype=object)) if key not in self.index]
        return IdMap(np.concatenate([self.ids, np.asarray(new, dtype=object)]))

    def positions(self, keys: pd.Series | np.ndarray | list[str]) -> np.ndarray:
        """Positions of ``keys``; -1 where a key is unknown."""
        return np.fromiter((self.index.get(k, -1) for k in keys), dtype=np.int64, count=len(keys))


def pair_matrix(users: np.ndarray, items: np.ndarray, weights: np.ndarray, n_users: int, n_items: int) -> sp.csr_matrix:
    """A users×items float32 CSR matrix from position arrays (duplicates summed)."""
    matrix = sp.csr_matrix(
        (np.asarray(weights, np.float32), (np.asarray(users), np.asarray(items))),
        shape=(n_users, n_items),
        dtype=np.float32,
    )
    matrix.sum_duplicates()
    return matrix
