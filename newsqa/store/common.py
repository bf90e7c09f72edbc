"""Helpers the store backends share; no SQL here."""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Sequence

import numpy as np

from ..types import Article, Passage, Span

ARTICLE_COLUMNS = [f.name for f in fields(Article)]
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_TERMS = 32
DateRange = "tuple[float | None, float | None] | None"  # (since, until) in epoch seconds, inclusive (see newsqa.dates)
STOPWORDS = frozenset(
    "a an and are as at be by did do does for from had has have he her his how i in is it its of on or she "
    "that the their them they this to was were what when where which who whom whose why will with you".split()
)


def check_vector_counts(passages: Sequence[Passage], vectors: np.ndarray, sentences: Sequence[Span], sentence_vectors: np.ndarray | None) -> None:
    """One vector per passage and one per sentence, before either backend writes anything."""
    if len(passages) != len(vectors):
        raise ValueError("one vector per passage")
    if len(sentences) != (0 if sentence_vectors is None else len(sentence_vectors)):
        raise ValueError("one vector per sentence")


def query_terms(text: str) -> list[str]:
    """The distinct lower-case content words of a query (all its words if it has only stopwords)."""
    words = [w.lower() for w in _WORD.findall(text)]
    content = [w for w in words if w not in STOPWORDS] or words
    return list(dict.fromkeys(content))[:MAX_QUERY_TERMS]


def exact_top_k(
    ids: np.ndarray,
    article_of: np.ndarray,
    matrix: np.ndarray,
    vector: np.ndarray,
    limit: int,
    article_ids: Sequence[str] | None = None,
    keep: np.ndarray | None = None,
) -> list[tuple[int, float]]:
    """Exact nearest passages by dot product (cosine for unit vectors), best first, among those
    in `article_ids` and `keep` (a boolean mask) when given: filtered before the top-k is taken."""
    if article_ids is not None:
        in_ids = np.isin(article_of, list(article_ids))
        keep = in_ids if keep is None else keep & in_ids
    if keep is not None:
        ids, matrix = ids[keep], matrix[keep]
    if len(ids) == 0:
        return []
    scores = matrix @ vector
    k = min(limit, len(ids))
    top = np.argpartition(-scores, k - 1)[:k]
    return [(int(ids[i]), float(scores[i])) for i in top[np.argsort(-scores[top])]]


def hidden_copies(article_of: np.ndarray, published: np.ndarray, duplicate_of: np.ndarray,
                  dates: tuple[float | None, float | None] | None) -> np.ndarray | None:
    """A mask of the passages of syndicated copies whose original is stored and within `dates`
    (so that the story is read once, from its original); None when there are no copies."""
    copies = np.flatnonzero(duplicate_of != None)  # noqa: E711 - elementwise over an object array
    if len(copies) == 0:
        return None
    published_of = dict(zip(article_of.tolist(), published.tolist()))
    lo, hi = dates if dates is not None else (None, None)

    def visible(original: str) -> bool:
        if original not in published_of:
            return False
        if dates is None:
            return True
        ts = published_of[original]
        return ts == ts and (lo is None or ts >= lo) and (hi is None or ts <= hi)  # ts != ts: NaN, undated

    hidden = np.zeros(len(article_of), bool)
    verdict: dict[str, bool] = {}
    for i in copies:
        original = duplicate_of[i]
        if original not in verdict:
            verdict[original] = visible(original)
        hidden[i] = verdict[original]
    return hidden


def date_condition(alias: str, dates: DateRange, placeholder: str, everything: str) -> tuple[str, list]:
    """A WHERE condition keeping `alias`'s articles published within `dates` (inclusive), with its
    arguments, in a backend's `placeholder` style; `everything` (the backend's "true") for no
    range. Undated articles are outside every range."""
    if dates is None:
        return everything, []
    lo, hi = dates
    parts, args = [f"{alias}.published_ts IS NOT NULL"], []
    if lo is not None:
        parts.append(f"{alias}.published_ts >= {placeholder}")
        args.append(lo)
    if hi is not None:
        parts.append(f"{alias}.published_ts <= {placeholder}")
        args.append(hi)
    return " AND ".join(parts), args
