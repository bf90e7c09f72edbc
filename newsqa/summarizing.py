"""Summarize as a stage: choose what to summarize (one stored article, a given text, several stored
articles, those of a date range) and run the summarizer on it (newsqa/summarizer/), with its own
sentence vectors (summarizer/sentence_vectors.py: fast enough that nothing is stored for it, so a
stored article and the same raw text get the same summary). `NewsQA.summarize` is this, after
checking its inputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

from . import corpus, dates
from .errors import InvalidInput
from .limits import check_article_ids
from .store import Store
from .store.common import DateRange
from .types import Article, Summary

if TYPE_CHECKING:
    from .summarizer import Embedder

SUMMARY_MAX_ARTICLES = 50  # a summary of a date range reads at most this many articles


def summarize(store: Store, scorer: Any, vectors: "Embedder", get_article: Callable[[str], Article], *,
              article_id: str | None, text: str | None, article_ids: Sequence[str] | None, window: DateRange,
              **budget: Any) -> Summary:
    """The summary of exactly one of `article_id`, `text` (checked by the caller) or `article_ids`,
    or, with `window` and none of them, of the stored articles published in it (copies left out, at
    most SUMMARY_MAX_ARTICLES, the earliest stored first)."""
    from .summarizer import summarize_articles, summarize_text

    if window is not None and article_id is None and text is None and article_ids is None:
        article_ids = corpus.articles_in_range(store, window, SUMMARY_MAX_ARTICLES)
        if not article_ids:
            raise InvalidInput("no stored article was published in that date range")
    if sum(x is not None for x in (article_id, text, article_ids)) != 1:
        raise InvalidInput("give exactly one of article_id, text or article_ids")
    if window is not None and article_ids is None:
        raise InvalidInput("since/until select among several articles: give article_ids, or neither")
    if text is not None:
        return summarize_text(text, scorer, vectors, **budget)
    ids = [article_id] if article_id is not None else check_article_ids(article_ids) or []
    if not ids:
        raise InvalidInput("article_ids is empty")
    chosen = [get_article(i) for i in dict.fromkeys(ids)]
    if window is not None:
        chosen = [a for a in chosen if corpus.within(dates.timestamp(a.published), window)]
        if not chosen:
            raise InvalidInput("none of the articles was published in that date range")
    return summarize_articles(chosen, scorer=scorer, embedder=vectors, **budget)
