"""Web-chat session ids that only the assistant can issue.

A session id is the name of a conversation: whoever presents it speaks and listens in it. So the
ids are issued by the server (the web server's /api/config, or the socket channel itself), never
chosen by a browser: 128 random bits followed by an HMAC of them under `WEB_SESSION_SECRET`,
which the web server and the Rasa server share. A client-made id ("citizen-1", another channel's
sender id, a guess) fails the check and is replaced by a new one.

The id is a bearer secret, so it is never used as the conversation's name: Rasa, the tracker
store, logs and feedback rows see `conversation_for(id)`, a digest that cannot be turned back
into the id. Whoever reads a stored conversation cannot resume or listen to it.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from actions.env_secrets import env_secret

WEB_CONVERSATION_PREFIX = "web-"
_RANDOM_HEX = 32
_SIGNATURE_HEX = 16
SESSION_ID_PATTERN = re.compile(rf"^[0-9a-f]{{{_RANDOM_HEX + _SIGNATURE_HEX}}}$")


def session_secret() -> bytes:
    """WEB_SESSION_SECRET; without it a per-process key."""
    return env_secret("WEB_SESSION_SECRET", "web-chat session ids then hold in this process only")


def _signature(random_part: str, secret: bytes) -> str:
    return hmac.new(secret, f"web-session:{random_part}".encode("ascii"), hashlib.sha256).hexdigest()[:_SIGNATURE_HEX]


def issue_session_id(secret: bytes | None = None) -> str:
    """A new session id signed with the shared secret."""
    random_part = secrets.token_hex(_RANDOM_HEX // 2)
    return random_part + _signature(random_part, secret or session_secret())


def is_valid_session_id(value: object, secret: bytes | None = None) -> bool:
    """Whether `value` is a session id this deployment issued."""
    if not isinstance(value, str) or not SESSION_ID_PATTERN.fullmatch(value):
        return False
    random_part, signature = value[:_RANDOM_HEX], value[_RANDOM_HEX:]
    return hmac.compare_digest(signature, _signature(random_part, secret or session_secret()))


def conversation_for(session_id: str, secret: bytes | None = None) -> str:
    """The sender id Rasa knows a web-chat session by (not enough to resume the session)."""
    digest = hmac.new(secret or session_secret(), f"web-conversation:{session_id}".encode("ascii"), hashlib.sha256)
    return WEB_CONVERSATION_PREFIX + digest.hexdigest()[:32]
