"""The Engine protocol: what `NewsQA` (in this process) and `Client` (a running `newsqa serve`)
both do, with the same signatures and the same result types.

The CLI holds an Engine and never asks which one; tests/test_engine_contract.py runs one suite
against both, and fails when a signature or a result's shape differs between them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator, Protocol, Sequence, runtime_checkable

from .types import Answer, Article, Quote, SearchHit, Summary

ENGINE_METHODS = ("add_article", "add_html", "ingest", "ingest_iter", "get_article", "list_articles", "count_articles",
                  "delete_article", "search", "ask", "quotes", "summarize", "info", "close")


@runtime_checkable
class Engine(Protocol):
    """Add, read and delete articles; search, ask and summarize them."""

    @property
    def location(self) -> str:
        """Where the articles are, in words, for messages ("the database ...", "the server at ...")."""
        ...

    def add_article(self, text: str, title: str | None = None, url: str | None = None, published: str | None = None,
                    article_id: str | None = None, byline: str | None = None, caption: str | None = None,
                    source: str | None = None) -> Article: ...

    def add_html(self, html: str, url: str | None = None, article_id: str | None = None) -> Article: ...

    def ingest(self, paths: Sequence[str | Path], progress: bool = False,
               on_error: Callable[[Path, Exception], None] | None = None) -> list[Article]: ...

    def ingest_iter(self, paths: Sequence[str | Path], progress: bool = False,
                    on_error: Callable[[Path, Exception], None] | None = None) -> Iterator[Article]: ...

    def get_article(self, article_id: str) -> Article: ...

    def list_articles(self, offset: int = 0, limit: int = 50, since: str | None = None, until: str | None = None) -> list[Article]: ...

    def count_articles(self) -> int: ...

    def delete_article(self, article_id: str) -> None: ...

    def search(self, query: str, top_k: int = 5, article_ids: Sequence[str] | None = None, mode: str = "hybrid",
               since: str | None = None, until: str | None = None) -> list[SearchHit]: ...

    def ask(self, question: str, top_k: int = 3, article_ids: Sequence[str] | None = None, max_answer_len: int = 40,
            since: str | None = None, until: str | None = None, prefer: str | None = None) -> list[Answer]: ...

    def quotes(self, query: str | None = None, *, speaker: str | None = None, article_ids: Sequence[str] | None = None,
               top_k: int = 10) -> list[Quote]: ...

    def summarize(self, article_id: str | None = None, text: str | None = None, article_ids: Sequence[str] | None = None,
                  max_sentences: int | None = 3, max_words: int | None = None, query: str | None = None,
                  since: str | None = None, until: str | None = None) -> Summary: ...

    def info(self) -> dict[str, Any]: ...

    def close(self) -> None: ...
