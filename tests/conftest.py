"""Shared fixtures: the seed article, and engines on real SQLite files with the shipped models."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_6ad73c16a059aa65.txt"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seeded_engine(tmp_path_factory):
    """One engine over a real SQLite file holding the seed article, shared by read-only tests."""
    from newsqa import NewsQA

    qa = NewsQA(tmp_path_factory.mktemp("db") / "seeded.sqlite3")
    qa.ingest([SEED])
    return qa


@pytest.fixture
def engine(tmp_path):
    """A fresh engine over its own SQLite file."""
    from newsqa import NewsQA

    return NewsQA(tmp_path / "newsqa.sqlite3")


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
