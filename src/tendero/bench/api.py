"""``tendero bench api``: requests/s and latency of an authenticated prediction call under load.

Starts a real server on loopback (its own temporary home, SQLite, the demo store), deploys a baseline
model, then drives ``POST /v1/models/baseline/predict`` from an asyncio keep-alive client at a fixed
arrival rate (open loop, so slow responses cannot hide behind fewer requests) for a bounded time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tendero.bench.report import bench_report, emit, log


def command(
    rate: Annotated[int, typer.Option(min=0, help="requests per second to offer; 0 = as fast as possible")] = 500,
    seconds: Annotated[float, typer.Option(min=1, max=300, help="how long to load")] = 15.0,
    connections: Annotated[int, typer.Option(min=1, max=512, help="keep-alive connections")] = 32,
    endpoint: Annotated[str, typer.Option(help="which call to load: baseline or recommendations")] = "baseline",
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Load-test the prediction path of a real server on loopback."""
    import asyncio
    import tempfile

    from tendero.bench.loadgen import run_load
    from tendero.bench.server import BenchServer

    with tempfile.TemporaryDirectory(prefix="tendero-bench-") as home, BenchServer(Path(home), log, endpoint) as server:
        request = server.prediction_request()
        log(f"loading {request.path} at {rate or 'max'} req/s for {seconds:.0f} s over {connections} connections")
        stats = asyncio.run(run_load(server.host, server.port, request, rate, seconds, connections))
    results = {"tendero": stats}
    params = {"rate": rate, "seconds": seconds, "connections": connections, "endpoint": endpoint,
              "server": "uvicorn, 1 process, SQLite, in-process jobs"}  # fmt: skip
    emit(bench_report("api", "generated demo store (seed 7)", params, results), json_output)
