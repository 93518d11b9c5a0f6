"""Uploaded files, streamed to a private temporary file within the size limit (never the client's name).

Shared by the API's uploads and the dashboard's forms: any object with an async ``read(size)`` will do."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Protocol

from tendero.config import get_settings
from tendero.errors import TooLarge


class AsyncReadable(Protocol):
    async def read(self, size: int = -1) -> bytes: ...


@asynccontextmanager
async def saved_upload(file: AsyncReadable, what: str = "file") -> AsyncIterator[Path]:
    """The upload on disk for the block's duration; TooLarge as soon as it passes the upload limit."""
    limit = get_settings().max_upload_bytes
    with tempfile.TemporaryDirectory(prefix="tendero-upload-") as folder:
        path = Path(folder) / "upload"
        written = 0
        with path.open("wb") as handle:
            while chunk := await file.read(1 << 20):
                written += len(chunk)
                if written > limit:
                    raise TooLarge(f"the {what} exceeds the upload limit of {limit} bytes")
                handle.write(chunk)
        yield path
