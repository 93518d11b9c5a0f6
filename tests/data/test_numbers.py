"""Numbers read from text are exactly the floats they spell (pandas' fast parser is not)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.datasets import load_diabetes

from tendero.data.numbers import to_numeric


def test_every_written_float_reads_back_exactly():
    values = load_diabetes(as_frame=True).frame.to_numpy().ravel()
    text = pd.Series([repr(float(v)) for v in values], dtype=object)
    assert (pd.to_numeric(text).to_numpy() != values).mean() > 0.5  # what this module exists for
    assert np.array_equal(to_numeric(text).to_numpy(), values)


def test_odd_values_coerce_like_pandas_and_the_rest_stay_exact():
    text = pd.Series(["0.1", " 2.5 ", "abc", None, "1e-3", "0.038075906433423026", "True"], dtype=object)
    out = to_numeric(text)
    expected = pd.to_numeric(text, errors="coerce")
    assert out.isna().tolist() == expected.isna().tolist()
    assert out[5] == 0.038075906433423026 and out[0] == 0.1 and out[4] == 1e-3


def test_integers_and_numeric_columns_pass_through():
    assert to_numeric(pd.Series(["1", "22", "-3"], dtype=object)).tolist() == [1, 22, -3]
    numbers = pd.Series([0.1, 0.2])
    assert to_numeric(numbers).equals(numbers)
