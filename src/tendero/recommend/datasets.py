"""Readers for public rating files and item catalogues (MovieLens, goodbooks-10k, plain CSV).

They return the project's own frames: ``interactions`` (user_id, item_id, kind, value, at) and
``products`` (product_id, name, description, category, brand, price, active), so benches and
tests walk the same path as a tenant's data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

RatingsFormat = Literal["movielens", "csv"]

_ML_GENRES = [
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
]


def read_ratings(path: Path, fmt: RatingsFormat = "movielens") -> pd.DataFrame:
    """Ratings as an ``interactions`` frame (kind "rating"; ``at`` in epoch seconds, 0 if absent)."""
    if fmt == "movielens":
        raw = pd.read_csv(path, sep="\t", header=None, names=["user_id", "item_id", "rating", "timestamp"])
    else:
        raw = pd.read_csv(path)
        missing = {"user_id", "item_id"} - set(raw.columns)
        if missing:
            raise ValueError(f"{path}: csv ratings need columns user_id and item_id; missing {sorted(missing)}")
    rating = raw["rating"] if "rating" in raw else pd.Series(np.ones(len(raw)))
    if "timestamp" in raw:
        stamp = raw["timestamp"]
        at = stamp if pd.api.types.is_numeric_dtype(stamp) else pd.to_datetime(stamp, utc=True).astype("int64") / 1e9
    else:
        at = pd.Series(np.zeros(len(raw)))
    return pd.DataFrame(
        {
            "user_id": raw["user_id"].astype(str).to_numpy(),
            "item_id": raw["item_id"].astype(str).to_numpy(),
            "kind": "rating",
            "value": pd.to_numeric(rating, errors="coerce").to_numpy(float),
            "at": np.asarray(at, float),
        }
    )


def synthetic_purchases(n_users: int, n_items: int, seed: int = 0) -> pd.DataFrame:
    """A big catalogue for timing, as an ``interactions`` frame: each user buys 5-60 distinct items drawn
    with Zipf-like popularity (exponent 0.8), an hour apart, rated 1-5 at random. No taste structure:
    only fit times and latencies measured on it mean anything."""
    if n_users < 1 or n_items < 60:
        raise ValueError(f"synthetic purchases need at least 1 user and 60 items, not {n_users}x{n_items}")
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, n_items + 1) ** 0.8
    popularity /= popularity.sum()
    counts = rng.integers(5, 61, size=n_users)
    users = np.repeat(np.arange(n_users), counts)
    items = np.concatenate([rng.choice(n_items, size=int(k), replace=False, p=popularity) for k in counts])
    starts = 1_600_000_000 + rng.integers(0, 10**7, size=n_users)
    order = np.concatenate([np.arange(int(k)) for k in counts])
    return pd.DataFrame(
        {
            "user_id": np.char.add("u", users.astype(str)),
            "item_id": np.char.add("i", items.astype(str)),
            "kind": "rating",
            "value": rng.integers(1, 6, size=len(users)).astype(float),
            "at": (starts[users] + 3600 * order).astype(float),
        }
    )


def read_items(path: Path, fmt: RatingsFormat = "movielens") -> pd.DataFrame:
    """An item catalogue as a ``products`` frame: MovieLens ``u.item`` or any CSV.

    CSV columns are recognised by name: id (item_id, product_id, book_id or the first column),
    name (name, title, original_title), description, category (category, genres), brand
    (brand, authors, author), year (original_publication_year, year) appended to the description.
    """
    if fmt == "movielens":
        columns = ["item_id", "title", "release", "video", "url", *_ML_GENRES]
        raw = pd.read_csv(path, sep="|", header=None, names=columns, encoding="latin-1")
        flags = raw[_ML_GENRES].to_numpy().astype(bool)
        genres = ["|".join(g for g, f in zip(_ML_GENRES, row, strict=True) if f) for row in flags]
        return products_frame(
            ids=raw["item_id"].astype(str),
            names=raw["title"].fillna(""),
            descriptions=pd.Series([g.replace("|", " ") for g in genres]),
            categories=pd.Series([g.split("|")[0] if g else "" for g in genres]),
            brands=pd.Series([""] * len(raw)),
        )
    raw = pd.read_csv(path)
    lower = {c.lower(): c for c in raw.columns}

    def pick(*names: str) -> pd.Series:
        for name in names:
            if name in lower:
                return raw[lower[name]].fillna("").astype(str)
        return pd.Series([""] * len(raw))

    id_column = next((lower[n] for n in ("item_id", "product_id", "book_id") if n in lower), raw.columns[0])
    description = pick("description")
    year = pick("original_publication_year", "year").str.replace(r"\.0$", "", regex=True)
    return products_frame(
        ids=raw[id_column].astype(str),
        names=pick("name", "title", "original_title"),
        descriptions=(description + " " + year).str.strip(),
        categories=pick("category", "genres"),
        brands=pick("brand", "authors", "author"),
    )


def products_frame(
    ids: pd.Series, names: pd.Series, descriptions: pd.Series, categories: pd.Series, brands: pd.Series
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product_id": ids.to_numpy(),
            "name": names.to_numpy(),
            "description": descriptions.to_numpy(),
            "category": categories.to_numpy(),
            "brand": brands.to_numpy(),
            "price": np.nan,
            "active": True,
        }
    )
