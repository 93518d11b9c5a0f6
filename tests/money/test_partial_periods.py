"""A last period that the data stops inside is left out of the series and said so: the data of an export ends
on the 9th of a month or mid-week; a live shop's quiet last days, or days up to a given ``as_of``, are not that."""

from __future__ import annotations

import pandas as pd

from tendero.forecasting.series import build_series


def _lines(days: pd.DatetimeIndex) -> pd.DataFrame:
    return pd.DataFrame({"ordered_at": days, "quantity": 1.0, "category": "tazas", "status": "completed"})


def test_an_export_that_stops_on_the_9th_drops_that_month_and_says_which_days_it_had():
    out = build_series(_lines(pd.date_range("2011-01-01", "2011-12-09", freq="D")), level="total", freq="M")
    assert out.report.partial_period == {"start": "2011-12-01", "end": "2011-12-31", "covered_until": "2011-12-09",
                                         "reason": "data_end"}  # fmt: skip
    assert out.frame["ds"].max() == pd.Timestamp("2011-11-01")


def test_an_export_that_stops_in_the_last_days_of_a_month_keeps_it():
    out = build_series(_lines(pd.date_range("2011-01-01", "2011-12-29", freq="D")), level="total", freq="M")
    assert out.report.partial_period is None and out.frame["ds"].max() == pd.Timestamp("2011-12-01")


def test_weeks_stop_mid_week_but_a_shop_shut_on_sunday_has_whole_weeks():
    friday = build_series(_lines(pd.date_range("2011-01-03", "2011-12-09", freq="D")), level="total", freq="W")
    assert friday.report.partial_period is not None and friday.report.partial_period["start"] == "2011-12-05"
    saturday = build_series(_lines(pd.date_range("2011-01-03", "2011-12-10", freq="D")), level="total", freq="W")
    assert saturday.report.partial_period is None


def test_the_days_up_to_a_given_as_of_are_real_quiet_days():
    out = build_series(_lines(pd.date_range("2011-01-01", "2011-10-09", freq="D")), level="total", freq="M",
                       as_of=pd.Timestamp("2011-12-15"))  # fmt: skip
    assert out.report.partial_period is None
    assert out.frame["ds"].max() == pd.Timestamp("2011-10-01")
