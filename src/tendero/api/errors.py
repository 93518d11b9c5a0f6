"""RFC 9457 problem details for every error, with field- and row-level errors where there are some.

Texts this module writes follow ``Accept-Language`` (es, en) through ``MESSAGES``; a route's own ``detail`` is
passed through as it was raised.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tendero.api.methods import allowed_methods
from tendero.catalogue.answers import answer_text
from tendero.catalogue.api import API as MESSAGES
from tendero.catalogue.language import negotiate
from tendero.catalogue.refusals import translate_refusal
from tendero.errors import Conflict, DeployNotAllowed, Invalid, LastAdminKey, NotFound, TooLarge, UnknownId
from tendero.errors import unstorable_text as unstorable_text  # the middleware reads it here
from tendero.services.models import ArtifactCorrupted, TrainingRunning

log = logging.getLogger("tendero.api")

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

Language = Literal["es", "en"]


def language_of(accept_language: str) -> Language:
    """Human text follows Accept-Language: Spanish when none is sent, English when only languages we do not have
    are asked for (``fr``); the answer's ``Content-Language`` says which it is."""
    return negotiate(accept_language, "es")


def message(lang: Language, key: str, **values: object) -> str:
    """A text of ``MESSAGES`` in ``lang``, its ``{fields}`` filled in."""
    text = MESSAGES[key][lang]
    return text.format(**values) if values else text


def message_for(request: Request, key: str, **values: object) -> str:
    return message(language_of(request.headers.get("accept-language", "")), key, **values)


def input_problem_detail(kind: str, lang: Language) -> str:
    """The message for what ``unstorable_text`` found."""
    if kind == "overflow":
        return message(lang, "number_out_of_range")
    if kind == "surrogate":
        return message(lang, "surrogate_text", char="\\udXXX")
    return message(lang, "nul_text")


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


def _refused(
    status: int,
    detail: str,
    request: Request,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem whose detail and field messages, where they are a domain refusal's line, are in the reader's
    language (the same catalogue a failed job's line is shown from); other texts as they were written."""
    language = language_of(request.headers.get("accept-language", ""))
    said = [{**item, "message": translate_refusal(item["message"], language)}
            if isinstance(item.get("message"), str) else item for item in errors or []]  # fmt: skip
    return problem(status, translate_refusal(detail, language), request, said or None, headers)


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
        return _refused(error.status, error.detail, request, error.errors, error.headers)

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
        if isinstance(error, UnknownId):  # which id, where it was given, in the reader's language
            language = language_of(request.headers.get("accept-language", ""))
            detail = answer_text(f"unknown.{error.what}", language, id=error.id, model=error.model,
                                 version=error.version or "")  # fmt: skip
            return problem(404, detail, request, [{"field": error.field, "value": error.id, "message": detail}])
        return _refused(404, str(error), request)

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, error: Conflict) -> JSONResponse:
        return _refused(409, str(error), request, getattr(error, "errors", None))

    @app.exception_handler(Invalid)
    async def _invalid(request: Request, error: Invalid) -> JSONResponse:
        return _refused(422, str(error), request, error.errors)

    @app.exception_handler(TooLarge)
    async def _too_large(request: Request, error: TooLarge) -> JSONResponse:
        return problem(413, str(error), request)

    @app.exception_handler(LastAdminKey)
    async def _last_admin(request: Request, error: LastAdminKey) -> JSONResponse:
        return problem(409, message_for(request, "last_admin_key", prefix=getattr(error, "prefix", "")), request)

    @app.exception_handler(TrainingRunning)
    async def _training_running(request: Request, error: TrainingRunning) -> JSONResponse:
        lang = language_of(request.headers.get("accept-language", ""))
        state = MESSAGES.get(f"training_state.{error.status}", {}).get(lang, error.status)
        detail = message(lang, "training_running", model=error.model, job=error.job_id, state=state)
        field = {"field": "body.model", "message": message(lang, "training_running_field", job=error.job_id),
                 "job_id": error.job_id}  # fmt: skip
        return problem(409, detail, request, [field])

    @app.exception_handler(DeployNotAllowed)
    async def _deploy_not_allowed(request: Request, error: DeployNotAllowed) -> JSONResponse:
        detail = message_for(request, "deploy_admin_only", role=getattr(error, "role", ""))
        return problem(403, detail, request, [{"field": "body.deploy", "message": detail}])

    @app.exception_handler(ArtifactCorrupted)
    async def _corrupted(request: Request, error: ArtifactCorrupted) -> JSONResponse:
        log.error("artifact integrity check failed on %s: %s", request.url.path, error.details)
        return problem(500, message_for(request, "artifact_corrupted", what=str(error)), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        headers = dict(getattr(error, "headers", None) or {})
        if error.status_code == 405:  # every method of the path, not only those of the route that matched first
            headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
        return problem(error.status_code, str(error.detail), request, headers=headers)

    # Anything else is answered by ServiceMiddleware (tendero.api.middleware), not by a handler here: a handler
    # for Exception runs in Starlette's ServerErrorMiddleware, which re-raises after answering, and the server
    # then closes the keep-alive connection under the client's next request.
