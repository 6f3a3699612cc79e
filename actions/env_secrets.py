"""Secrets from the environment, with a per-process fallback that says so."""
from __future__ import annotations

import logging
import os
import secrets
from typing import Dict

logger = logging.getLogger(__name__)
_ephemeral: Dict[str, bytes] = {}


def env_secret(name: str, without_it: str) -> bytes:
    """The variable `name` as bytes; unset, a random key for this process (and a warning)."""
    value = os.environ.get(name, "")
    if value:
        return value.encode("utf-8")
    if name not in _ephemeral:
        logger.warning("%s is not set: using a per-process key (%s)", name, without_it)
        _ephemeral[name] = secrets.token_bytes(32)
    return _ephemeral[name]
