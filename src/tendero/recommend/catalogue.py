"""The item catalogue the recommender ranks over, and the training matrices aligned with it.

Items are the union of the products frame and every item seen in interactions, so a product nobody
has touched yet (a cold-start item) still has a column, content neighbours and a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from tendero.recommend.signals import IdMap, pair_matrix


@dataclass
class Catalogue:
    """Item attributes aligned with matrix columns."""

    items: IdMap
    names: np.ndarray
    categories: np.ndarray  # category label ("" unknown)
    brands: np.ndarray
    prices: np.ndarray  # NaN unknown
    active: np.ndarray  # bool
    descriptions: np.ndarray

    @classmethod
    def build(cls, products: pd.DataFrame | None, interacted: np.ndarray) -> Catalogue:
        products = products if products is not None else pd.DataFrame({"product_id": []})
        product_ids = products["product_id"].astype(str).to_numpy() if len(products) else np.array([], object)
        extra = pd.unique(np.asarray(interacted, dtype=object))
        extra = extra[~pd.Index(extra).isin(product_ids)] if len(extra) else extra
        ids = np.concatenate([product_ids.astype(object), np.asarray(extra, dtype=object)])
        n_extra = len(extra)

        def column(name: str, fill: Any) -> np.ndarray:
            if name in products and len(products):
                values = products[name].to_numpy(dtype=object)
                values = np.where(pd.isna(values), fill, values)
            else:
                values = np.full(len(product_ids), fill, dtype=object)
            return np.concatenate([values, np.full(n_extra, fill, dtype=object)])

        prices = pd.to_numeric(pd.Series(column("price", np.nan)), errors="coerce").to_numpy(float)
        active = np.array([_truthy(v) for v in column("active", True)], dtype=bool)
        return cls(
            items=IdMap(ids),
            names=np.array(
                [str(v) if str(v) else str(i) for v, i in zip(column("name", ""), ids, strict=True)], object
            ),
            categories=np.array([str(v) for v in column("category", "")], object),
            brands=np.array([str(v) for v in column("brand", "")], object),
            prices=prices,
            active=active,
            descriptions=np.array([str(v) for v in column("description", "")], object),
        )

    def __len__(self) -> int:
        return len(self.items)

    def extended(self, products: pd.DataFrame | None, interacted: np.ndarray) -> Catalogue:
        """This catalogue with today's product attributes, and the products and interacted items it did not
        know appended: known items keep their positions, so a fitted model's columns still line up."""
        fresh = Catalogue.build(products, interacted)
        ids = self.items.extended(fresh.items.ids)
        where = fresh.items.positions(ids.ids)
        known = where >= 0

        def merged(old: np.ndarray, new: np.ndarray, fill: object) -> np.ndarray:
            out = np.concatenate([old, np.full(len(ids) - len(old), fill, dtype=old.dtype)])
            out[known] = new[where[known]]
            return out

        return Catalogue(
            items=ids,
            names=merged(self.names, fresh.names, ""),
            categories=merged(self.categories, fresh.categories, ""),
            brands=merged(self.brands, fresh.brands, ""),
            prices=merged(self.prices, fresh.prices, np.nan),
            active=merged(self.active, fresh.active, True),
            descriptions=merged(self.descriptions, fresh.descriptions, ""),
        )

    def texts(self) -> list[str]:
        """Text for TF-IDF: name, description, and category/brand also as whole-value tokens."""
        return [
            f"{n} {d} {c} {b} {_token('cat', c)} {_token('brand', b)}".strip()
            for n, d, c, b in zip(self.names, self.descriptions, self.categories, self.brands, strict=True)
        ]

    def category_codes(self) -> np.ndarray:
        codes, _ = pd.factorize(pd.Series(self.categories, dtype=object))
        codes = codes.astype(np.int64)
        codes[np.asarray([not c for c in self.categories], dtype=bool)] = -1
        return codes


def _token(prefix: str, value: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in value.lower()).strip("_")
    return f"{prefix}_{cleaned}" if cleaned else ""


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in {"false", "0", "no", "n", "inactive", ""}
    return bool(value)


@dataclass
class Matrices:
    """users×items weighted signal, last-event time and rating value, with the user id map."""

    users: IdMap
    weight: sp.csr_matrix
    at: sp.csr_matrix
    values: sp.csr_matrix


def build_matrices(pairs: pd.DataFrame, users: IdMap, catalogue: Catalogue) -> Matrices:
    rows = users.positions(pairs["user_id"].to_numpy())
    cols = catalogue.items.positions(pairs["item_id"].to_numpy())
    keep = (rows >= 0) & (cols >= 0)
    rows, cols = rows[keep], cols[keep]
    shape = (len(users), len(catalogue))
    value = pairs["value"].to_numpy(float)[keep]
    has_value = ~np.isnan(value)
    return Matrices(
        users=users,
        weight=pair_matrix(rows, cols, pairs["weight"].to_numpy(float)[keep], *shape),
        at=sp.csr_matrix((pairs["at"].to_numpy(float)[keep], (rows, cols)), shape=shape),
        values=sp.csr_matrix((value[has_value], (rows[has_value], cols[has_value])), shape=shape),
    )
