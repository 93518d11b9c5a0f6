"""Plotly figures as plain dicts (data + layout), drawn in the browser by the plotly.js the package ships."""

from __future__ import annotations

from typing import Any

from tendero.web.summaries import SalesSummary

ACCENT = "#0f766e"
SOFT = "#94a3b8"
LAYOUT: dict[str, Any] = {
    "margin": {"l": 48, "r": 12, "t": 12, "b": 36},
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
    "font": {"family": "system-ui, sans-serif", "size": 12, "color": "#334155"},
    "xaxis": {"gridcolor": "#e2e8f0"},
    "yaxis": {"gridcolor": "#e2e8f0", "rangemode": "tozero"},
    "legend": {"orientation": "h", "y": -0.15},
    "height": 300,
}


def sales_figure(summary: SalesSummary, daily_label: str, average_label: str) -> dict[str, Any]:
    daily = summary.daily
    return {
        "data": [
            {"type": "bar", "x": daily["day"], "y": daily["revenue"], "name": daily_label,
             "marker": {"color": "#99f6e4"}, "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>"},
            {"type": "scatter", "mode": "lines", "x": daily["day"], "y": daily["avg7"], "name": average_label,
             "line": {"color": ACCENT, "width": 2.5}, "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>"},
        ],
        "layout": {**LAYOUT, "bargap": 0.1},
    }  # fmt: skip


def categories_figure(summary: SalesSummary) -> dict[str, Any]:
    names = [name for name, _ in reversed(summary.categories)]
    values = [value for _, value in reversed(summary.categories)]
    return {
        "data": [{"type": "bar", "orientation": "h", "x": values, "y": names, "marker": {"color": ACCENT},
                  "hovertemplate": "%{y}: %{x:,.0f}<extra></extra>"}],
        "layout": {**LAYOUT, "margin": {"l": 110, "r": 12, "t": 12, "b": 36}, "height": 300,
                   "yaxis": {"automargin": True}},
    }  # fmt: skip
