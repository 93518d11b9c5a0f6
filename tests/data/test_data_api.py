"""Commerce data over HTTP: uploads, JSON batches, reports, profile; hostile requests write nothing."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import uvicorn

from tendero.bench.server import free_port
from tendero.store import commerce

LINES = (
    "order_id,ordered_at,product_id,quantity,unit_price,customer_id,category\n"
    "A1,2024-03-01 10:00,P1,2,1.80,C1,Panadería\n"
    "A2,2024-03-02 11:00,P2,20000,0.95,C2,Lácteos\n"
    "A3,2024-03-02 12:00,P2,-1,0.95,C2,Lácteos\n"
)


def test_upload_report_and_profile(client, tenant):
    answer = client.post(
        "/v1/data/order_lines/imports",
        files={"file": ("ventas marzo.csv", LINES.encode(), "text/csv")},
        data={"mapping": "", "dry_run": "false"},
        headers=tenant.headers("service"),
    )
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert (report["rows_read"], report["inserted"], report["rejected"]) == (3, 2, 1)
    assert report["rejections"][0]["row"] == 4 and report["source"] == "ventas marzo.csv"
    fetched = client.get(f"/v1/data/imports/{report['id']}", headers=tenant.headers("analyst")).json()
    assert fetched["rejections_total"] == 1 and fetched["details"]["tables"]["order_items"]["inserted"] == 2
    listed = client.get("/v1/data/imports", headers=tenant.headers()).json()
    assert listed["total"] == 1
    profile = client.get("/v1/data/profile", headers=tenant.headers()).json()
    assert profile["counts"]["orders"] == 2 and profile["activity"]["customers_with_orders"] == 2
    assert any(w["code"] == "large_quantity" for w in profile["warnings"])


def test_mapping_parameter_and_bad_mapping(client, tenant):
    text = "ref,nombre,pvp\nX1,Sal,0.5\n"
    ok = client.post("/v1/data/products/imports", files={"file": ("p.csv", text.encode())},
                     data={"mapping": "ref=product_id, nombre=name, pvp=price"}, headers=tenant.headers())  # fmt: skip
    assert ok.status_code == 201 and ok.json()["inserted"] == 1
    bad = client.post("/v1/data/products/imports", files={"file": ("p.csv", text.encode())},
                      data={"mapping": "ref=sku_code"}, headers=tenant.headers())  # fmt: skip
    assert bad.status_code == 422 and "sku_code" in bad.json()["detail"]


def test_json_batch_endpoint(client, tenant):
    answer = client.post("/v1/data/customers", json={"rows": [{"customer_id": "C1", "email": "a@b.es"}]},
                         headers=tenant.headers("service"))  # fmt: skip
    assert answer.status_code == 201 and answer.json()["inserted"] == 1
    assert client.post("/v1/data/customers", json={"rows": []}, headers=tenant.headers()).status_code == 422
    assert client.post("/v1/data/customers", json={"rows": [{}]}, headers=tenant.headers("analyst")).status_code == 403


def test_binary_upload_is_a_422_naming_the_problem(client, tenant):
    english = {**tenant.headers(), "Accept-Language": "en"}
    answer = client.post("/v1/data/products/imports", files={"file": ("x.csv", bytes(range(256)) * 10)},
                         headers=english)  # fmt: skip
    assert answer.status_code == 422 and "not text" in answer.json()["detail"]
    spanish = client.post("/v1/data/products/imports", files={"file": ("x.csv", bytes(range(256)) * 10)},
                          headers={**tenant.headers(), "Accept-Language": "es"})  # fmt: skip
    assert spanish.status_code == 422 and "no es texto" in spanish.json()["detail"]
    assert commerce.count_rows(tenant.id)["products"] == 0


@pytest.fixture(scope="module")
def live_server():
    from tendero.app import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(run_jobs=False), host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield port
    server.should_exit = True
    thread.join(10)


def _raw_upload(port: int, tenant, declared: int, body: bytes) -> bytes:  # type: ignore[no-untyped-def]
    boundary = "xyz"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n').encode()
    request = (
        (
            f"POST /v1/data/products/imports HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {tenant.admin}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {declared}\r\n\r\n"
        ).encode()
        + head
        + body
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def test_a_10_gb_claim_is_refused_before_reading(live_server, tenant):
    answer = _raw_upload(live_server, tenant, 10 * 1024**3, b"product_id\nP1\n")
    assert b" 413 " in answer.split(b"\r\n", 1)[0]
    assert commerce.count_rows(tenant.id)["products"] == 0


def test_a_truncated_body_writes_nothing(live_server, tenant):
    body = b"product_id,name\n" + b"".join(f"P{i},item {i}\n".encode() for i in range(2000))
    _raw_upload(live_server, tenant, len(body) * 3, body)  # the client promised more than it sent
    time.sleep(0.5)
    assert commerce.count_rows(tenant.id)["products"] == 0
