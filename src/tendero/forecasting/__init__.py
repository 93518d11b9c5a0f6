"""Sales and demand forecasting: series in, chosen engines, calibrated forecasts and backtests out.

The public surface is small, like statsforecast's: ``fit_forecast(df, ForecastConfig(h, freq,
season))`` returns a ``ForecastResult`` (forecast with intervals, choice, backtest evidence, report).
The stages live in their own modules: ``panel`` (gaps, duplicates, closed days), ``drivers``
(holidays, promotions), ``engines`` and ``global_model`` (what forecasts), ``backtest``,
``selection``, ``calibration``; ``series.build_series`` turns order lines into series; ``kind``
is the ``forecast`` model kind; ``hierarchy`` and ``payloads`` shape its answers.
"""

from tendero.forecasting.forecaster import ForecastConfig, ForecastResult, fit_forecast

__all__ = ["ForecastConfig", "ForecastResult", "fit_forecast"]
