"""The assistant's conversations and their messages, always for one tenant, and usage summaries over them.

A conversation keeps its s1 assistant type, its counters (questions, language-model tokens and cost) and its
messages in order; each message keeps the question, what was understood, the answer with its numbers and
their sources, how long it took, and whether it was answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from tendero.store.db import get_engine, session_scope
from tendero.store.tables import Base, new_id, utcnow


class AssistantConversation(Base):
    __tablename__ = "assistant_conversations"
    __table_args__ = (Index("ix_assistant_conversations_tenant_updated", "tenant_id", "updated_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    assistant_type: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2))
    key_prefix: Mapped[str | None] = mapped_column(String(32))
    questions: Mapped[int] = mapped_column(Integer, default=0)
    tokens_prompt: Mapped[int] = mapped_column(Integer, default=0)
    tokens_completion: Mapped[int] = mapped_column(Integer, default=0)
    cost: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AssistantMessage(Base):
    __tablename__ = "assistant_messages"
    __table_args__ = (
        Index("ix_assistant_messages_conversation", "conversation_id", "position"),
        Index("ix_assistant_messages_tenant_at", "tenant_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("assistant_conversations.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    query: Mapped[str] = mapped_column(Text)
    intent: Mapped[str] = mapped_column(String(32))
    slots: Mapped[dict[str, Any]] = mapped_column(default=dict)
    answer: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16))
    understood_by: Mapped[str] = mapped_column(String(8), default="rules")
    response_time_ms: Mapped[float] = mapped_column(Float)
    tokens_prompt: Mapped[int] = mapped_column(Integer, default=0)
    tokens_completion: Mapped[int] = mapped_column(Integer, default=0)
    cost: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def create_conversation(
    tenant_id: str, assistant_type: str, title: str, language: str, key_prefix: str | None = None
) -> str:
    with session_scope() as session:
        row = AssistantConversation(
            tenant_id=tenant_id,
            assistant_type=assistant_type,
            title=title[:200],
            language=language,
            key_prefix=key_prefix,
        )
        session.add(row)
        session.flush()
        return row.id


def get_conversation(tenant_id: str, conversation_id: str) -> dict[str, Any]:
    """The conversation as a dict; another tenant's is not found either."""
    with session_scope() as session:
        row = session.scalar(
            select(AssistantConversation).where(
                AssistantConversation.tenant_id == tenant_id, AssistantConversation.id == conversation_id
            )
        )
        if row is None:
            raise _not_found(conversation_id)
        return _conversation(row)


def list_conversations(
    tenant_id: str, assistant_type: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """Newest first, optionally of one assistant type."""
    query = select(AssistantConversation).where(AssistantConversation.tenant_id == tenant_id)
    if assistant_type:
        query = query.where(AssistantConversation.assistant_type == assistant_type)
    with session_scope() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(
            query.order_by(AssistantConversation.updated_at.desc(), AssistantConversation.id)
            .limit(limit)
            .offset(offset)
        ).all()
        return [_conversation(row) for row in rows], total


def messages(tenant_id: str, conversation_id: str, last: int | None = None) -> list[dict[str, Any]]:
    """The conversation's messages in order (only the ``last`` few when given)."""
    query = select(AssistantMessage).where(
        AssistantMessage.tenant_id == tenant_id, AssistantMessage.conversation_id == conversation_id
    )
    with session_scope() as session:
        if last is not None:
            rows: Sequence[AssistantMessage] = session.scalars(
                query.order_by(AssistantMessage.position.desc()).limit(last)
            ).all()
            rows = list(reversed(rows))
        else:
            rows = session.scalars(query.order_by(AssistantMessage.position)).all()
        return [_message(row) for row in rows]


def add_message(tenant_id: str, conversation_id: str, fields: dict[str, Any]) -> int:
    """Append a message and update the conversation's counters in one transaction; returns its position."""
    with session_scope() as session:
        conversation = session.scalar(
            select(AssistantConversation)
            .where(AssistantConversation.tenant_id == tenant_id, AssistantConversation.id == conversation_id)
            .with_for_update()
        )
        if conversation is None:
            raise _not_found(conversation_id)
        position = conversation.questions + 1
        session.add(AssistantMessage(tenant_id=tenant_id, conversation_id=conversation_id, position=position, **fields))
        session.execute(
            update(AssistantConversation)
            .where(AssistantConversation.id == conversation_id)
            .values(
                questions=AssistantConversation.questions + 1,
                tokens_prompt=AssistantConversation.tokens_prompt + int(fields.get("tokens_prompt", 0)),
                tokens_completion=AssistantConversation.tokens_completion + int(fields.get("tokens_completion", 0)),
                cost=AssistantConversation.cost + float(fields.get("cost", 0.0)),
                updated_at=utcnow(),
            )
        )
        return position


def usage(tenant_id: str, since: datetime, until: datetime) -> dict[str, Any]:
    """Questions, intents, response times, unanswered share, tokens and cost, in a time window."""
    query = select(
        AssistantMessage.intent,
        AssistantMessage.status,
        AssistantMessage.response_time_ms,
        AssistantMessage.tokens_prompt,
        AssistantMessage.tokens_completion,
        AssistantMessage.cost,
        AssistantMessage.understood_by,
    ).where(
        AssistantMessage.tenant_id == tenant_id,
        AssistantMessage.created_at >= since,
        AssistantMessage.created_at < until,
    )
    with get_engine().connect() as connection:
        rows = connection.execute(query).all()
    times = np.array([row.response_time_ms for row in rows], dtype=float)
    intents: dict[str, int] = {}
    for row in rows:
        intents[row.intent] = intents.get(row.intent, 0) + 1
    unanswered = sum(1 for row in rows if row.status != "answered")
    return {
        "questions": len(rows),
        "intents": dict(sorted(intents.items(), key=lambda kv: (-kv[1], kv[0]))),
        "unanswered": unanswered,
        "unanswered_share": unanswered / len(rows) if rows else 0.0,
        "avg_response_ms": float(times.mean()) if len(rows) else 0.0,
        "p50_response_ms": float(np.percentile(times, 50)) if len(rows) else 0.0,
        "p95_response_ms": float(np.percentile(times, 95)) if len(rows) else 0.0,
        "understood_by_llm": sum(1 for row in rows if row.understood_by == "llm"),
        "tokens_prompt": int(sum(row.tokens_prompt for row in rows)),
        "tokens_completion": int(sum(row.tokens_completion for row in rows)),
        "cost": float(sum(row.cost for row in rows)),
    }


def _not_found(conversation_id: str) -> Exception:
    from tendero.store.tenants import NotFound  # tenants imports the tables, which import this module

    return NotFound(f"no conversation {conversation_id!r}")


def _conversation(row: AssistantConversation) -> dict[str, Any]:
    return {
        "id": row.id,
        "assistant_type": row.assistant_type,
        "title": row.title,
        "language": row.language,
        "questions": row.questions,
        "tokens_used": row.tokens_prompt + row.tokens_completion,
        "tokens_prompt": row.tokens_prompt,
        "tokens_completion": row.tokens_completion,
        "cost": row.cost,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def _message(row: AssistantMessage) -> dict[str, Any]:
    return {
        "position": row.position,
        "query": row.query,
        "intent": row.intent,
        "slots": row.slots,
        "answer": row.answer,
        "data": row.data,
        "sources": row.sources,
        "language": row.language,
        "status": row.status,
        "understood_by": row.understood_by,
        "response_time_ms": row.response_time_ms,
        "tokens_used": row.tokens_prompt + row.tokens_completion,
        "cost": row.cost,
        "created_at": row.created_at,
    }
