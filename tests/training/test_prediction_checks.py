"""Rows to predict are checked against the training data kept with the model: types, the range of each
number, whole numbers, known categories, missing values; errors refuse, warnings are answered per row,
and ``on_invalid`` chooses; batch frames get the same checks; models saved before profiles still load."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tendero.data.demo import route_costs
from tendero.kinds import Frames, RecordingProgress
from tendero.training.datasets import infer_schema
from tendero.training.inputs import RowsError, check_rows, profile_inputs
from tendero.training.kind import TabularKind, TabularParams
from tendero.training.model import TabularModel

GOOD = {"distance_km": 20.0, "stops": 12, "load_kg": 600.0, "vehicle": "furgoneta", "zone": "norte", "hour": 10,
        "fuel_price": 1.65}  # fmt: skip


@pytest.fixture(scope="module")
def routes() -> pd.DataFrame:
    return route_costs(seed=5, rows=300)


@pytest.fixture(scope="module")
def model(routes: pd.DataFrame) -> TabularModel:
    params = TabularParams(task="regression", target="cost_eur", algorithm="lightgbm",
                           hyperparameters={"n_estimators": 20}, importance_repeats=0)  # fmt: skip
    return TabularKind().fit(Frames.of(dataset=routes), params, RecordingProgress())


def _codes(issues) -> list[tuple[int | None, str | None, str]]:  # type: ignore[no-untyped-def]
    return [(issue.row, issue.column, issue.code) for issue in issues]


def test_the_profile_keeps_what_training_saw(model: TabularModel, routes: pd.DataFrame) -> None:
    columns = {column.name: column for column in model.inputs.columns}
    assert model.inputs.complete and "cost_eur" not in columns
    assert (columns["hour"].low, columns["hour"].high) == (routes["hour"].min(), routes["hour"].max())
    assert columns["hour"].whole and columns["stops"].whole and not columns["distance_km"].whole
    assert columns["vehicle"].categories == sorted(routes["vehicle"].unique())
    assert not any(column.missing or column.infinite for column in columns.values())


def test_each_probe_of_the_issue_is_refused_or_flagged_by_default(model: TabularModel) -> None:
    with pytest.raises(RowsError) as nan:
        model.predict([GOOD, {**GOOD, "distance_km": float("nan")}])
    assert _codes(nan.value.issues) == [(1, "distance_km", "missing_value")]
    assert "row 1" in str(nan.value) and "distance_km" in str(nan.value)
    for infinite in (math.inf, -math.inf, 10**400):
        with pytest.raises(RowsError) as refused:
            model.predict([{**GOOD, "load_kg": infinite}])
        assert _codes(refused.value.issues) == [(0, "load_kg", "not_finite")]
    answered = model.predict([GOOD, {**GOOD, "hour": 22}, {**GOOD, "vehicle": "patinete"}, {**GOOD, "stops": -5}])
    assert len(answered.predictions) == 4 and all(math.isfinite(p) for p in answered.predictions)
    assert _codes(answered.warnings) == [(1, "hour", "out_of_range"), (2, "vehicle", "unseen_category"),
                                         (3, "stops", "out_of_range")]  # fmt: skip
    assert answered.warnings_total == 3
    hour = answered.warnings[0]
    assert hour.severity == "warning" and hour.value == "22" and "6 to 20" in hour.message


def test_reject_refuses_warnings_too_and_warn_refuses_nothing(model: TabularModel) -> None:
    rows = [GOOD, {**GOOD, "hour": 22}, {**GOOD, "distance_km": None}, {**GOOD, "zone": 7, "stops": 12.5}]
    with pytest.raises(RowsError) as rejected:
        model.predict(rows, on_invalid="reject")
    assert _codes(rejected.value.issues) == [(1, "hour", "out_of_range"), (2, "distance_km", "missing_value"),
                                             (3, "stops", "not_whole"), (3, "zone", "unseen_category")]  # fmt: skip
    warned = model.predict(rows, on_invalid="warn")
    assert len(warned.predictions) == 4 and all(math.isfinite(p) for p in warned.predictions)
    assert [w.code for w in warned.warnings] == ["out_of_range", "missing_value", "not_whole", "unseen_category"]
    assert all(w.severity == "warning" for w in warned.warnings)
    assert "predicted as a missing value" in warned.warnings[1].message
    # a missing value is predicted like training imputes it: the median fill of the preprocessor
    filled = model.predict([{**GOOD, "distance_km": model.preprocessor.steps[0].fills[0]}]).predictions
    assert warned.predictions[2] == pytest.approx(filled[0])


def test_hard_errors_name_row_and_column_in_spanish_or_english(model: TabularModel) -> None:
    rows = [GOOD, {k: v for k, v in GOOD.items() if k != "zone"}, {**GOOD, "stops": "muchas"}, ["not", "a", "row"]]
    with pytest.raises(RowsError) as spanish:
        model.predict(rows, language="es")
    assert _codes(spanish.value.issues) == [(1, "zone", "missing_column"), (2, "stops", "wrong_type"),
                                            (3, None, "not_an_object")]  # fmt: skip
    assert spanish.value.issues[1].message == "se esperaba un número, llegó un texto"
    assert str(spanish.value).startswith("fila 1, columna 'zone': falta la columna (y 2 más)")
    with pytest.raises(RowsError) as english:
        model.predict(rows[:3], language="en")
    assert english.value.issues[1].message == "expected a number, got text"


def test_serve_takes_on_invalid_from_the_body_and_says_what_it_checked(model: TabularModel) -> None:
    answer = model.serve({"rows": [{**GOOD, "hour": 22}], "on_invalid": "warn"}, language="es")
    assert answer["warnings"][0]["code"] == "out_of_range" and "fuera del rango" in answer["warnings"][0]["message"]
    assert answer["input_checks"] == {"profile": True}
    with pytest.raises(RowsError) as bad:
        model.serve({"rows": [GOOD], "on_invalid": "ignore"})
    assert bad.value.issues[0].field == "on_invalid" and bad.value.issues[0].column is None


def test_batch_frames_get_a_warnings_column_and_refusals_name_file_rows(model: TabularModel) -> None:
    frame = pd.DataFrame([GOOD, {**GOOD, "hour": 22}, {**GOOD, "vehicle": "patinete"}, GOOD])
    out = model.predict_frame(frame, language="en")
    assert list(out["warnings"]) == ["", "hour: 22 is outside the range seen in training (6 to 20)",
                                     "vehicle: 'patinete' is a category not seen in training", ""]  # fmt: skip
    assert out["prediction"].notna().all()
    broken = frame.copy()
    broken.loc[2, "load_kg"] = np.nan
    with pytest.raises(RowsError) as refused:
        model.predict_frame(broken, first_row=101)
    assert _codes(refused.value.issues) == [(103, "load_kg", "missing_value")]
    warned = model.predict_frame(broken, on_invalid="warn", language="es")
    assert warned["prediction"].notna().all() and warned["warnings"][2].startswith("load_kg: falta el valor")
    with pytest.raises(RowsError) as missing:
        model.predict_frame(frame.drop(columns="zone"))
    assert _codes(missing.value.issues) == [(None, "zone", "missing_column")]


def test_the_profile_survives_save_and_load(model: TabularModel, tmp_path: Path) -> None:
    model.save(tmp_path)
    loaded = TabularModel.load(tmp_path)
    assert loaded.inputs == model.inputs
    assert _codes(loaded.predict([{**GOOD, "hour": 22}]).warnings) == [(0, "hour", "out_of_range")]


def test_a_model_saved_before_profiles_loads_predicts_and_says_it_checks_types_only(
    model: TabularModel, tmp_path: Path
) -> None:
    model.save(tmp_path)
    meta = json.loads((tmp_path / "model.json").read_text())
    meta["format_version"] = 1
    del meta["inputs"]
    (tmp_path / "model.json").write_text(json.dumps(meta))
    old = TabularModel.load(tmp_path)
    answer = old.serve({"rows": [{**GOOD, "hour": 99, "distance_km": None, "vehicle": "patinete"}]}, language="en")
    assert answer["warnings"] == [] and len(answer["predictions"]) == 1
    assert answer["input_checks"]["profile"] is False and "only types are checked" in answer["input_checks"]["note"]
    with pytest.raises(RowsError):  # types, and ±Infinity, are still checked
        old.predict([{**GOOD, "stops": "muchas"}])
    with pytest.raises(RowsError):
        old.predict([{**GOOD, "stops": math.inf}])


def test_training_missing_values_and_categories_are_allowed_where_training_had_them() -> None:
    frame = pd.DataFrame({"a": [1.0, None, 3.0, 4.0], "b": ["x", "y", None, "x"], "when": ["2024-01-01"] * 4})
    frame["when"] = pd.to_datetime(frame["when"])
    profile = profile_inputs(frame, infer_schema(frame))
    with pytest.raises(RowsError) as refused:
        check_rows([{"a": None, "b": None, "when": None}], profile)
    assert _codes(refused.value.issues) == [(0, "when", "missing_value")]
    fine = check_rows([{"a": None, "b": None, "when": "2030-01-01"}, {"a": 2, "b": "y", "when": "2024-02-01"}], profile)
    assert fine.warnings == []
    assert list(fine.frame["b"]) == [None, "y"]
    unseen = check_rows([{"a": 2, "b": 3.0, "when": "2024-01-01"}], profile)  # 3.0 is the category "3"
    assert _codes(unseen.warnings) == [(0, "b", "unseen_category")] and unseen.warnings[0].value == "'3'"


def test_an_impossible_calendar_value_is_refused_naming_row_column_and_the_possible_range() -> None:
    """Week 60 cannot happen: refused (an error, not a warning); week 52 unseen in training is only flagged."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"semana": rng.integers(1, 40, 200), "tienda": rng.choice(["norte", "sur"], 200),
                          "horas": rng.integers(0, 90, 200)})  # fmt: skip
    frame["ventas"] = 3 * frame["semana"] + (frame["tienda"] == "sur") * 20 + rng.normal(0, 2, 200)
    params = TabularParams(task="regression", target="ventas", algorithm="lightgbm",
                           hyperparameters={"n_estimators": 10}, importance_repeats=0)  # fmt: skip
    fitted = TabularKind().fit(Frames.of(dataset=frame), params, RecordingProgress())
    row = {"semana": 10, "tienda": "norte", "horas": 10}
    with pytest.raises(RowsError) as refused:
        fitted.predict([row, {**row, "semana": 60}], language="es")
    assert _codes(refused.value.issues) == [(1, "semana", "impossible")]
    assert str(refused.value) == "fila 1, columna 'semana': 60 no es un valor posible de semana del año (1 a 53)"
    flagged = fitted.predict([{**row, "semana": 52}, {**row, "tienda": "centro"}, {**row, "horas": 300}])
    assert _codes(flagged.warnings) == [(0, "semana", "out_of_range"), (1, "tienda", "unseen_category"),
                                        (2, "horas", "out_of_range")]  # fmt: skip
    assert len(flagged.predictions) == 3
    warned = fitted.predict([{**row, "semana": 60}], on_invalid="warn")
    assert _codes(warned.warnings) == [(0, "semana", "impossible")] and len(warned.predictions) == 1


def test_a_bad_body_names_the_field_not_a_row_or_column(model: TabularModel) -> None:
    """No "row None, column 'rows'": the request's own field is named, and what the body held instead."""
    cases = [
        ({"data": [GOOD]}, "rows_absent", "rows: the body has no 'rows' (it has 'data')"),
        ({"rows": GOOD}, "rows_not_a_list", "rows: 'rows' must be a list of rows, got an object"),
        ({"rows": []}, "no_rows", "rows: send"),
        ({"rows": [GOOD], "on_invalid": "skip"}, "on_invalid", "on_invalid: on_invalid must be one of"),
    ]
    for body, code, start in cases:
        with pytest.raises(RowsError) as refused:
            model.serve(body, language="en")
        issue = refused.value.issues[0]
        assert (issue.code, issue.row, issue.column, issue.field) == (code, None, None, start.split(":")[0])
        assert str(refused.value).startswith(start) and "None" not in str(refused.value)
