"""Opening a SQLite database read-only: a file or folder we may not write (permissions, a read-only
mount, a snapshot) or an explicit `file:...?mode=ro` URI.

Reads must keep working there. A normal opening cannot: it switches the file to WAL mode and creates
the schema (writes), and a WAL database needs its `-wal`/`-shm` files, which SQLite cannot create
in a read-only folder. So such a database is opened with `mode=ro`, and, when SQLite cannot open
it that way either (no `-shm` file and none can be made), with `immutable=1`: nobody can write
it through this filesystem anyway, so SQLite may skip locking and the WAL index.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit


def is_uri(path: str) -> bool:
    return path.startswith("file:")


def file_of(path: str) -> str:
    """The filesystem path a setting names (the path part of a `file:` URI)."""
    if not is_uri(path):
        return path
    parts = urlsplit(path)
    return unquote(parts.path or parts.netloc)


def asks_read_only(path: str) -> bool:
    """True for a `file:` URI with `mode=ro` or `immutable=1`."""
    if not is_uri(path):
        return False
    query = parse_qs(urlsplit(path).query)
    return query.get("mode") == ["ro"] or query.get("immutable") == ["1"]


def cannot_write(path: str) -> bool:
    """True when the database file exists and this process may not write it or its folder (where
    SQLite puts its -wal, -shm and journal files). `os.access` sees read-only mounts even for root."""
    if path == ":memory:" or not os.path.exists(path):
        return False
    folder = str(Path(path).resolve().parent)
    return not (os.access(path, os.W_OK) and os.access(folder, os.W_OK))


def read_only_uris(path: str) -> list[str]:
    """The URIs to try, in order, to open `path` (a file or a `file:` URI) read-only."""
    if is_uri(path):
        first = path if asks_read_only(path) else path + ("&" if "?" in path else "?") + "mode=ro"
    else:
        first = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
    return [first] if "immutable=1" in first else [first, first + "&immutable=1"]


def connect_read_only(path: str, timeout: float) -> sqlite3.Connection:
    """A read-only connection to an existing newsqa database; sqlite3.Error when none can be made
    (the last attempt's error) or the file holds no newsqa tables."""
    error: sqlite3.Error | None = None
    for uri in read_only_uris(path):
        try:
            conn = sqlite3.connect(uri, check_same_thread=False, isolation_level=None, timeout=timeout, uri=True)
        except sqlite3.Error as exc:
            error = exc
            continue
        try:
            conn.execute("SELECT count(*) FROM articles").fetchone()  # WAL without -shm fails here
            return conn
        except sqlite3.Error as exc:
            conn.close()
            error = exc
    assert error is not None
    raise error
