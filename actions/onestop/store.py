"""The database source: dossiers in SQL through SQLAlchemy (2.0 style on 1.4).

The embedded default is an SQLite file in the ignored runtime folder; PostgreSQL (or any
SQLAlchemy URL) through ONESTOP_DB_URL. The schema is created on first use.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Dict, Iterable, Optional, Tuple

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, bindparam, func, select
from sqlalchemy.engine import Engine

from actions.onestop.model import DOSSIER_CODE_PATTERN, Dossier
from actions.sql import engine_for

_CODE_RE = re.compile(DOSSIER_CODE_PATTERN, re.ASCII)
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB_URL = f"sqlite:///{ROOT / 'var' / 'onestop.db'}"

metadata = MetaData()
dossiers = Table(
    "dossiers",
    metadata,
    Column("code", String(40), primary_key=True),  # MaHoSo; the primary key is the index on it
    Column("status", Integer, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    # The whole record as synchronised: the lookup needs all of it, and the shape is national.
    Column("record", Text, nullable=False),
)


def db_url() -> str:
    """ONESTOP_DB_URL, or the SQLite file var/onestop.db."""
    return os.environ.get("ONESTOP_DB_URL") or DEFAULT_DB_URL


def _record(dossier: Dossier) -> str:
    return json.dumps(dossier.to_national(), ensure_ascii=False)


class DossierStore:
    """Dossiers by code in an SQL database."""

    def __init__(self, url: Optional[str] = None) -> None:
        self.url = url or db_url()
        self.engine: Engine = engine_for(self.url)
        metadata.create_all(self.engine)

    def get(self, code: str) -> Optional[Dossier]:
        """The dossier with this code, or None; a string that is not a dossier code is never queried."""
        code = (code or "").strip().upper() if isinstance(code, str) else ""
        if not _CODE_RE.fullmatch(code):
            return None
        with self.engine.connect() as connection:
            row = connection.execute(select(dossiers.c.record).where(dossiers.c.code == code)).first()
        return Dossier.parse_raw(row[0]) if row else None

    def upsert(self, items: Iterable[Dossier]) -> Tuple[int, int]:
        """Insert or replace by MaHoSo in one transaction; returns (inserted, updated)."""
        latest: Dict[str, Dossier] = {dossier.MaHoSo: dossier for dossier in items}
        now = dt.datetime.utcnow()
        inserted = updated = 0
        with self.engine.begin() as connection:  # all or nothing
            codes = list(latest)
            existing = set()
            for start in range(0, len(codes), 500):
                chunk = codes[start : start + 500]
                existing.update(connection.execute(select(dossiers.c.code).where(dossiers.c.code.in_(chunk))).scalars())
            new_rows = [
                {"code": code, "status": d.TrangThaiHoSo, "updated_at": now, "record": _record(d)}
                for code, d in latest.items()
                if code not in existing
            ]
            if new_rows:
                connection.execute(dossiers.insert(), new_rows)
                inserted = len(new_rows)
            changed = [
                {"key": code, "status": latest[code].TrangThaiHoSo, "updated_at": now, "record": _record(latest[code])}
                for code in existing
            ]
            if changed:  # one executemany, not one statement per dossier
                connection.execute(dossiers.update().where(dossiers.c.code == bindparam("key")), changed)
                updated = len(changed)
        return inserted, updated

    def count(self) -> int:
        """How many dossiers are stored."""
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(dossiers)).scalar_one())
