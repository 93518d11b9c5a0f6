"""The real files of ../shared/data import with reports whose counts add up, and come back out whole."""

from __future__ import annotations

import pandas as pd
import pytest

from support import shared_data
from tendero.data.imports import import_file
from tendero.store import commerce

pytestmark = pytest.mark.slow


def test_online_retail_ii_imports_with_every_line_accounted_for(tenant):
    path = shared_data("customers/online_retail_II_subset.csv")
    report = import_file(tenant.id, "order_lines", path, returns="keep")
    counts = report.counts
    raw = pd.read_csv(path, dtype=str)
    assert counts["rows_read"] == len(raw)
    assert counts["inserted"] + counts["merged"] + counts["rejected"] == counts["rows_read"]
    assert len(report.rejections) == counts["rejected"]
    # returns (invoices starting with C) are kept as returned orders; lines without a customer are guest orders
    lines = commerce.read_order_lines(tenant.id)
    returned = lines[lines["status"] == "returned"]
    assert len(returned) > 0 and returned["order_id"].str.startswith("C").all()
    assert lines["customer_id"].isna().sum() > 0
    # round trip: the file's revenue comes back out of the frames to the cent
    file_revenue = (pd.to_numeric(raw["Quantity"]) * pd.to_numeric(raw["Price"])).sum()
    assert lines["revenue"].sum() == pytest.approx(file_revenue, abs=0.01)
    assert lines["quantity"].sum() == pd.to_numeric(raw["Quantity"]).sum()
    again = import_file(tenant.id, "order_lines", path, returns="keep")
    assert again.counts["unchanged"] == counts["inserted"] and again.counts["inserted"] == 0


def test_online_retail_ii_returns_rejected_by_default_are_each_explained(tenant):
    path = shared_data("customers/online_retail_II_subset.csv")
    report = import_file(tenant.id, "order_lines", path)
    raw = pd.read_csv(path, dtype=str)
    negative = int((pd.to_numeric(raw["Quantity"]) < 0).sum())
    assert report.counts["rejected"] == negative
    assert report.details["rejection_reasons"] == {
        "negative quantity (a return: import with returns=keep to keep it)": negative
    }


def test_cdnow_imports_with_a_mapping_and_keeps_every_dollar(tenant):
    path = shared_data("customers/CDNOW_master.txt")
    report = import_file(
        tenant.id, "order_lines", path,
        mapping={"date": "ordered_at", "number_of_cds": "quantity", "dollar_value": "amount"},
        constants={"product_id": "cd"},
    )  # fmt: skip
    raw = pd.read_csv(path, sep=r"\s+")
    counts = report.counts
    assert counts["rows_read"] == len(raw) == 69_659
    assert counts["inserted"] + counts["merged"] == len(raw) and counts["rejected"] == 0
    lines = commerce.read_order_lines(tenant.id)
    assert lines["customer_id"].nunique() == 23_570
    assert lines["revenue"].sum() == pytest.approx(raw["dollar_value"].sum(), abs=0.01)
    assert lines["ordered_at"].min() == pd.Timestamp("1997-01-01")
