"""The ``pricing`` model kind: elasticities from a tenant's order lines, price suggestions from the fitted model.

Fit: the product × period panel of units and net prices paid, a backtest (fit on all but the last periods,
predict their demand at the prices actually set, beside a no-elasticity and a pooled-elasticity fit), then
the final fit on everything. Saved as Parquet tables and JSON; answers ``suggest(product_id, cost, objective)``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from tendero.catalogue.refusals import Refusal
from tendero.kinds import Fitted, Frames, Holdout, HoldoutScore, KindParams, Progress
from tendero.pricing.elasticity import (
    ElasticityModel,
    ElasticitySettings,
    fit_elasticities,
    panel_from_order_lines,
)
from tendero.pricing.optimize import Objective, suggest

TEXT = {
    "suggestion": {
        "es": "Precio sugerido {price} ({change} frente a hoy, {current}); intervalo {low} a {high}. "
        "Elasticidad {b} (IC 95 %: {bl} a {bh}), estimada con {source}.",
        "en": "Suggested price {price} ({change} against today's {current}); interval {low} to {high}. "
        "Elasticity {b} (95 % CI: {bl} to {bh}), estimated from {source}.",
    },
    "source.product": {"es": "los cambios de precio del producto", "en": "the product's own price changes"},
    "source.category": {"es": "su categoría", "en": "its category"},
    "guardrail": {
        "es": " Está en el límite de ±{x} % que fijan las reglas.",
        "en": " It sits on the ±{x} % guardrail.",
    },
    "below_cost": {
        "es": " Aviso: el coste ({cost}) supera incluso el precio máximo permitido.",
        "en": " Warning: the cost ({cost}) is above even the highest price allowed.",
    },
    "cannot": {
        "es": "No se puede estimar la elasticidad de este producto: su precio no ha variado lo suficiente "
        "(o tiene menos de {n} periodos con ventas).",
        "en": "Cannot estimate this product's elasticity: its price has not varied enough "
        "(or it has fewer than {n} periods with sales).",
    },
    "category_figure": {
        "es": " La elasticidad de su categoría «{category}» es {b} (IC 95 %: {bl} a {bh}).",
        "en": " Its category '{category}' has an elasticity of {b} (95 % CI: {bl} to {bh}).",
    },
    "no_category": {
        "es": " Su categoría tampoco tiene variación de precios.",
        "en": " Its category has no price variation either.",
    },
}


class PricingParams(KindParams):
    freq: Literal["D", "W", "M"] = Field("W", description="period of the demand model")
    min_periods: int = Field(8, ge=3, le=1000, description="periods with sales a product needs for its own estimate")
    min_variation: float = Field(0.02, ge=0.0, le=1.0, description="std of log price below which prices did not move")
    max_change: float = Field(0.10, gt=0.0, le=0.9, description="guardrail: at most this far from today's price")
    objective: Literal["revenue", "margin"] = "revenue"
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    holdout_periods: int = Field(8, ge=0, le=520, description="last periods kept for the backtest (0: none)")
    seasonality: bool = True
    trend: bool = True


def _fmt(value: float, lang: str, decimals: int = 2) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".") if lang == "es" else text


def _pct(value: float, lang: str) -> str:
    return f"{'+' if value >= 0 else ''}{_fmt(value * 100, lang, 1)} %"


class FittedPricing:
    """Per-product elasticities and what is needed to suggest a price (today's price, cost, recent demand)."""

    def __init__(
        self, model: ElasticityModel, catalogue: pd.DataFrame, params: PricingParams, metrics: dict[str, float]
    ) -> None:
        self.model = model
        self.catalogue = catalogue  # product_id, current_price, cost, name
        self.params = params
        self.metrics = metrics
        self._products = model.products.set_index("product_id")
        self._categories = model.categories.set_index("category")

    def products(self) -> list[str]:
        return list(self._products.index)

    def knows(self, product_id: str) -> bool:
        return product_id in self._products.index or product_id in self.catalogue.index

    def elasticities(self) -> pd.DataFrame:
        return self.model.products.copy()

    def suggest(
        self,
        product_id: str,
        cost: float | None = None,
        objective: Objective | None = None,
        max_change: float | None = None,
        lang: str = "es",
    ) -> dict[str, Any]:
        """The 3T contract's price suggestion for one product (KeyError if the model never saw it)."""
        lang = "es" if lang == "es" else "en"
        if not self.knows(product_id):
            raise KeyError(f"no product {product_id!r} in the pricing model")
        objective = objective or self.params.objective
        guardrail = max_change if max_change is not None else self.params.max_change
        listed = self.catalogue.loc[product_id] if product_id in self.catalogue.index else None
        row = self._products.loc[product_id] if product_id in self._products.index else None
        if cost is None and listed is not None and pd.notna(listed.get("cost")) and float(listed["cost"]) > 0:
            cost = float(listed["cost"])
        current = self._current_price(listed, row)
        category = (
            str(row["category"]) if row is not None else str(listed.get("category", "") if listed is not None else "")
        )
        cat = self._categories.loc[category] if category in self._categories.index else None
        cur = self.params.currency
        money = {"amount": None, "currency": cur}
        answer: dict[str, Any] = {
            "product_id": product_id,
            "category": category or None,
            "currency": cur,
            "objective": objective,
            "max_change": guardrail,
            "cost": cost,
            "current_price": current,
            "category_elasticity": self._category_figure(cat),
        }
        if row is None or row["source"] != "product":
            text = TEXT["cannot"][lang].format(n=self.params.min_periods)
            if cat is not None and math.isfinite(float(cat["elasticity"])):
                figure = answer["category_elasticity"]
                text += TEXT["category_figure"][lang].format(
                    category=category,
                    b=_fmt(figure["value"], lang),
                    bl=_fmt(figure["low"], lang),
                    bh=_fmt(figure["high"], lang),
                )
                if current is not None and row is not None:
                    answer["category_suggestion"] = self._suggestion(
                        row, current, float(cat["elasticity"]), float(cat["se"]), objective, guardrail, cost
                    )
            else:
                text += TEXT["no_category"][lang]
            return {
                **answer,
                "status": "cannot_estimate",
                "suggested_price": None,
                "elasticity": None,
                "message": text,
                "money": money,
            }
        assert current is not None
        suggestion = self._suggestion(
            row, current, float(row["elasticity"]), float(row["se"]), objective, guardrail, cost
        )
        values = {
            "price": f"{_fmt(suggestion['price'], lang)} {cur}",
            "current": f"{_fmt(current, lang)} {cur}",
            "change": _pct(suggestion["change"], lang),
            "low": f"{_fmt(suggestion['interval'][0], lang)} {cur}",
            "high": f"{_fmt(suggestion['interval'][1], lang)} {cur}",
            "b": _fmt(float(row["elasticity"]), lang),
            "bl": _fmt(suggestion["elasticity_interval"][0], lang),
            "bh": _fmt(suggestion["elasticity_interval"][1], lang),
            "source": TEXT["source.product"][lang],
        }
        text = TEXT["suggestion"][lang].format(**values)
        if suggestion["at_guardrail"]:
            text += TEXT["guardrail"][lang].format(x=_fmt(guardrail * 100, lang, 0))
        if suggestion["below_cost"]:
            text += TEXT["below_cost"][lang].format(cost=f"{_fmt(float(cost or 0), lang)} {cur}")
        return {
            **answer,
            "status": "estimated",
            "suggested_price": suggestion["price"],
            "elasticity": {
                "value": float(row["elasticity"]),
                "low": suggestion["elasticity_interval"][0],
                "high": suggestion["elasticity_interval"][1],
                "own": float(row["own_elasticity"]),
                "shrink_weight": float(row["shrink_weight"]),
                "periods": int(row["periods"]),
            },
            "suggestion": suggestion,
            "message": text,
            "money": {**money, "amount": suggestion["price"]},
        }

    def _current_price(self, listed: Any, row: Any) -> float | None:
        if listed is not None and pd.notna(listed.get("current_price")) and float(listed["current_price"]) > 0:
            return float(listed["current_price"])
        if row is not None and pd.notna(row["last_price"]):
            return float(row["last_price"])
        return None

    def _category_figure(self, cat: Any) -> dict[str, float] | None:
        if cat is None or not math.isfinite(float(cat["elasticity"])):
            return None
        b, se = float(cat["elasticity"]), float(cat["se"])
        return {"value": b, "low": b - 1.96 * se, "high": b + 1.96 * se, "products_estimated": int(cat["estimated"])}

    def _suggestion(
        self,
        row: Any,
        current: float,
        elasticity: float,
        se: float,
        objective: Objective,
        guardrail: float,
        cost: float | None,
    ) -> dict[str, Any]:
        recent_price = float(row["recent_price"]) if pd.notna(row.get("recent_price")) else current
        units_now = float(row["recent_units"]) * (current / recent_price) ** elasticity if recent_price > 0 else 0.0
        s = suggest(current, units_now, elasticity, se, objective, guardrail, cost)
        period = {"D": "day", "W": "week", "M": "month"}[self.params.freq]
        return {
            "price": s.price,
            "interval": [s.price_low, s.price_high],
            "change": s.change,
            "elasticity_interval": [s.elasticity_low, s.elasticity_high],
            "at_guardrail": s.at_guardrail,
            "below_cost": s.below_cost,
            "per": period,
            "expected": {
                "units": s.units,
                "units_interval": [s.units_low, s.units_high],
                "revenue": s.revenue,
                "margin": s.margin,
            },
            "today": {"units": units_now, "revenue": s.revenue_now, "margin": s.margin_now},
        }

    def probe(self) -> dict[str, Any]:
        return self.suggest(str(self.model.products["product_id"].iloc[0]))

    def save(self, folder: Path) -> None:
        self.model.products.to_parquet(folder / "products.parquet", index=False)
        self.model.categories.to_parquet(folder / "categories.parquet", index=False)
        self.catalogue.reset_index().to_parquet(folder / "catalogue.parquet", index=False)
        settings = self.model.settings
        meta = {
            "calendar": self.model.calendar,
            "months": self.model.months,
            "origin": self.model.origin.isoformat(),
            "freq": self.model.freq,
            "smearing": self.model.smearing,
            "params": self.params.model_dump(),
            "metrics": self.metrics,
            "settings": {
                "min_periods": settings.min_periods,
                "min_variation": settings.min_variation,
                "trend": settings.trend,
                "seasonality": settings.seasonality,
                "shrink": settings.shrink,
            },
        }
        (folder / "pricing.json").write_text(json.dumps(meta))

    @classmethod
    def load(cls, folder: Path) -> FittedPricing:
        meta = json.loads((folder / "pricing.json").read_text())
        model = ElasticityModel(
            products=pd.read_parquet(folder / "products.parquet"),
            categories=pd.read_parquet(folder / "categories.parquet"),
            calendar=meta["calendar"],
            months=meta["months"],
            origin=pd.Timestamp(meta["origin"]),
            freq=meta["freq"],
            settings=ElasticitySettings(**meta["settings"]),
            smearing=meta["smearing"],
        )
        catalogue = pd.read_parquet(folder / "catalogue.parquet").set_index("product_id")
        return cls(model, catalogue, PricingParams.model_validate(meta["params"]), meta["metrics"])


def backtest(panel: pd.DataFrame, settings: ElasticitySettings, freq: str, holdout: int) -> dict[str, float]:
    """Fit on all but the last ``holdout`` periods and predict their demand at the prices actually set:
    weighted absolute percentage error of units for the model, a no-elasticity fit and one pooled elasticity."""
    periods = np.sort(panel["period"].unique())
    if holdout <= 0 or len(periods) < holdout + max(settings.min_periods, 4):
        return {}
    cutoff = periods[-holdout]
    train, test = panel[panel["period"] < cutoff], panel[panel["period"] >= cutoff]
    test = test[test["product_id"].isin(set(train["product_id"]))]
    if test.empty:
        return {}
    never = ElasticitySettings(10**9, settings.min_variation, settings.trend, settings.seasonality, settings.shrink)
    fits = {
        "": fit_elasticities(train, settings, freq),
        "_no_elasticity": fit_elasticities(train, settings, freq, beta_override=0.0),
        "_pooled": fit_elasticities(train.assign(category="all"), never, freq),
    }
    out: dict[str, float] = {"backtest_periods": float(holdout), "backtest_rows": float(len(test))}
    for suffix, fitted in fits.items():
        out[f"backtest_wape{suffix}"] = wape(fitted, test)
    return out


def wape(model: ElasticityModel, rows: pd.DataFrame) -> float:
    """Weighted absolute percentage error of units predicted at the rows' actual prices."""
    log_units = model.predict_log_units(
        rows["product_id"].reset_index(drop=True),
        rows["period"].reset_index(drop=True),
        rows["price"].reset_index(drop=True),
    )
    smear = rows["category"].map(model.smearing).fillna(1.0).to_numpy() if "category" in rows else 1.0
    predicted = np.exp(log_units) * smear
    actual = rows["units"].to_numpy(dtype=np.float64)
    keep = np.isfinite(predicted)
    return float(np.abs(predicted[keep] - actual[keep]).sum() / actual[keep].sum())


class PricingKind:
    name: ClassVar[str] = "pricing"
    Params: ClassVar[type[KindParams]] = PricingParams
    needs: ClassVar[tuple[str, ...]] = ("order_lines", "products")
    fitted_type: ClassVar[type[FittedPricing]] = FittedPricing

    def algorithm(self, params: KindParams) -> str:
        return "loglog_fe_shrunk"

    def fit(self, frames: Frames, params: KindParams, progress: Progress) -> FittedPricing:
        assert isinstance(params, PricingParams)
        total = 4
        progress.update(0, total, message="reading order lines")
        panel = panel_from_order_lines(frames["order_lines"], params.freq)
        if panel.empty:
            raise Refusal("pricing.no_sales")
        settings = ElasticitySettings(params.min_periods, params.min_variation, params.trend, params.seasonality)
        progress.update(1, total, message=f"{panel['product_id'].nunique()} products, {len(panel)} product-periods")
        metrics = backtest(panel, settings, params.freq, params.holdout_periods)
        progress.update(2, total, message="backtest done", **metrics)
        model = fit_elasticities(panel, settings, params.freq)
        recent = panel[panel["period"] >= panel["period"].max() - pd.Timedelta(weeks=8)]
        weighted = recent.groupby("product_id").agg(revenue=("revenue", "sum"), units=("units", "sum"))
        model.products["recent_price"] = model.products["product_id"].map(weighted["revenue"] / weighted["units"])
        progress.update(3, total, message="elasticities fitted")
        catalogue = _catalogue(frames["products"])
        estimated = model.products["source"] == "product"
        metrics.update(
            products=float(len(model.products)),
            products_estimated=float(estimated.sum()),
            products_category_only=float((model.products["source"] == "category").sum()),
            median_elasticity=float(model.products.loc[estimated, "elasticity"].median())
            if estimated.any()
            else float("nan"),
            categories=float(len(model.categories)),
        )
        progress.update(total, total, message="done", **{k: v for k, v in metrics.items() if math.isfinite(v)})
        return FittedPricing(model, catalogue, params, {k: v for k, v in metrics.items() if math.isfinite(v)})

    # ---- champion/challenger: the newest periods, units at the prices actually set (WAPE) -----------------
    def holdout_metric(self, params: KindParams) -> tuple[str, bool]:
        return "wape", False

    def holdout_guardrails(self, params: KindParams) -> tuple[tuple[str, bool], ...]:
        return ()

    def split_holdout(self, frames: Frames, params: KindParams) -> Holdout:
        """The last ``holdout_periods`` periods (8 when the params say 0) of the product × period panel."""
        assert isinstance(params, PricingParams)
        panel = panel_from_order_lines(frames["order_lines"], params.freq)
        periods = np.sort(panel["period"].unique())
        holdout = params.holdout_periods or 8
        if len(periods) < holdout + max(params.min_periods, 4):
            raise Refusal("pricing.holdout", periods=len(periods), freq=params.freq, holdout=holdout,
                          needed=holdout + max(params.min_periods, 4))  # fmt: skip
        cut = pd.Timestamp(periods[-holdout])
        test = panel[panel["period"] >= cut].reset_index(drop=True)
        test["key"] = test["product_id"] + "@" + test["period"].dt.strftime("%Y-%m-%d")
        train = frames.derive(order_lines=lambda lines: lines[lines["ordered_at"] < cut])
        return Holdout(train=train, params=params, data={"test": test}, start=cut.date().isoformat(),
                       end=pd.Timestamp(periods[-1]).date().isoformat(), rows=len(test),
                       train_rows=int((panel["period"] < cut).sum()),
                       unit=f"product-periods at {params.freq}")  # fmt: skip

    def score_holdout(self, fitted: Fitted, holdout: Holdout, keys: frozenset[Any] | None = None) -> HoldoutScore:
        """Units predicted at each row's actual price, on the rows of products the model knows."""
        assert isinstance(fitted, FittedPricing)
        test: pd.DataFrame = holdout.data["test"]
        test = test[test["product_id"].isin(set(fitted.products()))]
        if keys is not None:
            test = test[test["key"].isin(keys)]
        if test.empty:
            return HoldoutScore({"wape": float("nan")}, frozenset())
        return HoldoutScore({"wape": wape(fitted.model, test)}, frozenset(test["key"]))


def _catalogue(products: pd.DataFrame) -> pd.DataFrame:
    columns = {
        "product_id": "product_id",
        "price": "current_price",
        "cost": "cost",
        "category": "category",
        "name": "name",
    }
    present = {k: v for k, v in columns.items() if k in products.columns}
    table = products[list(present)].rename(columns=present).copy()
    for column in ("current_price", "cost", "category", "name"):
        if column not in table.columns:
            table[column] = None
    table["product_id"] = table["product_id"].astype(str)
    table["current_price"] = pd.to_numeric(table["current_price"], errors="coerce")
    table["cost"] = pd.to_numeric(table["cost"], errors="coerce")
    return table.drop_duplicates("product_id").set_index("product_id")
