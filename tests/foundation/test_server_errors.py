"""After a 500 the keep-alive connection stays usable: a real HTTP client, a real uvicorn on loopback.

The cause was Starlette's ServerErrorMiddleware: it answers with the 500 handler and then re-raises, and uvicorn
closes the connection of a request whose exception escaped. ServiceMiddleware now answers unexpected errors itself.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    from tendero.app import create_app

    app = create_app(run_jobs=False, migrate=False)

    @app.get("/v1/test-only/boom", include_in_schema=False)
    def boom() -> dict[str, str]:
        raise RuntimeError("a bug, for this test: /srv/secret/path")

    @app.get("/v1/test-only/boom-async", include_in_schema=False)
    async def boom_async() -> dict[str, str]:
        raise KeyError("another bug")

    port = _free_port()
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield port
    instance.should_exit = True
    thread.join(15)


@pytest.mark.parametrize("failing", ["/v1/test-only/boom", "/v1/test-only/boom-async"])
def test_the_connection_survives_a_500(server, failing):
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    connection.request("GET", failing, headers={"accept-language": "en"})
    first = connection.getresponse()
    body = json.loads(first.read())
    assert first.status == 500 and first.getheader("content-type") == "application/problem+json"
    assert first.getheader("connection") != "close"
    assert "unexpected error" in body["detail"] and body["request_id"] in body["detail"]
    assert "/srv/secret" not in json.dumps(body) and "Traceback" not in json.dumps(body)
    socket_before = connection.sock
    for _ in range(3):  # the next requests go over the same connection
        connection.request("GET", "/health")
        answer = connection.getresponse()
        assert answer.status == 200 and json.loads(answer.read())["status"] == "ok"
        assert connection.sock is socket_before
    connection.close()
