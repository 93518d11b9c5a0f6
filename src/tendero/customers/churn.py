"""Supervised churn: LightGBM on behaviour features, labels from a time split, calibrated, explained.

Training looks back: features are computed at an earlier cutoff ``c0`` and the label is "no
purchase between c0 and the scoring date". A random quarter of those customers is held out: the
booster learns on the rest; a logistic map fitted on the held-out quarter turns its scores into
probabilities (Platt scaling on the log-odds: strictly monotone, so the ranking is kept, unlike
isotonic steps); the same quarter gives the backtest AUC used to choose between this model and the
probabilistic (buy-till-you-die) score. Reasons are LightGBM's exact tree SHAP values
(``pred_contrib``) turned into sentences in Spanish and English.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tendero.catalogue.customers import CHURN_REASONS, REASON_FORMATS
from tendero.customers.features import FEATURE_NAMES

BTYD_FEATURES = ("p_alive", "expected_rate", "p_quiet")
MODEL_FEATURES = (*FEATURE_NAMES, *BTYD_FEATURES)


def _written(value: float, how: str, language: str) -> str:
    """A reason's value as the reader writes numbers: 1,234.5 in English, 1.234,5 in Spanish; shares as 42%."""
    if how == "pct":
        return f"{value:.0%}"
    text = f"{value:,.{int(how[1:])}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".") if language == "es" else text


def reason_text(feature: str, value: float, language: str = "en") -> str:
    """One sentence for a reason code, from the catalogue; ``language`` is ``en`` or ``es``."""
    lang = "es" if language == "es" else "en"
    if value is None or not np.isfinite(value):
        return CHURN_REASONS["no_data"][lang].format(feature=feature.replace("_", " "))
    if feature == "trend_90d":
        return CHURN_REASONS["trend_90d.down" if value < 0 else "trend_90d.up"][lang]
    return CHURN_REASONS[feature][lang].format(value=_written(float(value), REASON_FORMATS[feature], lang))


@dataclass
class ChurnModel:
    """A LightGBM booster (text model) plus its Platt calibration and backtest figures."""

    booster_text: str
    calibration_slope: float
    calibration_intercept: float
    auc: float
    window_days: float
    train_rows: int
    _booster: object | None = None

    @property
    def booster(self):  # lightgbm.Booster, imported lazily
        if self._booster is None:
            import lightgbm as lgb

            self._booster = lgb.Booster(model_str=self.booster_text)
        return self._booster

    def raw_score(self, features: pd.DataFrame) -> np.ndarray:
        return self.booster.predict(features[list(MODEL_FEATURES)].to_numpy(dtype=float), num_threads=1)

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        """Calibrated probability of no purchase within ``window_days``."""
        raw = np.clip(self.raw_score(features), 1e-6, 1 - 1e-6)
        logit = np.log(raw) - np.log1p(-raw)
        return 1.0 / (1.0 + np.exp(-(self.calibration_slope * logit + self.calibration_intercept)))

    def reasons(self, features: pd.DataFrame, top: int = 3) -> list[list[tuple[str, float, float]]]:
        """Per customer, up to ``top`` (feature, value, SHAP contribution) pushing churn risk up."""
        matrix = features[list(MODEL_FEATURES)].to_numpy(dtype=float)
        contributions = self.booster.predict(matrix, pred_contrib=True, num_threads=1)[:, :-1]
        order = np.argsort(-contributions, axis=1)[:, :top]
        out: list[list[tuple[str, float, float]]] = []
        for row, columns in enumerate(order):
            picked = [
                (MODEL_FEATURES[c], float(matrix[row, c]), float(contributions[row, c]))
                for c in columns
                if contributions[row, c] > 0
            ]
            out.append(picked)
        return out

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "churn_lightgbm.txt").write_text(self.booster_text)
        meta = {
            "calibration_slope": self.calibration_slope,
            "calibration_intercept": self.calibration_intercept,
            "auc": self.auc,
            "window_days": self.window_days,
            "train_rows": self.train_rows,
            "features": list(MODEL_FEATURES),
        }
        (folder / "churn_calibration.json").write_text(json.dumps(meta))

    @classmethod
    def load(cls, folder: Path) -> ChurnModel:
        meta = json.loads((folder / "churn_calibration.json").read_text())
        if meta["features"] != list(MODEL_FEATURES):
            raise ValueError(f"{folder}: churn model was trained on other features: {meta['features']}")
        return cls(
            booster_text=(folder / "churn_lightgbm.txt").read_text(),
            calibration_slope=meta["calibration_slope"],
            calibration_intercept=meta["calibration_intercept"],
            auc=meta["auc"],
            window_days=meta["window_days"],
            train_rows=meta["train_rows"],
        )


def fit_churn(
    features: pd.DataFrame,
    churned: pd.Series,
    window_days: float,
    seed: int = 0,
    n_estimators: int = 300,
    learning_rate: float = 0.03,
    num_leaves: int = 15,
) -> tuple[ChurnModel | None, pd.Index]:
    """Train on 75% of the labelled customers, calibrate and measure AUC on the other 25%.

    Returns the model (None when there are too few customers or a single class to learn from) and
    the held-out customer index, so the caller can score the probabilistic rival on the same rows.
    """
    import lightgbm as lgb
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    y = churned.reindex(features.index).astype(int)
    if len(y) < 40 or y.nunique() < 2 or min(y.sum(), len(y) - y.sum()) < 8:
        return None, features.index
    train_idx, held_idx = train_test_split(features.index, test_size=0.25, random_state=seed, stratify=y)
    x_train = features.loc[train_idx, list(MODEL_FEATURES)].to_numpy(dtype=float)
    x_held = features.loc[held_idx, list(MODEL_FEATURES)].to_numpy(dtype=float)
    min_leaf = int(max(5, min(50, len(train_idx) // 100)))
    classifier = lgb.LGBMClassifier(
        n_estimators=n_estimators,
        learning_rate=learning_rate,
        num_leaves=num_leaves,
        min_child_samples=min_leaf,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        random_state=seed,
        n_jobs=1,  # one thread: on a shared 2-core box, LightGBM's threads spin and slow everything
        verbose=-1,
    )
    # early stopping on a slice of the training customers: fewer trees, faster scoring, no overfit
    y_train = y.loc[train_idx].to_numpy()
    fit_rows, stop_rows = train_test_split(
        np.arange(len(train_idx)), test_size=0.15, random_state=seed, stratify=y_train
    )
    classifier.fit(
        x_train[fit_rows],
        y_train[fit_rows],
        eval_X=x_train[stop_rows],
        eval_y=y_train[stop_rows],
        eval_metric="auc",
        callbacks=[lgb.early_stopping(30, verbose=False)],
    )
    booster = classifier.booster_
    held_raw = booster.predict(x_held, num_iteration=booster.best_iteration or None)
    auc = float(roc_auc_score(y.loc[held_idx], held_raw))
    clipped = np.clip(held_raw, 1e-6, 1 - 1e-6)
    logit = (np.log(clipped) - np.log1p(-clipped)).reshape(-1, 1)
    platt = LogisticRegression(C=1e6).fit(logit, y.loc[held_idx].to_numpy())
    model = ChurnModel(
        booster_text=booster.model_to_string(),
        calibration_slope=float(platt.coef_[0, 0]),
        calibration_intercept=float(platt.intercept_[0]),
        auc=auc,
        window_days=float(window_days),
        train_rows=len(train_idx),
        _booster=booster,
    )
    return model, held_idx
