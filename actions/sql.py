"""One way to open the project's own SQL databases (SQLAlchemy 2.0 style on 1.4)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine


def engine_for(url: str) -> Engine:
    """An engine for `url`; an SQLite file's folder is created first (var/ is not in the repo)."""
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, future=True, pool_pre_ping=True)
