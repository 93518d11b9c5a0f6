"""A tenant's commerce data as the named frames the model kinds train on (see ``tendero.kinds.Frames``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import pandas as pd

from tendero.kinds import Frames
from tendero.store import commerce

READERS: dict[str, Callable[[str], pd.DataFrame]] = {
    "order_lines": commerce.read_order_lines,
    "products": commerce.read_products,
    "customers": commerce.read_customers,
    "interactions": commerce.read_interactions,
}


def tenant_frames(tenant_id: str, needs: Iterable[str], params: Any = None) -> Frames:
    """Lazy frames for one tenant: each named frame is read on first use, and only if needed."""
    wanted = set(needs) | set(READERS)
    loaders = {name: partial(READERS[name], tenant_id) for name in wanted if name in READERS}
    return Frames(loaders)
