"""The Store protocol: everything the engine and the retriever need from a database.

Two backends implement it: `sqlite.SQLiteStore` (the embedded default, one file) and
`postgres.PostgresStore` (PostgreSQL with pgvector, shared by many server replicas). Nothing
outside `newsqa/store/` writes SQL or knows which backend it talks to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Protocol, Sequence, runtime_checkable

import numpy as np

from ..types import Article, Passage, Quote, Span
from .common import DateRange


@dataclass
class StoredArticle:
    """An article with everything stored for it, as a copy to another store needs it."""

    article: Article
    passages: list[Passage]
    vectors: np.ndarray  # one row per passage
    sentences: list[Span]
    sentence_vectors: np.ndarray  # one row per sentence
    quotes: list[Quote] = field(default_factory=list)


@runtime_checkable
class Store(Protocol):
    """Articles, their passages and sentences (offsets into the article text, never copies), the
    passage and sentence vectors, and a lexical index over the passages."""

    def close(self) -> None: ...

    def check(self) -> None:
        """Raise StorageError (naming the database and the cause) unless it can be used now."""
        ...

    # -- articles ---------------------------------------------------------------------------------
    def get_article(self, article_id: str) -> Article | None: ...

    def list_articles(self, offset: int = 0, limit: int = 50, dates: DateRange = None) -> list[Article]:
        """Articles in the order they were added (ties by id); only those published within
        `dates` (epoch seconds, inclusive, see `newsqa.dates`) when given."""
        ...

    def count_articles(self) -> int: ...

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        """The subset of `ids` that are stored."""
        ...

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
        """Store an article with its passages, sentences, their vectors, its attributed statements
        (`quotes`, offsets only) and its copy signature and LSH band keys (see `newsqa.dedupe`), all
        or nothing, in one transaction. Idempotent under races: if another writer stored the same id with the
        same text meanwhile, store nothing and succeed; with another text, ArticleConflict.
        Database failures raise StorageError."""
        ...

    def delete_article(self, article_id: str) -> bool:
        """Delete an article with everything stored for it; False when there was none."""
        ...

    # -- quotes ---------------------------------------------------------------------------------
    def quotes(self, speaker: str | None = None, article_ids: Sequence[str] | None = None) -> list[Quote]:
        """Stored quotes, their texts sliced from the articles; only those whose resolved speaker
        contains `speaker` (case-insensitive) and only in `article_ids` when given."""
        ...

    # -- sentences and passages -----------------------------------------------------------------
    def sentences(self, article_id: str) -> tuple[list[Span], np.ndarray]:
        """An article's stored sentences (text sliced from the article) and their vectors, in
        order; ([], empty matrix) for an article stored without them."""
        ...

    def passages(self, passage_ids: Sequence[int]) -> dict[int, Passage]:
        """Passages by id, their text sliced from the stored article text."""
        ...

    def count_passages(self) -> int: ...

    def stored_article(self, article_id: str) -> StoredArticle | None:
        """The article with its passages, sentences and their vectors as stored; None if absent."""
        ...

    # -- search ---------------------------------------------------------------------------------
    # Both searches apply their filters inside the query, before the top `limit` is taken: only
    # passages of `article_ids`, and of articles published within `dates`, when given. Without
    # `article_ids`, a syndicated copy is skipped when its original is stored (and within `dates`).
    def lexical_search(self, terms: Sequence[str], limit: int, article_ids: Sequence[str] | None = None,
                       dates: DateRange = None) -> list[tuple[int, float]]:
        """(passage id, score), best first, for passages matching any of `terms` (lower-case
        words, see `common.query_terms`)."""
        ...

    def dense_search(self, vector: np.ndarray, limit: int, article_ids: Sequence[str] | None = None,
                     dates: DateRange = None) -> list[tuple[int, float]]:
        """(passage id, cosine similarity), best first, nearest to a unit-length `vector`."""
        ...

    # -- syndicated copies ----------------------------------------------------------------------
    def copy_candidates(self, keys: Sequence[int]) -> list[tuple[str, str | None, bytes]]:
        """(article id, duplicate_of, signature) of stored articles sharing any LSH band key."""
        ...

    def story_articles(self, roots: Sequence[str]) -> list[Article]:
        """The stored articles that are, or are copies of, the articles `roots`, oldest first."""
        ...
