"""Hyperparameter search with Optuna over a declared space and a trial budget."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tendero.catalogue.refusals import Refusal


class ParamRange(BaseModel):
    """One searched hyperparameter: an int or float range (optionally log-scaled) or a list of choices."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["int", "float", "categorical"]
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: list[Any] | None = None

    @model_validator(mode="after")
    def _complete(self) -> ParamRange:
        if self.type == "categorical":
            if not self.choices:
                raise ValueError("categorical ranges need a non-empty 'choices' list")
        else:
            if self.low is None or self.high is None:
                raise ValueError(f"{self.type} ranges need 'low' and 'high'")
            if self.low > self.high:
                raise ValueError("'low' must not exceed 'high'")
            if self.log and self.low <= 0:
                raise ValueError("log ranges need 'low' > 0")
        return self

    def corners(self) -> list[Any]:
        """The extreme values, used to check the range against the algorithm's bounds up front."""
        if self.type == "categorical":
            return list(self.choices or [])
        assert self.low is not None and self.high is not None  # numeric ranges have both (_complete)
        cast = int if self.type == "int" else float
        return [cast(self.low), cast(self.high)]


class SearchSpec(BaseModel):
    """A tuning request: the space, the number of trials, the sampler."""

    model_config = ConfigDict(extra="forbid")

    space: dict[str, ParamRange] = Field(min_length=1)
    trials: int = Field(20, ge=1, le=1000)
    sampler: Literal["tpe", "random"] = "tpe"


class Trial(BaseModel):
    number: int
    hyperparameters: dict[str, Any]
    score: float | None
    error: str | None = None


def search(
    spec: SearchSpec,
    fixed: dict[str, Any],
    evaluate: Callable[[dict[str, Any]], float],
    *,
    maximize: bool,
    seed: int,
    on_trial: Callable[[Trial, Trial | None], None],
) -> tuple[Trial, list[Trial]]:
    """Run ``spec.trials`` trials; ``evaluate(hyperparameters)`` returns the validation score.

    ``on_trial(trial, best_so_far)`` runs after each trial (it may raise ``Cancelled``, which stops
    the search). A trial whose hyperparameters are invalid is recorded with its error and skipped.
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=seed) if spec.sampler == "tpe" else optuna.samplers.RandomSampler(seed)
    study = optuna.create_study(direction="maximize" if maximize else "minimize", sampler=sampler)
    trials: list[Trial] = []
    best: Trial | None = None
    for number in range(spec.trials):
        optuna_trial = study.ask()
        chosen = dict(fixed)
        for name, rng in spec.space.items():
            if rng.type == "int":
                chosen[name] = optuna_trial.suggest_int(name, int(rng.low or 0), int(rng.high or 0), log=rng.log)
            elif rng.type == "float":
                chosen[name] = optuna_trial.suggest_float(name, float(rng.low or 0), float(rng.high or 0), log=rng.log)
            else:
                chosen[name] = optuna_trial.suggest_categorical(name, rng.choices or [])
        try:
            score = float(evaluate(chosen))
        except (ValueError, ArithmeticError) as exc:
            study.tell(optuna_trial, state=optuna.trial.TrialState.FAIL)
            trial = Trial(number=number, hyperparameters=chosen, score=None, error=str(exc))
        else:
            study.tell(optuna_trial, score)
            trial = Trial(number=number, hyperparameters=chosen, score=score)
            if best is None or best.score is None or (score > best.score if maximize else score < best.score):
                best = trial
        trials.append(trial)
        on_trial(trial, best)
    if best is None:
        raise Refusal("training.trials_failed", trials=spec.trials, error=trials[0].error)
    return best, trials
