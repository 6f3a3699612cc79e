"""Citizens' feedback and call-back requests from the web chat, in SQL (2.0 style).

Same database as the assistant's own state (ASSISTANT_DB_URL, default var/assistant.db), so
trainers find ratings next to the conversation id and staff find the call-backs.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any, Dict, List, Optional

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, select

from actions.counters import WindowCounter, window_table
from actions.onestop.guard import guard_url
from actions.sql import engine_for
from bot.sessions import session_secret

metadata = MetaData()
feedback = Table(
    "web_feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # "thumb" on one answer, "rating" at the end
    Column("value", Integer, nullable=False),  # thumb: +1 / -1; rating: 1..5
    Column("answer_text", Text),  # the answer a thumb is about (bot text, no citizen input)
    Column("comment", Text),
    Column("created_at", DateTime, nullable=False),
)
callbacks = Table(
    "callback_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(64), nullable=False, index=True),
    Column("phone", String(20), nullable=False),  # kept only so that staff can call back
    Column("question", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("handled_at", DateTime),
)
# Abuse limits on writes, per conversation and per client (keys are keyed digests, no addresses).
limits = window_table("web_limits", metadata)


class WebStore:
    """Feedback and call-back requests."""

    def __init__(self, url: Optional[str] = None) -> None:
        self.url = url or guard_url()
        self.engine = engine_for(self.url)
        metadata.create_all(self.engine)
        self.counter = WindowCounter(self.engine, limits)
        self._secret = session_secret()

    def take(self, subject: str, limit: int, seconds: int, now: Optional[dt.datetime] = None) -> bool:
        """Count one write by `subject` ("callback:client:1.2.3.4"…); False when over `limit`."""
        key = hmac.new(self._secret, subject.encode("utf-8"), hashlib.sha256).hexdigest()
        return self.counter.take(key, limit, dt.timedelta(seconds=seconds), now or dt.datetime.utcnow())

    def add_feedback(
        self, conversation_id: str, kind: str, value: int, answer_text: str = "", comment: str = ""
    ) -> None:
        """Store one thumb or end-of-chat rating."""
        row = {
            "conversation_id": conversation_id, "kind": kind, "value": value,
            "answer_text": answer_text or None, "comment": comment or None, "created_at": dt.datetime.utcnow(),
        }
        with self.engine.begin() as connection:
            connection.execute(feedback.insert(), [row])

    def add_callback(self, conversation_id: str, phone: str, question: str) -> None:
        """Store a request to be called back."""
        row = {"conversation_id": conversation_id, "phone": phone, "question": question, "created_at": dt.datetime.utcnow()}
        with self.engine.begin() as connection:
            connection.execute(callbacks.insert(), [row])

    def feedback_for(self, conversation_id: str) -> List[Dict[str, Any]]:
        """Everything stored for one conversation, oldest first (for trainers)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(feedback).where(feedback.c.conversation_id == conversation_id).order_by(feedback.c.id)
            ).mappings()
            return [dict(row) for row in rows]

    def callbacks_waiting(self) -> List[Dict[str, Any]]:
        """Call-back requests not handled yet, oldest first (for staff)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(callbacks).where(callbacks.c.handled_at.is_(None)).order_by(callbacks.c.id)
            ).mappings()
            return [dict(row) for row in rows]
