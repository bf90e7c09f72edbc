"""Ingest in stages: records (articles.py) -> prepare -> embed -> store batch.

    prepared, refused = prepare(items, max_article_chars)   # validate, give ids, one per id
    new = [p for p in prepared if not stored]               # idempotence: see store_batch
    embed(new, embedder, passage_max_words)                 # sentences, passages, their vectors
    attribute(new, quote_tagger)                            # who said what (newsqa/quotes), unless turned off
    store.add_article(...)                                  # one transaction per article

`NewsQA.add_article`, `add_html` and `ingest_iter` are compositions of these; a stage that derives
more from an article at ingest (dates, attributions, a copy signature) is a step of `embed`'s kind
between `prepare` and the store.

MiniLM runs once per sentence: each passage's vector is pooled from its sentences'
(`embedder.pool`), so ingest pays for one encoding pass over the text, and the sentence vectors are
stored for focused reading (newsqa/focus.py). (The summarizer has vectors of its own,
newsqa/summarizer/sentence_vectors.py, and needs none of these.)
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

import numpy as np

from . import articles as sources
from . import budget
from . import dedupe
from .embedder import Embedder, pool
from .ingest_progress import count_records
from .errors import ArticleConflict, InvalidInput, NewsQAError, UnreadableFile
from .fields import check_fields
from .limits import check_article_id, check_text
from .store import Store
from .text import make_passages, split_sentences
from .types import Article, Passage, Quote, Span

if TYPE_CHECKING:
    from .quotes.tagger import Tagger

log = logging.getLogger("newsqa")
INGEST_BATCH = 32  # records stored per batch when streaming files: memory stays flat, a kill loses one batch

Refuse = Callable[[sources.ArticleInput, NewsQAError], None]


@dataclass
class Prepared:
    """One article on its way into the store: what it came from, and what is derived from it."""

    article: Article
    item: sources.ArticleInput
    sentences: list[Span] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    sentence_vectors: np.ndarray | None = None
    passage_vectors: np.ndarray | None = None
    quotes: list[Quote] = field(default_factory=list)


def raise_refusal(item: sources.ArticleInput, exc: NewsQAError) -> None:
    raise exc


def prepare(items: Sequence[sources.ArticleInput], max_article_chars: int, refuse: Refuse = raise_refusal) -> list[Prepared]:
    """Valid articles from `items`, each id once, in input order. An invalid item (blank or
    over-long text, bad id, one id given twice with different texts) goes to `refuse`."""
    prepared: dict[str, Prepared] = {}
    for item in items:
        try:
            text = check_text(item.text, max_article_chars)
            check_fields(item)  # metadata within newsqa.limits, no lone surrogate anywhere (issue 22)
            article_id = check_article_id(item.id) if item.id is not None else sources.content_id(text)
        except InvalidInput as exc:
            refuse(item, exc)
            continue
        if article_id in prepared:
            if prepared[article_id].article.text != text:
                refuse(item, ArticleConflict(f"article id {article_id!r} given twice with different texts"))
            continue
        article = Article(article_id, text, item.title, item.url, item.published, item.byline, item.caption, item.source)
        prepared[article_id] = Prepared(article, item)
    return list(prepared.values())


def embed(batch: Sequence[Prepared], embedder: Embedder, passage_max_words: int) -> None:
    """Split each article into sentences and passages and give both their vectors (in place)."""
    for p in batch:
        p.sentences = split_sentences(p.article.text)
        p.passages = [Passage(p.article.id, i, s.start, s.end, s.text)
                      for i, s in enumerate(make_passages(p.article.text, p.sentences, max_words=passage_max_words))]
    vectors = embedder.encode([s.text for p in batch for s in p.sentences])
    offset = 0
    for p in batch:
        p.sentence_vectors = vectors[offset : offset + len(p.sentences)]
        offset += len(p.sentences)
        weights = np.sqrt([max(len(s.text.split()), 1) for s in p.sentences])
        p.passage_vectors = pool(p.sentence_vectors, sentence_ranges(p.sentences, p.passages), weights)


def attribute(batch: Sequence[Prepared], tagger: Tagger) -> None:
    """Find each article's attributed statements (newsqa/quotes), in place; past the time budget,
    before the next article (a huge one takes seconds)."""
    from .quotes import extract_many

    for p in batch:
        budget.check("finding quotes")
        [p.quotes] = extract_many([p.article.text], tagger)


def store_batch(store: Store, embedder: Embedder, items: Sequence[sources.ArticleInput], *, max_article_chars: int,
                passage_max_words: int, refuse: Refuse = raise_refusal, quote_tagger: Tagger | None = None) -> list[Article]:
    """Validate, de-duplicate, embed and store `items`, each article in its own transaction; the
    stored (or already stored) articles in input order. Idempotent: a text already stored under its
    id is returned as stored; the same id with another text is refused (ArticleConflict)."""
    prepared = prepare(items, max_article_chars, refuse)
    existing = {a: store.get_article(a) for a in store.existing_ids([p.article.id for p in prepared])}
    kept: list[Prepared] = []
    for p in prepared:
        old = existing.get(p.article.id)
        if old is not None and old.text != p.article.text:
            refuse(p.item, ArticleConflict(f"article id {p.article.id!r} is already stored with a different text"))
        else:  # new, or deleted since existing_ids looked: stored again
            kept.append(p)
    new = [p for p in kept if existing.get(p.article.id) is None]
    embed(new, embedder, passage_max_words)
    if quote_tagger is not None:
        attribute(new, quote_tagger)
    refused: set[str] = set()
    for p in new:
        budget.check("storing articles")  # past the budget, store nothing the caller is told failed
        try:
            signature = mark_copy(store, p.article)
            store.add_article(p.article, p.passages, p.passage_vectors, p.sentences, p.sentence_vectors,
                              quotes=p.quotes, copy_keys=signature.keys, signature=signature.to_bytes())
        except ArticleConflict as exc:  # another process stored this id with another text meanwhile
            refuse(p.item, exc)
            refused.add(p.article.id)
    return [existing.get(p.article.id) or p.article for p in kept if p.article.id not in refused]


def mark_copy(store: Store, article: Article) -> dedupe.Signature:
    """Set `article.duplicate_of` when it is a near copy of a stored article (newsqa/dedupe.py),
    looked up just before it is stored, so that a copy later in the same batch is found too; its
    signature, to store with it."""
    signature = dedupe.signature(article.text)
    article.duplicate_of = dedupe.find_original(signature, store.copy_candidates(signature.keys))
    return signature


def sentence_ranges(sentences: list[Span], passages: list[Passage]) -> list[tuple[int, int]]:
    """For each passage, the (lo, hi) range of the sentences it is made of (passages tile sentences)."""
    starts = [s.start for s in sentences]
    return [(bisect_left(starts, p.start), bisect_right(starts, p.end - 1)) for p in passages]


def stream(paths: Sequence[str | Path], store_records: Callable[[list[sources.ArticleInput], Refuse], list[Article]], *,
           max_file_bytes: int, max_line_bytes: int, progress: bool = False,
           on_error: Callable[[Path, Exception], None] | None = None) -> Iterator[Article]:
    """Read every record of the files and folders in `paths` and store them INGEST_BATCH at a time
    through `store_records`, yielding each article once stored. A bad record (unreadable file,
    unsupported type, bad line, invalid article, a path that does not exist) goes to `on_error` with
    its file and is skipped, the rest stored (issue 22); UnreadableFile when nothing could be stored."""
    from tqdm import tqdm

    skips: list[Exception] = []
    stored = 0

    def skip(path: Path, exc: Exception) -> None:
        skips.append(exc)
        if on_error is not None:
            on_error(path, exc)
        else:
            log.warning("skipped %s", exc)

    def flush_batch(pending: list[tuple[Path, sources.ArticleInput]]) -> list[Article]:
        paths_of = {id(item): path for path, item in pending}

        def refused(item: sources.ArticleInput, exc: NewsQAError) -> None:
            skip(paths_of[id(item)], UnreadableFile(f"{item.where or paths_of[id(item)]}: {exc}"))

        return store_records([item for _, item in pending], refused) if pending else []

    files = list(sources.find_files(list(paths)))
    total = count_records(files) if progress else None
    with tqdm(desc="ingesting (loading the models)", total=total, unit=" articles", disable=not progress) as bar:
        pending: list[tuple[Path, sources.ArticleInput]] = []

        def flush(pending: list[tuple[Path, sources.ArticleInput]]) -> list[Article]:
            batch = flush_batch(pending)
            if bar.total is not None and bar.n + len(batch) > bar.total:
                bar.total = bar.n + len(batch)  # a .json array held more than one
            bar.set_description("ingesting", refresh=False)
            return batch

        for path in files:
            for record in sources.read_records(path, max_file_bytes, max_line_bytes):
                if isinstance(record, sources.BadRecord):
                    skip(path, record.error())
                    bar.update()  # counted in the total too
                    continue
                pending.append((path, record))
                if len(pending) >= INGEST_BATCH:
                    for article in flush(pending):
                        stored += 1
                        bar.update()
                        yield article
                    pending = []
        for article in flush(pending):
            stored += 1
            bar.update()
            yield article
    if skips and not stored:
        raise UnreadableFile(f"nothing stored: {len(skips)} record(s) skipped, the first: {skips[0]}")
