"""Two ways to reach the one-stop system behind one interface, with one result shape.

`DatabaseSource` reads the SQL store; `HttpSource` calls the province's API gateway
(docs/onestop-api.md). Both answer within `timeout` seconds and never raise: the caller gets
"found", "not_found", "unavailable" (down, slow, 5xx) or "bad_answer" (the system answered
something that is not a dossier).
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
from dataclasses import dataclass
from typing import Optional, Protocol
from urllib.parse import quote

import aiohttp
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from actions.onestop.model import DOSSIER_CODE_PATTERN, Dossier
from actions.onestop.store import DossierStore

logger = logging.getLogger(__name__)
_CODE_RE = re.compile(DOSSIER_CODE_PATTERN, re.ASCII)

FOUND, NOT_FOUND, UNAVAILABLE, BAD_ANSWER = "found", "not_found", "unavailable", "bad_answer"
DEFAULT_TIMEOUT = 4.0  # seconds; the citizen gets an answer within 5 s at worst


@dataclass(frozen=True)
class LookupResult:
    """What a source says about one dossier code."""

    status: str
    dossier: Optional[Dossier] = None
    detail: str = ""  # for logs only: never shown to citizens, never personal data


class DossierSource(Protocol):
    """Anything that can look a dossier up by its code."""

    async def lookup(self, code: str) -> LookupResult:
        ...


class DatabaseSource:
    """The SQL store (SQLite by default, PostgreSQL through ONESTOP_DB_URL)."""

    def __init__(self, store: Optional[DossierStore] = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.store = store or DossierStore()
        self.timeout = timeout

    async def lookup(self, code: str) -> LookupResult:
        """Look the code up in a worker thread, so a slow database never blocks the server."""
        try:
            dossier = await asyncio.wait_for(asyncio.to_thread(self.store.get, code), self.timeout)
        except asyncio.TimeoutError:
            return LookupResult(UNAVAILABLE, detail="database timeout")
        except SQLAlchemyError as error:
            return LookupResult(UNAVAILABLE, detail=f"database error: {error.__class__.__name__}")
        except (ValidationError, ValueError) as error:
            return LookupResult(BAD_ANSWER, detail=f"stored record unreadable: {error.__class__.__name__}")
        return LookupResult(FOUND, dossier) if dossier else LookupResult(NOT_FOUND)


class HttpSource:
    """The one-stop system's HTTP API: GET {base}/dossiers/{MaHoSo} with a bearer token."""

    def __init__(
        self, base_url: str, token: str = "", timeout: float = DEFAULT_TIMEOUT, retries: int = 1
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retries = max(0, retries)
        self._session: Optional[aiohttp.ClientSession] = None

    def _client(self) -> aiohttp.ClientSession:
        # One shared session (connection pool) for the whole action server.
        if self._session is None or self._session.closed:
            headers = {"Accept": "application/json"}
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
            self._session = aiohttp.ClientSession(headers=headers)
        return self._session

    async def close(self) -> None:
        """Close the shared session."""
        if self._session is not None:
            await self._session.close()

    async def lookup(self, code: str) -> LookupResult:
        """Ask the API; retry once on a connection error, all within `timeout` seconds."""
        code = code.strip().upper() if isinstance(code, str) else ""
        if not _CODE_RE.fullmatch(code):
            return LookupResult(NOT_FOUND, detail="not a dossier code")  # never sent to the system
        try:
            return await asyncio.wait_for(self._lookup(code), self.timeout)
        except asyncio.TimeoutError:
            return LookupResult(UNAVAILABLE, detail="timeout")

    async def _lookup(self, code: str) -> LookupResult:
        url = f"{self.base_url}/dossiers/{quote(code, safe='')}"
        attempt = 0
        while True:
            try:
                async with self._client().get(url) as response:
                    if response.status == 404:
                        return LookupResult(NOT_FOUND)
                    if response.status >= 500:
                        return LookupResult(UNAVAILABLE, detail=f"HTTP {response.status}")
                    if response.status != 200:
                        return LookupResult(BAD_ANSWER, detail=f"HTTP {response.status}")
                    try:
                        payload = await response.json(content_type=None)
                        return LookupResult(FOUND, Dossier.parse_obj(payload))
                    except (ValueError, ValidationError, TypeError) as error:
                        return LookupResult(BAD_ANSWER, detail=f"not a dossier: {error.__class__.__name__}")
            except aiohttp.ClientConnectionError as error:
                if attempt >= self.retries:
                    return LookupResult(UNAVAILABLE, detail=f"connection: {error.__class__.__name__}")
                attempt += 1
                await asyncio.sleep(0.2 * attempt)
            except aiohttp.ClientError as error:
                return LookupResult(BAD_ANSWER, detail=f"client: {error.__class__.__name__}")


def source_from_env() -> DossierSource:
    """HttpSource when ONESTOP_API_URL is set, else the database (ONESTOP_DB_URL or var/onestop.db)."""
    url = os.environ.get("ONESTOP_API_URL")
    if url:
        return HttpSource(url, os.environ.get("ONESTOP_API_TOKEN", ""))
    return DatabaseSource()
