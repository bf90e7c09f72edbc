"""SQLite store, the embedded default: articles, their sentence-aligned passages, passage vectors, an FTS5 index, and
the vectors of every sentence (so that summarizing a stored article needs no MiniLM pass).

One article is written in one transaction: a crash mid-ingest leaves either the whole article or
nothing. WAL mode lets readers work while a writer writes. Sentences, like passages, are stored as
offsets into the article text, never as copies of it.

Several processes may share the file (gunicorn workers, a CLI ingest beside a server): the passage
vectors cached for dense search are reloaded whenever `PRAGMA data_version` says another connection
committed, and passage ids are AUTOINCREMENT, never reused, so a stale id can only miss, never
point into another article. Every SQLite failure leaves as a StorageError naming the file and the
cause (disk full, not a database, read-only, deleted under us), never as a bare sqlite3 error.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from ..embedder import DIMENSIONS
from ..errors import ArticleConflict, StorageError
from ..types import Article, Passage, Quote, Span
from .base import StoredArticle
from .. import dates
from . import readonly
from .common import date_condition as common_date_condition
from .common import ARTICLE_COLUMNS, DateRange, check_vector_counts, exact_top_k, hidden_copies
from .quote_rows import like_pattern, quote_from_row, quote_row

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    title TEXT, url TEXT, published TEXT, byline TEXT, caption TEXT, source TEXT,
    added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_article ON passages(article_id);
CREATE TABLE IF NOT EXISTS sentences (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (article_id, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS quotes (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    speaker TEXT,
    direct INTEGER NOT NULL,
    spans TEXT NOT NULL,
    PRIMARY KEY (article_id, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS quotes_speaker ON quotes(lower(speaker));
CREATE TABLE IF NOT EXISTS copy_signatures (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    signature BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS copy_keys (
    key INTEGER NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (key, article_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS copy_keys_article ON copy_keys(article_id);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2');
"""
PASSAGE_COLUMNS = "id, article_id, idx, start, end, vector"
# Columns added after the first release, with the indexes on them (added on open, idempotently).
ADDED_COLUMNS = {"duplicate_of": "TEXT", "published_ts": "REAL"}
ADDED_INDEXES = """
CREATE INDEX IF NOT EXISTS articles_published ON articles(published_ts);
CREATE INDEX IF NOT EXISTS articles_duplicate ON articles(duplicate_of);
"""
BUSY_TIMEOUT_S = 15.0  # a writer waits this long for another process's transaction before giving up

# SQLite's message -> what it means for the person reading the error.
_CAUSES = [
    ("database or disk is full", "the disk is full"),
    ("file is not a database", "not a newsqa database (some other file, or a corrupt one)"),
    ("malformed", "the database file is corrupt (not a newsqa database any more)"),
    ("readonly", "the database is read-only (file permissions or a read-only filesystem)"),
    ("read-only", "the database is read-only (file permissions or a read-only filesystem)"),
    ("unable to open", "cannot open the file (missing folder, permissions, or a read-only filesystem)"),
    ("locked", "another process held the database locked for too long; try again"),
    ("disk i/o error", "a disk I/O error (was the file deleted, or the disk removed?)"),
]


def storage_error(path: str, exc: BaseException) -> StorageError:
    """A StorageError naming the database file and the cause of a sqlite3 (or OS) error."""
    message = str(exc)
    cause = next((meaning for needle, meaning in _CAUSES if needle in message.lower()), message)
    return StorageError(f"database {path}: {cause} ({type(exc).__name__}: {message})")


class SQLiteStore:
    """The `Store` protocol over one SQLite file (or ":memory:"): FTS5 for BM25, and an exact scan
    of every passage vector, held in memory, for dense search."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._matrix: tuple | None = None  # cached (ids, article ids, vectors, published_ts, duplicate_of, hidden copies)
        self._matrix_version = -1  # PRAGMA data_version the cache was read at
        self._identity: tuple[int, int] | None = None  # (device, inode) of the file opened
        # A file or folder we may not write, or a `file:...?mode=ro` URI, is opened read-only:
        # reads work, writes are refused with a StorageError (newsqa/store/readonly.py).
        self.read_only = readonly.asks_read_only(self.path) or readonly.cannot_write(readonly.file_of(self.path))
        try:
            uri = readonly.is_uri(self.path)  # an SQLite URI (file:...?mode=ro): no folder is made for it
            if self.read_only:
                self._conn = readonly.connect_read_only(self.path, BUSY_TIMEOUT_S)
            else:
                if self.path != ":memory:" and not uri:
                    Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT_S, uri=uri)
            self._conn.execute("PRAGMA foreign_keys = ON")
            if not self.read_only:
                if self.path != ":memory:":
                    self._conn.execute("PRAGMA journal_mode = WAL")
                    self._conn.execute("PRAGMA synchronous = NORMAL")
                self._conn.executescript(SCHEMA)
                self._migrate_passage_ids()
                self._migrate_news_columns()
            if self.path != ":memory:" and os.path.exists(readonly.file_of(self.path)):
                info = os.stat(readonly.file_of(self.path))
                self._identity = (info.st_dev, info.st_ino)
        except (sqlite3.Error, OSError) as exc:
            raise storage_error(self.path, exc) from exc

    def close(self) -> None:
        self._conn.close()

    # -- connection, transactions, faults ----------------------------------------------------
    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """The connection, under the lock, with every SQLite failure turned into a StorageError."""
        with self._lock:
            self._check_same_file()
            try:
                yield self._conn
            except sqlite3.Error as exc:
                self._rollback()
                raise storage_error(self.path, exc) from exc

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so that two writers queue rather
        than fail at commit; rolled back on any error; the vector cache is dropped either way."""
        if self.read_only:
            raise StorageError(f"database {self.path}: the database is read-only (file permissions, a read-only "
                               "filesystem or mode=ro): it was opened for reading, writes are refused")
        with self._db() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
            finally:
                self._matrix = None

    def _rollback(self) -> None:
        # SQLite rolls some failures back itself (a full disk): ROLLBACK then would fail with
        # "no transaction is active" and hide the real cause.
        if self._conn.in_transaction:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def _check_same_file(self) -> None:
        """Refuse to go on when the database file was deleted or replaced under us: writes into an
        unlinked file are confirmed and then lost for good."""
        if self._identity is None:
            return
        try:
            info = os.stat(readonly.file_of(self.path))
        except OSError:
            info = None
        if info is None or (info.st_dev, info.st_ino) != self._identity:
            raise StorageError(f"database {self.path}: the file was deleted or replaced while in use; "
                               "nothing more is written to it (restart to open the file now at that path)")

    def check(self) -> None:
        """Raise StorageError unless the database answers and is still the file this store opened."""
        with self._db() as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()

    def _migrate_passage_ids(self) -> None:
        """Databases made before passage ids were AUTOINCREMENT reused the ids of deleted passages,
        so a process holding an older vector cache could map an id to the wrong article. Rebuild
        the table once with AUTOINCREMENT (ids kept; from now on never reused)."""
        def current() -> str:
            row = self._conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'passages'").fetchone()
            return row[0].upper() if row else ""

        if "AUTOINCREMENT" in current():
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            if "AUTOINCREMENT" not in current():  # another process may have migrated meanwhile
                create = SCHEMA[SCHEMA.index("CREATE TABLE IF NOT EXISTS passages") : SCHEMA.index(";", SCHEMA.index("CREATE TABLE IF NOT EXISTS passages"))]
                self._conn.execute(create.replace("IF NOT EXISTS passages", "passages_new"))
                self._conn.execute(f"INSERT INTO passages_new ({PASSAGE_COLUMNS}) SELECT {PASSAGE_COLUMNS} FROM passages")
                self._conn.execute("DROP TABLE passages")
                self._conn.execute("ALTER TABLE passages_new RENAME TO passages")
                self._conn.execute("CREATE INDEX IF NOT EXISTS passages_article ON passages(article_id)")
            self._conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _migrate_news_columns(self) -> None:
        """Databases made before publication dates and copies were tracked get the columns
        `duplicate_of` and `published_ts` (filled from `published`), once, under a write lock."""
        def missing() -> list[str]:
            have = {r[1] for r in self._conn.execute("PRAGMA table_info(articles)")}
            return [c for c in ADDED_COLUMNS if c not in have]

        if missing():
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for column in missing():  # another process may have migrated meanwhile
                    self._conn.execute(f"ALTER TABLE articles ADD COLUMN {column} {ADDED_COLUMNS[column]}")
                    if column == "published_ts":
                        rows = self._conn.execute("SELECT id, published FROM articles WHERE published IS NOT NULL").fetchall()
                        self._conn.executemany("UPDATE articles SET published_ts = ? WHERE id = ?",
                                               [(dates.timestamp(p), i) for i, p in rows])
                self._conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
        self._conn.executescript(ADDED_INDEXES)

    # -- articles ---------------------------------------------------------------------------
    def get_article(self, article_id: str) -> Article | None:
        with self._db() as conn:
            row = conn.execute(f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles WHERE id = ?", (article_id,)).fetchone()
        return Article(*row) if row else None

    def list_articles(self, offset: int = 0, limit: int = 50, dates: DateRange = None) -> list[Article]:
        where, args = date_condition("articles", dates)
        with self._db() as conn:
            rows = conn.execute(
                f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles WHERE {where} ORDER BY added_at, id LIMIT ? OFFSET ?",
                args + [limit, offset],
            ).fetchall()
        return [Article(*r) for r in rows]

    def count_articles(self) -> int:
        with self._db() as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        found: set[str] = set()
        with self._db() as conn:
            for lo in range(0, len(ids), 500):
                chunk = ids[lo : lo + 500]
                marks = ",".join("?" * len(chunk))
                found.update(r[0] for r in conn.execute(f"SELECT id FROM articles WHERE id IN ({marks})", chunk))
        return found

    def add_article(
        self,
        article: Article,
        passages: Sequence[Passage],
        vectors: np.ndarray,
        sentences: Sequence[Span] = (),
        sentence_vectors: np.ndarray | None = None,
        quotes: Sequence[Quote] = (),
        copy_keys: Sequence[int] = (),
        signature: bytes | None = None,
    ) -> None:
        """Store an article with its passages, sentences, their vectors and its quotes, all or
        nothing, and its copy signature and band keys when given (see `newsqa.dedupe`).

        Idempotent under races: when another writer (another worker, another `newsqa ingest`)
        stored the same article since the caller looked, this stores nothing and succeeds; the
        same id with another text is an ArticleConflict.
        """
        check_vector_counts(passages, vectors, sentences, sentence_vectors)
        with self._transaction() as conn:
            stored = conn.execute("SELECT text FROM articles WHERE id = ?", (article.id,)).fetchone()
            if stored is not None:
                if stored[0] != article.text:
                    raise ArticleConflict(f"article id {article.id!r} is already stored with a different text")
                return
            conn.execute(
                f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}, published_ts) VALUES ({', '.join('?' * (len(ARTICLE_COLUMNS) + 1))})",
                [getattr(article, c) for c in ARTICLE_COLUMNS] + [dates.timestamp(article.published)],
            )
            self._insert_passages(article.id, passages, vectors)
            self._insert_sentences(article.id, sentences, sentence_vectors)
            conn.executemany("INSERT INTO quotes (article_id, idx, speaker, direct, spans) VALUES (?, ?, ?, ?, ?)",
                             [(article.id, i, *quote_row(q)) for i, q in enumerate(quotes)])
            if signature is not None:
                conn.execute("INSERT INTO copy_signatures (article_id, signature) VALUES (?, ?)", (article.id, signature))
                conn.executemany("INSERT OR IGNORE INTO copy_keys (key, article_id) VALUES (?, ?)", [(k, article.id) for k in copy_keys])

    def _insert_passages(self, article_id: str, passages: Sequence[Passage], vectors: np.ndarray) -> None:
        for p, v in zip(passages, vectors):
            cur = self._conn.execute(
                "INSERT INTO passages (article_id, idx, start, end, vector) VALUES (?, ?, ?, ?, ?)",
                (article_id, p.index, p.start, p.end, np.asarray(v, dtype=np.float32).tobytes()),
            )
            self._conn.execute("INSERT INTO passages_fts (rowid, text) VALUES (?, ?)", (cur.lastrowid, p.text))

    def _insert_sentences(self, article_id: str, sentences: Sequence[Span], vectors: np.ndarray | None) -> None:
        if not sentences:
            return
        self._conn.executemany(
            "INSERT INTO sentences (article_id, idx, start, end, vector) VALUES (?, ?, ?, ?, ?)",
            [(article_id, i, s.start, s.end, np.asarray(v, dtype=np.float32).tobytes()) for i, (s, v) in enumerate(zip(sentences, vectors))],
        )

    def delete_article(self, article_id: str) -> bool:
        with self._transaction() as conn:
            conn.execute("DELETE FROM passages_fts WHERE rowid IN (SELECT id FROM passages WHERE article_id = ?)", (article_id,))
            conn.execute("DELETE FROM passages WHERE article_id = ?", (article_id,))
            conn.execute("DELETE FROM sentences WHERE article_id = ?", (article_id,))
            conn.execute("DELETE FROM quotes WHERE article_id = ?", (article_id,))
            conn.execute("DELETE FROM copy_keys WHERE article_id = ?", (article_id,))
            conn.execute("DELETE FROM copy_signatures WHERE article_id = ?", (article_id,))
            deleted = conn.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount
        return deleted > 0

    # -- sentences --------------------------------------------------------------------------
    def sentences(self, article_id: str) -> tuple[list[Span], np.ndarray]:
        """An article's stored sentences (text sliced from the article) and their vectors, in order;
        ([], empty matrix) for an article stored without them."""
        with self._db() as conn:
            rows = conn.execute(
                "SELECT s.start, s.end, substr(a.text, s.start + 1, s.end - s.start), s.vector "
                "FROM sentences s JOIN articles a ON a.id = s.article_id WHERE s.article_id = ? ORDER BY s.idx",
                (article_id,),
            ).fetchall()
        spans = [Span(r[0], r[1], r[2]) for r in rows]
        matrix = np.frombuffer(b"".join(r[3] for r in rows), dtype=np.float32).reshape(len(rows), DIMENSIONS)
        return spans, matrix

    # -- quotes -----------------------------------------------------------------------------
    def quotes(self, speaker: str | None = None, article_ids: Sequence[str] | None = None) -> list[Quote]:
        """Stored quotes (texts sliced from their articles), in article and text order; only those
        whose speaker contains `speaker` (case-insensitive) and only in `article_ids` when given."""
        sql = ("SELECT q.article_id, a.title, q.speaker, q.direct, q.spans FROM quotes q JOIN articles a ON a.id = q.article_id"
               " WHERE 1 = 1")
        args: list = []
        if speaker is not None:
            sql += " AND lower(q.speaker) LIKE ? ESCAPE '\\'"
            args.append(like_pattern(speaker))
        if article_ids is not None:
            sql += f" AND q.article_id IN ({','.join('?' * len(article_ids))})"
            args += list(article_ids)
        with self._db() as conn:
            rows = conn.execute(sql + " ORDER BY q.article_id, q.idx", args).fetchall()
            texts = dict(conn.execute(f"SELECT id, text FROM articles WHERE id IN ({','.join('?' * len({r[0] for r in rows}))})",
                                      list({r[0] for r in rows})).fetchall()) if rows else {}
        return [quote_from_row(r[0], texts[r[0]], r[2], r[3], r[4], r[1]) for r in rows]

    # -- passages ---------------------------------------------------------------------------
    def passages(self, passage_ids: Sequence[int]) -> dict[int, Passage]:
        """Passages by id, their text sliced from the stored article text."""
        if not passage_ids:
            return {}
        marks = ",".join("?" * len(passage_ids))
        with self._db() as conn:
            rows = conn.execute(
                f"SELECT p.id, p.article_id, p.idx, p.start, p.end, substr(a.text, p.start + 1, p.end - p.start) "
                f"FROM passages p JOIN articles a ON a.id = p.article_id WHERE p.id IN ({marks})",
                list(passage_ids),
            ).fetchall()
        return {r[0]: Passage(article_id=r[1], index=r[2], start=r[3], end=r[4], text=r[5]) for r in rows}

    def count_passages(self) -> int:
        with self._db() as conn:
            return conn.execute("SELECT count(*) FROM passages").fetchone()[0]

    # -- search -----------------------------------------------------------------------------
    def lexical_search(self, terms: Sequence[str], limit: int, article_ids: Sequence[str] | None = None,
                       dates: DateRange = None) -> list[tuple[int, float]]:
        """(passage id, BM25 score, higher is better) for passages holding any of `terms`."""
        if not terms:
            return []
        return self.fts_search(fts_match(terms), limit, article_ids, dates)

    def dense_search(self, vector: np.ndarray, limit: int, article_ids: Sequence[str] | None = None,
                     dates: DateRange = None) -> list[tuple[int, float]]:
        """(passage id, cosine), best first: an exact scan of every stored passage vector that
        the filters keep (they are applied before the top-k is taken)."""
        ids, arts, matrix, published, duplicate_of, hidden_now = self._cached()
        keep = None
        if dates is not None:
            lo, hi = dates
            with np.errstate(invalid="ignore"):  # undated (NaN) passages compare False: outside any range
                keep = np.ones(len(ids), bool) if lo is None else published >= lo
                if hi is not None:
                    keep &= published <= hi
        if article_ids is None:
            hidden = hidden_now if dates is None else hidden_copies(arts, published, duplicate_of, dates)
            if hidden is not None:
                keep = ~hidden if keep is None else keep & ~hidden
        return exact_top_k(ids, arts, matrix, vector, limit, article_ids, keep)

    def fts_search(self, match: str, limit: int, article_ids: Sequence[str] | None = None,
                   dates: DateRange = None) -> list[tuple[int, float]]:
        """(passage id, BM25 score, higher is better) for an FTS5 MATCH expression."""
        sql = "SELECT f.rowid, -bm25(passages_fts) FROM passages_fts f"
        args: list = [match]
        where = " WHERE passages_fts MATCH ?"
        collapse = article_ids is None and self._has_copies()
        if article_ids is not None or dates is not None or collapse:
            sql += " JOIN passages p ON p.id = f.rowid JOIN articles a ON a.id = p.article_id"
        if article_ids is not None:
            where += f" AND p.article_id IN ({','.join('?' * len(article_ids))})"
            args += list(article_ids)
        if dates is not None:
            condition, more = date_condition("a", dates)
            where += f" AND {condition}"
            args += more
        if collapse:  # a copy is searched only when its original is gone or outside the dates
            condition, more = date_condition("o", dates)
            where += f" AND (a.duplicate_of IS NULL OR NOT EXISTS (SELECT 1 FROM articles o WHERE o.id = a.duplicate_of AND {condition}))"
            args += more
        with self._db() as conn:
            return conn.execute(sql + where + " ORDER BY bm25(passages_fts) LIMIT ?", args + [limit]).fetchall()

    def _has_copies(self) -> bool:
        with self._db() as conn:
            return conn.execute("SELECT 1 FROM articles WHERE duplicate_of IS NOT NULL LIMIT 1").fetchone() is not None

    def vectors(self) -> tuple[np.ndarray, ...]:
        """(passage ids, article ids, vector matrix, published_ts, duplicate_of): see `_cached`."""
        return self._cached()[:5]

    def _cached(self) -> tuple:
        """(passage ids, article ids, vector matrix, published_ts (NaN when undated), duplicate_of)
        of every passage, and the mask of the copies search skips without a date range, cached until any connection, in this process or another, commits a
        change (this one's own writes drop it directly)."""
        with self._db() as conn:
            version = conn.execute("PRAGMA data_version").fetchone()[0]
            if self._matrix is None or version != self._matrix_version:
                rows = conn.execute("SELECT p.id, p.article_id, p.vector, a.published_ts, a.duplicate_of "
                                    "FROM passages p JOIN articles a ON a.id = p.article_id ORDER BY p.id").fetchall()
                ids = np.array([r[0] for r in rows], dtype=np.int64)
                arts = np.array([r[1] for r in rows], dtype=object)
                mat = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float32).reshape(len(rows), DIMENSIONS) if rows else np.zeros((0, DIMENSIONS), np.float32)
                published = np.array([np.nan if r[3] is None else r[3] for r in rows], dtype=np.float64)
                duplicate_of = np.array([r[4] for r in rows], dtype=object)
                hidden = hidden_copies(arts, published, duplicate_of, None)  # what search skips without a date range
                self._matrix, self._matrix_version = (ids, arts, mat, published, duplicate_of, hidden), version
            return self._matrix

    # -- copies -----------------------------------------------------------------------------
    def copy_candidates(self, keys: Sequence[int]) -> list[tuple[str, str | None, bytes]]:
        """(article id, duplicate_of, copy signature) of the stored articles sharing any band key,
        oldest first: an index lookup per key, never a scan."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        with self._db() as conn:
            return conn.execute(
                f"SELECT a.id, a.duplicate_of, s.signature FROM articles a JOIN copy_signatures s ON s.article_id = a.id "
                f"WHERE a.id IN (SELECT article_id FROM copy_keys WHERE key IN ({marks})) ORDER BY a.added_at, a.id",
                list(keys),
            ).fetchall()

    def story_articles(self, roots: Sequence[str]) -> list[Article]:
        """The stored articles that are, or are copies of, the articles `roots`, oldest first."""
        if not roots:
            return []
        marks = ",".join("?" * len(roots))
        with self._db() as conn:
            rows = conn.execute(
                f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles WHERE id IN ({marks}) OR duplicate_of IN ({marks}) "
                "ORDER BY added_at, id", list(roots) * 2,
            ).fetchall()
        return [Article(*r) for r in rows]

    # -- export -----------------------------------------------------------------------------
    def stored_article(self, article_id: str) -> StoredArticle | None:
        """The article with its passages, sentences and vectors as stored (for `copy`)."""
        article = self.get_article(article_id)
        if article is None:
            return None
        with self._db() as conn:
            rows = conn.execute(
                "SELECT idx, start, end, vector FROM passages WHERE article_id = ? ORDER BY idx", (article_id,)
            ).fetchall()
        passages = [Passage(article_id, r[0], r[1], r[2], article.text[r[1] : r[2]]) for r in rows]
        vectors = np.frombuffer(b"".join(r[3] for r in rows), dtype=np.float32).reshape(len(rows), DIMENSIONS)
        sentences, sentence_vectors = self.sentences(article_id)
        return StoredArticle(article, passages, vectors, sentences, sentence_vectors, self.quotes(article_ids=[article_id]))


def date_condition(alias: str, dates: DateRange) -> tuple[str, list]:
    """`common.date_condition` in this backend's SQL."""
    return common_date_condition(alias, dates, "?", "1")


def fts_match(terms: Sequence[str]) -> str:
    """An FTS5 MATCH expression OR-ing the terms, each quoted (no syntax errors)."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
