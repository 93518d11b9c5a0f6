"""A realistic demo store, generated and deterministic by seed: the shop ``tendero demo`` shows.

Customers buy as a Poisson process with gamma-spread rates and drop out after a purchase with a
beta-spread probability (the BG/NBD story), so segments, churn and lifetime value have something real
to find. Demand has trend, weekly and yearly seasonality, promotions and intermittent slow movers;
customers favour a few categories, so recommendations have structure too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

CATALOGUE: dict[str, dict[str, list[str]]] = {
    "Bebidas": {
        "kinds": [
            "Agua mineral",
            "Refresco de cola",
            "Zumo de naranja",
            "Té frío",
            "Cerveza",
            "Café en grano",
        ],
        "sizes": ["500 ml", "1 L", "1,5 L", "pack 6 x 330 ml", "250 g"],
    },
    "Lácteos": {
        "kinds": [
            "Leche entera",
            "Yogur natural",
            "Queso manchego",
            "Mantequilla",
            "Kéfir",
            "Nata para cocinar",
        ],
        "sizes": ["1 L", "pack 4", "250 g", "500 g"],
    },
    "Panadería": {
        "kinds": ["Pan de molde", "Baguette", "Croissant", "Magdalenas", "Pan integral", "Galletas María"],
        "sizes": ["400 g", "pack 6", "unidad", "800 g"],
    },
    "Snacks": {
        "kinds": ["Patatas fritas", "Frutos secos", "Chocolate negro", "Palomitas", "Barrita de cereales"],
        "sizes": ["150 g", "200 g", "pack 5", "100 g"],
    },
    "Limpieza": {
        "kinds": [
            "Detergente líquido",
            "Lavavajillas",
            "Limpiador multiusos",
            "Papel de cocina",
            "Suavizante",
        ],
        "sizes": ["1 L", "2 L", "pack 4", "750 ml"],
    },
    "Cuidado personal": {
        "kinds": ["Champú", "Gel de ducha", "Pasta de dientes", "Desodorante", "Crema hidratante"],
        "sizes": ["250 ml", "400 ml", "75 ml", "150 ml"],
    },
    "Frutas y verduras": {
        "kinds": ["Manzanas", "Plátanos", "Tomates", "Lechuga", "Naranjas", "Aguacates", "Fresas"],
        "sizes": ["1 kg", "bolsa 2 kg", "unidad", "bandeja 500 g"],
    },
    "Congelados": {
        "kinds": ["Pizza margarita", "Helado de vainilla", "Guisantes", "Croquetas", "Merluza"],
        "sizes": ["400 g", "1 L", "1 kg", "pack 12"],
    },
}
BRANDS = ["Sol de Mayo", "La Huerta", "Don Pedro", "Nórdica", "Abuela Rosa", "EcoVida", "Marisol", "Tendero"]
BASE_PRICE = {
    "Bebidas": 2.2, "Lácteos": 2.5, "Panadería": 1.8, "Snacks": 2.0, "Limpieza": 3.8,
    "Cuidado personal": 4.2, "Frutas y verduras": 2.4, "Congelados": 4.5,
}  # fmt: skip
COMPLEMENTS = [
    ("Pan de molde", "Mantequilla"),
    ("Patatas fritas", "Cerveza"),
    ("Pizza margarita", "Refresco de cola"),
    ("Champú", "Gel de ducha"),
    ("Café en grano", "Croissant"),
    ("Tomates", "Lechuga"),
    ("Detergente líquido", "Suavizante"),
    ("Leche entera", "Galletas María"),
]  # kinds bought together: each product of the first kind has one partner of the second
PARTNER_CHANCE = 0.45  # how often a product's partner joins it in the basket
SUMMER_CATEGORIES = {"Bebidas", "Congelados", "Frutas y verduras"}
STORES = ["Centro", "Norte", "Online"]
FIRST_NAMES = ["Ana", "Luis", "María", "Carlos", "Lucía", "Javier", "Sofía", "Diego", "Elena", "Pablo",
               "Carmen", "Miguel", "Laura", "Andrés", "Paula", "Jorge", "Marta", "Raúl", "Isabel", "Hugo"]  # fmt: skip
LAST_NAMES = ["García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Fernández", "Díaz", "Ruiz",
              "Torres", "Vargas", "Romero", "Navarro", "Castro", "Ortega", "Morales"]  # fmt: skip


@dataclass(frozen=True)
class DemoStore:
    """The generated store as canonical frames (columns as the importers expect them)."""

    customers: pd.DataFrame
    products: pd.DataFrame
    orders: pd.DataFrame
    order_items: pd.DataFrame
    interactions: pd.DataFrame


def _seasonality(days: pd.DatetimeIndex, start: date) -> np.ndarray:
    """Relative demand per day: trend, weekly cycle (weekends up), December and summer peaks."""
    t = (days - pd.Timestamp(start)).days.to_numpy() / 365.25
    trend = 1.0 + 0.12 * t
    weekly = np.array([0.85, 0.9, 0.95, 1.0, 1.15, 1.35, 0.8])[days.weekday]
    yearly = 1.0 + 0.25 * np.exp(-(((days.dayofyear.to_numpy() - 350) / 12.0) ** 2))
    return trend * weekly * yearly


WARM_UP_DAYS = 365  # the shop's life simulated before its data starts


def generate_store(
    *,
    seed: int = 7,
    customers: int = 1500,
    products_per_kind: int = 5,
    days: int = 730,
    end: date | None = None,
) -> DemoStore:
    """Generate a store; the same arguments always give the same data."""
    rng = np.random.default_rng(seed)
    end = end or (date.today() - timedelta(days=1))
    start = end - timedelta(days=days - 1)
    calendar = pd.date_range(start, end, freq="D")

    # products: every kind in a few brands and sizes, popularity Zipf-like, some slow movers
    rows: list[dict[str, Any]] = []
    for category, spec in CATALOGUE.items():
        for kind in spec["kinds"]:
            for brand in rng.choice(BRANDS, size=products_per_kind, replace=False):
                size = str(rng.choice(spec["sizes"]))
                price = round(float(BASE_PRICE[category] * rng.lognormal(0.0, 0.35)), 2)
                rows.append(
                    {
                        "product_id": f"P{len(rows) + 1:04d}",
                        "name": f"{kind} {brand} {size}",
                        "description": f"{kind} de la marca {brand}, formato {size}. Categoría {category.lower()}.",
                        "category": category,
                        "brand": str(brand),
                        "price": price,
                        "cost": round(price * float(rng.uniform(0.45, 0.75)), 2),
                        "active": True,
                    }
                )
    products = pd.DataFrame(rows)
    n_products = len(products)
    popularity = rng.pareto(1.2, n_products) + 0.05
    slow = rng.random(n_products) < 0.15
    popularity[slow] *= 0.02
    products.loc[rng.random(n_products) < 0.03, "active"] = False
    partner = _partners(products, np.random.default_rng([seed, 1]))
    categories = list(CATALOGUE)
    cat_index = products["category"].map({c: i for i, c in enumerate(categories)}).to_numpy()

    # promotions: two-week discounts on random products, doubling their demand
    promo = np.zeros((n_products, days), dtype=bool)
    for _ in range(max(1, days // 10)):
        product = int(rng.integers(n_products))
        first = int(rng.integers(0, max(1, days - 14)))
        promo[product, first : first + 14] = True

    # customers: BG/NBD-like — purchase rate ~ Gamma, dropout after each purchase ~ Beta. They arrive
    # all along, from a year before the data starts (so the shop has regulars on its first day and
    # new customers on its last; arrivals that stopped early made the demo's sales fall for months).
    rates = rng.gamma(shape=1.1, scale=1 / 18.0, size=customers)  # purchases per day
    dropout = rng.beta(1.0, 9.0, size=customers)
    full_calendar = pd.date_range(start - timedelta(days=WARM_UP_DAYS), end, freq="D")
    joined = rng.integers(0, len(full_calendar) - 14, size=customers)  # days into the full calendar
    taste = rng.dirichlet(np.full(len(categories), 0.4), size=customers)
    home_store = rng.choice(len(STORES), size=customers, p=[0.45, 0.35, 0.20])

    basket_rng = np.random.default_rng([seed, 2])  # its own stream, so the planted pairs leave the rest as it was
    order_rows: list[dict[str, Any]] = []
    item_rows: list[dict[str, Any]] = []
    full_season = _seasonality(full_calendar, start)
    cumulative_season = np.cumsum(full_season)
    for customer in range(customers):
        day = int(joined[customer])
        alive = True
        while alive and day < len(full_calendar):
            # next purchase day by thinning the seasonal Poisson process
            target = cumulative_season[day] + rng.exponential(1.0 / rates[customer]) * full_season.mean()
            day = int(np.searchsorted(cumulative_season, target))
            if day >= len(full_calendar):
                break
            if day < WARM_UP_DAYS:  # bought before the data starts: only the chance of leaving counts
                alive = rng.random() > dropout[customer]
                continue
            day_in_data = day - WARM_UP_DAYS
            order_id = f"O{len(order_rows) + 1:07d}"
            at = datetime.combine(calendar[day_in_data].date(), datetime.min.time()) + timedelta(
                minutes=int(rng.integers(8 * 60, 21 * 60))
            )
            store = STORES[home_store[customer]] if rng.random() < 0.85 else str(rng.choice(STORES))
            order_rows.append(
                {"order_id": order_id, "customer_id": f"C{customer + 1:05d}", "ordered_at": at,
                 "store": store, "status": "completed" if rng.random() > 0.01 else "cancelled"}
            )  # fmt: skip
            n_items = min(int(rng.geometric(0.35)), 8)
            weights = popularity * taste[customer][cat_index] * np.where(promo[:, day_in_data], 2.5, 1.0)
            if calendar[day_in_data].month in (6, 7, 8):
                weights = weights * np.where(np.isin(products["category"], list(SUMMER_CATEGORIES)), 1.6, 1.0)
            weights = weights * products["active"].to_numpy()
            chosen = rng.choice(n_products, size=min(n_items, n_products), replace=False, p=weights / weights.sum())
            joining = {int(partner[p]) for p in chosen if partner[p] >= 0 and basket_rng.random() < PARTNER_CHANCE}
            joining -= set(map(int, chosen))
            for product in [*map(int, chosen), *sorted(joining)]:
                price = float(products.at[product, "price"])
                quantity = int((basket_rng if product in joining else rng).geometric(0.6))
                discount = round(price * quantity * 0.25, 2) if promo[product, day_in_data] else 0.0
                item_rows.append(
                    {"order_id": order_id, "product_id": products.at[product, "product_id"],
                     "quantity": quantity, "unit_price": price, "discount": discount}
                )  # fmt: skip
            alive = rng.random() > dropout[customer]

    orders = pd.DataFrame(order_rows)
    order_items = pd.DataFrame(item_rows)
    customer_frame = pd.DataFrame(
        {
            "customer_id": [f"C{i + 1:05d}" for i in range(customers)],
            "name": [f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(customers)],
            "email": [f"cliente{i + 1}@ejemplo.es" for i in range(customers)],
            "created_at": [datetime.combine(full_calendar[j].date(), datetime.min.time()) for j in joined],
        }
    )
    interactions = _interactions(rng, orders, order_items, products, calendar)
    return DemoStore(customer_frame, products, orders, order_items, interactions)


def _partners(products: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Each product's partner (its row in ``products``), or -1: a product of a ``COMPLEMENTS`` first kind is paired
    with an active product of the second kind, so the demo's baskets hold real bundles to find."""
    partner = np.full(len(products), -1)
    kinds = products["name"].map(
        lambda name: next((k for a, b in COMPLEMENTS for k in (a, b) if name.startswith(k + " ")), "")
    )
    for first, second in COMPLEMENTS:
        seconds = np.flatnonzero((kinds == second).to_numpy() & products["active"].to_numpy())
        for row in np.flatnonzero((kinds == first).to_numpy()):
            if len(seconds):
                partner[row] = int(rng.choice(seconds))
    return partner


def _interactions(
    rng: np.random.Generator,
    orders: pd.DataFrame,
    items: pd.DataFrame,
    products: pd.DataFrame,
    calendar: pd.DatetimeIndex,
) -> pd.DataFrame:
    """Ratings for a share of purchases (higher for favourite products), favourites and views."""
    if items.empty:
        return pd.DataFrame(columns=["user_id", "item_id", "kind", "value", "at"])
    lines = items.merge(orders[["order_id", "customer_id", "ordered_at"]], on="order_id")
    pairs = lines.groupby(["customer_id", "product_id"], as_index=False).agg(
        times=("order_id", "count"), at=("ordered_at", "max")
    )
    rated = pairs[rng.random(len(pairs)) < 0.35].copy()
    base = 3.0 + 0.6 * np.log1p(rated["times"].to_numpy() - 1) + rng.normal(0, 0.9, len(rated))
    rated["value"] = np.clip(np.round(base), 1, 5)
    rated["kind"] = "rating"
    rated["at"] = rated["at"] + pd.to_timedelta(rng.integers(1, 72, len(rated)), unit="h")
    favourites = pairs[(pairs["times"] >= 3) & (rng.random(len(pairs)) < 0.5)].copy()
    favourites["value"] = 1.0
    favourites["kind"] = "favorite"
    views = pairs.sample(frac=0.5, random_state=int(rng.integers(1 << 31))).copy()
    views["at"] = views["at"] - pd.to_timedelta(rng.integers(1, 48, len(views)), unit="h")
    views["value"] = 1.0
    views["kind"] = "view"
    out = pd.concat([rated, favourites, views])[["customer_id", "product_id", "kind", "value", "at"]]
    out = out.rename(columns={"customer_id": "user_id", "product_id": "item_id"})
    return out.sort_values("at").reset_index(drop=True)


def synthetic_order_lines(rows: int, seed: int = 11, end: date | None = None) -> pd.DataFrame:
    """Many order lines fast (vectorised), for import benchmarks: the shape of a real shop export."""
    wanted = rows
    rows = int(rows * 1.25) + 10  # a few repeat (order, product) pairs are dropped below
    rng = np.random.default_rng(seed)
    end = end or (date.today() - timedelta(days=1))
    orders = max(1, rows // 3)
    order_of_line = np.sort(rng.integers(0, orders, rows))
    start = pd.Timestamp(end) - pd.Timedelta(days=730)
    order_times = start + pd.to_timedelta(np.sort(rng.integers(0, 730 * 24 * 3600, orders)), unit="s")
    products = 5000
    popularity = rng.pareto(1.2, products) + 0.05
    product_of_line = rng.choice(products, size=rows, p=popularity / popularity.sum())
    prices = np.round(rng.lognormal(1.0, 0.6, products), 2)
    customers = rng.integers(1, max(2, rows // 20), orders)
    categories = np.array(list(CATALOGUE))[rng.integers(0, len(CATALOGUE), products)]
    return (
        pd.DataFrame(
            {
                "order_id": np.char.add("B", order_of_line.astype(str)),
                "ordered_at": order_times[order_of_line].strftime("%Y-%m-%d %H:%M:%S"),
                "customer_id": np.char.add("C", customers[order_of_line].astype(str)),
                "store": np.array(STORES)[order_of_line % len(STORES)],
                "product_id": np.char.add("P", product_of_line.astype(str)),
                "category": categories[product_of_line],
                "quantity": rng.geometric(0.6, rows),
                "unit_price": prices[product_of_line],
            }
        )
        .drop_duplicates(["order_id", "product_id"])
        .head(wanted)
    )


def route_costs(seed: int = 7, rows: int = 1500) -> pd.DataFrame:
    """Delivery routes and what they cost (the 3T design's route-cost model), for the training platform.

    Cost grows with distance, stops, load and fuel price, more for vans in the city centre at rush hour,
    with noise: a regression a business would train on its own table.
    """
    rng = np.random.default_rng(seed)
    distance = np.round(rng.gamma(3.0, 12.0, rows), 1)
    stops = rng.integers(3, 40, rows)
    load_kg = np.round(rng.uniform(50, 1500, rows), 0)
    vehicle = rng.choice(["furgoneta", "camión", "moto"], rows, p=[0.55, 0.3, 0.15])
    zone = rng.choice(["centro", "norte", "sur", "rural"], rows, p=[0.3, 0.25, 0.25, 0.2])
    hour = rng.integers(6, 21, rows)
    fuel = np.round(rng.normal(1.65, 0.08, rows), 3)
    per_km = np.select([vehicle == "camión", vehicle == "moto"], [0.55, 0.12], 0.32)
    rush = np.isin(hour, [8, 9, 18, 19]) & (zone == "centro")
    cost = (distance * per_km * fuel / 1.6 + stops * 1.4 + load_kg * 0.004 + np.where(rush, 9.0, 0.0)
            + np.where(zone == "rural", distance * 0.08, 0.0))  # fmt: skip
    cost = np.round(cost * rng.lognormal(0, 0.08, rows), 2)
    return pd.DataFrame({"distance_km": distance, "stops": stops, "load_kg": load_kg, "vehicle": vehicle,
                         "zone": zone, "hour": hour, "fuel_price": fuel, "cost_eur": cost})  # fmt: skip
