"""`newsqa copy --from SRC --to DST`: SQLite to PostgreSQL and back, with the stored vectors (no
model is loaded), resumable, and refusing to overwrite a different text under the same id."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from newsqa import NewsQA

from .conftest import ROOT, SEED, row_counts

SHORT = {
    "lisbon": "Lisbon is the capital of Portugal. It lies on the Tagus river, near the Atlantic.",
    "oslo": "Oslo is the capital of Norway. It lies at the end of a fjord.",
}


def run_copy(source: str, destination: str) -> tuple[int, dict, bool]:
    """Run the CLI in a fresh process: (exit status, its JSON report, whether MiniLM was imported)."""
    script = (
        "import sys\n"
        "from newsqa.cli import app\n"
        "try:\n"
        f"    app(['copy', '--from', {source!r}, '--to', {destination!r}, '--json'])\n"
        "except SystemExit as exit:\n"
        "    print('sentence_transformers' in sys.modules, file=sys.stderr)\n"
        "    raise\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout, proc.stderr[-3000:]
    return proc.returncode, json.loads(proc.stdout), proc.stderr.strip().splitlines()[-1] == "True"


def assert_same_corpus(a: NewsQA, b: NewsQA) -> None:
    """Both hold the same articles with the same passages, sentences and bit-identical vectors."""
    ids = [x.id for x in a.list_articles(limit=1000)]
    assert ids == [x.id for x in b.list_articles(limit=1000)]
    for article_id in ids:
        x, y = a.store.stored_article(article_id), b.store.stored_article(article_id)
        assert x.article == y.article and x.passages == y.passages and x.sentences == y.sentences
        assert np.array_equal(x.vectors, y.vectors) and np.array_equal(x.sentence_vectors, y.sentence_vectors)


def test_copy_sqlite_to_postgres_and_back(tmp_path, postgres_database):
    sqlite_db, postgres_db, back = str(tmp_path / "source.sqlite3"), postgres_database(), f"sqlite:///{tmp_path}/back.sqlite3"
    with NewsQA(sqlite_db) as source:
        source.ingest([SEED])
        for key, text in SHORT.items():
            source.add_article(text, article_id=key, title=key.title())

    status, report, loaded_model = run_copy(sqlite_db, postgres_db)
    assert (status, report, loaded_model) == (0, {"copied": 3, "already_there": 0, "conflicts": []}, False)
    counts = row_counts(postgres_db)
    assert counts["articles"] == 3 and counts["passages"] == counts["vectors"] == counts["lexical"] > 3

    # resumable: an article missing from the destination (as after an interrupted copy) is copied,
    # the others are left as they are
    with NewsQA(postgres_db) as copy:
        copy.delete_article("oslo")
    assert run_copy(sqlite_db, postgres_db)[:2] == (0, {"copied": 1, "already_there": 2, "conflicts": []})

    assert run_copy(postgres_db, back)[:2] == (0, {"copied": 3, "already_there": 0, "conflicts": []})
    with NewsQA(sqlite_db) as source, NewsQA(postgres_db) as copy, NewsQA(back) as round_trip:
        assert_same_corpus(source, copy)
        assert_same_corpus(source, round_trip)
        question = "What did Lavrov say on Venezuela?"
        assert [a.text for a in copy.ask(question)] == [a.text for a in source.ask(question)]


def test_copy_reports_a_different_text_under_the_same_id(tmp_path, new_database):
    source_db, destination_db = str(tmp_path / "source.sqlite3"), new_database()
    with NewsQA(source_db) as source:
        for key, text in SHORT.items():
            source.add_article(text, article_id=key)
    with NewsQA(destination_db) as destination:
        destination.add_article("Oslo hosted a winter festival.", article_id="oslo")
    status, report, _ = run_copy(source_db, destination_db)
    assert (status, report) == (1, {"copied": 1, "already_there": 0, "conflicts": ["oslo"]})
    with NewsQA(destination_db) as destination:
        assert destination.get_article("oslo").text == "Oslo hosted a winter festival."


@pytest.mark.parametrize("bad", ["postgresql://nobody@/nowhere?host=/nonexistent&connect_timeout=2"])
def test_copy_from_an_unreachable_database_is_one_clear_line(tmp_path, bad):
    proc = subprocess.run([sys.executable, "-m", "newsqa.cli", "copy", "--from", bad, "--to", str(tmp_path / "x.sqlite3")],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error: cannot connect to PostgreSQL") and "Traceback" not in proc.stderr
