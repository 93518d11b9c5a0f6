"""Which models serve, decided on the backtest: the BTYD model with the lowest per-customer MAE
(then fitted on the full history), and the supervised churn model only if its held-out AUC beats
the probabilistic score P(no purchase in the window) on the same customers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from tendero.customers import btyd
from tendero.customers.backtest import Backtest
from tendero.customers.churn import ChurnModel, fit_churn
from tendero.customers.features import behaviour_features, with_btyd_features
from tendero.customers.settings import Report, Settings
from tendero.customers.transactions import TransactionLog, btyd_args


@dataclass
class CountChoice:
    """The chosen BTYD model fitted on the full history; ``choices`` say why it was chosen."""

    name: str
    params: dict[str, dict[str, float]]  # by name: the chosen model's only
    metrics: dict[str, float] = field(default_factory=dict)
    choices: dict[str, Any] = field(default_factory=dict)


@dataclass
class ChurnChoice:
    """The churn score that serves: ``supervised`` (``model``) or ``probabilistic`` (P(quiet))."""

    source: str
    model: ChurnModel | None
    metrics: dict[str, float] = field(default_factory=dict)
    choice: dict[str, Any] = field(default_factory=dict)


def choose_count_model(backtest: Backtest, summary: pd.DataFrame, settings: Settings, say: Report) -> CountChoice:
    """Rank the models by backtest MAE (without a backtest: in the order asked for), refit the best
    on every past customer, and fit on the full history the first that fits, warm-started from its
    backtest parameters."""
    errors = backtest.errors
    choices: dict[str, Any] = {}
    if errors:
        chosen = min(errors, key=errors.__getitem__)
        choices["btyd_model"] = {"chosen": chosen, "by": "backtest per-customer MAE", "mae": errors}
        candidates = [chosen, *(n for n in sorted(errors, key=errors.__getitem__) if n != chosen)]
        backtest.refit_on_everyone(chosen, say)
    else:
        candidates = list(settings.btyd_models)
        choices["btyd_model"] = {"chosen": None, "by": "history too short to backtest: first model that fits"}
    params: dict[str, dict[str, float]] = {}
    metrics: dict[str, float] = {}
    for name in candidates:
        try:
            warm = backtest.models[name].params if name in backtest.models else None
            fitted = btyd.COUNT_MODELS[name]().fit(*btyd_args(summary), start=warm)
        except (RuntimeError, ValueError, FloatingPointError) as error:
            say(f"{name} failed to fit: {error}")
            continue
        params[name] = fitted.params
        metrics[f"loglik_{name}"] = fitted.log_likelihood
        break
    if not params:
        raise RuntimeError("no buy-till-you-die model could be fitted on this history")
    chosen = next(iter(params))
    choices["btyd_model"]["chosen"] = chosen
    choices["btyd_backtest_params"] = {name: model.params for name, model in backtest.models.items()}
    return CountChoice(chosen, params, metrics, choices)


def choose_churn_model(
    log: TransactionLog, backtest: Backtest, chosen: str, settings: Settings, say: Report
) -> ChurnChoice:
    """Train the supervised churn model on the backtest's time split (features at the cutoff, churn =
    no purchase in the window) and keep it if it beats the chosen BTYD model's P(quiet)."""
    choice = ChurnChoice("probabilistic", None)
    if chosen in backtest.models:
        past = backtest.past
        past_features = behaviour_features(log, backtest.cutoff).reindex(past.index)
        past_features = with_btyd_features(past_features, backtest.models[chosen], past, backtest.window_weeks)
        churned = pd.Series(backtest.actual == 0, index=past.index)
        churn, held = fit_churn(
            past_features,
            churned,
            backtest.window,
            seed=settings.seed,
            n_estimators=settings.n_estimators,
            learning_rate=settings.learning_rate,
            num_leaves=settings.num_leaves,
        )
        if churn is not None:
            from sklearn.metrics import roc_auc_score

            probabilistic_auc = float(roc_auc_score(churned.loc[held], past_features.loc[held, "p_quiet"]))
            choice.model = churn
            choice.metrics["backtest_auc_supervised"] = churn.auc
            choice.metrics["backtest_auc_probabilistic"] = probabilistic_auc
            choice.source = "supervised" if churn.auc > probabilistic_auc else "probabilistic"
            choice.choice = {
                "chosen": choice.source,
                "by": "backtest AUC on held-out customers",
                "auc": {"supervised": churn.auc, "probabilistic": probabilistic_auc},
            }
            choice.metrics["churn_auc"] = max(churn.auc, probabilistic_auc)
    if not choice.choice:
        choice.choice = {"chosen": choice.source, "by": "too few labelled customers for a supervised model"}
    say(f"churn: {choice.choice.get('chosen', choice.source)}")  # the evidence is kept in the model's choices
    return choice
