"""``tendero bench pricing``: price elasticities and a demand backtest on Dominick's refrigerated orange juice.

Each store × brand is a product and each brand a category (83 stores, 11 brands, weeks 40–160). METHOD
``tendero`` is the ``pricing`` kind's model (log-log demand, product effects, month and trend controls, own
elasticities shrunk toward the brand's). The backtest fits on all but the last ``--holdout`` weeks and
predicts the units sold in them at the prices actually set, beside: ``own_only`` (each product's own
estimate, unshrunk), ``pooled_ols`` (one elasticity for every product) and ``no_elasticity`` (price ignored).
Textbook analyses of these data find own-price elasticities of roughly -2 to -3.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tendero.bench.report import bench_report, emit, log

DATA = Path("../shared/data/pricing/orangeJuice_yx.csv.gz")
# bayesm's orangeJuice brands
BRANDS = {1: "Tropicana Premium 64", 2: "Tropicana Premium 96", 3: "Florida's Natural 64", 4: "Tropicana 64",
          5: "Minute Maid 64", 6: "Minute Maid 96", 7: "Citrus Hill 64", 8: "Tree Fresh 64", 9: "Florida Gold 64",
          10: "Dominick's 64", 11: "Dominick's 128"}  # fmt: skip
WEEK_ONE = "1989-09-14"  # Dominick's week 1


def command(
    data: Annotated[Path, typer.Option(help="orangeJuice_yx.csv.gz (bayesm)")] = DATA,
    holdout: Annotated[int, typer.Option(min=4, help="last weeks predicted in the backtest")] = 24,
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Elasticity estimates per brand and a backtest of demand at the prices actually set."""
    import time

    import numpy as np

    from tendero.pricing.elasticity import ElasticitySettings, fit_elasticities
    from tendero.pricing.kind import wape

    if not data.exists():
        raise typer.BadParameter(f"{data} not found")
    panel = read_orange_juice(data)
    log(
        f"{len(panel):,} store-brand-weeks, {panel['product_id'].nunique()} products, {panel['period'].nunique()} weeks"
    )
    periods = np.sort(panel["period"].unique())
    cutoff = periods[-holdout]
    train, test = panel[panel["period"] < cutoff], panel[panel["period"] >= cutoff]
    settings = ElasticitySettings()
    started = time.perf_counter()
    full = fit_elasticities(panel, settings)
    fit_seconds = time.perf_counter() - started
    models = {
        "tendero": fit_elasticities(train, settings),
        "own_only": fit_elasticities(train, ElasticitySettings(shrink=False)),
        "pooled_ols": fit_elasticities(train.assign(category="all"), ElasticitySettings(min_periods=10**9)),
        "no_elasticity": fit_elasticities(train, settings, beta_override=0.0),
    }
    results: dict[str, dict[str, float]] = {}
    for method, model in models.items():
        log_units = model.predict_log_units(test["product_id"].reset_index(drop=True),
                                            test["period"].reset_index(drop=True),
                                            test["price"].reset_index(drop=True))  # fmt: skip
        actual = np.log(test["units"].to_numpy())
        results[method] = {"backtest_wape": wape(model, test), "backtest_mae_log_units": float(np.nanmean(np.abs(
            log_units - actual))), "backtest_rows": float(len(test))}  # fmt: skip
        estimated = model.products[model.products["source"].isin(["product", "category"])]
        if len(estimated) and method != "no_elasticity":
            results[method]["median_elasticity"] = float(estimated["elasticity"].median())
    products = full.products
    brands = full.categories.set_index("category")
    ours = results["tendero"]
    ours.update(
        fit_seconds=fit_seconds, products=float(len(products)),
        products_estimated=float((products["source"] == "product").sum()),
        median_elasticity_full=float(products["elasticity"].median()),
        share_products_between_minus3_and_minus2=float(products["elasticity"].between(-3, -2).mean()),
        share_brands_between_minus3_and_minus2=float(brands["elasticity"].between(-3, -2).mean()),
        median_brand_elasticity=float(brands["elasticity"].median()),
        median_shrink_weight=float(products["shrink_weight"].median()),
    )  # fmt: skip
    for brand, row in brands.iterrows():
        ours[f"elasticity_brand_{int(str(brand).removeprefix('brand')):02d}"] = float(row["elasticity"])
    for brand, row in brands.iterrows():
        number = int(str(brand).removeprefix("brand"))
        log(f"{BRANDS[number]:>22}: elasticity {row['elasticity']:.2f} (se {row['se']:.3f}), "
            f"products spread (tau) {np.sqrt(row['tau2']):.2f}")  # fmt: skip
    params = {"holdout_weeks": holdout, "min_periods": settings.min_periods, "min_variation": settings.min_variation,
              "controls": "product effects, month of year, trend", "textbook_elasticity": [-3.0, -2.0],
              "brands": {f"{k:02d}": v for k, v in BRANDS.items()}}  # fmt: skip
    emit(bench_report("pricing", str(data), params, results), json_output)


def read_orange_juice(path: Path):
    """bayesm's orangeJuice as a product × week panel: product = store-brand, category = brand, own price."""
    import numpy as np
    import pandas as pd

    raw = pd.read_csv(path)
    own = raw.to_numpy()[np.arange(len(raw)), raw.columns.get_indexer([f"price{b}" for b in raw["brand"]])]
    units = np.exp(raw["logmove"].to_numpy())
    price = own.astype(np.float64)
    return pd.DataFrame({
        "product_id": raw["store"].astype(str) + "-" + raw["brand"].astype(str),
        "category": "brand" + raw["brand"].astype(str),
        "period": pd.Timestamp(WEEK_ONE) + pd.to_timedelta((raw["week"] - 1) * 7, unit="D"),
        "units": units, "price": price, "revenue": units * price,
    })  # fmt: skip
