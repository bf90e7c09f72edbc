"""Concurrent readers and writers on one database (issue #12, items 1-3): real SQLite files, real
models; two-process tests use real subprocesses."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsqa import NewsQA

LISBON = "The harbour of Lisbon reopened on Monday after the storm, the port authority said."
OSLO = "The harbour of Oslo stayed closed on Monday because of ice, the mayor said."


def test_item3_an_article_deleted_while_the_reader_runs_drops_out(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "db.sqlite3"
    qa = NewsQA(db)
    gone = qa.add_article(LISBON)
    kept = qa.add_article(OSLO)
    other = NewsQA(db)  # another connection, as another request or worker would have
    reader = qa.reader
    real = reader.answer_batch

    def delete_meanwhile(*args, **kwargs):  # the real reader runs; the delete lands while it does
        result = real(*args, **kwargs)
        if other.count_articles() == 2:
            other.delete_article(gone.id)
        return result

    monkeypatch.setattr(reader, "answer_batch", delete_meanwhile)
    answers = qa.ask("Which harbour reopened on Monday?", top_k=3)
    assert all(a.article_id == kept.id for a in answers)
    for a in answers:
        assert qa.get_article(a.article_id).text[a.start : a.end] == a.text


def test_item3_search_skips_an_article_deleted_after_retrieval(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "db.sqlite3"
    qa = NewsQA(db)
    gone = qa.add_article(LISBON)
    kept = qa.add_article(OSLO)
    other = NewsQA(db)
    real = qa.store.passages

    def delete_meanwhile(ids):
        found = real(ids)  # passages read, then the article goes before titles are looked up
        if other.count_articles() == 2:
            other.delete_article(gone.id)
        return found

    monkeypatch.setattr(qa.store, "passages", delete_meanwhile)
    hits = qa.search("harbour Monday", top_k=5)
    assert {h.passage.article_id for h in hits} <= {gone.id, kept.id}
    assert qa.count_articles() == 1


# -- item 1: every writer in any process invalidates every reader's cache; ids are never reused --------

WRITER = """
import sys
sys.path.insert(0, {root!r})
from newsqa import NewsQA
qa = NewsQA({db!r})
qa.delete_article({gone!r})
print("NEW", qa.add_article({new!r}).id)
print("BACK", qa.add_article({back!r}).id)
"""


def passage_ids(db: Path, article_id: str) -> set[int]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT id FROM passages WHERE article_id = ?", (article_id,))}


def test_item1_another_process_writes_and_this_one_sees_exactly_the_current_state(tmp_path: Path) -> None:
    import subprocess
    import sys

    from .conftest import ROOT

    db = tmp_path / "db.sqlite3"
    qa = NewsQA(db)
    lisbon = qa.add_article(LISBON)
    old_ids = passage_ids(db, lisbon.id)
    assert qa.search("harbour reopened", mode="dense", article_ids=[lisbon.id])  # the vector cache is now filled
    # Another process deletes Lisbon, adds Oslo (which took Lisbon's passage ids before the fix) and Lisbon again.
    out = subprocess.run([sys.executable, "-c", WRITER.format(root=str(ROOT), db=str(db), gone=lisbon.id, new=OSLO, back=LISBON)],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    oslo_id = out.stdout.split("NEW ")[1].split()[0]
    assert not passage_ids(db, oslo_id) & old_ids and not passage_ids(db, lisbon.id) & old_ids  # never reused
    for mode in ("dense", "hybrid"):
        oslo_hits = qa.search("harbour closed ice", mode=mode, article_ids=[oslo_id])
        assert oslo_hits and {h.passage.article_id for h in oslo_hits} == {oslo_id}, mode
        lisbon_hits = qa.search("harbour reopened", mode=mode, article_ids=[lisbon.id])
        assert lisbon_hits and {h.passage.article_id for h in lisbon_hits} == {lisbon.id}, mode
    for answer in qa.ask("What happened to the harbour on Monday?", article_ids=[lisbon.id]):
        assert answer.article_id == lisbon.id
        assert qa.get_article(lisbon.id).text[answer.start : answer.end] == answer.text


def test_item1_passage_ids_are_not_reused_in_an_old_database(tmp_path: Path) -> None:
    """A database made before the fix (passages without AUTOINCREMENT) is migrated on open."""
    import sqlite3

    db = tmp_path / "old.sqlite3"
    qa = NewsQA(db)
    first = qa.add_article(LISBON)
    with sqlite3.connect(db) as conn:  # rebuild the table the way older versions made it
        conn.executescript("""
            CREATE TABLE passages_old AS SELECT * FROM passages; DROP TABLE passages;
            CREATE TABLE passages (id INTEGER PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
                                   idx INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, vector BLOB NOT NULL);
            INSERT INTO passages SELECT * FROM passages_old; DROP TABLE passages_old;
            CREATE INDEX passages_article ON passages(article_id);
        """)
    reopened = NewsQA(db)
    old = passage_ids(db, first.id)
    reopened.delete_article(first.id)
    second = reopened.add_article(OSLO)
    assert min(passage_ids(db, second.id)) > max(old)
    assert reopened.search("harbour Oslo ice", article_ids=[second.id])


# -- item 2: the same article added twice at once ---------------------------------------------------


def test_item2_identical_inserts_from_two_connections_store_one_article(tmp_path: Path) -> None:
    """Both writers checked that the article was new before either stored it (the race the server
    hit): the second insert finds it stored and succeeds without a second copy."""
    db = tmp_path / "db.sqlite3"
    first, second = NewsQA(db), NewsQA(db)
    article = first.add_article(LISBON)
    spans, vectors = first.store.sentences(article.id)
    import sqlite3

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT idx, start, end, vector FROM passages WHERE article_id = ?", (article.id,)).fetchall()
    import numpy as np

    from newsqa.types import Passage

    passages = [Passage(article.id, r[0], r[1], r[2], LISBON[r[1] : r[2]]) for r in rows]
    matrix = np.stack([np.frombuffer(r[3], dtype=np.float32) for r in rows])
    second.store.add_article(article, passages, matrix, spans, vectors)  # IntegrityError before the fix
    assert second.count_articles() == 1 and len(passage_ids(db, article.id)) == len(rows)
    from newsqa import ArticleConflict

    other = type(article)(article.id, OSLO)
    with pytest.raises(ArticleConflict):
        second.store.add_article(other, passages[:1], matrix[:1])
    assert second.get_article(article.id).text == LISBON


def test_item2_two_ingest_processes_of_one_file_both_succeed(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    from .conftest import ROOT

    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"text": f"Ferry {i} left the harbour of Bergen at noon. It carried {i} cars."}) + "\n"
                            for i in range(24)), encoding="utf-8")
    db = tmp_path / "db.sqlite3"
    NewsQA(db)  # created once, so both processes race on the articles, not on the schema
    cmd = [sys.executable, "-m", "newsqa.cli", "ingest", str(feed), "--db", str(db)]
    runs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [run.communicate(timeout=400) for run in runs]
    for run, (out, err) in zip(runs, outs):
        assert run.returncode == 0 and "Traceback" not in err, err[-2000:]
    assert NewsQA(db).count_articles() == 24
