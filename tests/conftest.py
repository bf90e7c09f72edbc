"""Shared fixtures: the seed article, and engines on real SQLite files with the shipped models."""

from __future__ import annotations

import os
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
