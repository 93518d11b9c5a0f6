"""Small synthetic shop: users who each like one category, so a recommender has a pattern to find."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

CATEGORIES = ("novela", "ciencia", "historia", "cocina")


def make_shop(n_users: int = 80, per_category: int = 15, seed: int = 0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    products = []
    for c, category in enumerate(CATEGORIES):
        for j in range(per_category):
            products.append(
                {
                    "product_id": f"p{c}-{j}",
                    "name": f"{category.title()} libro {j}",
                    "description": f"un libro de {category} número {j}",
                    "category": category,
                    "brand": f"autor{c}{j % 3}",
                    "price": 10.0 + j,
                    "active": True,
                }
            )
        # A cold-start item per category: in the catalogue, never touched by anyone.
        products.append(
            {
                "product_id": f"nuevo-{c}",
                "name": f"{category.title()} libro nuevo",
                "description": f"un libro de {category} recién llegado",
                "category": category,
                "brand": f"autor{c}0",
                "price": 30.0,
                "active": True,
            }
        )
    products.append(
        {
            "product_id": "retirado",
            "name": "Novela libro retirado",
            "description": "un libro de novela",
            "category": "novela",
            "brand": "autor00",
            "price": 5.0,
            "active": False,
        }
    )
    products_frame = pd.DataFrame(products)
    start = pd.Timestamp("2024-01-01")
    rows, lines = [], []
    for u in range(n_users):
        favourite = u % len(CATEGORIES)
        # Popular items within a category are the low-numbered ones (Zipf-like).
        weights = 1.0 / np.arange(1, per_category + 1)
        chosen = rng.choice(per_category, size=8, replace=False, p=weights / weights.sum())
        for n, j in enumerate(chosen):
            at = start + pd.Timedelta(days=int(u % 7) + 3 * n)
            rows.append(
                {
                    "user_id": f"u{u}",
                    "item_id": f"p{favourite}-{j}",
                    "kind": "rating",
                    "value": float(rng.integers(3, 6)),
                    "at": at,
                }
            )
        if favourite == 0 and u % 8 == 0:  # popular with novela readers, but no longer sold
            rows.append(
                {
                    "user_id": f"u{u}",
                    "item_id": "retirado",
                    "kind": "purchase",
                    "value": np.nan,
                    "at": start + pd.Timedelta(days=2),
                }
            )
        other = (favourite + 1) % len(CATEGORIES)
        rows.append(
            {
                "user_id": f"u{u}",
                "item_id": f"p{other}-0",
                "kind": "view",
                "value": np.nan,
                "at": start + pd.Timedelta(days=30),
            }
        )
        # Orders: item 0 and 1 of the favourite category are bought together.
        for o in range(2):
            for j in (0, 1):
                lines.append(
                    {
                        "order_id": f"o{u}-{o}",
                        "customer_id": f"u{u}",
                        "ordered_at": start + pd.Timedelta(days=40 + o),
                        "store": f"tienda{u % 2}",
                        "status": "paid",
                        "product_id": f"p{favourite}-{j}",
                        "category": CATEGORIES[favourite],
                        "quantity": 1,
                        "unit_price": 10.0,
                        "discount": 0.0,
                        "revenue": 10.0,
                    }
                )
    return {
        "products": products_frame,
        "interactions": pd.DataFrame(rows),
        "order_lines": pd.DataFrame(lines),
    }


@pytest.fixture(scope="session")
def shop() -> dict[str, pd.DataFrame]:
    return make_shop()


@pytest.fixture(scope="session")
def fitted(shop):
    from tendero.kinds import Frames, RecordingProgress
    from tendero.recommend.hybrid import HybridParams
    from tendero.recommend.kind import RecommenderKind, RecommenderParams

    params = RecommenderParams(
        hybrid=HybridParams(split="random", als_trials=2, candidates=20, ranker_rounds=30, ranker_min_users=10)
    )
    return RecommenderKind().fit(Frames.of(**shop), params, RecordingProgress())
