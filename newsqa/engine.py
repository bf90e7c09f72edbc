"""NewsQA: the one facade that wires articles, store, retriever, reader and summarizer together.

The CLI and the Flask server call this class and nothing else.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from bisect import bisect_left, bisect_right
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from . import articles as sources
from . import models, retriever
from .config import Settings
from .embedder import Encoder, KnownVectors, pool
from .errors import ArticleConflict, ArticleNotFound, InvalidInput, UnreadableFile
from .store import Store, open_store
from .store.transfer import CopyReport, copy_articles
from .text import make_passages, sentence_at, split_sentences
from .types import Answer, Article, Passage, SearchHit, Span, Summary

log = logging.getLogger("newsqa")
_BAD_ID = re.compile(r"[\x00-\x1f\x7f]")
MAX_TOP_K = 50
INGEST_BATCH = 32
DEFAULT_ANSWER_THRESHOLD = 0.3


class NewsQA:
    """Add news articles, then search, ask questions about and summarize them."""

    def __init__(self, db_path: str | Path | Settings | None = None, settings: Settings | None = None) -> None:
        if isinstance(db_path, Settings):  # NewsQA(Settings(...)) reads naturally; accept it
            db_path, settings = None, db_path
        self.settings = dataclasses.replace(settings) if settings else Settings()
        if db_path is not None:
            self.settings.db_path = str(db_path)
        self.store: Store = open_store(self.settings.db_path, pool_size=self.settings.db_pool_size)

    def close(self) -> None:
        """Close the database (its connections, for PostgreSQL); the engine is unusable after."""
        self.store.close()

    def __enter__(self) -> NewsQA:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- models (loaded lazily, once per process) ---------------------------------------------
    @property
    def embedder(self):
        return models.get_embedder()

    @property
    def reader(self):
        return models.get_reader(self.settings.models_dir, self.settings.reader_precision)

    @property
    def summarizer(self):
        return models.get_summarizer(self.settings.models_dir)

    @property
    def answer_threshold(self) -> float:
        """Answers scoring below this are dropped: the setting, else the reader's calibrated value."""
        if self.settings.answer_threshold is not None:
            return self.settings.answer_threshold
        return float(self.reader.meta.get("answer_threshold", DEFAULT_ANSWER_THRESHOLD))

    def warm_up(self) -> None:
        """Load every model now rather than on the first request."""
        self.embedder, self.reader, self.summarizer  # noqa: B018 - loading is the point

    def ready(self) -> bool:
        return {"embedder", "reader"} <= set(models.loaded())

    # -- articles -------------------------------------------------------------------------------
    def add_article(
        self,
        text: str,
        title: str | None = None,
        url: str | None = None,
        published: str | None = None,
        article_id: str | None = None,
    ) -> Article:
        """Store an article (idempotent: the same text, or the same id and text, is stored once)."""
        return self._store([sources.from_text(text, title=title, url=url, published=published, id=article_id)])[0]

    def add_html(self, html: str, url: str | None = None, article_id: str | None = None) -> Article:
        """Store the main text of an HTML page."""
        item = sources.from_html(html, url=url)
        item.id = article_id
        return self._store([item])[0]

    def ingest(
        self,
        paths: Sequence[str | Path],
        progress: bool = False,
        on_error: Callable[[Path, Exception], None] | None = None,
    ) -> list[Article]:
        """Add every article in the given files and folders (recursively).

        A path that does not exist raises UnreadableFile before anything is stored. A file that
        cannot be read or holds no text is reported (`on_error`, else a log warning) and skipped.
        """
        from tqdm import tqdm

        if isinstance(paths, (str, Path)):
            paths = [paths]
        missing = [str(p) for p in paths if not Path(p).exists()]
        if missing:
            raise UnreadableFile(f"no such file or folder: {', '.join(missing)}")
        files = list(sources.find_files(list(paths)))
        stored: list[Article] = []
        pending: list[sources.ArticleInput] = []
        failures = 0
        for path in tqdm(files, desc="ingesting", unit="file", disable=not progress):
            try:
                pending.extend(sources.read_file(path))
            except UnreadableFile as exc:
                failures += 1
                (on_error or (lambda p, e: log.warning("skipped %s", e)))(path, exc)
            if len(pending) >= INGEST_BATCH:
                stored.extend(self._store(pending))
                pending = []
        stored.extend(self._store(pending))
        if files and failures == len(files):
            raise UnreadableFile("no file could be read: " + ", ".join(map(str, files[:5])))
        return stored

    def get_article(self, article_id: str) -> Article:
        article = self.store.get_article(self._check_id(article_id))
        if article is None:
            raise ArticleNotFound(f"no article with id {article_id!r}")
        return article

    def list_articles(self, offset: int = 0, limit: int = 50) -> list[Article]:
        if offset < 0 or not 1 <= limit <= 1000:
            raise InvalidInput("offset must be >= 0 and limit between 1 and 1000")
        return self.store.list_articles(offset, limit)

    def count_articles(self) -> int:
        return self.store.count_articles()

    def delete_article(self, article_id: str) -> None:
        if not self.store.delete_article(self._check_id(article_id)):
            raise ArticleNotFound(f"no article with id {article_id!r}")

    def copy_to(self, destination: str | Path | NewsQA, progress: bool = False) -> CopyReport:
        """Copy every article missing from `destination` (a database setting or an engine) with
        its stored vectors, nothing embedded again; run again to resume an interrupted copy."""
        target = destination if isinstance(destination, NewsQA) else NewsQA(destination, self.settings)
        try:
            return copy_articles(self.store, target.store, progress=progress)
        finally:
            if target is not destination:
                target.close()

    # -- search, ask, summarize -----------------------------------------------------------------
    def search(self, query: str, top_k: int = 5, article_ids: Sequence[str] | None = None, mode: str = "hybrid") -> list[SearchHit]:
        """Passages most relevant to `query`, best first (hybrid BM25 + dense, fused)."""
        query = self._check_question(query, "query")
        self._check_top_k(top_k)
        if mode not in ("hybrid", "bm25", "dense"):
            raise InvalidInput("mode must be hybrid, bm25 or dense")
        ids = self._check_article_ids(article_ids)
        ranked = retriever.search(self.store, self.embedder, query, top_k, ids, mode)
        found = self.store.passages([pid for pid, _ in ranked])
        titles = {a: self.store.get_article(a).title for a in {p.article_id for p in found.values()}}
        return [SearchHit(found[pid], score, titles[found[pid].article_id]) for pid, score in ranked if pid in found]

    def ask(self, question: str, top_k: int = 3, article_ids: Sequence[str] | None = None, max_answer_len: int = 40) -> list[Answer]:
        """Answers to `question` from the stored articles, best first; [] when none clears the threshold.

        Every answer's `start`/`end` index its article's text: `article.text[start:end] == answer.text`.
        """
        question = self._check_question(question)
        self._check_top_k(top_k)
        ids = self._check_article_ids(article_ids)
        hits = self.search(question, top_k=self.settings.retrieve_candidates, article_ids=ids)
        if not hits:
            return []
        threshold = self.answer_threshold
        read = self.reader.answer_batch([(question, h.passage.text) for h in hits], top_k=2, max_answer_len=max_answer_len)
        texts: dict[str, Article] = {}
        answers: list[Answer] = []
        for hit, candidates in zip(hits, read):
            article = texts.setdefault(hit.passage.article_id, self.store.get_article(hit.passage.article_id))
            for cand in candidates:
                if cand.score < threshold:
                    continue
                start, end = hit.passage.start + cand.start, hit.passage.start + cand.end
                answers.append(Answer(article.text[start:end], cand.score, start, end, cand.no_answer_score, article.id, article.title))
        best = _drop_overlaps(sorted(answers, key=lambda a: -a.score))[:top_k]
        sentences = {a: split_sentences(texts[a].text) for a in {answer.article_id for answer in best}}
        for answer in best:
            answer.sentence = sentence_at(sentences[answer.article_id], answer.start)
        return best

    def summarize(
        self,
        article_id: str | None = None,
        text: str | None = None,
        article_ids: Sequence[str] | None = None,
        max_sentences: int | None = 3,
        max_words: int | None = None,
        query: str | None = None,
    ) -> Summary:
        """An extractive summary of one stored article, a given text, or several stored articles."""
        from .summarizer import summarize_articles

        given = sum(x is not None for x in (article_id, text, article_ids))
        if given != 1:
            raise InvalidInput("give exactly one of article_id, text or article_ids")
        for name, value in (("max_sentences", max_sentences), ("max_words", max_words)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise InvalidInput(f"{name} must be a positive integer")
        if max_sentences is None and max_words is None:
            raise InvalidInput("give max_sentences or max_words")
        if query is not None:
            query = self._check_question(query, "query")
        if text is not None:
            chosen = [Article(id="", text=self._check_text(text))]
        else:
            ids = [article_id] if article_id is not None else list(article_ids or [])
            if not ids:
                raise InvalidInput("article_ids is empty")
            chosen = [self.get_article(i) for i in dict.fromkeys(ids)]
        embedder = self.embedder if text is not None else self._sentence_vectors(chosen)
        return summarize_articles(chosen, scorer=self.summarizer, embedder=embedder,
                                  max_sentences=max_sentences, max_words=max_words, query=query)

    # -- internals ------------------------------------------------------------------------------
    def _store(self, items: list[sources.ArticleInput]) -> list[Article]:
        """Validate, de-duplicate, embed and store articles, each in its own transaction.

        MiniLM runs once per sentence: the sentence vectors are stored for the summarizer, and each
        passage's vector is pooled from its sentences' (see `embedder.pool`), so ingest pays for
        one encoding pass, not two.
        """
        if not items:
            return []
        batch: dict[str, Article] = {}
        order: list[str] = []
        for item in items:
            text = self._check_text(item.text)
            article_id = self._check_id(item.id) if item.id is not None else sources.content_id(text)
            article = Article(article_id, text, item.title, item.url, item.published, item.byline, item.caption, item.source)
            if article_id in batch and batch[article_id].text != text:
                raise ArticleConflict(f"article id {article_id!r} given twice with different texts")
            batch[article_id] = article
            order.append(article_id)
        existing = {a: self.store.get_article(a) for a in self.store.existing_ids(batch)}
        for article_id, old in existing.items():
            if old.text != batch[article_id].text:
                raise ArticleConflict(f"article id {article_id!r} is already stored with a different text")
        new = [a for a in batch.values() if a.id not in existing]
        if not new:
            return [existing[i] for i in dict.fromkeys(order)]
        sentences = {a.id: split_sentences(a.text) for a in new}
        passages = {a.id: [Passage(a.id, i, s.start, s.end, s.text) for i, s in enumerate(make_passages(a.text, sentences[a.id], max_words=self.settings.passage_max_words))] for a in new}
        vectors = self.embedder.encode([s.text for a in new for s in sentences[a.id]])
        offset = 0
        for article in new:
            count = len(sentences[article.id])
            sentence_vectors = vectors[offset : offset + count]
            offset += count
            weights = np.sqrt([max(len(s.text.split()), 1) for s in sentences[article.id]])
            passage_vectors = pool(sentence_vectors, _sentence_ranges(sentences[article.id], passages[article.id]), weights)
            self.store.add_article(article, passages[article.id], passage_vectors, sentences[article.id], sentence_vectors)
        return [existing.get(i) or batch[i] for i in dict.fromkeys(order)]

    def _sentence_vectors(self, articles: list[Article]) -> Encoder:
        """An encoder that knows the stored sentences of `articles` and encodes only what is new."""
        known: dict[str, np.ndarray] = {}
        for article in articles:
            spans, matrix = self.store.sentences(article.id)
            known.update((s.text, v) for s, v in zip(spans, matrix))
        return KnownVectors(known, lambda: self.embedder) if known else self.embedder

    def _check_text(self, text: object) -> str:
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("text is empty")
        if len(text) > self.settings.max_article_chars:
            raise InvalidInput(f"text is longer than {self.settings.max_article_chars} characters")
        return text

    def _check_question(self, question: object, name: str = "question") -> str:
        if not isinstance(question, str) or not question.strip():
            raise InvalidInput(f"{name} is empty")
        if len(question) > self.settings.max_question_chars:
            raise InvalidInput(f"{name} is longer than {self.settings.max_question_chars} characters")
        return question.strip()

    def _check_id(self, article_id: object) -> str:
        if not isinstance(article_id, str) or not article_id.strip() or len(article_id) > 200 or _BAD_ID.search(article_id):
            raise InvalidInput("an article id is 1-200 characters without control characters")
        return article_id

    def _check_top_k(self, top_k: object) -> None:
        if not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= MAX_TOP_K:
            raise InvalidInput(f"top_k must be an integer between 1 and {MAX_TOP_K}")

    def _check_article_ids(self, article_ids: Sequence[str] | None) -> list[str] | None:
        if article_ids is None:
            return None
        if isinstance(article_ids, str):
            raise InvalidInput("article_ids must be a list of ids")
        ids = [self._check_id(a) for a in article_ids]
        unknown = set(ids) - self.store.existing_ids(ids)
        if unknown:
            raise ArticleNotFound(f"no article with id {sorted(unknown)[0]!r}")
        return ids


def _sentence_ranges(sentences: list[Span], passages: list[Passage]) -> list[tuple[int, int]]:
    """For each passage, the (lo, hi) range of the sentences it is made of (passages tile sentences)."""
    starts = [s.start for s in sentences]
    return [(bisect_left(starts, p.start), bisect_right(starts, p.end - 1)) for p in passages]


def _drop_overlaps(answers: list[Answer]) -> list[Answer]:
    """Keep the best of answers whose spans overlap in the same article (input sorted best first)."""
    kept: list[Answer] = []
    for a in answers:
        if not any(k.article_id == a.article_id and k.start < a.end and a.start < k.end for k in kept):
            kept.append(a)
    return kept
