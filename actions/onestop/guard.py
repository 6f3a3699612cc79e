"""Limits on verification tries and proof of verification, shared by every action-server process.

Every try (unknown code or wrong phone digits: the citizen cannot tell them apart) is reserved
against the conversation and against the code *before* the digits are compared, with one
conditional UPDATE per key (atomic on SQLite and PostgreSQL alike), so concurrent tries from
many conversations or replicas cannot overshoot the limit. A try that matched, or that the
one-stop system could not answer, is given back. After `MAX_FAILURES` for a conversation (24
hours), or for one code within an hour across conversations, lookups stop.

A match is recorded as a grant: a single-use record (conversation, code, expiry) that the answer
action must redeem. Slots, trackers and payloads can say "verified"; only a grant shows a dossier.

Keys are HMAC-SHA256 digests under `ASSISTANT_SECRET`, so the table cannot be matched against a
list of codes without the secret.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, delete, update

from actions.counters import WindowCounter, window_table
from actions.env_secrets import env_secret
from actions.sql import engine_for

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_GUARD_URL = f"sqlite:///{ROOT / 'var' / 'assistant.db'}"
MAX_FAILURES = 5
CODE_WINDOW = dt.timedelta(hours=1)
CONVERSATION_WINDOW = dt.timedelta(hours=24)
GRANT_TTL = dt.timedelta(minutes=2)  # a verified lookup is answered in the same turn

metadata = MetaData()
attempts = window_table("lookup_attempts", metadata)  # keys: HMAC of "conversation:…" or "code:…"
grants = Table(
    "lookup_grants",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, index=True),  # HMAC of "grant:<conversation>\n<code>"
    Column("expires_at", DateTime, nullable=False),
    Column("used_at", DateTime),
)


def guard_url() -> str:
    """ASSISTANT_DB_URL, or the SQLite file var/assistant.db (the assistant's own state)."""
    return os.environ.get("ASSISTANT_DB_URL") or DEFAULT_GUARD_URL


def guard_secret() -> bytes:
    """ASSISTANT_SECRET; without it a per-process key."""
    return env_secret("ASSISTANT_SECRET", "limits reset when the process restarts; set it when running replicas")


@dataclass(frozen=True)
class Reservation:
    """One try counted against a conversation and a code; give it back with `AttemptGuard.refund`."""

    conversation_key: str
    code_key: str


class AttemptGuard:
    """Reserves tries per conversation and per code, and keeps single-use verification grants."""

    def __init__(self, url: Optional[str] = None, max_failures: int = MAX_FAILURES, secret: Optional[bytes] = None) -> None:
        self.url = url or guard_url()
        self.engine = engine_for(self.url)
        metadata.create_all(self.engine)
        self.counter = WindowCounter(self.engine, attempts)
        self.max_failures = max_failures
        self._secret = secret or guard_secret()

    def _key(self, kind: str, value: str) -> str:
        return hmac.new(self._secret, f"{kind}:{value}".encode("utf-8"), hashlib.sha256).hexdigest()

    # --- counting ---------------------------------------------------------------------------

    def reserve(self, conversation: str, code: str, now: Optional[dt.datetime] = None) -> Optional[Reservation]:
        """Count a try before the comparison; None when the conversation or the code is used up."""
        now = now or dt.datetime.utcnow()
        code_key = self._key("code", code)
        conversation_key = self._key("conversation", conversation)
        if not self.counter.take(code_key, self.max_failures, CODE_WINDOW, now):
            return None
        if not self.counter.take(conversation_key, self.max_failures, CONVERSATION_WINDOW, now):
            self.counter.give_back(code_key)
            return None
        return Reservation(conversation_key, code_key)

    def refund(self, reservation: Reservation) -> None:
        """The try matched, or could not be checked: it does not count."""
        self.counter.give_back(reservation.code_key)
        self.counter.give_back(reservation.conversation_key)

    def failures_for_conversation(self, conversation: str, now: Optional[dt.datetime] = None) -> int:
        """Tries counted for this conversation (last 24 hours)."""
        return self.counter.count(self._key("conversation", conversation), CONVERSATION_WINDOW, now or dt.datetime.utcnow())

    def failures_for_code(self, code: str, now: Optional[dt.datetime] = None) -> int:
        """Tries counted on this code in the last hour, from any conversation."""
        return self.counter.count(self._key("code", code), CODE_WINDOW, now or dt.datetime.utcnow())

    def conversation_blocked(self, conversation: str, now: Optional[dt.datetime] = None) -> bool:
        """Whether this conversation has used up its tries."""
        return self.failures_for_conversation(conversation, now) >= self.max_failures

    def code_blocked(self, code: str, now: Optional[dt.datetime] = None) -> bool:
        """Whether this code had too many failed tries in the last hour, from any conversation."""
        return self.failures_for_code(code, now) >= self.max_failures

    def tries_left(self, conversation: str, now: Optional[dt.datetime] = None) -> int:
        """What this conversation has left (other conversations' tries are not its business)."""
        return max(self.max_failures - self.failures_for_conversation(conversation, now), 0)

    def record_failure(self, conversation: str, code: str, now: Optional[dt.datetime] = None) -> bool:
        """Count one failed try (a reservation that is kept); False when already used up."""
        return self.reserve(conversation, code, now) is not None

    # --- proof of verification --------------------------------------------------------------

    def _grant_key(self, conversation: str, code: str) -> str:
        return self._key("grant", f"{conversation}\n{code}")

    def grant(self, conversation: str, code: str, now: Optional[dt.datetime] = None) -> None:
        """Record that this conversation proved it owns this dossier (single use, short-lived)."""
        now = now or dt.datetime.utcnow()
        with self.engine.begin() as connection:
            connection.execute(
                grants.insert(), [{"key": self._grant_key(conversation, code), "expires_at": now + GRANT_TTL}]
            )
            connection.execute(delete(grants).where(grants.c.expires_at < now - CONVERSATION_WINDOW))

    def redeem(self, conversation: str, code: str, now: Optional[dt.datetime] = None) -> bool:
        """Use up the grant for this conversation and code; False when there is none to use."""
        now = now or dt.datetime.utcnow()
        with self.engine.begin() as connection:
            used = connection.execute(
                update(grants)
                .where(
                    grants.c.key == self._grant_key(conversation, code),
                    grants.c.used_at.is_(None),
                    grants.c.expires_at > now,
                )
                .values(used_at=now)
            )
        return used.rowcount >= 1
