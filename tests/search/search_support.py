"""Helpers of the search tests (fixtures are in conftest.py)."""

from __future__ import annotations

from typing import Any

CATALOGUE_ROWS: list[dict[str, Any]] = [
    {"product_id": "B01", "name": "Cerveza Marisol 500 ml", "category": "Bebidas", "price": 1.2},
    {"product_id": "B02", "name": "Refresco de cola Nórdica 1 L", "category": "Bebidas", "price": 1.5},
    {"product_id": "B03", "name": "Agua mineral La Huerta 1,5 L", "category": "Bebidas", "price": 0.6},
    {"product_id": "B04", "name": "Lavavajillas Tendero 750 ml", "category": "Limpieza", "price": 2.1},
    {"product_id": "B05", "name": "Detergente líquido EcoVida 2 L", "category": "Limpieza", "price": 5.9},
    {"product_id": "B06", "name": "Plátanos de Canarias 1 kg", "category": "Frutas y verduras", "price": 2.0},
    {"product_id": "B07", "name": "Aguacates Hass bandeja 500 g", "category": "Frutas y verduras", "price": 3.4},
    {"product_id": "B08", "name": "Champú Sol de Mayo 400 ml", "category": "Cuidado personal", "price": 3.1},
    {"product_id": "B09", "name": "Pasta de dientes Abuela Rosa 75 ml", "category": "Cuidado personal", "price": 1.9},
    {"product_id": "B10", "name": "Leche entera Don Pedro 1 L", "category": "Lácteos", "price": 0.95},
]


def import_products(tenant_id: str, rows: list[dict[str, Any]]) -> Any:
    """Products through the real importer; the index version moves as the import hook moves it, but no
    index job is queued (these tests sync themselves; the HTTP tests exercise the hook and its job)."""
    from tendero.data.imports import import_records
    from tendero.store import search as search_rows

    report = import_records(tenant_id, "products", rows)
    assert report.status == "completed", report
    search_rows.bump_version(tenant_id)
    return report
