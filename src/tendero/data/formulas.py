"""Spreadsheet formula injection: the one rule, and the one way tendero writes CSV files.

The rule (OWASP "CSV injection"): a text cell whose first character is ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return — or their fullwidth and small forms (``＝ ＋ － ＠ ﹦ ﹢ ﹣ ﹫``), which
spreadsheets in East Asian locales read as the same operators — may be run as a formula when the file
is opened. A plain number is not a formula: ``-5`` (a return) or ``+34 600 123 456`` (a phone
number) stay what they are; ``-2+3+cmd|' /C calc'!A0`` does not. The rule applies to text: numeric
fields parse numbers and never reach it.

Imports reject such cells, dataset uploads set them missing (both report row, column and value), and
every CSV tendero writes neutralises them with a leading apostrophe (the cell then shows the text).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

ALWAYS = "=@\t\r＝＠﹦﹫"  # always the start of a formula
SIGNS = "+-＋－﹢﹣"  # a formula unless the rest is a plain number
_CANDIDATE = re.compile(f"^[ ]*[{re.escape(ALWAYS + SIGNS)}]")
_PLAIN_NUMBER = re.compile(f"[{re.escape(SIGNS)}]?[ ]*\\d[\\d .,']*(?:[eE][+-]?\\d+)?[ ]*%?")
_ONLY_SIGNS = re.compile(f"[{re.escape(SIGNS)} ]+")


def is_formula(text: str) -> bool:
    """Whether a spreadsheet could run this text cell as a formula (see the module docstring)."""
    if not text or not _CANDIDATE.match(text):
        return False
    if text[0] in "\t\r":
        return True
    stripped = text.lstrip(" ")
    if stripped[0] in ALWAYS:
        return True
    return not (_PLAIN_NUMBER.fullmatch(stripped) or _ONLY_SIGNS.fullmatch(stripped))


def formula_mask(values: pd.Series) -> np.ndarray:
    """``is_formula`` for a column of text (missing cells are never formulas); vectorised pre-filter."""
    mask = np.zeros(len(values), dtype=bool)
    if not len(values):
        return mask
    text = values if pd.api.types.is_string_dtype(values) else values.astype("string")
    candidates = text.str.contains(_CANDIDATE, na=False).to_numpy(dtype=bool)
    if candidates.any():
        where = np.flatnonzero(candidates)
        mask[where] = [is_formula(str(value)) for value in text.to_numpy()[where]]
    return mask


def neutralise(value: Any) -> Any:
    """A cell as written to CSV: text that could run as a formula gets a leading apostrophe."""
    return "'" + value if isinstance(value, str) and is_formula(value) else value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and column names cannot run as formulas; numbers, dates, booleans untouched."""
    out = frame.rename(columns=lambda name: neutralise(str(name)))
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            mask = formula_mask(column.astype("string"))
            if mask.any():
                fixed = column.astype(object).copy()
                fixed[mask] = ["'" + str(v) for v in fixed[mask]]
                out.isetitem(position, fixed)
    return out


def write_csv(frame: pd.DataFrame, target: str | Path | IO[Any], **options: Any) -> None:
    """Every CSV tendero writes goes through here, so none of its cells runs as a formula. Lines end in CRLF
    (RFC 4180), so a cell holding a bare carriage return is quoted too."""
    neutralised(frame).to_csv(target, index=False, **{"lineterminator": "\r\n", **options})
