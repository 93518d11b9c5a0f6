"""Row validation of imports, vectorised per chunk: typed valid rows out, one explained issue per bad row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

import numpy as np
import pandas as pd

from tendero.data.dates import EARLIEST, parse_datetimes, unparsed_reasons
from tendero.data.formulas import formula_mask
from tendero.data.issues import Issue
from tendero.data.messages import Text, say
from tendero.data.numbers import parse_numbers
from tendero.data.schema import Entity
from tendero.data.table import ROW

TRUE_WORDS = {"true", "1", "yes", "y", "t", "si", "sí", "verdadero", "x"}
FALSE_WORDS = {"false", "0", "no", "n", "f", "falso", ""}
Returns = Literal["reject", "keep"]
Reasons = Text | Sequence[Text] | np.ndarray
FLOAT_WRITTEN_ID = r"^(0|[1-9][0-9]{0,15})\.0+$"  # a whole number as a float writer prints it

__all__ = ["ROW", "ChunkCheck", "Returns", "check_chunk", "parse_datetimes", "parse_numbers"]


class ChunkCheck:
    """Collects the first problem of each row of a chunk while fields are parsed one after another."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.bad = np.zeros(len(frame), dtype=bool)
        self.rejections: list[Issue] = []

    def reject(self, mask: np.ndarray | pd.Series, column: str | None, reasons: Reasons,
               shown_column: str | None = None) -> None:  # fmt: skip
        """Reject the rows of ``mask`` not rejected yet; ``reasons`` is one message or one per row of the frame."""
        mask = np.asarray(mask, dtype=bool) & ~self.bad
        if not mask.any():
            return
        where = np.flatnonzero(mask)
        rows = self.frame[ROW].to_numpy()[where]
        values = self.frame[column].to_numpy()[where] if column and column in self.frame else [None] * len(where)
        texts = [reasons] * len(where) if isinstance(reasons, Text) else [reasons[int(i)] for i in where]
        name = shown_column or column
        for row, value, text in zip(rows, values, texts, strict=True):
            self.rejections.append(Issue.of(text, row=int(row), column=name, value=value))
        self.bad |= mask


def _blank_to_nan(series: pd.Series) -> pd.Series:
    """Trimmed text with blanks as missing; Arrow strings, so the string kernels run in C."""
    text = series.astype("string[pyarrow]").str.strip()
    return text.mask(text == "", pd.NA)


def read_id(raw: pd.Series) -> pd.Series:
    """Ids as the file wrote them, less the ``.0`` that a float writer adds to a whole number.

    Spreadsheets and pandas write an integer id column that has blanks as floats (``12536.0``):
    no person wrote that ``.0``, and nobody asks for customer ``12536.0``. Only the canonical float
    form is read back (``0.0``, ``12536.0``): ``00123``, ``00123.0``, ``A-1.0`` and ``1.50`` stay
    exactly as written.
    """
    return raw.str.replace(FLOAT_WRITTEN_ID, r"\1", regex=True)


def _check_dates(check: ChunkCheck, name: str, raw: pd.Series, parsed: pd.Series, *, not_future: bool,
                 now: datetime) -> None:  # fmt: skip
    unparsed = (raw.notna() & parsed.isna()).to_numpy()
    if unparsed.any():
        reasons = np.empty(len(raw), dtype=object)
        reasons[unparsed] = unparsed_reasons(raw[unparsed], not_future=not_future, today=now.date())
        check.reject(unparsed, name, reasons)
    if not_future:
        check.reject((parsed > pd.Timestamp(now + timedelta(days=1))).fillna(False), name, say("rule.date_future"))
    early = (parsed < EARLIEST).fillna(False).to_numpy()
    if early.any():
        reasons = np.empty(len(raw), dtype=object)
        years = parsed.dt.year.to_numpy()
        reasons[early] = [say("rule.date_before_1900", year=str(int(year))) for year in years[early]]
        check.reject(early, name, reasons)


def check_chunk(
    entity: Entity,
    frame: pd.DataFrame,
    *,
    now: datetime,
    returns: Returns = "reject",
) -> tuple[pd.DataFrame, list[Issue]]:
    """Parse and check one chunk (text columns + ``__row__``); returns the typed valid rows."""
    check = ChunkCheck(frame)
    out = pd.DataFrame({ROW: frame[ROW].to_numpy()}, index=frame.index)
    for field in entity.fields:
        if field.name not in frame:
            out[field.name] = pd.Series(pd.NA, index=frame.index, dtype="object")
            continue
        raw = _blank_to_nan(frame[field.name])
        if field.required:
            check.reject(raw.isna(), field.name, say("rule.missing", field=field.name))
        if field.type in ("str", "text"):
            check.reject(formula_mask(raw), field.name, say("cell.formula"))
            if field.choices:
                lowered = raw.str.lower()
                check.reject(raw.notna() & ~lowered.isin(field.choices), field.name,
                             say("rule.choices", choices=", ".join(field.choices)))  # fmt: skip
                raw = lowered
            if field.is_id:
                raw = read_id(raw)
            out[field.name] = raw.astype(object).where(raw.notna(), None)
        elif field.type == "datetime":
            parsed = parse_datetimes(raw)
            _check_dates(check, field.name, raw, parsed, not_future=field.not_future, now=now)
            out[field.name] = parsed
        elif field.type == "float":
            parsed = parse_numbers(raw)
            check.reject(raw.notna() & parsed.isna(), field.name, say("rule.not_number"))
            finite = parsed.notna()
            if field.minimum is not None:
                check.reject(finite & (parsed < field.minimum), field.name,
                             say("rule.at_least", field=field.name, limit=f"{field.minimum:g}"))  # fmt: skip
            if field.maximum is not None:
                check.reject(finite & (parsed > field.maximum), field.name,
                             say("rule.at_most", field=field.name, limit=f"{field.maximum:g}"))  # fmt: skip
            out[field.name] = parsed
        elif field.type == "bool":
            lowered = raw.str.lower()
            known = lowered.isna() | lowered.isin(TRUE_WORDS | FALSE_WORDS)
            check.reject(~known, field.name, say("rule.not_bool"))
            out[field.name] = lowered.map(lambda v: None if v is pd.NA else v in TRUE_WORDS).astype(object)
    for column in frame.columns:  # attributes are text the shop's own columns carried: the same rule
        if column.startswith("attr:"):
            values = _blank_to_nan(frame[column])
            check.reject(formula_mask(values), column, say("cell.formula"), shown_column=column[5:])
            out[column] = values.astype(object).where(values.notna(), None)
    if "quantity" in entity.field_names and "quantity" in frame:
        quantity = out["quantity"]
        check.reject((quantity == 0).fillna(False), "quantity", say("rule.zero_quantity"))
        negative = (quantity < 0).fillna(False)
        if returns == "reject":
            check.reject(negative, "quantity", say("rule.negative_quantity"))
        elif "status" in entity.field_names:
            out.loc[negative.to_numpy() & ~check.bad, "status"] = "returned"
    if entity.name == "order_lines":
        _derive_order_line_fields(out, check)
    if entity.name == "interactions" and "value" in frame:
        ratings = (out["kind"] == "rating").fillna(False)
        check.reject(ratings & out["value"].isna(), "value", say("rule.rating_needs_value"))
        check.reject(ratings & ((out["value"] < 0) | (out["value"] > 10)).fillna(False), "value",
                     say("rule.rating_range"))  # fmt: skip
    return out[~check.bad], check.rejections


def _derive_order_line_fields(out: pd.DataFrame, check: ChunkCheck) -> None:
    """Unit price from the line amount, and an order id from customer and time, where the file lacks them."""
    price_missing = out["unit_price"].isna()
    if price_missing.any() and out["amount"].notna().any():
        derived = (out["amount"] / out["quantity"]).abs()
        out["unit_price"] = out["unit_price"].where(~price_missing, derived)
    check.reject(out["unit_price"].isna().to_numpy(), "unit_price",
                 say("rule.missing_or", field="unit_price", other="amount"))  # fmt: skip
    order_missing = out["order_id"].isna()
    if order_missing.any():
        stamp = out["ordered_at"].dt.strftime("%Y%m%d%H%M%S")
        derived = out["customer_id"].astype("string") + "-" + stamp
        out["order_id"] = out["order_id"].where(~order_missing, derived)
    check.reject(out["order_id"].isna().to_numpy(), "order_id",
                 say("rule.missing_or", field="order_id", other="customer_id"))  # fmt: skip
