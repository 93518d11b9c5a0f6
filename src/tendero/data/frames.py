"""A tenant's commerce data as the named frames the model kinds train on (see ``tendero.kinds.Frames``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

import pandas as pd

from tendero.kinds import Frames
from tendero.store import commerce

READERS: dict[str, Callable[[str], pd.DataFrame]] = {
    "order_lines": commerce.read_order_lines,
    "products": commerce.read_products,
    "customers": commerce.read_customers,
    "interactions": commerce.read_interactions,
}


def tenant_frames(tenant_id: str, needs: Iterable[str], dataset_id: str | None = None) -> Frames:
    """Lazy frames for one tenant: each named frame is read on first use, and only if needed.

    ``dataset`` (a training-platform upload) is there when a ``dataset_id`` is given.
    """
    loaders = {name: partial(reader, tenant_id) for name, reader in READERS.items()}
    if dataset_id is not None:
        from tendero.data.datasets import read_dataset_frame

        loaders["dataset"] = partial(read_dataset_frame, tenant_id, dataset_id)
    elif "dataset" in set(needs):
        raise ValueError("this model kind trains on a dataset: give the dataset's id")
    return Frames(loaders)
