"""The optional language model, against a real OpenAI-compatible server on loopback (a tiny one in the test: a real
socket and the chat-completions protocol, not a mock of our code)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from support import load_demo, make_tenant
from tendero.config import reset_settings
from tendero.services import assistant

TODAY = date(2026, 11, 18)


class ChatServer:
    """Answers ``POST /v1/chat/completions`` with the next scripted reply; "hang" never answers until released."""

    def __init__(self) -> None:
        self.replies: list[str] = []
        self.requests: list[dict] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                server.requests.append({"path": self.path, "body": body, "auth": self.headers.get("authorization")})
                reply = server.replies.pop(0) if server.replies else "{}"
                if reply == "hang":
                    server.release.wait(30)
                    return
                payload = {
                    "id": "x",
                    "object": "chat.completion",
                    "model": body.get("model"),
                    "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}
                    ],
                    "usage": {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150},
                }
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def llm(monkeypatch) -> Iterator[ChatServer]:
    server = ChatServer()
    monkeypatch.setenv("TENDERO_LLM_URL", server.url)
    monkeypatch.setenv("TENDERO_LLM_MODEL", "local-model")
    monkeypatch.setenv("TENDERO_LLM_API_KEY", "sk-local")
    monkeypatch.setenv("TENDERO_LLM_TIMEOUT_SECONDS", "1.5")
    monkeypatch.setenv("TENDERO_LLM_COST_PER_1K_TOKENS", "0.002")
    reset_settings()
    yield server
    server.close()
    monkeypatch.delenv("TENDERO_LLM_URL")
    reset_settings()


@pytest.fixture(scope="module")
def shop():
    from tendero.data.demo import generate_store

    tenant = make_tenant("modelo-lenguaje")
    load_demo(tenant.id, generate_store(seed=6, customers=80, days=90, end=date(2026, 11, 17)))
    return tenant


def test_a_question_the_rules_miss_is_read_by_the_model_and_answered_from_the_data(llm, shop):
    llm.replies = [
        json.dumps(
            {
                "intent": "sales_total",
                "slots": {"period": {"start": "2026-10-01", "end": "2026-10-31"}, "measure": "revenue"},
            }
        )
    ]
    answer = assistant.ask(shop.id, "la pasta que entró en caja durante el décimo mes", today=TODAY)
    assert answer["intent"] == "sales_total" and answer["understood_by"] == "llm"
    assert answer["slots"]["period"] == {"start": "2026-10-01", "end": "2026-10-31"} and answer["data"]["revenue"] > 0
    sent = llm.requests[0]
    assert sent["path"] == "/v1/chat/completions" and sent["auth"] == "Bearer sk-local"
    assert sent["body"]["model"] == "local-model" and "décimo mes" in sent["body"]["messages"][-1]["content"]
    conversation = assistant.conversation(shop.id, answer["conversation_id"])
    assert conversation["tokens_used"] == 150 and conversation["cost"] == pytest.approx(150 / 1000 * 0.002)
    assert conversation["messages"][0]["understood_by"] == "llm"


@pytest.mark.parametrize(
    "reply",
    [
        "I think you sold a lot!",
        json.dumps({"intent": "drop_tables", "slots": {}}),
        json.dumps({"intent": "sales_total", "slots": {"period": "last month", "revenue": 999999}}),
    ],
)
def test_a_reply_outside_the_schema_leaves_the_rules_answer(llm, shop, reply):
    llm.replies = [reply]
    answer = assistant.ask(shop.id, "cuéntame un chiste de cajeros", today=TODAY)
    assert answer["intent"] == "unknown" and answer["understood_by"] == "rules" and "999999" not in answer["answer"]


def test_a_model_that_does_not_answer_in_time_falls_back_to_the_offline_answer(llm, shop):
    llm.replies = ["hang"]
    answer = assistant.ask(shop.id, "cuéntame algo bonito", today=TODAY)
    assert answer["intent"] == "unknown" and answer["understood_by"] == "rules"
    assert 1500 <= answer["response_time_ms"] < 4000  # the 1.5 s deadline, then the offline answer


def test_a_rewording_is_kept_only_with_the_same_numbers(llm, shop, monkeypatch):
    monkeypatch.setenv("TENDERO_LLM_REPHRASE", "true")
    reset_settings()
    offline = assistant.ask(shop.id, "ventas del mes pasado", today=TODAY, store=False)["answer"]
    numbers = __import__("re").findall(r"\d+(?:[.,]\d+)*", offline)
    llm.replies = ["¡Buenas noticias! " + " · ".join(numbers)]
    kept = assistant.ask(shop.id, "ventas del mes pasado", today=TODAY, store=False)
    assert kept["answer"].startswith("¡Buenas noticias!") and kept["tokens_used"] == 150
    llm.replies = ["Vendiste 1.000.000 € el mes pasado."]
    refused = assistant.ask(shop.id, "ventas del mes pasado", today=TODAY, store=False)
    assert refused["answer"] == offline
