"""Marks on sales charts for periods a person must not read as whole: the incomplete last period (shaded and
labelled where it sits, though it is left out of the history and the model)."""

from __future__ import annotations

from typing import Any


def mark_partial(figure: dict[str, Any], start: str, end: str, label: str) -> dict[str, Any]:
    """Shade ``start``..``end`` (ISO dates) with ``label`` above it; the figure is changed and returned."""
    layout = figure.setdefault("layout", {})
    layout.setdefault("shapes", []).append({
        "type": "rect", "xref": "x", "yref": "paper", "x0": start, "x1": end, "y0": 0, "y1": 1,
        "fillcolor": "rgba(148, 163, 184, 0.18)", "line": {"width": 1, "dash": "dot", "color": "#94a3b8"},
        "layer": "below",
    })  # fmt: skip
    layout.setdefault("annotations", []).append({
        "x": start, "xref": "x", "y": 1, "yref": "paper", "yanchor": "bottom", "xanchor": "left",
        "text": label, "showarrow": False, "font": {"size": 11, "color": "#64748b"},
    })  # fmt: skip
    return figure
