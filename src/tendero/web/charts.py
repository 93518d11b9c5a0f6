"""Plotly figures as plain dicts (data + layout), drawn in the browser by the plotly.js the package ships."""

from __future__ import annotations

import re
from typing import Any

from tendero.services.summaries import SalesSummary

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


BAND_80 = "rgba(15,118,110,0.28)"
BAND_95 = "rgba(15,118,110,0.12)"


def forecast_figure(
    history: dict[str, list[Any]], forecast: dict[str, list[Any]], labels: dict[str, str]
) -> dict[str, Any]:
    """History, the point forecast and its 95 % and 80 % bands (each band: upper edge, then lower filled to it)."""
    data: list[dict[str, Any]] = []
    for level, colour in (("95", BAND_95), ("80", BAND_80)):
        if f"hi-{level}" not in forecast:
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": forecast["ds"],
                "y": forecast[f"hi-{level}"],
                "line": {"width": 0},
                "showlegend": False,
                "hoverinfo": "skip",
                "legendgroup": level,
            }
        )
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": forecast["ds"],
                "y": forecast[f"lo-{level}"],
                "line": {"width": 0},
                "fill": "tonexty",
                "fillcolor": colour,
                "name": labels[f"band{level}"],
                "legendgroup": level,
                "hoverinfo": "skip",
            }
        )
    data.append(
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": history["ds"],
            "y": history["y"],
            "name": labels["history"],
            "line": {"color": "#334155", "width": 2},
            "marker": {"size": 4},
            "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>",
        }
    )
    data.append(
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": forecast["ds"],
            "y": forecast["yhat"],
            "name": labels["forecast"],
            "line": {"color": ACCENT, "width": 2.5, "dash": "dot"},
            "marker": {"size": 5},
            "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>",
        }
    )
    return {"data": data, "layout": {**LAYOUT, "height": 340}}  # fmt: skip


def horizontal_bars(names: list[str], values: list[float], hover: str = "%{y}: %{x:,.0f}") -> dict[str, Any]:
    """Largest first, read from the top; long names get the room they need."""
    return {
        "data": [{"type": "bar", "orientation": "h", "x": list(reversed(values)), "y": list(reversed(names)),
                  "marker": {"color": ACCENT}, "hovertemplate": hover + "<extra></extra>"}],
        "layout": {**LAYOUT, "margin": {"l": 12, "r": 12, "t": 12, "b": 36},
                   "height": max(220, 30 * len(names) + 60), "yaxis": {"automargin": True}},
    }  # fmt: skip


def spend_figure(months: list[str], revenue: list[float]) -> dict[str, Any]:
    return {
        "data": [{"type": "bar", "x": months, "y": revenue, "marker": {"color": ACCENT},
                  "hovertemplate": "%{x}: %{y:,.2f}<extra></extra>"}],
        "layout": {**LAYOUT, "height": 220},
    }  # fmt: skip


_HOVER = re.compile(r"^%\{(x|y)\}: %\{(x|y)(:[^}]*)?\}")


def with_axes(figure: dict[str, Any], x: str | None, y: str | None) -> dict[str, Any]:
    """The figure with its axis titles, and hover texts that name the value they show (``%{x}: %{y}`` becomes
    ``%{x}<br>Ventas: %{y}``): the words come from the catalogue, in the page's language."""
    titles = {"x": x, "y": y}
    layout = figure.setdefault("layout", {})
    for axis, title in titles.items():
        if title:
            style = dict(layout.get(f"{axis}axis", LAYOUT[f"{axis}axis"]))
            style["title"] = {"text": title}
            layout[f"{axis}axis"] = style
    for trace in figure.get("data", []):
        template = trace.get("hovertemplate")
        found = _HOVER.match(template) if isinstance(template, str) else None
        if found and titles[found.group(2)]:
            key, value, fmt = found.group(1), found.group(2), found.group(3) or ""
            name = str(titles[value]).replace("%", "%%").replace("{", "(").replace("}", ")")
            trace["hovertemplate"] = f"%{{{key}}}<br>{name}: %{{{value}{fmt}}}" + template[found.end() :]
    return figure
