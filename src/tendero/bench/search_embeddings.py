"""Catalogue embeddings for the search benches, kept between runs in a folder when asked (embedding Home Depot's
54,667 titles takes the better part of an hour on a busy machine)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tendero.bench.report import log

if TYPE_CHECKING:
    import numpy as np


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
