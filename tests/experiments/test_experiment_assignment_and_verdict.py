"""Hashed assignment (stable, on the weights) and the verdict's words, on small data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tendero.experiments.analysis import Design, analyze, unit_table
from tendero.experiments.assignment import assign, assign_many, bucket
from tendero.experiments.metrics import MetricSpec, VariantSpec
from tendero.experiments.verdict import percent, verdict


def test_assignment_is_stable_and_within_half_a_percent_of_the_weights():
    units = [f"customer-{i}" for i in range(300_000)]
    weights = [0.5, 0.3, 0.2]
    first = assign_many("salt-1", units, ["A", "B", "C"], weights)
    assert (first == assign_many("salt-1", units, ["A", "B", "C"], weights)).all()
    shares = np.array([(first == v).mean() for v in "ABC"])
    assert np.abs(shares - weights).max() < 0.005
    assert all(assign("salt-1", u, ["A", "B", "C"], weights) == first[i] for i, u in enumerate(units[:500]))
    other = assign_many("salt-2", units[:20_000], ["A", "B", "C"], weights)
    assert 0.3 < (other != first[:20_000]).mean() < 0.8  # another experiment's salt draws independently
    assert 0 <= bucket("s", "u") < 1


def test_weights_of_zero_get_no_units_and_bad_weights_are_refused():
    drawn = assign_many("s", [str(i) for i in range(5000)], ["A", "B"], [1.0, 0.0])
    assert set(drawn) == {"A"}
    with pytest.raises(ValueError):
        assign("s", "u", ["A", "B"], [0.0, 0.0])
    with pytest.raises(ValueError):
        assign("s", "u", ["A"], [1.0])


def _design(**metric) -> Design:  # type: ignore[no-untyped-def]
    metrics = [MetricSpec(name="conversion", kind="proportion", event="buy", label_es="la conversión",
                          label_en="conversion"),
               MetricSpec(name="returns", event="return", role="guardrail", higher_is_better=False,
                          label_es="las devoluciones", label_en="returns", **metric)]  # fmt: skip
    return Design([VariantSpec(key="A", weight=1), VariantSpec(key="B", weight=1)], metrics, sequential=False)


def _units(n: int, buy: tuple[float, float], returned: tuple[float, float], split: float = 0.5, seed: int = 0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    variant = np.where(rng.random(n) < split, "A", "B")
    b = variant == "B"
    exposures = pd.DataFrame({"unit": [f"u{i}" for i in range(n)], "variant": variant})
    bought = rng.random(n) < np.where(b, buy[1], buy[0])
    sent_back = rng.random(n) < np.where(b, returned[1], returned[0])
    outcomes = pd.concat([
        pd.DataFrame({"unit": exposures["unit"][bought], "event": "buy", "value": 1.0}),
        pd.DataFrame({"unit": exposures["unit"][sent_back], "event": "return", "value": 1.0}),
    ])  # fmt: skip
    return unit_table(exposures, outcomes, ["buy", "return"])


def test_a_clear_winner_is_named_in_both_languages():
    design = _design()
    result = analyze(_units(20_000, (0.10, 0.13), (0.05, 0.05)), design)
    es, en = verdict(result, design.metrics, "es"), verdict(result, design.metrics, "en")
    assert es["status"] == en["status"] == "winner" and es["winner"] == "B"
    effect = result["metrics"][0]["comparisons"][0]["relative"]
    assert es["text"].startswith(f"B sube la conversión un {percent(effect['estimate'], 'es')} (IC 95 %: ")
    assert "," in percent(effect["estimate"], "es") and "." in percent(effect["estimate"], "en")
    assert en["text"].startswith("B raises conversion by") and en["text"].endswith("Winner: B.")


def test_a_guardrail_that_gets_worse_blocks_the_win():
    design = _design()
    result = analyze(_units(20_000, (0.10, 0.13), (0.05, 0.08)), design)
    said = verdict(result, design.metrics, "es")
    assert said["status"] == "inconclusive" and said["winner"] is None
    assert "Cuidado: B empeora las devoluciones un" in said["text"]


def test_a_broken_split_is_reported_before_anything_else():
    design = _design()
    result = analyze(_units(20_000, (0.10, 0.13), (0.05, 0.05), split=0.53), design)
    said = verdict(result, design.metrics, "en")
    assert result["srm"]["mismatch"] and said["status"] == "srm" and said["winner"] is None
    assert said["text"].startswith("The split of units does not match the weights")


def test_too_little_data_says_so():
    design = _design()
    result = analyze(_units(3, (0.5, 0.5), (0.0, 0.0)), design)
    said = verdict(result, design.metrics, "es")
    assert said["status"] in ("not_enough_data", "inconclusive")
    assert "Aún no hay" in said["text"]
