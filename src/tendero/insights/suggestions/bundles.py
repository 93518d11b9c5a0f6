"""Pairs and triples of products bought together more than chance, with support, confidence, lift and a
Benjamini–Hochberg-corrected one-sided Fisher test; each needs several distinct orders and customers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from tendero.insights.suggestions.baskets import Baskets, benjamini_hochberg, fisher_greater, pair_counts


@dataclass(frozen=True)
class BundleRules:
    min_orders: int = 5
    min_customers: int = 3
    alpha: float = 0.05
    min_lift: float = 1.5


def find_bundles(baskets: Baskets, prices: pd.Series, rules: BundleRules, limit: int) -> dict[str, Any]:
    """Significant pairs, and the triples that add a significant third product to a significant pair."""
    n = baskets.n_orders
    counts = baskets.counts()
    a, b, both = pair_counts(baskets)
    tested = len(both)
    p = fisher_greater(both, counts[a], counts[b], n)
    q = benjamini_hochberg(p)
    lift = both * n / (counts[a] * counts[b])
    keep = (both >= rules.min_orders) & (q < rules.alpha) & (lift >= rules.min_lift)
    a, b, both, p, q, lift = a[keep], b[keep], both[keep], p[keep], q[keep], lift[keep]
    together = baskets.matrix[:, a].multiply(baskets.matrix[:, b]).tocsc()
    customers = baskets.distinct_customers(together)
    enough = customers >= rules.min_customers
    a, b, both, p, q, lift, customers = (x[enough] for x in (a, b, both, p, q, lift, customers))
    together = together[:, np.flatnonzero(enough)]
    price = prices.reindex(baskets.keys).fillna(0.0).to_numpy()
    pairs = []
    for i in range(len(both)):
        ante, cons = (a[i], b[i]) if counts[a[i]] <= counts[b[i]] else (b[i], a[i])
        expected = counts[a[i]] * counts[b[i]] / n
        pairs.append(
            {
                "items": [str(baskets.keys[ante]), str(baskets.keys[cons])],
                "orders": int(both[i]),
                "customers": int(customers[i]),
                "support": both[i] / n,
                "confidence": both[i] / counts[ante],
                "lift": float(lift[i]),
                "p_value": float(p[i]),
                "q_value": float(q[i]),
                "impact": float((both[i] - expected) * (price[a[i]] + price[b[i]])),
            }
        )
    triples = _triples(baskets, together, a, b, counts, price, rules)
    ranked = sorted(pairs + triples, key=lambda x: (-x["impact"], x["q_value"]))
    return {
        "orders": n,
        "pairs_tested": tested,
        "pairs_found": len(pairs),
        "triples_found": len(triples),
        "rules": rules.__dict__,
        "items": ranked[:limit],
    }


def _triples(
    baskets: Baskets,
    together: sp.csc_matrix,
    a: np.ndarray,
    b: np.ndarray,
    counts: np.ndarray,
    price: np.ndarray,
    rules: BundleRules,
) -> list[dict[str, Any]]:
    """A third product over-represented in a significant pair's orders (hypergeometric, BH over all tried)."""
    if together.shape[1] == 0:
        return []
    n = baskets.n_orders
    with_third = (together.T @ baskets.matrix).tocoo()  # pair × product: orders holding all three
    pair, third, count = with_third.row, with_third.col, with_third.data.astype(int)
    fresh = (third != a[pair]) & (third != b[pair])
    pair, third, count = pair[fresh], third[fresh], count[fresh]
    pair_orders = np.asarray(together.sum(axis=0)).ravel()
    p = fisher_greater(count, counts[third], pair_orders[pair], n)
    q = benjamini_hochberg(p)
    lift = (count / pair_orders[pair]) / (counts[third] / n)
    keep = (count >= rules.min_orders) & (q < rules.alpha) & (lift >= rules.min_lift)
    seen: set[tuple[int, ...]] = set()
    out = []
    for i in np.flatnonzero(keep):
        members = tuple(sorted((int(a[pair[i]]), int(b[pair[i]]), int(third[i]))))
        if members in seen:
            continue
        seen.add(members)
        column = together[:, pair[i]].multiply(baskets.matrix[:, third[i]]).tocsc()
        customers = int(baskets.distinct_customers(column)[0])
        if customers < rules.min_customers:
            continue
        expected = pair_orders[pair[i]] * counts[third[i]] / n
        out.append(
            {
                "items": [str(baskets.keys[a[pair[i]]]), str(baskets.keys[b[pair[i]]]), str(baskets.keys[third[i]])],
                "orders": int(count[i]),
                "customers": customers,
                "support": count[i] / n,
                "confidence": count[i] / pair_orders[pair[i]],
                "lift": float(lift[i]),
                "p_value": float(p[i]),
                "q_value": float(q[i]),
                "impact": float((count[i] - expected) * price[third[i]]),
            }
        )
    return out
