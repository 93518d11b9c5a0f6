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


def simulated_readers(books: pd.DataFrame, n_users: int = 610, n_ratings: int = 100_000, seed: int = 0) -> pd.DataFrame:
    """Simulated readers of a real book catalogue, as an ``interactions`` frame: a 10k-item set whose
    quality figures mean something, for data sets that ship no ratings (goodbooks-10k's books.csv).

    Each book gets a taste vector from its first author (books by one author are alike), its decade and
    its own noise; each reader a taste vector and a number of books (at least 20, heavy-tailed, about
    ``n_ratings`` in all, like MovieLens' latest-small set). A reader picks books with probability
    growing with the book's real rating count (``ratings_count`` ** 0.8) and with taste agreement,
    reads them a few days apart, and rates each from the book's real star distribution
    (``ratings_1`` … ``ratings_5``) tilted towards higher stars the closer the taste."""
    if n_users < 1 or n_ratings < 20 * n_users:
        raise ValueError(f"simulated readers need at least 20 ratings per reader, not {n_ratings} for {n_users}")
    needed = {"book_id", "authors", "ratings_count"}
    if missing := needed - set(books.columns):
        raise ValueError(f"the book catalogue lacks the columns {sorted(missing)}")
    rng = np.random.default_rng(seed)
    n_books, dimensions = len(books), 16
    authors = books["authors"].fillna("").astype(str).str.split(",").str[0].str.strip()
    author_code = pd.factorize(authors)[0]
    year = pd.to_numeric(books.get("original_publication_year"), errors="coerce")
    decade_code = pd.factorize((year // 10).fillna(-1))[0]
    taste = (
        rng.normal(size=(author_code.max() + 1, dimensions))[author_code]
        + 0.5 * rng.normal(size=(decade_code.max() + 1, dimensions))[decade_code]
        + 0.7 * rng.normal(size=(n_books, dimensions))
    )
    taste /= np.linalg.norm(taste, axis=1, keepdims=True)
    readers = rng.normal(size=(n_users, dimensions))
    readers /= np.linalg.norm(readers, axis=1, keepdims=True)
    counts = pd.to_numeric(books["ratings_count"], errors="coerce").fillna(1).to_numpy(float)
    popularity = 0.8 * np.log(np.maximum(counts, 1.0))
    lengths = rng.lognormal(0.0, 1.1, size=n_users)
    lengths = np.minimum(20 + np.round(lengths / lengths.sum() * (n_ratings - 20 * n_users)), n_books // 2)
    stars = books[[f"ratings_{r}" for r in range(1, 6)]].to_numpy(float) if "ratings_5" in books else None
    ids = books["book_id"].astype(str).to_numpy()
    frames = []
    for reader in range(n_users):
        agreement = taste @ readers[reader]
        appeal = popularity + 6.0 * agreement + rng.gumbel(size=n_books)
        chosen = np.argpartition(-appeal, int(lengths[reader]) - 1)[: int(lengths[reader])]
        rng.shuffle(chosen)
        if stars is None:
            value = np.full(len(chosen), np.nan)
        else:
            tilt = np.exp(0.6 * np.outer(agreement[chosen] / 0.25, np.arange(-2, 3)))
            weights = np.maximum(stars[chosen], 1.0) * tilt
            cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
            value = 1.0 + (rng.random(len(chosen))[:, None] > cumulative).sum(axis=1)
        start = 1_500_000_000 + rng.integers(0, 3 * 365) * 86400
        days = np.cumsum(rng.integers(1, 4, size=len(chosen)))
        frames.append(
            pd.DataFrame(
                {
                    "user_id": f"r{reader}",
                    "item_id": ids[chosen],
                    "kind": "rating",
                    "value": value.astype(float),
                    "at": (start + 86400 * days).astype(float),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


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
