"""What only the PostgreSQL store has to show, on a real server: backend choice from the setting,
the versioned schema, clear errors, several processes (engines) on one database seeing each other's
writes at once, and concurrent adds of the same article stored once."""

from __future__ import annotations

import threading

import pytest

from newsqa import ArticleConflict, InvalidInput, NewsQA
from newsqa.errors import StorageError
from newsqa.store import open_store
from newsqa.store.postgres import SCHEMA_VERSION

from .conftest import SEED, row_counts


@pytest.fixture
def pg(postgres_database):
    return postgres_database


def test_the_setting_chooses_the_backend(tmp_path, pg):
    from newsqa.store.postgres import PostgresStore
    from newsqa.store.sqlite import SQLiteStore

    for setting, expected in ((str(tmp_path / "a.sqlite3"), tmp_path / "a.sqlite3"), (f"sqlite:///{tmp_path}/b.sqlite3", tmp_path / "b.sqlite3")):
        store = open_store(setting)
        assert isinstance(store, SQLiteStore) and expected.exists()
        store.close()
    store = open_store(pg())
    assert isinstance(store, PostgresStore)
    store.close()


def test_schema_is_versioned_and_a_newer_one_is_refused(pg):
    import psycopg

    url = pg()
    NewsQA(url).close()
    NewsQA(url).close()  # opening again changes nothing
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT version FROM newsqa_schema").fetchall() == [(SCHEMA_VERSION,)]  # 2 since issue 19 (dates, copies)
        indexes = {r[0] for r in conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'passages'")}
        assert any("USING hnsw (vector vector_cosine_ops)" in i for i in indexes)
        assert any("USING gin (tsv)" in i for i in indexes)
        conn.execute("UPDATE newsqa_schema SET version = 99")
    with pytest.raises(StorageError, match="schema version 99"):
        NewsQA(url)


def test_unreachable_database_is_a_clear_error(tmp_path):
    with pytest.raises(StorageError, match="cannot connect to PostgreSQL"):
        NewsQA(f"postgresql://newsqa:secret@/newsqa?host={tmp_path}&connect_timeout=2")


def test_nul_characters_are_invalid_input(pg):
    qa = NewsQA(pg())
    with pytest.raises(InvalidInput, match="NUL"):
        qa.add_article("A text with a \x00 inside.")
    assert qa.count_articles() == 0
    qa.close()


def test_every_engine_sees_every_other_engines_writes_at_once(pg, seed_text):
    """Two engines (as two server processes would) on one database: no cache outlives a write."""
    url = pg()
    writer, reader = NewsQA(url), NewsQA(url)
    assert reader.search("Lavrov Venezuela") == []
    article = writer.add_article(seed_text)
    assert [h.passage.article_id for h in reader.search("Lavrov Venezuela", top_k=1, mode="dense")] == [article.id]
    assert reader.ask("What did Lavrov say on Venezuela?")[0].article_id == article.id
    writer.delete_article(article.id)
    assert reader.search("Lavrov Venezuela") == [] and reader.count_articles() == 0
    writer.close(), reader.close()


def test_concurrent_adds_of_one_article_store_it_once(pg, seed_text):
    url = pg()
    engines = [NewsQA(url) for _ in range(4)]
    engines[0].embedder  # noqa: B018 - load the model before the race, not inside it
    results, errors = [], []
    barrier = threading.Barrier(len(engines))

    def add(qa: NewsQA, text: str) -> None:
        barrier.wait()
        try:
            results.append(qa.add_article(text, article_id="same").id)
        except ArticleConflict as exc:
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(qa, seed_text)) for qa in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["same"] * 4 and errors == []
    counts = row_counts(url)
    assert counts["articles"] == 1 and counts["passages"] == counts["vectors"] == counts["lexical"] > 0

    # the same id with different texts at once: one is stored, every other gets the conflict
    barrier.reset()
    threads = [threading.Thread(target=add, args=(qa, f"Version {i} of a disputed story about harbours.")) for i, qa in enumerate(engines)]
    results.clear()
    engines[0].delete_article("same")
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 1 and len(errors) == 3
    assert engines[0].get_article("same").text.startswith("Version ")
    for qa in engines:
        qa.close()


def test_article_filter_is_exact_whatever_the_index_would_return(pg):
    """Dense search restricted to some articles finds their passages even when HNSW's nearest
    neighbours all belong to other articles."""
    url = pg()
    qa = NewsQA(url)
    qa.ingest([SEED])
    far = qa.add_article("Kenya's central bank kept its main rate at 10.75 percent on Tuesday.", article_id="kenya")
    query = qa.embedder.encode(["Lavrov Pompeo Putin Venezuela"])[0]
    assert all(pid for pid, _ in qa.store.dense_search(query, 5))
    [(pid, score)] = qa.store.dense_search(query, 5, [far.id])
    assert qa.store.passages([pid])[pid].article_id == "kenya" and -1 <= score <= 1
    qa.close()


def test_issue22_item4_identical_text_racing_a_delete_is_stored_not_a_conflict(pg):
    """Another server deletes the article between this INSERT (which found it stored) and the
    SELECT that compares texts: the same text is no conflict; it is stored again, as SQLite does."""
    import contextlib

    import psycopg

    url = pg()
    qa = NewsQA(url)
    text = "The harbour of Lisbon reopened on Monday after the storm."
    qa.add_article(text, article_id="raced")
    store = qa.store
    real_connection = store._connection
    deleted = []

    class DeleteAfterInsert:
        """The real pooled connection; right after the INSERT finds the row, another connection deletes it."""

        def __init__(self, conn):
            self._conn = conn

        def __getattr__(self, name):
            return getattr(self._conn, name)

        def execute(self, query, params=None):
            cursor = self._conn.execute(query, params)
            if str(query).startswith("INSERT INTO articles") and not deleted:
                with psycopg.connect(url, autocommit=True) as other:
                    other.execute("DELETE FROM articles WHERE id = 'raced'")
                deleted.append(True)
            return cursor

    @contextlib.contextmanager
    def racing_connection():
        with real_connection() as conn:
            yield DeleteAfterInsert(conn)

    saved = store.stored_article("raced")
    store._connection = racing_connection
    store.add_article(saved.article, saved.passages, saved.vectors, saved.sentences, saved.sentence_vectors)
    store._connection = real_connection
    assert deleted
    assert qa.get_article("raced").text == text and qa.store.count_passages() > 0
    qa.close()
