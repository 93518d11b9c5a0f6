"""The forecast bench's names, shared by the command, its methods and its data sets (no imports: the command
stays light to import)."""

from __future__ import annotations

BASELINES = ("seasonal_naive", "auto_ets", "auto_theta", "mstl", "lightgbm")
LEVELS = (80, 95)
SUITE = ("walmart", "rossmann", "store_item", "m5")
