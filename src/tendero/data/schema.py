"""The canonical commerce entities as importers see them: fields, types, bounds and references."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldType = Literal["str", "text", "float", "datetime", "bool"]

INTERACTION_KINDS = ("view", "click", "cart", "favorite", "rating", "purchase")
MAX_QUANTITY = 10_000_000.0
LARGE_QUANTITY = 10_000.0  # the SmartSales365 design's warning threshold


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType = "str"
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    not_future: bool = False

    @property
    def is_id(self) -> bool:
        """An identifier the shop gave (customer, product, order, user, item): text, never a number."""
        return self.type == "str" and self.name.endswith("_id")


@dataclass(frozen=True)
class Entity:
    name: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    keeps_extra_as_attributes: bool = False
    one_of: tuple[tuple[str, ...], ...] = ()  # each group: at least one of these columns is needed

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


ENTITIES: dict[str, Entity] = {
    "customers": Entity(
        "customers",
        (
            Field("customer_id", required=True, aliases=("id",)),
            Field("name", "text"),
            Field("email", "text"),
            Field("created_at", "datetime", not_future=True),
        ),
        key=("customer_id",),
        keeps_extra_as_attributes=True,
    ),
    "products": Entity(
        "products",
        (
            Field("product_id", required=True, aliases=("id", "sku")),
            Field("name", "text", aliases=("title",)),
            Field("description", "text"),
            Field("category", "text"),
            Field("brand", "text", aliases=("author", "authors")),
            Field("price", "float", minimum=0.0, maximum=1e9),
            Field("cost", "float", minimum=0.0, maximum=1e9),
            Field("active", "bool"),
            Field("stock", "float", minimum=0.0, maximum=1e12),
        ),
        key=("product_id",),
        keeps_extra_as_attributes=True,
    ),
    "orders": Entity(
        "orders",
        (
            Field("order_id", required=True, aliases=("id",)),
            Field("customer_id"),
            Field("ordered_at", "datetime", required=True, not_future=True, aliases=("date",)),
            Field("store", "text", aliases=("channel",)),
            Field("status", "text"),
        ),
        key=("order_id",),
    ),
    "order_items": Entity(
        "order_items",
        (
            Field("order_id", required=True),
            Field("product_id", required=True),
            Field("quantity", "float", required=True, minimum=-MAX_QUANTITY, maximum=MAX_QUANTITY),
            Field("unit_price", "float", required=True, minimum=0.0, maximum=1e9, aliases=("price",)),
            Field("discount", "float", minimum=0.0, maximum=1e12),
            Field("promotion", "bool"),
        ),
        key=("order_id", "product_id"),
    ),
    "interactions": Entity(
        "interactions",
        (
            Field("user_id", required=True),
            Field("item_id", required=True),
            Field("kind", required=True, choices=INTERACTION_KINDS),
            Field("value", "float", minimum=-1e6, maximum=1e6, aliases=("rating",)),
            Field("at", "datetime", required=True, not_future=True, aliases=("timestamp",)),
        ),
        key=("user_id", "item_id", "kind", "at"),
    ),
    # one row per order line, as most shops export them: fills products, customers, orders and items
    "order_lines": Entity(
        "order_lines",
        (
            Field("order_id", aliases=("invoice", "invoice_no", "invoiceno", "order", "ticket")),
            Field(
                "ordered_at",
                "datetime",
                required=True,
                not_future=True,
                aliases=("invoicedate", "invoice_date", "date", "fecha"),
            ),
            Field("product_id", required=True, aliases=("stockcode", "stock_code", "sku", "item_id")),
            Field(
                "quantity",
                "float",
                required=True,
                minimum=-MAX_QUANTITY,
                maximum=MAX_QUANTITY,
                aliases=("qty", "cantidad"),
            ),
            Field("unit_price", "float", minimum=0.0, maximum=1e9, aliases=("price", "unitprice", "precio")),
            Field("amount", "float", minimum=-1e12, maximum=1e12, aliases=("line_total", "total", "importe")),
            Field("discount", "float", minimum=0.0, maximum=1e12),
            # sold on promotion: a driver of the sales forecasts (yes/no, 1/0, sí/no)
            Field("promotion", "bool", aliases=("promo", "promocion", "promoción", "on_promotion")),
            Field("customer_id", aliases=("customer", "cliente")),
            Field("store", "text", aliases=("channel", "tienda")),
            Field("status", "text"),
            Field("product_name", "text", aliases=("description", "product", "producto")),
            Field("category", "text", aliases=("categoria",)),
            Field("brand", "text"),
            Field("customer_name", "text"),
            Field("country", "text", aliases=("pais",)),
            # the currency of the prices (ISO 4217): the tenant's currency unless an admin chose one
            Field("currency", "text", aliases=("moneda", "divisa", "currency_code")),
        ),
        key=("order_id", "product_id"),
        # without an order id, a customer's lines at the same time form one order; without a unit
        # price, it is the line's amount divided by its quantity
        one_of=(("order_id", "customer_id"), ("unit_price", "amount")),
    ),
}

# which stored entity each reference must point at
REFERENCES: dict[str, dict[str, str]] = {
    "orders": {"customer_id": "customers"},
    "order_items": {"order_id": "orders", "product_id": "products"},
    "interactions": {"item_id": "products"},
}
