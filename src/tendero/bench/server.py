"""A real tendero server on loopback for benches: own home folder, demo data, a deployed model."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx

# what `tendero bench api --endpoint` can load: the model it deploys first, and the request it sends
ENDPOINTS: dict[str, dict] = {
    "baseline": {
        "model": ("baseline", "baseline"),
        "path": "/v1/models/baseline/predict",
        "body": b'{"days": ["2026-01-05", "2026-01-06", "2026-01-07"]}',
    },
    "recommendations": {
        "model": ("recommender", "recommender"),
        "path": "/v1/recommendations",
        "body": b'{"user_id": "C00042", "k": 10}',
    },
}


@dataclass(frozen=True)
class PreparedRequest:
    method: str
    path: str
    body: bytes
    headers: dict[str, str]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BenchServer:
    """``tendero serve`` in a child process with the demo store loaded and a baseline deployed."""

    def __init__(self, home: Path, log: Callable[[str], None], endpoint: str = "baseline") -> None:
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; known: {', '.join(ENDPOINTS)}")
        self.home, self.log, self.endpoint = home, log, endpoint
        self.host, self.port = "127.0.0.1", free_port()
        self.env = {
            **os.environ,
            "TENDERO_HOME": str(home),
            "TENDERO_DATABASE_URL": "",
            "TENDERO_ARTIFACTS": "",
            "TENDERO_RATE_LIMIT_PER_MINUTE": str(10**9),
            "TENDERO_LOG_LEVEL": "WARNING",
            "TENDERO_JOB_RUNNER": "inprocess",
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.key = ""

    def __enter__(self) -> BenchServer:
        self.log("preparing demo data ...")
        prepared = subprocess.run(
            [sys.executable, "-m", "tendero.bench.server"],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        self.key = prepared.stdout.strip().splitlines()[-1]
        self.log_path = self.home / "server.log"
        self._log_file = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tendero.cli", "serve", "--host", self.host, "--port", str(self.port)],
            env=self.env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()
        model, kind = ENDPOINTS[self.endpoint]["model"]
        self._train(model, kind)
        self._warm_up()
        return self

    def _warm_up(self, calls: int = 20) -> None:
        """A few untimed calls, so the first one's model load (from the artifact store into memory, once
        per deploy) is not counted as serving latency."""
        request = self.prediction_request()
        for _ in range(calls):
            answer = httpx.post(f"{self.base}{request.path}", content=request.body, headers=request.headers, timeout=60)
            answer.raise_for_status()

    def __exit__(self, *exc: tuple[type[BaseException], BaseException, TracebackType] | None) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self._log_file.close()
            errors = [
                line for line in self.log_path.read_text(errors="replace").splitlines() if '"level": "error"' in line
            ]
            if errors:  # the server's own account of any failed request, for whoever reads the bench
                self.log(f"server logged {len(errors)} errors; the last ends: {errors[-1][-2500:]}")

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the bench server did not become ready in 60 s")

    def _train(self, model: str, kind: str) -> None:
        headers = {"Authorization": f"Bearer {self.key}"}
        job = httpx.post(
            f"{self.base}/v1/models/{model}/train", json={"kind": kind, "deploy": "always"},
            headers=headers, timeout=30,
        ).json()  # fmt: skip
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            state = httpx.get(f"{self.base}/v1/jobs/{job['id']}", headers=headers, timeout=10).json()
            if state["status"] == "completed":
                self.log(f"{model} {state['result']['version']} deployed")
                return
            if state["status"] in ("failed", "cancelled"):
                raise RuntimeError(f"{model} training {state['status']}: {state['error']}")
            time.sleep(0.3)
        raise RuntimeError(f"{model} training did not finish in 600 s")

    def prediction_request(self) -> PreparedRequest:
        spec = ENDPOINTS[self.endpoint]
        return PreparedRequest(
            "POST",
            spec["path"],
            spec["body"],
            {"authorization": f"Bearer {self.key}", "content-type": "application/json"},
        )


def _prepare() -> None:
    """Child-process entry: create the bench tenant with a small demo store; print its key last."""
    from tendero.data.demo import generate_store
    from tendero.services.demo import load_store
    from tendero.store import tenants
    from tendero.store.db import session_scope
    from tendero.store.migrate import upgrade_database

    upgrade_database()
    with session_scope() as session:
        tenant, key = tenants.create_tenant(session, "bench")
        tenant_id = tenant.id
    load_store(tenant_id, generate_store(seed=7))  # the demo store, full size
    print(key.secret)


if __name__ == "__main__":
    _prepare()
