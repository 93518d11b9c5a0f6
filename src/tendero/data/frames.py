"""A tenant's commerce data as the named frames the model kinds train on (see ``tendero.kinds.Frames``)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

import pandas as pd

from tendero.catalogue.refusals import Refusal
from tendero.data.non_products import flag_non_products, rule_items
from tendero.kinds import Frames
from tendero.store import commerce
from tendero.store.db import session_scope
from tendero.store.items import read_item_line_stats, read_item_names
from tendero.store.tenant_settings import read_settings

READERS = commerce.READERS


def tenant_frames(tenant_id: str, needs: Iterable[str], dataset_id: str | None = None) -> Frames:
    """Lazy frames for one tenant: each named frame is read on first use, and only if needed.

    ``dataset`` (a training-platform upload) is there when a ``dataset_id`` is given.
    """
    loaders = {name: partial(reader, tenant_id) for name, reader in READERS.items()}
    loaders["non_products"] = partial(non_product_frame, tenant_id)
    if dataset_id is not None:
        from tendero.data.datasets import read_dataset_frame

        loaders["dataset"] = partial(read_dataset_frame, tenant_id, dataset_id)
    elif "dataset" in set(needs):
        raise Refusal("training.needs_dataset")
    return Frames(loaders)


def tenant_flags(tenant_id: str) -> pd.DataFrame:
    """The tenant's items flagged as non-products (``data.non_products.flag_non_products``) from its catalogue's
    names and the prices its items sold at."""
    return flag_non_products(read_item_names(tenant_id), read_item_line_stats(tenant_id))


def non_product_frame(tenant_id: str) -> pd.DataFrame:
    """The items the tenant's non-product rule leaves out now (``product_id``; empty while the rule is off): what
    a fit that must not count postage or fees as goods reads (the ``non_products`` frame)."""
    with session_scope() as session:
        settings = read_settings(session, tenant_id)
    flagged = tenant_flags(tenant_id)["product_id"] if settings.exclude_non_products else ()
    items = rule_items(flagged, settings.exclude_non_products, settings.non_product_marks)
    return pd.DataFrame({"product_id": sorted(items)}, dtype=object)


# --- ready-made views for the domain packages: each built by the domain that owns its rules ---


def sales_series(tenant_id: str, level: str = "category", freq: str = "M", history_months: int = 36,
                 measure: str = "quantity") -> Any:  # fmt: skip
    """Sales per total/category/product/store at D/W/M as ``unique_id, ds, y``, zero-filled, with the
    report of what was left out (``forecasting.series.build_series``)."""
    from tendero.forecasting.series import build_series

    return build_series(READERS["order_lines"](tenant_id), level=level, freq=freq, history_months=history_months,
                        measure=measure)  # fmt: skip


def transactions(tenant_id: str) -> Any:
    """One row per order and the returns, for customer models (``customers.transactions``)."""
    from tendero.customers.transactions import transaction_log

    return transaction_log(READERS["order_lines"](tenant_id))


def interaction_matrix(tenant_id: str) -> tuple[Any, Any, Any]:
    """The users × items matrix of weighted signals (SciPy CSR) with its user and item id maps."""
    from tendero.recommend.catalogue import Catalogue, build_matrices
    from tendero.recommend.signals import IdMap, signal_events, signal_pairs

    products = READERS["products"](tenant_id)
    pairs = signal_pairs(signal_events(READERS["interactions"](tenant_id), READERS["order_lines"](tenant_id)))
    catalogue = Catalogue.build(products, pairs["item_id"].to_numpy())
    users = IdMap(pd.unique(pairs["user_id"]))
    return build_matrices(pairs, users, catalogue).weight, users, catalogue


def catalogue(tenant_id: str) -> pd.DataFrame:
    """The product catalogue."""
    return READERS["products"](tenant_id)
