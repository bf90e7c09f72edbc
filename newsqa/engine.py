"""NewsQA: the one facade the CLI and the Flask server call. It checks inputs (newsqa/limits.py) and
composes public stages: ingest.py, retriever.py, answering.py, summarizer/. Its public surface is
`newsqa.protocol.Engine`, which the HTTP client (newsqa/client.py) has too."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from . import answering, corpus, dates, model_cache, retriever, summarizing
from . import ingest as ingesting
from . import articles as sources
from .config import Settings, without_password
from .errors import ArticleNotFound, InvalidInput
from .info import engine_info
from .ingest_progress import ProgressEncoder
from .limits import (check_article_id, check_article_ids, check_int, check_page, check_question, check_speaker,
                     check_summary_budget, check_text, check_top_k, MAX_ANSWER_TOKENS)
from .quotes import answers as quote_answers
from .store import Store, open_store
from .store.transfer import CopyReport, copy_articles
from .types import Answer, Article, Quote, SearchHit, Summary


class NewsQA:
    """Add news articles, then search, ask questions about and summarize them."""

    def __init__(self, db_path: str | Path | Settings | None = None, settings: Settings | None = None,
                 models: model_cache.ModelCache | None = None) -> None:
        if isinstance(db_path, Settings):  # NewsQA(Settings(...)) reads naturally; accept it
            db_path, settings = None, db_path
        self.settings = dataclasses.replace(settings) if settings else Settings.from_env()
        if db_path is not None:
            self.settings.db_path = str(db_path)
        self.models = models or model_cache.shared()
        model_cache.use_threads(self.settings.threads)
        self.store: Store = open_store(self.settings.db_path, pool_size=self.settings.db_pool_size)

    def close(self) -> None:
        """Close the database (its connections, for PostgreSQL); the engine is unusable after."""
        self.store.close()

    @property
    def location(self) -> str:
        """Where the articles are, for messages (a PostgreSQL password masked)."""
        return f"the database {without_password(self.settings.db_path)}"

    def __enter__(self) -> NewsQA:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def embedder(self):
        return self.models.embedder()

    @property
    def reader(self):
        return self.models.reader(*self.settings.reader_choice())

    @property
    def summarizer(self):
        return self.models.summarizer(self.settings.summarizer_path)

    @property
    def summary_vectors(self):
        return self.models.summary_vectors(self.settings.summarizer_path)

    @property
    def quote_tagger(self):
        return self.models.quote_tagger(self.settings.quotes_path)

    @property
    def answer_scoring(self) -> str:
        """How answers are scored (newsqa.scoring): the setting, else the reader's own choice."""
        return self.ask_options().scoring

    @property
    def answer_threshold(self) -> float:
        """Answers scoring below this are dropped: the setting, else the reader's calibrated value."""
        return self.ask_options().threshold

    @property
    def fusion(self) -> retriever.Fusion:
        """How `search` and `ask` fuse their rankings, from the settings."""
        return retriever.Fusion(self.settings.fusion_depth, self.settings.rrf_k)

    def ask_options(self, max_answer_len: int = 40) -> answering.AskOptions:
        """How `ask` reads and ranks, from the settings and the reader's calibration."""
        return answering.options_from(self.settings, self.reader.meta, max_answer_len)

    def warm_up(self) -> None:
        self.embedder, self.reader, self.summarizer, self.summary_vectors  # noqa: B018 - load every model now, not on the first request

    def ready(self) -> bool:
        return {"embedder", "reader"} <= set(self.models.loaded())

    def info(self) -> dict[str, Any]:
        """The database, its article count, the models and the library versions; loads no model."""
        return engine_info(self.settings, self.count_articles())

    def check_storage(self) -> None:
        self.store.check()  # StorageError (with the path and the cause) unless the database can be used now

    def add_article(self, text: str, title: str | None = None, url: str | None = None, published: str | None = None,
                    article_id: str | None = None, byline: str | None = None, caption: str | None = None,
                    source: str | None = None) -> Article:
        """Store an article (idempotent: the same text, or the same id and text, is stored once)."""
        return self._store_records([sources.from_text(text, title=title, url=url, published=published, id=article_id,
                                                      byline=byline, caption=caption, source=source)])[0]

    def add_html(self, html: str, url: str | None = None, article_id: str | None = None) -> Article:
        """Store the main text of an HTML page."""
        return self._store_records([dataclasses.replace(sources.from_html(html, url=url), id=article_id)])[0]

    def ingest(self, paths: Sequence[str | Path], progress: bool = False,
               on_error: Callable[[Path, Exception], None] | None = None) -> list[Article]:
        """Add every article in the files and folders (recursively), in order; a bad record or path is
        reported (`on_error`, else logged) and skipped; UnreadableFile when nothing could be stored."""
        return list(self.ingest_iter(paths, progress=progress, on_error=on_error))

    def ingest_iter(self, paths: Sequence[str | Path], progress: bool = False,
                    on_error: Callable[[Path, Exception], None] | None = None) -> Iterator[Article]:
        """`ingest`, yielding each article once stored (streamed, stored a batch at a time)."""
        paths = [paths] if isinstance(paths, (str, Path)) else paths
        s = self.settings
        store_records = functools.partial(self._store_records, progress=progress)
        return ingesting.stream(paths, store_records, max_file_bytes=s.max_file_bytes,
                             max_line_bytes=s.max_article_chars * 4 + 65536, progress=progress, on_error=on_error)

    def _store_records(self, items: list[sources.ArticleInput], refuse: ingesting.Refuse = ingesting.raise_refusal,
                       progress: bool = False) -> list[Article]:
        embedder = ProgressEncoder(self.embedder) if progress else self.embedder  # a bar inside a long article
        return ingesting.store_batch(self.store, embedder, items, max_article_chars=self.settings.max_article_chars,
                                  passage_max_words=self.settings.passage_max_words, refuse=refuse,
                                  quote_tagger=self.models.ingest_quote_tagger(self.settings))

    def get_article(self, article_id: str) -> Article:
        article = self.store.get_article(check_article_id(article_id))
        if article is None:
            raise ArticleNotFound(f"no article with id {article_id!r}")
        return article

    def list_articles(self, offset: int = 0, limit: int = 50, since: str | None = None, until: str | None = None) -> list[Article]:
        """Stored articles, oldest first, with their text; published from `since` to `until` if given."""
        return self.store.list_articles(*check_page(offset, limit), dates.date_range(since, until))

    def count_articles(self) -> int:
        return self.store.count_articles()

    def delete_article(self, article_id: str) -> None:
        if not self.store.delete_article(check_article_id(article_id)):
            raise ArticleNotFound(f"no article with id {article_id!r}")

    def copy_to(self, destination: str | Path | NewsQA, progress: bool = False) -> CopyReport:
        """Copy every article missing from `destination` (a database setting or an engine) with
        its stored vectors, nothing embedded again; run again to resume an interrupted copy."""
        if isinstance(destination, NewsQA):
            return copy_articles(self.store, destination.store, progress=progress)
        with NewsQA(destination, self.settings, self.models) as target:
            return copy_articles(self.store, target.store, progress=progress)

    def search(self, query: str, top_k: int = 5, article_ids: Sequence[str] | None = None, mode: str = "hybrid",
               since: str | None = None, until: str | None = None) -> list[SearchHit]:
        """Passages most relevant to `query`, best first (BM25 + dense, fused), published from `since` to
        `until` (filtered in the store's queries); a copy is cited in its original's `also_in`."""
        query = check_question(query, "query", self.settings.max_question_chars)
        check_top_k(top_k)
        if mode not in retriever.MODES:
            raise InvalidInput("mode must be hybrid, bm25 or dense")
        window = dates.date_range(since, until)
        return retriever.find(self.store, self.embedder, query, top_k, self._known_ids(article_ids), mode, window, self.fusion)

    def ask(self, question: str, top_k: int = 3, article_ids: Sequence[str] | None = None, max_answer_len: int = 40,
            since: str | None = None, until: str | None = None, prefer: str | None = None) -> list[Answer]:
        """Answers to `question`, best first, [] when none clears the threshold; `article.text[a.start:a.end]
        == a.text`. "What did X say" is answered from X's statements (newsqa/quotes/answers.py), else by
        the answering stages (newsqa/answering.py): only articles published from `since` to `until`,
        one answer per text citing the others in `also_in`, prefer="recent" breaking near-ties."""
        question = check_question(question, "question", self.settings.max_question_chars)
        check_top_k(top_k)
        if prefer not in corpus.PREFER:
            raise InvalidInput("prefer must be 'recent' or absent")
        window = dates.date_range(since, until)
        options = self.ask_options(check_int("max_answer_len", max_answer_len, 1, MAX_ANSWER_TOKENS))
        ids = self._known_ids(article_ids)
        said = quote_answers.from_statements(self, question, top_k, ids) if window is None else []  # quotes have no dates yet
        if said:
            return said
        hits = retriever.find(self.store, self.embedder, question, options.depth, ids, dates=window, fusion=self.fusion)
        vector = self.embedder.encode([question])[0] if hits and options.focus_words else None  # cached by retrieval
        answers = answering.answer(self.reader, question, hits, options, answering.ArticleTexts(self.store), top_k,
                                   prefer, window, vector) if hits else []
        return quote_answers.set_speakers(self.store, answers)

    def extract_quotes(self, text: str) -> list[Quote]:
        """The attributed statements in `text` (not stored): every Span indexes `text` exactly."""
        from .quotes import extract_quotes

        return extract_quotes(check_text(text, self.settings.max_article_chars), self.quote_tagger)

    def quotes(self, query: str | None = None, *, speaker: str | None = None, article_ids: Sequence[str] | None = None,
               top_k: int = 10) -> list[Quote]:
        """Stored attributed statements, best first: only `speaker`'s (any part of the resolved
        name, case-insensitive) and only in `article_ids` when given, ranked by `query`'s relevance
        to the statement and its paragraph (newsqa/quotes/rank.py)."""
        from .quotes.rank import find

        query = None if query is None else check_question(query, "query", self.settings.max_question_chars)
        return find(self.store, lambda: self.embedder, query, None if speaker is None else check_speaker(speaker),
                    self._known_ids(article_ids), check_top_k(top_k))

    def summarize(self, article_id: str | None = None, text: str | None = None, article_ids: Sequence[str] | None = None,
                  max_sentences: int | None = 3, max_words: int | None = None, query: str | None = None,
                  since: str | None = None, until: str | None = None) -> Summary:
        """An extractive summary of one stored article, a given text, or several stored articles;
        with `since`/`until`, of those published in that range (newsqa/summarizing.py)."""
        check_summary_budget(max_sentences, max_words)
        query = None if query is None else check_question(query, "query", self.settings.max_question_chars)
        text = None if text is None else check_text(text, self.settings.max_article_chars)
        return summarizing.summarize(self.store, self.summarizer, self.summary_vectors, self.get_article, article_id=article_id,
                                     text=text, article_ids=article_ids, window=dates.date_range(since, until),
                                     max_sentences=max_sentences, max_words=max_words, query=query)

    def _known_ids(self, article_ids: Sequence[str] | None) -> list[str] | None:
        """The ids, checked and all stored (ArticleNotFound names the first that is not)."""
        ids = check_article_ids(article_ids)
        unknown = set(ids or ()) - self.store.existing_ids(ids or [])
        if unknown:
            raise ArticleNotFound(f"no article with id {sorted(unknown)[0]!r}")
        return ids
