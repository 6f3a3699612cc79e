"""Fixed-window counters in SQL that concurrent processes cannot overshoot.

`take` counts one use of a key unless its window is used up, with conditional UPDATEs that the
database applies atomically (row locks on PostgreSQL, the write lock on SQLite): no read-then-
write gap, so replicas sharing the database share the limit exactly.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, delete, exc, select, update
from sqlalchemy.engine import Engine

PURGE_AFTER = dt.timedelta(days=2)


def window_table(name: str, metadata: MetaData) -> Table:
    """A table of (key, window_start, count) rows; keys are digests, never raw values."""
    return Table(
        name,
        metadata,
        Column("key", String(64), primary_key=True),
        Column("window_start", DateTime, nullable=False, index=True),
        Column("count", Integer, nullable=False),
    )


class WindowCounter:
    """Counts uses per key in fixed windows that start at a key's first use."""

    def __init__(self, engine: Engine, table: Table) -> None:
        self.engine = engine
        self.table = table

    def take(self, key: str, limit: int, window: dt.timedelta, now: dt.datetime) -> bool:
        """Count one use of `key`; False (nothing counted) when its window already holds `limit`."""
        table, since = self.table, now - window
        for _ in range(5):
            with self.engine.begin() as connection:
                counted = connection.execute(
                    update(table)
                    .where(table.c.key == key, table.c.window_start > since, table.c.count < limit)
                    .values(count=table.c.count + 1)
                )
                if counted.rowcount == 1:
                    return True
                restarted = connection.execute(
                    update(table).where(table.c.key == key, table.c.window_start <= since).values(count=1, window_start=now)
                )
                if restarted.rowcount == 1:
                    return True
                if connection.execute(select(table.c.key).where(table.c.key == key)).first():
                    return False
            try:
                with self.engine.begin() as connection:
                    connection.execute(table.insert(), [{"key": key, "window_start": now, "count": 1}])
                    connection.execute(delete(table).where(table.c.window_start < now - PURGE_AFTER))
                return True
            except exc.IntegrityError:  # another process inserted the key first: count again
                continue
        raise RuntimeError("counter kept changing under concurrent use")

    def give_back(self, key: str) -> None:
        """Undo one use (it turned out not to count)."""
        table = self.table
        with self.engine.begin() as connection:
            connection.execute(update(table).where(table.c.key == key, table.c.count > 0).values(count=table.c.count - 1))

    def count(self, key: str, window: dt.timedelta, now: dt.datetime) -> int:
        """Uses of `key` in its current window."""
        table = self.table
        with self.engine.connect() as connection:
            row = connection.execute(
                select(table.c.count).where(table.c.key == key, table.c.window_start > now - window)
            ).first()
        return int(row[0]) if row else 0
