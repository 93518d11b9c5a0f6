"""What the search benches share: the judged queries and their gains, and catalogue embeddings kept between runs
in a folder when asked (embedding Home Depot's 54,667 titles takes the better part of an hour on a busy machine)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tendero.bench.report import log

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


def judged_queries(
    catalogue: pd.DataFrame, asked: pd.DataFrame, judged: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, dict[str, float]]]:
    """The catalogue indexed from 0, the queries that have judgements, and each query's gain per product."""
    gains = {
        q: dict(zip(g["product_id"].astype(str), g["gain"].astype(float), strict=True))
        for q, g in judged.groupby("query_id")
    }
    return catalogue.reset_index(drop=True), asked[asked["query_id"].isin(gains)].reset_index(drop=True), gains


def cached_embeddings(encoder: Any, texts: list[str], cache: Path | None) -> tuple[np.ndarray, bool]:
    import hashlib

    import numpy as np

    if cache is None:
        return embed_logged(encoder, texts), False
    key = hashlib.sha1((encoder.name + "\x1f" + "\x1e".join(texts)).encode()).hexdigest()[:16]
    path = cache / f"{encoder.name}-{key}.npy"
    if path.exists():
        return np.load(path), True
    vectors = embed_logged(encoder, texts)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors, False


def embed_logged(encoder: Any, texts: list[str]) -> np.ndarray:
    import numpy as np

    out = []
    step = 2048
    for start in range(0, len(texts), step):
        out.append(encoder.embed(texts[start : start + step]))
        log(f"  embedded {min(start + step, len(texts)):,}/{len(texts):,}")
    return np.vstack(out) if out else np.zeros((0, encoder.dimensions), dtype=np.float32)
