"""Limits on failed verification tries, shared by every action-server process.

A failed try (unknown code or wrong phone digits: the citizen cannot tell them apart) counts
against the conversation and against the code. After `MAX_FAILURES` for a conversation, or for
one code within an hour across conversations, lookups stop and the citizen gets the hotline.
Only SHA-256 digests of the keys are stored, with the time of the try.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path
from typing import Optional

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, delete, func, select

from actions.sql import engine_for

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_GUARD_URL = f"sqlite:///{ROOT / 'var' / 'assistant.db'}"
MAX_FAILURES = 5
CODE_WINDOW = dt.timedelta(hours=1)
CONVERSATION_WINDOW = dt.timedelta(hours=24)

metadata = MetaData()
failures = Table(
    "lookup_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, index=True),  # sha256 of "conversation:…" or "code:…"
    Column("at", DateTime, nullable=False, index=True),
)


def guard_url() -> str:
    """ASSISTANT_DB_URL, or the SQLite file var/assistant.db (the assistant's own state)."""
    return os.environ.get("ASSISTANT_DB_URL") or DEFAULT_GUARD_URL


def _digest(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode("utf-8")).hexdigest()


class AttemptGuard:
    """Counts failed tries per conversation and per code in SQL."""

    def __init__(self, url: Optional[str] = None, max_failures: int = MAX_FAILURES) -> None:
        self.url = url or guard_url()
        self.engine = engine_for(self.url)
        metadata.create_all(self.engine)
        self.max_failures = max_failures

    def _count(self, key: str, since: dt.datetime) -> int:
        with self.engine.connect() as connection:
            query = select(func.count()).select_from(failures).where(failures.c.key == key, failures.c.at > since)
            return int(connection.execute(query).scalar_one())

    def failures_for_conversation(self, conversation: str, now: Optional[dt.datetime] = None) -> int:
        """Failed tries of this conversation (last 24 hours)."""
        now = now or dt.datetime.utcnow()
        return self._count(_digest("conversation", conversation), now - CONVERSATION_WINDOW)

    def failures_for_code(self, code: str, now: Optional[dt.datetime] = None) -> int:
        """Failed tries on this code in the last hour, from any conversation."""
        now = now or dt.datetime.utcnow()
        return self._count(_digest("code", code), now - CODE_WINDOW)

    def conversation_blocked(self, conversation: str, now: Optional[dt.datetime] = None) -> bool:
        """Whether this conversation has used up its tries."""
        return self.failures_for_conversation(conversation, now) >= self.max_failures

    def code_blocked(self, code: str, now: Optional[dt.datetime] = None) -> bool:
        """Whether this code had too many failed tries in the last hour, from any conversation."""
        return self.failures_for_code(code, now) >= self.max_failures

    def record_failure(self, conversation: str, code: str, now: Optional[dt.datetime] = None) -> None:
        """Count one failed try; old tries are forgotten on the way."""
        now = now or dt.datetime.utcnow()
        rows = [
            {"key": _digest("conversation", conversation), "at": now},
            {"key": _digest("code", code), "at": now},
        ]
        with self.engine.begin() as connection:
            connection.execute(failures.insert(), rows)
            connection.execute(delete(failures).where(failures.c.at < now - CONVERSATION_WINDOW))
