"""Structured logging: JSON lines when not on a terminal (or when asked), readable text on one."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from tendero.config import get_settings

SECRET_MARKERS = ("tdr_",)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        body = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": _redact(record.getMessage()),
        }
        for field in ("request_id", "tenant", "route", "status", "latency_ms", "job_id"):
            value = getattr(record, field, None)
            if value is not None:
                body[field] = value
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return json.dumps(body)


def _redact(message: str) -> str:
    """Never log a whole API key: keep its visible prefix only."""
    words = message.split()
    for index, word in enumerate(words):
        if word.startswith(SECRET_MARKERS) and word.count("_") >= 2:
            words[index] = "_".join(word.split("_")[:2]) + "_***"
    return " ".join(words)


def configure_logging() -> None:
    settings = get_settings()
    fmt = settings.log_format
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if use_json else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(settings.log_level.upper())
