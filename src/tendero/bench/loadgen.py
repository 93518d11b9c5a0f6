"""A small open-loop HTTP/1.1 load generator on asyncio keep-alive connections (loopback only)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tendero.bench.report import log, percentile_ms


def _encode(request: Any, host: str) -> bytes:
    lines = [
        f"{request.method} {request.path} HTTP/1.1",
        f"host: {host}",
        f"content-length: {len(request.body)}",
    ]
    lines += [f"{k}: {v}" for k, v in request.headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + request.body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return status


async def run_load(host: str, port: int, request: Any, rate: int, seconds: float, connections: int) -> dict[str, float]:
    """Offer ``rate`` requests/s (0: as fast as the connections allow) for ``seconds``; latency
    counts from each request's scheduled send time, so queueing delay is included."""
    payload = _encode(request, f"{host}:{port}")
    latencies: list[float] = []
    errors = 0
    error_kinds: dict[str, int] = {}
    queue: asyncio.Queue[float | None] = asyncio.Queue()
    started = time.perf_counter()
    deadline = started + seconds

    async def producer() -> None:
        if rate <= 0:
            return
        interval = 1.0 / rate
        index = 0
        while True:
            due = started + index * interval
            if due >= deadline:
                break
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            queue.put_nowait(due)
            index += 1
        for _ in range(connections):
            queue.put_nowait(None)

    async def connection() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while True:
                if rate > 0:
                    due = await queue.get()
                    if due is None:
                        return
                else:
                    if time.perf_counter() >= deadline:
                        return
                    due = time.perf_counter()
                writer.write(payload)
                await writer.drain()
                try:
                    status = await _read_response(reader)
                except (asyncio.IncompleteReadError, ConnectionError) as error:
                    errors += 1
                    error_kinds[type(error).__name__] = error_kinds.get(type(error).__name__, 0) + 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                    continue
                latencies.append(time.perf_counter() - due)
                if status >= 400:
                    errors += 1
                    error_kinds[f"http {status}"] = error_kinds.get(f"http {status}", 0) + 1
        finally:
            writer.close()

    await asyncio.gather(producer(), *(connection() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    if error_kinds:
        log(f"errors: {error_kinds}")
    return {
        "requests": float(len(latencies)),
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile_ms(latencies, 50),
        "p90_ms": percentile_ms(latencies, 90),
        "p99_ms": percentile_ms(latencies, 99),
        "errors": float(errors),
    }
