"""The Spanish labelled query set over the demo store's catalogue, built by rule from ``spec.csv``.

Each spec row names the generator's kinds (``Kind`` or ``Kind:gain``, gain 2 by default), a brand
(then that brand's products of those kinds gain 2 and the kind's other brands 1) or a category (all
its products gain 2). ``python tests/search/spanish_set.py`` rewrites products.csv, queries.csv and
labels.csv beside the spec; a test checks the committed files are what the rule gives.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tendero.data.demo import CATALOGUE, generate_store

FOLDER = Path(__file__).resolve().parents[1] / "data" / "search_es"
DEMO_SEED = 7  # the seed `tendero demo` uses


def demo_products() -> pd.DataFrame:
    """The demo store's catalogue (products are drawn before customers and days, so these are fixed)."""
    products = generate_store(seed=DEMO_SEED, customers=10, days=30).products
    kinds = [kind for spec in CATALOGUE.values() for kind in spec["kinds"]]
    products["kind"] = [next(k for k in kinds if name.startswith(k + " ")) for name in products["name"]]
    return products


def build() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    products = demo_products()
    spec = pd.read_csv(FOLDER / "spec.csv", dtype=str, keep_default_na=False)
    queries, labels = [], []
    for number, row in enumerate(spec.itertuples(index=False), start=1):
        query_id = f"Q{number:03d}"
        queries.append({"query_id": query_id, "query": row.query, "type": row.type})
        gains: dict[str, int] = {}
        if row.category:
            for product_id in products.loc[products["category"] == row.category, "product_id"]:
                gains[product_id] = 2
        for item in filter(None, row.kinds.split("|")):
            kind, _, gain = item.partition(":")
            if kind not in set(products["kind"]):
                raise ValueError(f"spec row {number}: unknown kind {kind!r}")
            chosen = products[products["kind"] == kind]
            for product_id, brand in zip(chosen["product_id"], chosen["brand"], strict=True):
                if row.brand:
                    gains[product_id] = 2 if brand == row.brand else 1
                else:
                    gains[product_id] = int(gain or 2)
        if not gains:
            raise ValueError(f"spec row {number} ({row.query!r}) labels nothing")
        labels += [{"query_id": query_id, "product_id": p, "gain": g} for p, g in sorted(gains.items())]
    columns = ["product_id", "name", "description", "category", "brand", "price"]
    return products[columns], pd.DataFrame(queries), pd.DataFrame(labels)


def main() -> None:
    products, queries, labels = build()
    products.to_csv(FOLDER / "products.csv", index=False)
    queries.to_csv(FOLDER / "queries.csv", index=False)
    labels.to_csv(FOLDER / "labels.csv", index=False)
    print(f"{len(products)} products, {len(queries)} queries, {len(labels)} labels in {FOLDER}")


if __name__ == "__main__":
    main()
