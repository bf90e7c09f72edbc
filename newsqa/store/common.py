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
) -> list[tuple[int, float]]:
    """Exact nearest passages by dot product (cosine for unit vectors), best first."""
    if article_ids is not None:
        keep = np.isin(article_of, list(article_ids))
        ids, matrix = ids[keep], matrix[keep]
    if len(ids) == 0:
        return []
    scores = matrix @ vector
    k = min(limit, len(ids))
    top = np.argpartition(-scores, k - 1)[:k]
    return [(int(ids[i]), float(scores[i])) for i in top[np.argsort(-scores[top])]]
