"""Customer intelligence for every face: the deployed ``customers`` model and the customers it knows."""

from __future__ import annotations

from tendero.customers.rfm import SEGMENTS as SEGMENTS
from tendero.errors import NotFound, UnknownId
from tendero.kinds import CustomersModel
from tendero.registry.service import Served, WrongSurface, deployed_models
from tendero.services.tenant_settings import currency_of

DEFAULT_MODEL = "customers"


def deployed_customers(tenant_id: str, name: str = DEFAULT_MODEL) -> Served[CustomersModel]:
    """The deployed customer model ``name``; NotFound saying how to train one."""
    try:
        return deployed_models.get(tenant_id, name, CustomersModel)
    except WrongSurface:  # a model of another kind under that name: said as such
        raise
    except NotFound as error:
        raise NotFound(
            f"no deployed customer model {name!r}: train one with POST /v1/models/{name}/train "
            '{"kind": "customers"} once orders are imported'
        ) from error


def require_customer(served: Served[CustomersModel], customer_id: str, field: str = "path.customer_id") -> None:
    """UnknownId (a NotFound naming the id and where it was given) unless the model scored ``customer_id``."""
    if not served.fitted.knows_customer(customer_id):
        raise UnknownId("customer", customer_id, served.model, served.version, field)


def currency(tenant_id: str) -> str:
    """The currency of CLV, spend and value at risk: the tenant's (its settings)."""
    return currency_of(tenant_id)
