"""Which HTTP methods a path answers: the ``Allow`` of a 405, listing every route of that path (the
router alone names only the first route that matched the path, e.g. GET but not DELETE)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import routing
from starlette.types import ASGIApp


def route_contexts(app: ASGIApp) -> Iterator[Any]:
    """Every route of the app with its full path, whichever way this FastAPI keeps included routers
    (0.165 keeps them lazy; older versions copy their routes into ``app.routes``)."""
    routes = getattr(app, "routes", [])
    contexts = getattr(routing, "iter_route_contexts", None)
    if contexts is None:
        yield from routes
    else:
        yield from contexts(routes)


def allowed_methods(app: ASGIApp, path: str) -> list[str]:
    """The methods of every route whose path template matches ``path``, sorted. A literal path shadows the
    templates it also matches (``/v1/insights/sales`` is POST only, though ``/v1/insights/{insight_id}``
    would match it for GET): the literal route is the resource the path names."""
    literal: set[str] = set()
    templated: set[str] = set()
    for route in route_contexts(app):
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            methods = set(getattr(route, "methods", None) or ())
            (literal if getattr(route, "path", None) == path else templated).update(methods)
    return sorted(literal or templated)
