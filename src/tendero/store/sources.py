"""A shop's own database as an import source: a query streamed in chunks, never loaded whole."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
from sqlalchemy import create_engine, text

from tendero.store.db import display_url


class QueryStream:
    """An open query on a foreign database; ``frames()`` yields its rows ``chunk_rows`` at a time."""

    def __init__(self, url: str, query: str, chunk_rows: int) -> None:
        self.display = display_url(url)
        self._engine = create_engine(url)
        self._connection = self._engine.connect()
        self._result: Any = self._connection.execution_options(stream_results=True).execute(text(query))
        self.columns = [str(c) for c in self._result.keys()]  # noqa: SIM118 (a Result, not a dict)
        self.chunk_rows = chunk_rows

    def frames(self) -> Iterator[pd.DataFrame]:
        while batch := self._result.fetchmany(self.chunk_rows):
            yield pd.DataFrame([tuple(row) for row in batch], columns=self.columns)

    def close(self) -> None:
        self._connection.close()
        self._engine.dispose()


def stream_query(url: str, query: str, chunk_rows: int = 100_000) -> QueryStream:
    return QueryStream(url, query, chunk_rows)
