"""The business assistant as a service: a question in, an answer with its numbers and their sources out, stored in
the tenant's conversation. The API, the CLI, the dashboard and the bench all call ``ask``.

Understanding is by rules (``tendero.insights.assistant``); a configured language model (``TENDERO_LLM_URL``) only
reads questions the rules miss and may reword answers, never supplying a number.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd

from tendero.customers.rfm import SEGMENTS
from tendero.data.frames import READERS
from tendero.insights.assistant import wording
from tendero.insights.assistant.examples import help_examples
from tendero.insights.assistant.schema import ASSISTANT_TYPES, Understanding, type_of_intent
from tendero.insights.assistant.schema import AssistantType as AssistantType
from tendero.insights.assistant.schema import Intent as Intent
from tendero.insights.assistant.schema import Language as Language
from tendero.insights.assistant.text import detect_language
from tendero.insights.assistant.understand import MAX_QUERY_CHARS as MAX_QUERY_CHARS
from tendero.insights.assistant.understand import Understander
from tendero.insights.assistant.vocabulary import Vocabulary
from tendero.services import Invalid
from tendero.services import assistant_answers as answers
from tendero.services import assistant_llm as llm
from tendero.services.tenant_settings import currency_of
from tendero.store import assistant as rows

CACHE_SECONDS = 60.0
ASSISTANT_TYPE_NAMES = tuple(ASSISTANT_TYPES)


@dataclass
class _Entry:
    loaded: float
    data: answers.TenantData
    understander: Understander


class TenantCache:
    """Each tenant's sales lines, catalogue and vocabulary, read at most once a minute: a question costs pandas
    over memory, not a database read (imports show up within ``CACHE_SECONDS``; ``invalidate`` is immediate)."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def invalidate(self, tenant_id: str | None = None) -> None:
        with self._lock:
            if tenant_id is None:
                self._entries.clear()
            else:
                self._entries.pop(tenant_id, None)

    def get(self, tenant_id: str) -> _Entry:
        entry = self._entries.get(tenant_id)
        if entry is not None and time.monotonic() - entry.loaded < CACHE_SECONDS:
            return entry
        entry = _load(tenant_id)
        with self._lock:
            self._entries[tenant_id] = entry
        return entry


def _load(tenant_id: str) -> _Entry:
    lines = READERS["order_lines"](tenant_id)
    products = READERS["products"](tenant_id)
    status = lines["status"].fillna("completed").astype(str).str.lower()
    lines = lines[~status.isin(answers.CANCELLED)].copy()
    lines["day"] = lines["ordered_at"].dt.normalize()
    lines["customer_id"] = lines["customer_id"].where(lines["customer_id"].notna(), None)
    revenue = lines.groupby("product_id")["revenue"].sum().sort_values(ascending=False)
    names_in_catalogue = dict(zip(products["product_id"].astype(str), products["name"].fillna(""), strict=False))
    ordered = [str(p) for p in revenue.index] + sorted(set(names_in_catalogue) - {str(p) for p in revenue.index})
    names = {pid: (names_in_catalogue.get(pid) or pid) for pid in ordered}
    categories = sorted({str(c) for c in pd.concat([products["category"], lines["category"]]).dropna() if str(c)})
    vocabulary = Vocabulary(
        categories=categories,
        products=[(pid, name) for pid, name in names.items()],
        segments={key: list(names_.values()) for key, names_ in SEGMENTS.items()},
        customers=lines["customer_id"].dropna().astype(str).unique().tolist(),
    )
    first = lines["day"].min() if len(lines) else None
    last = lines["day"].max() if len(lines) else None
    data = answers.TenantData(
        lines=lines,
        products=products,
        names=names,
        first_day=first.date() if first is not None else None,
        last_day=last.date() if last is not None else None,
    )
    return _Entry(time.monotonic(), data, Understander(vocabulary))


tenant_cache = TenantCache()


def validate_query(query: str) -> str:
    """The question trimmed; Invalid (a 422 with the field) when it is empty or too long."""
    text = (query or "").strip()
    if not text:
        raise Invalid("write a question", [{"field": "query", "message": "empty question"}])
    if len(text) > MAX_QUERY_CHARS:
        raise Invalid(
            f"the question is too long: {len(text)} characters, at most {MAX_QUERY_CHARS}",
            [{"field": "query", "message": f"at most {MAX_QUERY_CHARS} characters"}],
        )
    return text


def understand(
    tenant_id: str,
    query: str,
    today: date,
    previous: dict[str, Any] | None = None,
    language: str | None = None,
    assistant_type: str | None = None,
) -> Understanding:
    """What the rules make of a question for this tenant (the bench times this part alone)."""
    entry = tenant_cache.get(tenant_id)
    return entry.understander.understand(query, today, previous, language=language, assistant_type=assistant_type)


def ask(
    tenant_id: str,
    query: str,
    *,
    assistant_type: str | None = None,
    conversation_id: str | None = None,
    language: str | None = None,
    today: date | None = None,
    key_prefix: str | None = None,
    store: bool = True,
    previous: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Answer one question: ``{intent, slots, answer, data, sources, conversation_id, language, response_time_ms}``.

    ``language`` is a hint for questions whose words do not tell (Accept-Language); ``today`` fixes the date
    that "last month" is counted from (default: today in UTC); ``previous`` (``{intent, slots}``) stands in for
    the conversation's last turn when there is none (the bench's follow-ups). Raises Invalid for an empty or
    too long question and NotFound for a conversation of another tenant (or none).
    """
    started = time.perf_counter()
    text = validate_query(query)
    if assistant_type is not None and assistant_type not in ASSISTANT_TYPE_NAMES:
        raise Invalid(
            f"unknown assistant type {assistant_type!r}; one of {', '.join(ASSISTANT_TYPE_NAMES)}",
            [{"field": "assistant_type", "message": "unknown type"}],
        )
    today = today or datetime.now(UTC).date()
    conversation = None
    if conversation_id is not None:
        conversation = rows.get_conversation(tenant_id, conversation_id)
        last = rows.messages(tenant_id, conversation_id, last=1)
        if last and last[0]["intent"] not in ("unknown",):
            previous = {"intent": last[0]["intent"], "slots": last[0]["slots"]}
    entry = tenant_cache.get(tenant_id)
    hint = language or (conversation["language"] if conversation else None)
    kind = assistant_type or (conversation["assistant_type"] if conversation else None)
    understood = entry.understander.understand(text, today, previous, language=hint, assistant_type=kind)
    usage = llm.Usage()
    if understood.intent == "unknown" and llm.configured():
        read = llm.extract(text, understood.language, today, previous, usage)
        if read is not None:
            understood = entry.understander.canonical(read)
    ctx = answers.Context(tenant_id, entry.data, today, understood.language, store=store,
                          currency=currency_of(tenant_id))  # fmt: skip
    result = answers.answer(ctx, understood, text)
    sentence = result.text
    if llm.configured() and llm.rephrase_enabled() and result.status == "answered":
        sentence = llm.rephrase(sentence, understood.language, usage) or sentence
    elapsed = round((time.perf_counter() - started) * 1000, 2)
    kind = kind or type_of_intent(understood.intent)
    if store:
        if conversation_id is None:
            conversation_id = rows.create_conversation(tenant_id, kind, text[:200], understood.language, key_prefix)
        rows.add_message(
            tenant_id,
            conversation_id,
            {
                "query": text[:MAX_QUERY_CHARS],
                "intent": understood.intent,
                "slots": result.slots,
                "answer": sentence,
                "data": _jsonable(result.data),
                "sources": result.sources,
                "language": understood.language,
                "status": result.status,
                "understood_by": understood.source,
                "response_time_ms": elapsed,
                "tokens_prompt": usage.prompt,
                "tokens_completion": usage.completion,
                "cost": usage.cost,
            },
        )
    return {
        "intent": understood.intent,
        "slots": result.slots,
        "answer": sentence,
        "data": _jsonable(result.data),
        "sources": result.sources,
        "status": result.status,
        "conversation_id": conversation_id,
        "assistant_type": kind,
        "language": understood.language,
        "understood_by": understood.source,
        "confidence": understood.confidence,
        "tokens_used": usage.prompt + usage.completion,
        "response_time_ms": elapsed,
    }


def examples(language: str) -> list[str]:
    """A few example questions in the language (the faces show them before the first question)."""
    return help_examples("en" if language == "en" else "es")


def refusal(query: str, language: str | None = None) -> str:
    """The sentence for an empty or too long question, in its language (faces that answer instead of a 422)."""
    lang = detect_language(query or "", language or "es")
    if not (query or "").strip():
        return wording.say("empty", lang)
    return wording.say("too_long", lang, length=len(query), limit=MAX_QUERY_CHARS)


def conversations(
    tenant_id: str, assistant_type: str | None = None, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    if assistant_type is not None and assistant_type not in ASSISTANT_TYPE_NAMES:
        raise Invalid(
            f"unknown assistant type {assistant_type!r}; one of {', '.join(ASSISTANT_TYPE_NAMES)}",
            [{"field": "query.assistant_type", "message": "unknown type"}],
        )
    items, total = rows.list_conversations(tenant_id, assistant_type, limit, offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def conversation(tenant_id: str, conversation_id: str) -> dict[str, Any]:
    """One conversation with its messages; NotFound for another tenant's."""
    return {**rows.get_conversation(tenant_id, conversation_id), "messages": rows.messages(tenant_id, conversation_id)}


def usage(tenant_id: str, since: datetime, until: datetime) -> dict[str, Any]:
    """The assistant's part of ``/v1/usage``."""
    return rows.usage(tenant_id, since, until)


def _jsonable(value: Any) -> Any:
    """Numbers and dates as JSON takes them (numpy scalars, timestamps)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.isoformat()
    return value
