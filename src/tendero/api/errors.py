"""RFM 9457 problem details for every error, with field- and row-level errors where there are some."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tendero.api.methods import allowed_methods
from tendero.store.artifacts import ArtifactCorrupted
from tendero.store.tenants import Conflict, NotFound

PROBLEM_TYPE = "https://tendero.dev/problems/"
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    503: "Unavailable",
}


class ProblemError(Exception):
    """Raise from routes for an error with a status, a detail and optional field errors."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.errors, self.headers = status, detail, errors or [], headers or {}


def problem(
    status: int,
    detail: str,
    request: Request | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + TITLES.get(status, "error").lower().replace(" ", "-"),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.url.path
        request_id = getattr(request.state, "request_id", None)
        if request_id:
            body["request_id"] = request_id
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


def field_errors(error: ValidationError | RequestValidationError) -> list[dict[str, Any]]:
    """Pydantic's errors as ``{field, message, type}``; ``field`` is a dotted path (body.params.k)."""
    out = []
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ())]
        out.append({"field": ".".join(location), "message": item.get("msg", ""), "type": item.get("type", "")})
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, error: ProblemError) -> JSONResponse:
        return problem(error.status, error.detail, request, error.errors, error.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = field_errors(error)
        fields = ", ".join(e["field"] for e in errors[:5])
        return problem(422, f"invalid input in: {fields}", request, errors)

    @app.exception_handler(ValidationError)
    async def _pydantic(request: Request, error: ValidationError) -> JSONResponse:
        errors = field_errors(error)
        fields = ", ".join(e["field"] for e in errors[:5])
        return problem(422, f"invalid input in: {fields}", request, errors)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, error: NotFound) -> JSONResponse:
        return problem(404, str(error), request)

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, error: Conflict) -> JSONResponse:
        return problem(409, str(error), request)

    @app.exception_handler(ArtifactCorrupted)
    async def _corrupted(request: Request, error: ArtifactCorrupted) -> JSONResponse:
        return problem(500, f"the model's stored files failed their integrity check: {error}", request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        headers = dict(getattr(error, "headers", None) or {})
        if error.status_code == 405:  # every method of the path, not only those of the route that matched first
            headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
        return problem(error.status_code, str(error.detail), request, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        import logging

        logging.getLogger("tendero.api").exception("unhandled error on %s", request.url.path)
        return problem(500, "an unexpected error occurred; it has been logged", request)
