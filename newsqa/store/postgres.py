"""PostgreSQL + pgvector store: one database that many `newsqa serve` replicas share.

Passage vectors live in a `vector(384)` column with an HNSW index (cosine distance); lexical search
is Postgres full-text search (a `tsvector` per passage, GIN index, `ts_rank` with length
normalization; see `lexical_search`). Articles,
passages and sentences are offsets into the article text, as in the SQLite store.

Nothing is cached in the process: every read goes to the database, so a write made by any other
process is seen by the next request. Each article is written in one transaction; `ON CONFLICT`
makes two servers adding the same article at once store it once.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from typing import Iterable, Iterator, Sequence

import numpy as np

from ..embedder import DIMENSIONS
from ..errors import ArticleConflict, StorageError, InvalidInput
from ..types import Article, Passage, Quote, Span
from .base import StoredArticle
from .circuit import CONNECT_TIMEOUT, POOL_WAIT, Circuit, public_reason
from .. import dates
from .common import date_condition as common_date_condition
from .common import ARTICLE_COLUMNS, DateRange, check_vector_counts
from .quote_rows import like_pattern, quote_from_row, quote_row

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # 2: publication dates for filters (published_ts), syndicated copies (duplicate_of, copy tables)
TEXT_SEARCH_CONFIG = "english"  # Snowball English stemmer and stop words, like FTS5's porter tokenizer
HNSW_EF_SEARCH_MIN = 100  # candidates HNSW keeps while searching (pgvector's default is 40)
DEFAULT_POOL_SIZE = 4
COPY_MARGIN = 3  # HNSW candidates fetched per result wanted, so that skipping copies still leaves enough

VECTOR_INDEX = "CREATE INDEX IF NOT EXISTS passages_vector ON passages USING hnsw (vector vector_cosine_ops)"
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS newsqa_schema (version integer NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id text PRIMARY KEY,
    text text NOT NULL,
    title text, url text, published text, byline text, caption text, source text,
    added_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS articles_added ON articles (added_at, id);
ALTER TABLE articles ADD COLUMN IF NOT EXISTS duplicate_of text;
ALTER TABLE articles ADD COLUMN IF NOT EXISTS published_ts double precision;
CREATE INDEX IF NOT EXISTS articles_published ON articles (published_ts);
CREATE INDEX IF NOT EXISTS articles_duplicate ON articles (duplicate_of) WHERE duplicate_of IS NOT NULL;
CREATE TABLE IF NOT EXISTS copy_signatures (
    article_id text PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    signature bytea NOT NULL
);
CREATE TABLE IF NOT EXISTS copy_keys (
    key bigint NOT NULL,
    article_id text NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (key, article_id)
);
CREATE INDEX IF NOT EXISTS copy_keys_article ON copy_keys (article_id);
CREATE TABLE IF NOT EXISTS passages (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id text NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx integer NOT NULL,
    start integer NOT NULL,
    "end" integer NOT NULL,
    vector vector({DIMENSIONS}) NOT NULL,
    tsv tsvector NOT NULL,
    UNIQUE (article_id, idx)
);
{VECTOR_INDEX};
CREATE INDEX IF NOT EXISTS passages_tsv ON passages USING gin (tsv);
CREATE TABLE IF NOT EXISTS sentences (
    article_id text NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx integer NOT NULL,
    start integer NOT NULL,
    "end" integer NOT NULL,
    vector vector({DIMENSIONS}) NOT NULL,
    PRIMARY KEY (article_id, idx)
);
CREATE TABLE IF NOT EXISTS quotes (
    article_id text NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx integer NOT NULL,
    speaker text,
    direct boolean NOT NULL,
    spans jsonb NOT NULL,
    PRIMARY KEY (article_id, idx)
);
CREATE INDEX IF NOT EXISTS quotes_speaker ON quotes (lower(speaker));
"""
_COLUMNS = ", ".join(ARTICLE_COLUMNS)


class PostgresStore:
    """The `Store` protocol over PostgreSQL with pgvector, through a psycopg connection pool.

    `pool_size` is the most connections this process opens. A gunicorn worker serves one request
    at a time, so a handful per process is plenty; the database must accept
    (replicas x workers x pool_size) connections.
    """

    def __init__(self, url: str, pool_size: int = DEFAULT_POOL_SIZE) -> None:
        try:
            import psycopg
            from pgvector.psycopg import register_vector
            from psycopg_pool import ConnectionPool
        except ImportError as exc:
            raise StorageError(f"the PostgreSQL store needs its drivers: pip install 'newsqa[postgres]' ({exc})") from exc

        self.url = url
        self._psycopg = psycopg
        self._pool_class = ConnectionPool
        self._pool_size = max(1, pool_size)
        self._register_vector = register_vector
        self._circuit = Circuit()
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as conn:
                ensure_schema(conn)
        except psycopg.OperationalError as exc:
            log.info("cannot connect to PostgreSQL at %s: %s", redact(url), exc)  # the details: logs only
            raise StorageError(f"cannot connect to PostgreSQL ({public_reason(exc)})") from exc
        self._pool = self._new_pool()
        self._closed = threading.Event()

    def _new_pool(self):  # noqa: ANN202 - psycopg_pool.ConnectionPool
        # check: a connection is tested as it is handed out, so a database restart costs no request
        return self._pool_class(self.url, min_size=1, max_size=self._pool_size, configure=self._configure,
                                check=self._pool_class.check_connection, open=True, name="newsqa",
                                timeout=POOL_WAIT, kwargs={"connect_timeout": CONNECT_TIMEOUT})

    def _unavailable(self, exc: BaseException) -> StorageError:
        """Open the circuit (requests fail fast until a probe connects) and say why, without the URL."""
        (log.info if self._circuit.trip() else log.debug)("PostgreSQL at %s is unavailable: %s", redact(self.url), exc)
        return StorageError(f"PostgreSQL is unavailable ({public_reason(exc)}); requests fail fast until it is back")

    def _probe(self) -> None:
        """While the circuit is open: try a fresh connection (or fail at once while another request
        of this process tries); when it connects, start a new pool (the old one may sit in its back-off)."""
        with self._circuit.probe() as mine:
            if not mine:
                raise StorageError("PostgreSQL is unavailable; requests fail fast until it is back")
            if not self._circuit.is_open:  # another request's probe has just closed it
                return
            try:
                self._psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT).close()
            except self._psycopg.OperationalError as exc:
                raise self._unavailable(exc) from exc
            old, self._pool = self._pool, self._new_pool()
            self._circuit.close()
        log.info("PostgreSQL at %s answers again", redact(self.url))
        threading.Thread(target=old.close, kwargs={"timeout": 1.0}, daemon=True, name="newsqa-old-pool").start()

    @contextmanager
    def _connection(self) -> Iterator:
        """A pooled connection; the database failing under it is a StorageError, at once while the
        database is known to be down (see newsqa/store/circuit.py)."""
        if self._circuit.is_open:
            self._probe()
        try:
            with self._pool.connection() as conn:
                yield conn
        except self._psycopg.OperationalError as exc:  # includes the pool's timeout
            if isinstance(exc, self._pool_timeout()) and self._answers():
                raise StorageError("PostgreSQL is busy: no pooled connection came free in time") from exc
            raise self._unavailable(exc) from exc

    def _pool_timeout(self) -> type:
        from psycopg_pool import PoolTimeout

        return PoolTimeout

    def _answers(self) -> bool:
        """True when a fresh connection succeeds now (a pool timeout under load, not an outage)."""
        try:
            self._psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT).close()
            return True
        except self._psycopg.OperationalError:
            return False

    def _configure(self, conn) -> None:  # noqa: ANN001 - psycopg.Connection
        self._register_vector(conn)
        conn.autocommit = True  # each method opens its own transaction where it needs one

    def check(self) -> None:
        """Raise StorageError unless the database answers now (for /readyz)."""
        with self._connection() as conn:
            conn.execute("SELECT 1").fetchone()

    def close(self) -> None:
        if not self._closed.is_set():
            self._closed.set()
            self._pool.close()

    # -- articles ---------------------------------------------------------------------------------
    def get_article(self, article_id: str) -> Article | None:
        with self._connection() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM articles WHERE id = %s", (article_id,)).fetchone()
        return Article(*row) if row else None

    def list_articles(self, offset: int = 0, limit: int = 50, dates: DateRange = None) -> list[Article]:
        where, args = date_condition("articles", dates)
        with self._connection() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM articles WHERE {where} ORDER BY added_at, id LIMIT %s OFFSET %s",
                                args + [limit, offset]).fetchall()
        return [Article(*r) for r in rows]

    def count_articles(self) -> int:
        with self._connection() as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        with self._connection() as conn:
            return {r[0] for r in conn.execute("SELECT id FROM articles WHERE id = ANY(%s)", (list(ids),))}

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
        """Store an article with its passages, sentences, their vectors and its quotes in one
        transaction, and its copy signature and band keys when given (see `newsqa.dedupe`).

        The same article already stored (by this or any other process, even one committing at the
        same moment) is left as it is; the same id with a different text is an ArticleConflict.
        """
        check_vector_counts(passages, vectors, sentences, sentence_vectors)
        _check_storable(article)
        values = [getattr(article, c) for c in ARTICLE_COLUMNS] + [dates.timestamp(article.published)]
        for _ in range(5):  # a row deleted between our INSERT and SELECT: try the INSERT again
            with self._connection() as conn, conn.transaction():
                inserted = conn.execute(
                    f"INSERT INTO articles ({_COLUMNS}, published_ts) VALUES ({', '.join(['%s'] * len(values))}) ON CONFLICT (id) DO NOTHING RETURNING id",
                    values,
                ).fetchone()
                if inserted is None:  # stored already, perhaps a moment ago by another server
                    row = conn.execute("SELECT text FROM articles WHERE id = %s", (article.id,)).fetchone()
                    if row is None:  # ... and deleted since (issue 22, item 4): not a conflict, as in SQLite
                        continue
                    if row[0] != article.text:
                        raise ArticleConflict(f"article id {article.id!r} is already stored with a different text")
                    return
                with conn.cursor() as cur:
                    self._insert_passages(cur, article.id, passages, vectors)
                    self._insert_sentences(cur, article.id, sentences, sentence_vectors)
                    if quotes:
                        cur.executemany("INSERT INTO quotes (article_id, idx, speaker, direct, spans) VALUES (%s, %s, %s, %s, %s::jsonb)",
                                        [(article.id, i, *quote_row(q)) for i, q in enumerate(quotes)])
                    if signature is not None:
                        cur.execute("INSERT INTO copy_signatures (article_id, signature) VALUES (%s, %s)", (article.id, signature))
                        cur.executemany("INSERT INTO copy_keys (key, article_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                                        [(k, article.id) for k in copy_keys])
                return
        raise StorageError(f"article id {article.id!r} was deleted and stored again by others five times while this write ran; retry")

    def _insert_passages(self, cur, article_id: str, passages: Sequence[Passage], vectors: np.ndarray) -> None:  # noqa: ANN001
        cur.executemany(
            f'INSERT INTO passages (article_id, idx, start, "end", vector, tsv) '
            f"VALUES (%s, %s, %s, %s, %s, to_tsvector('{TEXT_SEARCH_CONFIG}', %s))",
            [(article_id, p.index, p.start, p.end, np.asarray(v, dtype=np.float32), p.text) for p, v in zip(passages, vectors)],
        )

    def _insert_sentences(self, cur, article_id: str, sentences: Sequence[Span], vectors: np.ndarray | None) -> None:  # noqa: ANN001
        if not sentences:
            return
        cur.executemany(
            'INSERT INTO sentences (article_id, idx, start, "end", vector) VALUES (%s, %s, %s, %s, %s)',
            [(article_id, i, s.start, s.end, np.asarray(v, dtype=np.float32)) for i, (s, v) in enumerate(zip(sentences, vectors))],
        )

    def delete_article(self, article_id: str) -> bool:
        with self._connection() as conn:  # passages, sentences and quotes go with it (ON DELETE CASCADE)
            return conn.execute("DELETE FROM articles WHERE id = %s", (article_id,)).rowcount > 0

    # -- quotes ---------------------------------------------------------------------------------
    def quotes(self, speaker: str | None = None, article_ids: Sequence[str] | None = None) -> list[Quote]:
        """Stored quotes (texts sliced from their articles) in article and text order; only those
        whose speaker contains `speaker` (case-insensitive) and only in `article_ids` when given."""
        sql = "SELECT q.article_id, a.title, q.speaker, q.direct, q.spans FROM quotes q JOIN articles a ON a.id = q.article_id WHERE true"
        args: list = []
        if speaker is not None:
            sql += " AND lower(q.speaker) LIKE %s"  # backslash is PostgreSQL's default LIKE escape
            args.append(like_pattern(speaker))
        if article_ids is not None:
            sql += " AND q.article_id = ANY(%s)"
            args.append(list(article_ids))
        with self._connection() as conn:
            rows = conn.execute(sql + " ORDER BY q.article_id, q.idx", args).fetchall()
            ids = list({r[0] for r in rows})
            texts = dict(conn.execute("SELECT id, text FROM articles WHERE id = ANY(%s)", (ids,)).fetchall()) if ids else {}
        return [quote_from_row(r[0], texts[r[0]], r[2], r[3], r[4], r[1]) for r in rows]

    # -- sentences and passages -----------------------------------------------------------------
    def sentences(self, article_id: str) -> tuple[list[Span], np.ndarray]:
        with self._connection() as conn:
            rows = conn.execute(
                'SELECT s.start, s."end", substr(a.text, s.start + 1, s."end" - s.start), s.vector '
                "FROM sentences s JOIN articles a ON a.id = s.article_id WHERE s.article_id = %s ORDER BY s.idx",
                (article_id,), binary=True,
            ).fetchall()
        return [Span(r[0], r[1], r[2]) for r in rows], _matrix([r[3] for r in rows])

    def passages(self, passage_ids: Sequence[int]) -> dict[int, Passage]:
        if not passage_ids:
            return {}
        with self._connection() as conn:
            rows = conn.execute(
                'SELECT p.id, p.article_id, p.idx, p.start, p."end", substr(a.text, p.start + 1, p."end" - p.start) '
                "FROM passages p JOIN articles a ON a.id = p.article_id WHERE p.id = ANY(%s)",
                ([int(i) for i in passage_ids],),
            ).fetchall()
        return {r[0]: Passage(article_id=r[1], index=r[2], start=r[3], end=r[4], text=r[5]) for r in rows}

    def count_passages(self) -> int:
        with self._connection() as conn:
            return conn.execute("SELECT count(*) FROM passages").fetchone()[0]

    def stored_article(self, article_id: str) -> StoredArticle | None:
        """The article with its passages, sentences and vectors as stored (for `copy`)."""
        with self._connection() as conn, conn.transaction():  # one snapshot of the three tables
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            row = conn.execute(f"SELECT {_COLUMNS} FROM articles WHERE id = %s", (article_id,)).fetchone()
            if row is None:
                return None
            article = Article(*row)
            rows = conn.execute('SELECT idx, start, "end", vector FROM passages WHERE article_id = %s ORDER BY idx',
                                (article_id,), binary=True).fetchall()
            sentence_rows = conn.execute('SELECT start, "end", vector FROM sentences WHERE article_id = %s ORDER BY idx',
                                         (article_id,), binary=True).fetchall()
        passages = [Passage(article_id, r[0], r[1], r[2], article.text[r[1] : r[2]]) for r in rows]
        sentences = [Span(r[0], r[1], article.text[r[0] : r[1]]) for r in sentence_rows]
        return StoredArticle(article, passages, _matrix([r[3] for r in rows]), sentences, _matrix([r[2] for r in sentence_rows]),
                             self.quotes(article_ids=[article_id]))

    # -- search ---------------------------------------------------------------------------------
    def lexical_search(self, terms: Sequence[str], limit: int, article_ids: Sequence[str] | None = None,
                       dates: DateRange = None) -> list[tuple[int, float]]:
        """(passage id, score) for passages matching any term, best first.

        The score is `ts_rank` normalized by 1 + log(passage length) (flag 1). `ts_rank_cd` (cover
        density) suits phrase-like queries, not an OR of a question's words: on SQuAD dev
        paragraphs it found the right one in the top 5 for 63.8% of questions, `ts_rank(..., 1)`
        for 90.7%, SQLite's BM25 for 93.5% (2,114 questions, every fifth).
        """
        if not terms:
            return []
        sql = (
            f"SELECT p.id, ts_rank(p.tsv, q, 1) AS rank FROM passages p JOIN articles a ON a.id = p.article_id, "
            f"to_tsquery('{TEXT_SEARCH_CONFIG}', %s) q WHERE p.tsv @@ q"
        )
        args: list = [tsquery_any(terms)]
        if article_ids is not None:
            sql += " AND p.article_id = ANY(%s)"
            args.append(list(article_ids))
        condition, more = visible_condition(dates, collapse=article_ids is None)
        sql += f" AND {condition}"
        args += more
        with self._connection() as conn:
            rows = conn.execute(sql + " ORDER BY rank DESC, p.id LIMIT %s", args + [limit]).fetchall()
        return [(r[0], float(r[1])) for r in rows]

    def dense_search(self, vector: np.ndarray, limit: int, article_ids: Sequence[str] | None = None,
                     dates: DateRange = None) -> list[tuple[int, float]]:
        """(passage id, cosine), best first: the HNSW index over all passages, or an exact scan of
        the passages of `article_ids` or `dates` when given (a filter HNSW would apply after its
        search, which could leave fewer than `limit`, or none, of the passages inside it).

        Syndicated copies are skipped (their originals are searched): HNSW fetches COPY_MARGIN
        times `limit` candidates and the copies among them are dropped."""
        query = np.asarray(vector, dtype=np.float32)
        with self._connection() as conn, conn.transaction():
            if article_ids is None and dates is None:
                depth = limit * COPY_MARGIN
                conn.execute("SELECT set_config('hnsw.ef_search', %s, true)", (str(max(HNSW_EF_SEARCH_MIN, depth)),))
                condition, args = visible_condition(None, collapse=True)
                rows = conn.execute(
                    "WITH near AS MATERIALIZED (SELECT id, article_id, vector <=> %s AS distance FROM passages ORDER BY vector <=> %s LIMIT %s) "
                    f"SELECT near.id, 1 - near.distance FROM near JOIN articles a ON a.id = near.article_id WHERE {condition} "
                    "ORDER BY near.distance, near.id LIMIT %s", [query, query, depth] + args + [limit],
                ).fetchall()
            else:
                where, args = [], []
                if article_ids is not None:
                    where.append("p.article_id = ANY(%s)")
                    args.append(list(article_ids))
                condition, more = visible_condition(dates, collapse=article_ids is None)
                rows = conn.execute(
                    "WITH chosen AS MATERIALIZED (SELECT p.id, p.vector FROM passages p JOIN articles a ON a.id = p.article_id "
                    f"WHERE {' AND '.join(where + [condition])}) "
                    "SELECT id, 1 - (vector <=> %s) FROM chosen ORDER BY vector <=> %s, id LIMIT %s",
                    args + more + [query, query, limit],
                ).fetchall()
        return [(r[0], float(r[1])) for r in rows]

    # -- copies ---------------------------------------------------------------------------------
    def copy_candidates(self, keys: Sequence[int]) -> list[tuple[str, str | None, bytes]]:
        """(article id, duplicate_of, copy signature) of the stored articles sharing any band key,
        oldest first: an index lookup per key, never a scan."""
        if not keys:
            return []
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT a.id, a.duplicate_of, s.signature FROM articles a JOIN copy_signatures s ON s.article_id = a.id "
                "WHERE a.id IN (SELECT article_id FROM copy_keys WHERE key = ANY(%s)) ORDER BY a.added_at, a.id",
                ([int(k) for k in keys],),
            ).fetchall()
        return [(r[0], r[1], bytes(r[2])) for r in rows]

    def story_articles(self, roots: Sequence[str]) -> list[Article]:
        """The stored articles that are, or are copies of, the articles `roots`, oldest first."""
        if not roots:
            return []
        with self._connection() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM articles WHERE id = ANY(%s) OR duplicate_of = ANY(%s) ORDER BY added_at, id",
                                (list(roots), list(roots))).fetchall()
        return [Article(*r) for r in rows]


def ensure_schema(conn) -> None:  # noqa: ANN001 - psycopg.Connection in autocommit mode
    """Create the extension and tables on first use and check the schema version, under an advisory
    lock so that replicas starting together do not race."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('newsqa schema'))")
        if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone() is None:
            try:
                conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
            except Exception as exc:
                raise StorageError(f"the pgvector extension is not available in this database: {exc}") from exc
        conn.execute(SCHEMA)
        row = conn.execute("SELECT version FROM newsqa_schema").fetchone()
        if row is None:
            conn.execute("INSERT INTO newsqa_schema (version) VALUES (%s)", (SCHEMA_VERSION,))
        elif row[0] > SCHEMA_VERSION:
            raise StorageError(f"the database has newsqa schema version {row[0]}; this newsqa knows up to {SCHEMA_VERSION}")
        elif row[0] < 2:  # version 1 stored no published_ts: fill it from `published`, once
            rows = conn.execute("SELECT id, published FROM articles WHERE published IS NOT NULL AND published_ts IS NULL").fetchall()
            with conn.cursor() as cur:
                cur.executemany("UPDATE articles SET published_ts = %s WHERE id = %s", [(dates.timestamp(p), i) for i, p in rows])
            conn.execute("UPDATE newsqa_schema SET version = %s", (SCHEMA_VERSION,))


def date_condition(alias: str, dates: DateRange) -> tuple[str, list]:
    """`common.date_condition` in this backend's SQL."""
    return common_date_condition(alias, dates, "%s", "true")


def visible_condition(dates: DateRange, collapse: bool) -> tuple[str, list]:
    """The condition on articles `a` that search applies: within `dates`, and with `collapse`, not
    a copy whose original is stored and within `dates` too (a story is read once)."""
    condition, args = date_condition("a", dates)
    if collapse:
        original, more = date_condition("o", dates)
        condition += f" AND (a.duplicate_of IS NULL OR NOT EXISTS (SELECT 1 FROM articles o WHERE o.id = a.duplicate_of AND {original}))"
        args = args + more
    return condition, args


def _matrix(vectors: list) -> np.ndarray:
    """A float32 matrix, one row per pgvector `Vector`."""
    if not vectors:
        return np.zeros((0, DIMENSIONS), np.float32)
    return np.stack([v.to_numpy() for v in vectors]).astype(np.float32, copy=False)


def tsquery_any(terms: Sequence[str]) -> str:
    """A `to_tsquery` expression OR-ing the terms, each quoted as a literal (no syntax errors)."""
    return " | ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in terms)


def _check_storable(article: Article) -> None:
    """PostgreSQL text cannot hold NUL characters: refuse them clearly rather than fail in the driver."""
    for name in ARTICLE_COLUMNS:
        value = getattr(article, name)
        if isinstance(value, str) and "\x00" in value:
            raise InvalidInput(f"{name} contains a NUL character, which PostgreSQL cannot store")


def redact(url: str) -> str:
    """The URL without its password, for error messages."""
    from ..config import without_password

    return without_password(url)
