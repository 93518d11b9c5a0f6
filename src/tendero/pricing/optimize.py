"""The best price for an elasticity, inside guardrails, with the interval the elasticity's uncertainty gives.

Demand is taken as constant-elasticity around today's price, q(p) = q0 (p / p0)^b. Then revenue p q(p)
rises with price when -1 < b and falls when b < -1, so the revenue optimum sits on a guardrail; the margin
(p - cost) q(p) peaks at the Lerner price cost * b / (1 + b) when b < -1. Every answer is clipped to
[p0 (1 - max_change), p0 (1 + max_change)] and never below cost when cost is known. The optimal price moves
monotonically with b, so the prices at the ends of b's 95 % interval bound the suggestion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Objective = Literal["revenue", "margin"]
Z95 = 1.959963984540054


@dataclass(frozen=True)
class PriceBounds:
    lower: float
    upper: float
    below_cost: bool  # even the upper guardrail is under cost


def bounds(current: float, max_change: float, cost: float | None) -> PriceBounds:
    lower, upper = current * (1 - max_change), current * (1 + max_change)
    below_cost = cost is not None and cost > upper
    if cost is not None:
        lower = min(max(lower, cost), upper)
    return PriceBounds(lower, upper, below_cost)


def optimal_price(current: float, elasticity: float, objective: Objective, max_change: float,
                  cost: float | None = None) -> float:  # fmt: skip
    """The revenue- or margin-maximising price for a constant elasticity, inside the guardrails."""
    box = bounds(current, max_change, cost)
    if box.below_cost:
        return box.upper
    if objective == "margin" and cost is not None and cost > 0:
        if elasticity < -1:
            return min(max(cost * elasticity / (1 + elasticity), box.lower), box.upper)
        return box.upper
    if elasticity < -1:
        return box.lower
    if elasticity > -1:
        return box.upper
    return min(max(current, box.lower), box.upper)


def demand_at(price: float, current: float, current_units: float, elasticity: float) -> float:
    return current_units * (price / current) ** elasticity


@dataclass(frozen=True)
class Suggestion:
    price: float
    price_low: float
    price_high: float
    change: float  # relative to today's price
    units: float
    units_low: float
    units_high: float
    revenue: float
    revenue_now: float
    margin: float | None
    margin_now: float | None
    elasticity_low: float
    elasticity_high: float
    at_guardrail: bool
    below_cost: bool


def suggest(current: float, current_units: float, elasticity: float, elasticity_se: float, objective: Objective,
            max_change: float, cost: float | None = None) -> Suggestion:  # fmt: skip
    """The suggested price, its 95 % interval, and demand, revenue and margin per period there and today."""
    se = elasticity_se if math.isfinite(elasticity_se) else 0.0
    low_b, high_b = elasticity - Z95 * se, elasticity + Z95 * se
    price = optimal_price(current, elasticity, objective, max_change, cost)
    ends = sorted(optimal_price(current, b, objective, max_change, cost) for b in (low_b, high_b))
    units = demand_at(price, current, current_units, elasticity)
    at_ends = sorted(demand_at(price, current, current_units, b) for b in (low_b, high_b))
    box = bounds(current, max_change, cost)
    at_guardrail = math.isclose(price, box.lower, rel_tol=1e-9) or math.isclose(price, box.upper, rel_tol=1e-9)
    return Suggestion(
        price=price, price_low=ends[0], price_high=ends[1], change=price / current - 1, units=units,
        units_low=at_ends[0], units_high=at_ends[1], revenue=price * units, revenue_now=current * current_units,
        margin=(price - cost) * units if cost is not None else None,
        margin_now=(current - cost) * current_units if cost is not None else None,
        elasticity_low=low_b, elasticity_high=high_b, at_guardrail=at_guardrail, below_cost=box.below_cost,
    )  # fmt: skip
