"""Shared helpers of the search tests: small catalogues written through the real importer."""

from __future__ import annotations

from typing import Any

import pytest
from search_support import CATALOGUE_ROWS


@pytest.fixture
def catalogue() -> list[dict[str, Any]]:
    return [dict(row) for row in CATALOGUE_ROWS]
