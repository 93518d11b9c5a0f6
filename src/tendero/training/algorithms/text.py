"""Text classification: TF-IDF terms and a logistic regression over them, saved as JSON and NumPy
arrays (``tfidf.json``, ``tfidf.npz``, ``linear.npz``) and rebuilt without pickle."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tendero.training.algorithms.data import TrainData
from tendero.training.algorithms.linear import LinearModel, fit_logistic
from tendero.training.algorithms.parameters import TextClassifierParams
from tendero.training.algorithms.probabilities import binary_or_softmax
from tendero.training.algorithms.progress import Report, held_out_metrics


@dataclass
class TextModel:
    """TF-IDF vocabulary and idf weights plus a linear classifier; rebuilt without pickle."""

    vectorizer: Any
    linear: LinearModel

    def output(self, texts: list[str]) -> np.ndarray:
        x = self.vectorizer.transform(texts)
        scores = np.asarray(x @ self.linear.coef.T) + self.linear.intercept
        return binary_or_softmax(scores)

    def save(self, folder: Path) -> None:
        vec = self.vectorizer
        vocabulary = {term: int(index) for term, index in vec.vocabulary_.items()}
        config = {
            "vocabulary": vocabulary,
            "ngram_range": list(vec.ngram_range),
            "analyzer": vec.analyzer,
            "sublinear_tf": vec.sublinear_tf,
            "lowercase": vec.lowercase,
            "strip_accents": vec.strip_accents,
        }
        (folder / "tfidf.json").write_text(json.dumps(config, ensure_ascii=False))
        np.savez(folder / "tfidf.npz", idf=vec.idf_)
        self.linear.save(folder)

    @classmethod
    def load(cls, folder: Path) -> TextModel:
        from sklearn.feature_extraction.text import TfidfVectorizer

        config = json.loads((folder / "tfidf.json").read_text())
        vec = TfidfVectorizer(
            vocabulary=config["vocabulary"],
            ngram_range=tuple(config["ngram_range"]),
            analyzer=config["analyzer"],
            sublinear_tf=config["sublinear_tf"],
            lowercase=config["lowercase"],
            strip_accents=config["strip_accents"],
        )
        vec.idf_ = np.load(folder / "tfidf.npz", allow_pickle=False)["idf"]
        return cls(vec, LinearModel.load(folder))


def train_text_classifier(hp: TextClassifierParams, data: TrainData, report: Report) -> TextModel:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        max_features=hp.max_features,
        ngram_range=(1, hp.ngram_max),
        analyzer=hp.analyzer,
        min_df=hp.min_df,
        sublinear_tf=hp.sublinear_tf,
        strip_accents="unicode",
    )
    x_train = vectorizer.fit_transform(data.x_train)
    x_val = vectorizer.transform(data.x_val) if len(data.x_val) else None
    terms = len(vectorizer.vocabulary_)

    def metrics(model: LinearModel) -> dict[str, float]:
        train = held_out_metrics("classification", model.output(x_train), data.y_train)
        held_out = held_out_metrics("classification", model.output(x_val), data.y_val) if x_val is not None else {}
        return {"loss": train["val_loss"], **held_out}

    def on_iteration(iteration: int, model: LinearModel) -> None:
        report(iteration, hp.max_iter, message=f"L-BFGS iteration {iteration} on {terms} terms", **metrics(model))

    assert data.y_train is not None
    model, iterations, converged = fit_logistic(x_train, data.y_train, data.n_classes, hp.C, hp.max_iter, on_iteration)
    state = "converged" if converged else "stopped without converging"
    report(hp.max_iter, hp.max_iter, message=f"L-BFGS {state} after {iterations} iterations", **metrics(model))
    return TextModel(vectorizer, model)
