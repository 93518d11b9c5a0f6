"""The OpenAPI schema the server really keeps: every error an operation can answer, documented once.

``install_openapi`` (called once from ``app.py``) wraps FastAPI's generated schema and adds, per
operation, the problem responses that the shared machinery produces — 401/403 from the key check,
404 for a path naming a resource, 413 from the body limit, 422 from validation, 429 from the rate
limit, 500 from the last-resort handler — all as ``application/problem+json`` with one documented
``Problem`` schema, and the bearer security scheme where a key is needed. A route declares only what
is its own, with ``responses=problems(...)`` (e.g. 404 when no model is deployed, 409 for a state
conflict); FastAPI's default 422 schema, which the server never sends, is replaced. 405 answers carry
an ``Allow`` of every method of the path (``methods.allowed_methods``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from tendero.api.errors import PROBLEM_TYPE, TITLES
from tendero.api.methods import route_contexts

PROBLEM_MEDIA_TYPE = "application/problem+json"
ALL_ROLES = frozenset({"admin", "analyst", "service"})
# paths the rate limit does not apply to (the middleware's exemptions: probes, metrics, the dashboard)
RATE_EXEMPT = ("/health", "/ready", "/metrics", "/app")

# What each status means, in English and Spanish, for the generated documentation.
DESCRIPTIONS: dict[int, str] = {
    400: "Bad request — Solicitud incorrecta",
    401: "Missing, unknown or revoked API key — Falta la clave de API, o es desconocida o revocada",
    403: "The key's role may not do this — El rol de la clave no permite esta acción",
    404: "No such resource for this tenant — No existe ese recurso para este cliente",
    405: "Method not allowed (see Allow) — Método no permitido (ver Allow)",
    409: "The resource is not in a state that allows this — El recurso no está en un estado que lo permita",
    413: "The request body exceeds the size limit — El cuerpo de la solicitud supera el límite",
    415: "Unsupported media type — Tipo de contenido no admitido",
    422: "Invalid input; `errors` names each field, row and column — Entrada no válida; `errors` nombra "
    "cada campo, fila y columna",
    429: "Rate limit exceeded; retry after Retry-After seconds — Límite de peticiones superado; reintenta "
    "tras Retry-After segundos",
    500: "Unexpected error, logged with its request id — Error inesperado, registrado con su request id",
    503: "Not ready — No está listo",
}


def problem_type(status: int) -> str:
    """The ``type`` URI of a status's problem details (as ``errors.problem`` builds it)."""
    return PROBLEM_TYPE + TITLES.get(status, "error").lower().replace(" ", "-")


def problems(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route's own problem statuses; ``descriptions`` keyed ``s404=...`` override
    the general wording (say *why* this route answers that status)."""
    return {
        status: {"description": descriptions.get(f"s{status}", DESCRIPTIONS.get(status, TITLES.get(status, "Error")))}
        for status in statuses
    }


# Answers of routes in modules other engineers own, until those routes declare them with ``responses=``
# (a route's own declaration wins): the files a batch prediction writes, and their state conflicts.
ELSEWHERE: dict[tuple[str, str], dict[int | str, dict[str, Any]]] = {
    ("get", "/v1/jobs/{job_id}/download"): {
        200: {
            "description": "The predictions file (CSV or Parquet, as the job asked) — El archivo de predicciones",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **problems(409, s409="The job has no file to download (yet) — El trabajo no tiene (aún) un archivo"),
    },
    ("delete", "/v1/datasets/{dataset_id}"): problems(
        409, s409="A queued or running job reads the dataset — Un trabajo en cola o en curso lee el dataset"
    ),
    ("post", "/v1/training-jobs"): problems(
        404,
        409,
        s404="No such dataset — No existe el dataset",
        s409="The dataset is not ready — El dataset no está listo",
    ),
}


def _problem_schemas() -> dict[str, Any]:
    types = sorted({problem_type(status) for status in TITLES})
    return {
        "ProblemFieldError": {
            "type": "object",
            "description": "One invalid field, row or column — Un campo, fila o columna no válidos",
            "properties": {
                "field": {"type": "string", "description": "dotted location, e.g. body.rows.3.hour"},
                "message": {"type": "string"},
                "type": {"type": "string"},
                "code": {"type": "string"},
                "row": {"type": ["integer", "null"]},
                "column": {"type": ["string", "null"]},
                "value": {},
            },
            "additionalProperties": True,
        },
        "Problem": {
            "type": "object",
            "description": "RFC 9457 problem details — Detalles del problema (RFC 9457)",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": {"type": "string", "enum": types, "description": "one URI per kind of problem"},
                "title": {"type": "string"},
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "detail": {"type": "string", "description": "what went wrong and where"},
                "instance": {"type": "string", "description": "the request path"},
                "request_id": {"type": "string", "description": "the X-Request-Id of the request"},
                "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemFieldError"}},
            },
            "additionalProperties": True,
        },
    }


def _problem_response(status: int, description: str | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": f"{description or DESCRIPTIONS.get(status, TITLES.get(status, 'Error'))} "
        f"(`{problem_type(status)}`)",
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}, "required": True}}
    if status == 429:
        response["headers"] = {"Retry-After": {"schema": {"type": "string"}, "required": True,
                                               "description": "seconds to wait"}}  # fmt: skip
    if status == 405:
        response["headers"] = {"Allow": {"schema": {"type": "string"}, "required": True}}
    return response


def _roles(dependant: Dependant) -> frozenset[str] | None:
    """The roles a route's key check lets through (``deps.require``), or None when it needs no key."""
    for dependency in dependant.dependencies:
        name = getattr(dependency.call, "__name__", "")
        if name.startswith("require_"):
            return frozenset(name.removeprefix("require_").split("_"))
        if name == "current_principal":
            return ALL_ROLES
        found = _roles(dependency)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class _Operation:
    path: str  # as the schema writes it, prefixes included
    methods: frozenset[str]
    dependant: Dependant


def _operations(app: FastAPI) -> Iterator[_Operation]:
    """Every documented API route with its full path."""
    for context in route_contexts(app):
        original = getattr(context, "original_route", context)
        if isinstance(original, APIRoute) and context.include_in_schema:
            yield _Operation(context.path_format, frozenset(context.methods or ()), original.dependant)


def _common_statuses(route: _Operation, operation: dict[str, Any]) -> Iterable[int]:
    roles = _roles(route.dependant)
    if roles is not None:
        yield 401
        if not roles >= ALL_ROLES:
            yield 403
    if operation.get("requestBody"):
        yield 400  # a body that does not parse (broken JSON, broken multipart)
    if "{" in route.path:
        yield 404
    yield 413
    if operation.get("parameters") or operation.get("requestBody") or "422" in operation.get("responses", {}):
        yield 422
    if not route.path.startswith(RATE_EXEMPT):
        yield 429
    yield 500


def complete_schema(app: FastAPI, schema: dict[str, Any]) -> dict[str, Any]:
    """Add the Problem schema, the bearer scheme and every operation's problem responses to ``schema``."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update(_problem_schemas())
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    components.setdefault("securitySchemes", {})["bearer"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key: `Authorization: Bearer tdr_...` — Una clave de API",
    }
    for route in _operations(app):
        for method in sorted(route.methods):
            operation = schema.get("paths", {}).get(route.path, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status, declared in ELSEWHERE.get((method.lower(), route.path), {}).items():
                if str(status) == "200" or str(status) not in responses:
                    responses[str(status)] = dict(declared)
            if _roles(route.dependant) is not None:
                operation["security"] = [{"bearer": []}]
            statuses = set(_common_statuses(route, operation))
            for status in sorted(statuses):
                responses.setdefault(str(status), {})
            for code, response in list(responses.items()):
                if not code.isdigit() or int(code) < 400:
                    continue
                content = response.get("content") or {}
                own = {media: body for media, body in content.items() if media != "application/json"}
                json_schema = (content.get("application/json") or {}).get("schema", {})
                if own or (json_schema and "HTTPValidationError" not in str(json_schema)):
                    continue  # the route documents a body of its own (e.g. /ready's 503)
                current = response.get("description")
                default = current if current and current not in ("Validation Error", "Successful Response") else None
                responses[code] = _problem_response(int(code), default)
    _text_without_nul(schema.get("paths", {}))
    _text_without_nul(schemas)
    return schema


NO_NUL = "^[^\\x00]*$"  # the middleware answers a NUL in any text 422 (no database stores one): said in the schema


def _text_without_nul(node: Any) -> None:
    """Every free text of the schema (a string with no pattern, enum or format of its own) excludes NUL."""
    if isinstance(node, list):
        for item in node:
            _text_without_nul(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not {"pattern", "enum", "const", "format"} & node.keys():
        node["pattern"] = NO_NUL
    for value in node.values():
        _text_without_nul(value)


def install_openapi(app: FastAPI) -> None:
    """Serve the completed schema at ``/openapi.json`` (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                servers=app.servers,
            )
            app.openapi_schema = complete_schema(app, schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
