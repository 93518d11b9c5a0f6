"""The result in plain Spanish or English: "B sube la conversión un 3,1 % (IC 95 %: 0,4 % a 5,8 %)".

The verdict reads the primary metric's decision (the always-valid interval for sequential designs), warns
when a guardrail got worse, and refuses to conclude when the split does not match the weights (SRM).
"""

from __future__ import annotations

from typing import Any

from tendero.catalogue.experiments import VERDICTS
from tendero.experiments.metrics import MetricSpec

TEXT = VERDICTS  # the texts live in the one catalogue (tendero.catalogue.experiments)
STATUSES = ("winner", "loser", "inconclusive", "not_enough_data", "srm")


def percent(value: float, lang: str, signed: bool = False) -> str:
    """0.031 -> "3,1 %" (es) or "3.1 %" (en), one decimal."""
    text = f"{value * 100:+.1f}" if signed else f"{abs(value) * 100:.1f}"
    if lang == "es":
        text = text.replace(".", ",")
    return f"{text} %"


def _p(value: float, lang: str) -> str:
    text = f"{value:.2g}" if value >= 1e-4 else f"{value:.1e}"
    return text.replace(".", ",") if lang == "es" else text


def _ci(interval: dict[str, float], alpha: float, lang: str) -> str:
    level = f"{(1 - alpha) * 100:g}".replace(".", "," if lang == "es" else ".")
    return TEXT["ci"][lang].format(level=level, lower=percent(interval["lower"], lang, True).lstrip("+"),
                                   upper=percent(interval["upper"], lang, True).lstrip("+"))  # fmt: skip


def _sentence(key: str, lang: str, **values: str) -> str:
    return TEXT[key][lang].format(**values)


def verdict(result: dict[str, Any], metrics: list[MetricSpec], lang: str = "es") -> dict[str, Any]:
    """``analyze``'s result summed up: a status, the winning variant if any, and sentences to show.

    Status: ``srm`` (split broken), ``winner`` (a variant beats the control on the primary metric and
    worsens no guardrail), ``loser`` (every variant that decided is worse), ``inconclusive``, or
    ``not_enough_data``.
    """
    lang = "es" if lang == "es" else "en"
    by_name = {m.name: m for m in metrics}
    interval_key = "relative_sequential" if result["sequential"] else "relative"
    alpha = result["alpha"]
    sentences: list[str] = []
    if result["srm"]["mismatch"]:
        sentences.append(_sentence("srm", lang, p=_p(result["srm"]["p_value"], lang)))
    primary = next(m for m in result["metrics"] if m["role"] == "primary")
    spec = by_name[primary["metric"]]
    better: list[Any] = []
    worse: list[Any] = []
    undecided: list[Any] = []
    missing: list[Any] = []
    for comparison in primary["comparisons"]:
        variant = comparison["variant"]
        if comparison["decision"] == "not_enough_data":
            missing.append(variant)
            sentences.append(_sentence("no_data", lang, variant=variant, control=comparison["against"]))
            continue
        interval = comparison[interval_key]
        values = {"variant": variant, "metric": spec.label(lang), "effect": percent(interval["estimate"], lang),
                  "ci": _ci(interval, alpha, lang)}  # fmt: skip
        if comparison["decision"] == "inconclusive":
            undecided.append(variant)
            sentences.append(_sentence("none", lang, **values))
        else:
            (better if comparison["decision"] == "better" else worse).append(variant)
            sentences.append(_sentence("up" if interval["estimate"] > 0 else "down", lang, **values))
    harmed = set()
    for metric in result["metrics"]:
        if metric["role"] != "guardrail":
            continue
        for comparison in metric["comparisons"]:
            if comparison["decision"] == "worse":
                harmed.add(comparison["variant"])
                interval = comparison[interval_key]
                sentences.append(_sentence("guardrail", lang, variant=comparison["variant"],
                                           metric=by_name[metric["metric"]].label(lang),
                                           effect=percent(interval["estimate"], lang),
                                           ci=_ci(interval, alpha, lang)))  # fmt: skip
    winners = [v for v in better if v not in harmed]
    winner = None
    if result["srm"]["mismatch"]:
        status = "srm"
    elif winners:
        winner = max(winners, key=lambda v: _estimate(primary, v, interval_key) * (1 if spec.higher_is_better else -1))
        status = "winner"
        sentences.append(_sentence("winner", lang, variant=winner))
    elif worse and not undecided and not better:
        status = "loser"
    elif missing and not (better or worse or undecided):
        status = "not_enough_data"
    else:
        status = "inconclusive"
    return {"status": status, "winner": winner, "text": ". ".join(sentences) + ("." if sentences else "")}


def _estimate(metric: dict[str, Any], variant: str, key: str) -> float:
    comparison = next(c for c in metric["comparisons"] if c["variant"] == variant)
    return float(comparison[key]["estimate"])
