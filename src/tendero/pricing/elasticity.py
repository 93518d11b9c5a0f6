"""Log-log demand with calendar controls, fitted per category with product fixed effects.

For product i of category c in period t::

    log units_it = a_i + b_i log price_it + g_c' calendar_t + e_it

The category's calendar effects g_c (month of year and a trend) and its pooled elasticity b_c come from one
within-product regression; each product's own b_i from its own price changes after the calendar is taken
out; and b_i is shrunk toward b_c by empirical Bayes (DerSimonian–Laird between-product variance), so a
product with few or small price changes borrows from its category. A product whose price never moved gets
no own estimate ("cannot estimate") and the category's figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tendero.catalogue.refusals import Refusal

Z95 = 1.959963984540054


@dataclass(frozen=True)
class ElasticitySettings:
    min_periods: int = 8  # periods with sales a product needs for its own estimate
    min_variation: float = 0.02  # standard deviation of log price (about 2 %) below which prices "did not move"
    trend: bool = True
    seasonality: bool = True
    shrink: bool = True  # False: estimable products keep their own estimate (the bench's unshrunk baseline)


def panel_from_order_lines(order_lines: pd.DataFrame, freq: str = "W") -> pd.DataFrame:
    """Units, revenue and the average net price paid per product and period (periods with sales only).

    The net price is revenue / units, so discounts and promotions count as the price changes they are.
    Cancelled orders and returns are left out.
    """
    lines = order_lines
    if "status" in lines.columns:
        lines = lines[lines["status"].fillna("completed") != "cancelled"]
    lines = lines[(lines["quantity"] > 0) & (lines["revenue"] > 0)]
    if lines.empty:
        return pd.DataFrame(columns=["product_id", "category", "period", "units", "revenue", "price"])
    period = lines["ordered_at"].dt.to_period(freq).dt.start_time
    category = lines["category"].fillna("") if "category" in lines.columns else ""
    frame = pd.DataFrame({"product_id": lines["product_id"].astype(str), "category": category, "period": period,
                          "units": lines["quantity"].astype(float),
                          "revenue": lines["revenue"].astype(float)})  # fmt: skip
    panel = frame.groupby(["product_id", "period"], as_index=False).agg(
        category=("category", "last"), units=("units", "sum"), revenue=("revenue", "sum")
    )
    panel["price"] = panel["revenue"] / panel["units"]
    return panel[["product_id", "category", "period", "units", "revenue", "price"]]


def calendar_matrix(periods: pd.Series, origin: pd.Timestamp, months: list[int], settings: ElasticitySettings
                    ) -> np.ndarray:  # fmt: skip
    """Month-of-year dummies (the first month seen is the reference) and a trend in years."""
    columns = []
    stamps = pd.to_datetime(periods)
    if settings.seasonality:
        month = stamps.dt.month.to_numpy()
        columns += [(month == m).astype(np.float64) for m in months[1:]]
    if settings.trend:
        columns.append(((stamps - origin).dt.days.to_numpy() / 365.25).astype(np.float64))
    if not columns:
        return np.zeros((len(stamps), 0))
    return np.column_stack(columns)


@dataclass
class ElasticityModel:
    """The fitted elasticities, calendar effects and product levels; enough to predict demand at any price."""

    products: pd.DataFrame  # product_id, category, periods, variation, own_elasticity, own_se, elasticity, se,
    #                         source (product/category/none), shrink_weight, intercept, last_price, recent_units
    categories: pd.DataFrame  # category, elasticity, se, tau2, products, estimated
    calendar: dict[str, list[float]]  # category -> coefficients of calendar_matrix's columns
    months: list[int]
    origin: pd.Timestamp
    freq: str
    settings: ElasticitySettings
    smearing: dict[str, float]  # category -> mean exp(residual): unbiased level of units from log units

    def predict_log_units(self, product_ids: pd.Series, periods: pd.Series, prices: pd.Series) -> np.ndarray:
        """Expected log units at the given prices, NaN for products the model never saw."""
        table = self.products.set_index("product_id")
        known = product_ids.isin(table.index).to_numpy()
        out = np.full(len(product_ids), np.nan)
        if not known.any():
            return out
        ids = product_ids[known]
        rows = table.loc[ids]
        calendar = calendar_matrix(periods[known].reset_index(drop=True), self.origin, self.months, self.settings)
        effect = np.zeros(len(ids))
        categories = rows["category"].to_numpy()
        for category in np.unique(categories):
            gamma = np.asarray(self.calendar.get(category, []), dtype=np.float64)
            mask = categories == category
            if len(gamma):
                effect[mask] = calendar[mask] @ gamma
        beta = rows["elasticity"].fillna(0.0).to_numpy()
        out[known] = rows["intercept"].to_numpy() + beta * np.log(prices[known].to_numpy()) + effect
        return out


def _within(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame[columns] - frame.groupby("product_id")[columns].transform("mean")


def fit_elasticities(panel: pd.DataFrame, settings: ElasticitySettings | None = None, freq: str = "W",
                     beta_override: float | None = None) -> ElasticityModel:  # fmt: skip
    """Fit the model on a ``panel_from_order_lines`` frame. ``beta_override`` fixes every elasticity (0 gives
    the no-elasticity baseline that backtests compare against)."""
    settings = settings or ElasticitySettings()
    panel = panel[(panel["units"] > 0) & (panel["price"] > 0)].copy()
    if panel.empty:
        raise Refusal("pricing.no_positive_sales")
    panel["category"] = panel["category"].fillna("").astype(str)
    panel["y"] = np.log(panel["units"].to_numpy(dtype=np.float64))
    panel["x"] = np.log(panel["price"].to_numpy(dtype=np.float64))
    origin = pd.Timestamp(panel["period"].min())
    months = sorted(pd.to_datetime(panel["period"]).dt.month.unique().tolist())
    calendar = calendar_matrix(panel["period"], origin, months, settings)
    names = [f"c{j}" for j in range(calendar.shape[1])]
    for j, name in enumerate(names):
        panel[name] = calendar[:, j]
    product_rows, category_rows, gammas, smearing = [], [], {}, {}
    for category, rows in panel.groupby("category", sort=True):
        fitted = _fit_category(rows, names, settings, beta_override)
        product_rows.append(fitted[0])
        category_rows.append({"category": category, **fitted[1]})
        gammas[str(category)] = fitted[2]
        smearing[str(category)] = fitted[3]
    products = pd.concat(product_rows, ignore_index=True)
    last = panel.sort_values("period").groupby("product_id").tail(1).set_index("product_id")
    products["last_price"] = products["product_id"].map(last["price"])
    products["last_period"] = products["product_id"].map(last["period"])
    recent = panel[panel["period"] >= panel["period"].max() - pd.Timedelta(weeks=8)]
    span = max(1, recent["period"].nunique())
    products["recent_units"] = products["product_id"].map(recent.groupby("product_id")["units"].sum() / span)
    products["recent_units"] = products["recent_units"].fillna(0.0)
    return ElasticityModel(products, pd.DataFrame(category_rows), gammas, months, origin, freq, settings, smearing)


def _fit_category(rows: pd.DataFrame, names: list[str], settings: ElasticitySettings, beta_override: float | None
                  ) -> tuple[pd.DataFrame, dict, list[float], float]:  # fmt: skip
    demeaned = _within(rows, ["y", "x", *names])
    y, x = demeaned["y"].to_numpy(), demeaned["x"].to_numpy()
    calendar = demeaned[names].to_numpy()
    product_count = rows["product_id"].nunique()
    sxx_total = float((x * x).sum())
    has_variation = sxx_total > 1e-12 and beta_override is None
    design = np.column_stack([x, calendar]) if has_variation else calendar
    if design.shape[1]:
        coefficients, *_ = np.linalg.lstsq(design, y if beta_override is None else y - beta_override * x, rcond=None)
    else:
        coefficients = np.zeros(0)
    if has_variation:
        beta_c = float(coefficients[0])
        gamma = coefficients[1:]
        residual = y - design @ coefficients
        dof = max(1, len(y) - design.shape[1] - product_count)
        sigma2 = float(residual @ residual) / dof
        try:
            beta_c_se = math.sqrt(sigma2 * float(np.linalg.pinv(design.T @ design)[0, 0]))
        except np.linalg.LinAlgError:  # pragma: no cover - pinv does not raise on finite input
            beta_c_se = math.nan
    else:
        beta_c = float(beta_override) if beta_override is not None else math.nan
        beta_c_se = 0.0 if beta_override is not None else math.nan
        gamma = coefficients
    calendar_effect = calendar @ gamma if len(gamma) else np.zeros(len(y))
    frame = pd.DataFrame({"product_id": rows["product_id"].to_numpy(), "x": x, "y": y - calendar_effect,
                          "raw_x": rows["x"].to_numpy()})  # fmt: skip
    frame["xx"], frame["xy"], frame["yy"] = frame["x"] ** 2, frame["x"] * frame["y"], frame["y"] ** 2
    grouped = frame.groupby("product_id", sort=True)
    sums = grouped[["xx", "xy", "yy"]].sum()
    periods = grouped.size()
    variation = grouped["raw_x"].std(ddof=0).fillna(0.0)
    sxx, sxy, syy = sums["xx"].to_numpy(), sums["xy"].to_numpy(), sums["yy"].to_numpy()
    estimable = (periods.to_numpy() >= settings.min_periods) & (variation.to_numpy() >= settings.min_variation)
    estimable &= (sxx > 1e-12) & (beta_override is None)
    safe_sxx = np.where(estimable, sxx, 1.0)
    own = np.where(estimable, sxy / safe_sxx, np.nan)
    rss = np.clip(syy - np.where(estimable, own, 0.0) * sxy, 0.0, None)
    own_se = np.where(estimable, np.sqrt(rss / np.maximum(periods.to_numpy() - 2, 1) / safe_sxx), np.nan)
    tau2 = _between_variance(own[estimable], own_se[estimable], beta_c)
    if beta_override is not None:
        weight = np.zeros(len(periods))
        elasticity = np.full(len(periods), float(beta_override))
        se = np.zeros(len(periods))
        source = np.full(len(periods), "fixed", dtype=object)
    else:
        weight = np.where(estimable, tau2 / (tau2 + np.where(estimable, own_se, 1.0) ** 2), 0.0)
        if not settings.shrink:
            weight = estimable.astype(np.float64)
        elasticity = np.where(estimable, weight * own + (1 - weight) * beta_c, beta_c)
        posterior_var = np.where(estimable, weight * np.nan_to_num(own_se) ** 2, 0.0)
        se = np.sqrt(posterior_var + ((1 - weight) * beta_c_se) ** 2)
        source = np.where(estimable, "product", "category" if math.isfinite(beta_c) else "none").astype(object)
    slope = pd.Series(np.nan_to_num(elasticity, nan=0.0), index=periods.index)
    raw = rows[["product_id", "y", "x"]].assign(calendar=_raw_calendar(rows, names, gamma))
    raw["level"] = raw["y"] - slope.reindex(raw["product_id"]).to_numpy() * raw["x"] - raw["calendar"]
    intercept = raw.groupby("product_id", sort=True)["level"].mean()
    residual = raw["level"] - intercept.reindex(raw["product_id"]).to_numpy()
    smear = float(np.mean(np.exp(residual))) if len(residual) else 1.0
    categories = rows.groupby("product_id", sort=True)["category"].last()
    products = pd.DataFrame({
        "product_id": periods.index.to_numpy(), "category": categories.to_numpy(), "periods": periods.to_numpy(),
        "variation": variation.to_numpy(), "own_elasticity": own, "own_se": own_se, "elasticity": elasticity,
        "se": se, "source": source, "shrink_weight": weight, "intercept": intercept.to_numpy(),
    })  # fmt: skip
    summary = {"elasticity": beta_c, "se": beta_c_se, "tau2": tau2, "products": len(periods),
               "estimated": int(estimable.sum())}  # fmt: skip
    return products, summary, [float(g) for g in gamma], smear


def _raw_calendar(rows: pd.DataFrame, names: list[str], gamma: np.ndarray) -> np.ndarray:
    if not len(gamma):
        return np.zeros(len(rows))
    return rows[names].to_numpy() @ gamma


def _between_variance(estimates: np.ndarray, errors: np.ndarray, center: float) -> float:
    """DerSimonian–Laird between-product variance of the elasticities around the category's."""
    keep = np.isfinite(estimates) & np.isfinite(errors) & (errors > 0)
    estimates, errors = estimates[keep], errors[keep]
    if len(estimates) < 2 or not math.isfinite(center):
        return 0.0
    w = 1.0 / errors**2
    q = float((w * (estimates - center) ** 2).sum())
    denominator = float(w.sum() - (w**2).sum() / w.sum())
    if denominator <= 0:
        return 0.0
    return max(0.0, (q - (len(estimates) - 1)) / denominator)
