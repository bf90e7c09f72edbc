"""Storage behind one protocol: `open_store(db)` picks the backend from the database setting.

A path, `:memory:` or `sqlite:///path` gives the embedded SQLite store; `postgresql://...` (or
`postgres://...`) gives the PostgreSQL + pgvector store that many server replicas can share.
"""

from __future__ import annotations

from pathlib import Path

from .base import Store

__all__ = ["Store", "open_store", "is_postgres_url"]

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")


def is_postgres_url(db: str | Path) -> bool:
    return isinstance(db, str) and db.startswith(POSTGRES_PREFIXES)


def open_store(db: str | Path, pool_size: int = 4) -> Store:
    """The store for a database setting: a SQLite path or URL, or a PostgreSQL URL (with at most
    `pool_size` connections from this process)."""
    if is_postgres_url(db):
        from .postgres import PostgresStore

        return PostgresStore(str(db), pool_size=pool_size)
    from .sqlite import SQLiteStore

    path = str(db)
    if path.startswith(SQLITE_PREFIX):
        path = path[len(SQLITE_PREFIX) :] or ":memory:"
    return SQLiteStore(path)
