"""Ingest on real databases, each test on SQLite and on PostgreSQL: idempotence, metadata, bad
input, crash safety, deletion."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from newsqa import ArticleConflict, ArticleNotFound, InvalidInput, NewsQA, UnreadableFile

from .conftest import ROOT, SEED, row_counts


def counts(db: str | Path) -> tuple[int, int, int]:
    """(articles, passages, lexical index rows) in a database."""
    rows = row_counts(str(db))
    return rows["articles"], rows["passages"], rows["lexical"]


def test_seed_article_is_stored_verbatim_with_metadata(engine, seed_text):
    [article] = engine.ingest([SEED])
    stored = engine.get_article(article.id)
    assert stored.text == seed_text
    assert stored.title == "Pompeo meets Putin amid sharp differences, agreement on better ties"
    assert stored.caption.startswith("Russian President Vladimir Putin, right, shakes hands")
    assert "Twitter: @sabraayres" in stored.byline
    assert stored.source.endswith("000_6ad73c16a059aa65.txt")


def test_same_article_twice_is_stored_once(engine, seed_text):
    first = engine.ingest([SEED])
    again = engine.ingest([SEED.parent])
    also = engine.add_article(seed_text)
    assert first[0].id == again[0].id == also.id
    assert engine.count_articles() == 1
    assert counts(engine.settings.db_path)[1] == counts(engine.settings.db_path)[2] > 0


def test_explicit_id_conflict_keeps_the_stored_text(engine):
    engine.add_article("First text about ports.", article_id="a-1")
    assert engine.add_article("First text about ports.", article_id="a-1").id == "a-1"
    with pytest.raises(ArticleConflict):
        engine.add_article("Other text.", article_id="a-1")
    assert engine.get_article("a-1").text == "First text about ports."


def test_folder_ingest_reports_and_skips_bad_files(engine, tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.txt").write_text("Ports\n\nThe port of Rotterdam handled record cargo in May.", encoding="utf-8")
    (folder / "sub" / "items.jsonl").write_text(
        json.dumps({"title": "Rain", "text": "Heavy rain hit Lisbon on Monday.", "id": "rain-1", "url": "https://example.org/rain"}) + "\n"
        + json.dumps({"title": "Snow", "text": "Snow closed roads in Oslo."}) + "\n", encoding="utf-8")
    (folder / "page.html").write_text(
        "<html><head><title>Wind farm opens</title></head><body><nav>Home | News</nav><article><h1>Wind farm opens</h1>"
        "<p>A new offshore wind farm opened near Aberdeen on Tuesday, officials said. It will power 300,000 homes.</p>"
        "<p>The project cost 2 billion pounds and took four years to build, according to the developer.</p></article></body></html>",
        encoding="utf-8")
    (folder / "empty.txt").write_text("   \n", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\xff\xfe\x00\x81bad")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    skipped = []
    stored = engine.ingest([folder], on_error=lambda path, exc: skipped.append(path.name))
    assert sorted(skipped) == ["binary.txt", "broken.json", "empty.txt"]
    assert {a.title for a in stored} == {"Ports", "Rain", "Snow", "Wind farm opens"}
    rain = engine.get_article("rain-1")
    assert rain.url == "https://example.org/rain" and rain.text == "Heavy rain hit Lisbon on Monday."
    wind = next(a for a in stored if a.title == "Wind farm opens")
    assert "300,000 homes" in wind.text and "Home | News" not in wind.text


@pytest.mark.parametrize(
    "call",
    [
        lambda qa: qa.add_article(""),
        lambda qa: qa.add_article("   \n\t"),
        lambda qa: qa.add_article(None),
        lambda qa: qa.ask(""),
        lambda qa: qa.ask("   "),
        lambda qa: qa.ask("x" * 1001),
        lambda qa: qa.ask("Who?", top_k=0),
        lambda qa: qa.search("Who?", top_k=10_000),
        lambda qa: qa.add_article("Some text.", article_id="bad\nid"),
        lambda qa: qa.list_articles(limit=0),
    ],
)
def test_bad_input_raises_invalid_input(engine, call):
    with pytest.raises(InvalidInput):
        call(engine)


def test_unknown_ids_and_missing_files(engine, tmp_path):
    with pytest.raises(ArticleNotFound):
        engine.get_article("nope")
    with pytest.raises(ArticleNotFound):
        engine.delete_article("nope")
    with pytest.raises(ArticleNotFound):
        engine.ask("Who?", article_ids=["nope"])
    with pytest.raises(UnreadableFile):
        engine.ingest([tmp_path / "missing.txt"])
    (tmp_path / "only.txt").write_text("", encoding="utf-8")
    with pytest.raises(UnreadableFile):
        engine.ingest([tmp_path / "only.txt"])


def test_delete_removes_passages_and_index(engine):
    keep = engine.add_article("Lisbon is the capital of Portugal.")
    gone = engine.add_article("Oslo is the capital of Norway.")
    engine.delete_article(gone.id)
    assert [a.id for a in engine.list_articles()] == [keep.id]
    assert counts(engine.settings.db_path)[1:] == (1, 1)
    assert all(h.passage.article_id == keep.id for h in engine.search("capital of Norway"))


def sentence_rows(db: str | Path, article_id: str | None = None) -> int:
    return row_counts(str(db), article_id)["sentences"]


def test_sentences_are_stored_with_vectors_and_slice_back(engine, seed_text):
    from newsqa.text import split_sentences

    [article] = engine.ingest([SEED])
    spans, vectors = engine.store.sentences(article.id)
    expected = split_sentences(seed_text)
    assert [(s.start, s.end) for s in spans] == [(s.start, s.end) for s in expected]
    assert all(seed_text[s.start : s.end] == s.text for s in spans)
    assert vectors.shape == (len(spans), 384)
    assert abs(float((vectors * vectors).sum(axis=1).min()) - 1.0) < 1e-3  # unit length
    fresh = engine.embedder.encode([spans[5].text])[0]
    assert float(fresh @ vectors[5]) > 0.99  # the vector is that sentence's


def test_summary_of_a_stored_article_matches_the_raw_text_summary(engine, seed_text):
    article = engine.add_article(seed_text)
    stored = engine.summarize(article_id=article.id, max_sentences=3)
    raw = engine.summarize(text=seed_text, max_sentences=3)
    assert [(s["start"], s["end"]) for s in stored.sentences] == [(s["start"], s["end"]) for s in raw.sentences]
    focused = engine.summarize(article_id=article.id, max_sentences=2, query="Venezuela")
    assert all("Venezuela" in s["text"] for s in focused.sentences)


def test_delete_removes_sentences(engine):
    keep = engine.add_article("Lisbon is the capital of Portugal. It lies on the Tagus.")
    gone = engine.add_article("Oslo is the capital of Norway. It lies on a fjord.")
    db = engine.settings.db_path
    assert sentence_rows(db, gone.id) == 2
    engine.delete_article(gone.id)
    assert sentence_rows(db, gone.id) == 0 and sentence_rows(db, keep.id) == 2


@pytest.mark.parametrize("step", ["_insert_passages", "_insert_sentences"])
def test_crash_mid_ingest_leaves_no_half_stored_article(new_database, backend, step):
    """A process killed inside an article's transaction (after its row, while writing its passages
    or its sentences) loses only that article; what was stored before survives."""
    db = new_database()
    with NewsQA(db) as first:
        first.add_article("An earlier article about harbours.", article_id="kept")
    module, cls = {"sqlite": ("sqlite", "SQLiteStore"), "postgres": ("postgres", "PostgresStore")}[backend]
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        from newsqa import NewsQA
        from newsqa.store.{module} import {cls}
        def crash(self, *args):
            os._exit(9)  # the process dies inside the transaction
        setattr({cls}, {step!r}, crash)
        NewsQA({db!r}).add_article("A new article that never lands. It has two sentences.", article_id="lost")
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300)
    assert proc.returncode == 9, proc.stderr.decode()[-2000:]
    reopened = NewsQA(db)
    assert [a.id for a in reopened.list_articles()] == ["kept"]
    assert counts(db) == (1, 1, 1) and sentence_rows(db) == 1
    with pytest.raises(ArticleNotFound):
        reopened.get_article("lost")
    reopened.close()


def test_old_database_without_sentences_still_summarizes(tmp_path, seed_text):
    """A database written before the sentences table: it is created on open, and summaries encode."""
    db = tmp_path / "old.sqlite3"
    qa = NewsQA(db)
    article = qa.add_article(seed_text)
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE sentences")
    reopened = NewsQA(db)
    assert reopened.store.sentences(article.id)[0] == []
    assert len(reopened.summarize(article_id=article.id, max_sentences=2).sentences) == 2


def test_settings_may_be_passed_first(tmp_path, monkeypatch):
    from newsqa.config import Settings

    monkeypatch.chdir(tmp_path)
    qa = NewsQA(Settings(db_path=str(tmp_path / "given.sqlite")))
    assert qa.settings.db_path == str(tmp_path / "given.sqlite")
    qa.add_article("A short article about the harbour.", title="Harbour")
    assert qa.count_articles() == 1 and (tmp_path / "given.sqlite").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("given.sqlite")) == []
