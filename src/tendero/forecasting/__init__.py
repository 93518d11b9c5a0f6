"""Sales and demand forecasting: series in, chosen engines, calibrated forecasts and backtests out.

- ``series.build_series``: order lines -> long ``unique_id, ds, y`` series plus a report of what was
  left out or ignored (the SmartSales365 data rules).
- ``forecaster.fit_forecast``: rolling-origin backtests, choice by MASE, conformal intervals.
- ``hierarchy.bottom_up``: coherent totals; ``payloads``: dashboard, 3T demand, drift.
- ``kind.ForecastKind``: the ``forecast`` model kind.
"""
