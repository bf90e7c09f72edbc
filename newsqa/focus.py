"""Reading less of a lower-ranked passage: only its sentences most like the question.

Reading is nearly all of an `ask`'s time, and its cost grows with the tokens read. A question that
the best passages do not answer confidently goes on to read up to 14 (newsqa/cascade.py); past the
first stage each of those is cut down to the sentence whose stored MiniLM vector is closest to the
question's, with its neighbours while the window stays within `focus_words` words. The window is a
run of whole sentences of the article, so answers keep their offsets into the article text.
Chosen on NewsQA dev (docs/results.md, "Focused reading").
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Sequence

import numpy as np

from .types import Passage, SearchHit, Span

SentenceLookup = Callable[[str], tuple[list[Span], np.ndarray]]  # article id -> its sentences and their vectors


def window(sentences: Sequence[Span], scores: np.ndarray, max_words: int) -> tuple[int, int]:
    """The run of sentences (lo, hi) around the best-scoring one, grown towards whichever
    neighbour scores higher while the words stay within `max_words` (the best one is always kept)."""
    best = int(np.argmax(scores))
    lo, hi = best, best + 1
    words = len(sentences[best].text.split())
    while True:
        sides = [i for i in (lo - 1, hi) if 0 <= i < len(sentences) and words + len(sentences[i].text.split()) <= max_words]
        if not sides:
            return lo, hi
        pick = max(sides, key=lambda i: scores[i])
        words += len(sentences[pick].text.split())
        lo, hi = min(lo, pick), max(hi, pick + 1)


def focus_passage(passage: Passage, question_vector: np.ndarray, sentences: Sequence[Span], vectors: np.ndarray,
                  max_words: int) -> Passage:
    """`passage` cut to the window of its sentences closest to the question; the passage itself
    when it is short already or its sentences are not stored."""
    if len(passage.text.split()) <= max_words:
        return passage
    inside = [i for i, s in enumerate(sentences) if s.start >= passage.start and s.end <= passage.end]
    if len(inside) < 2:
        return passage
    own = [sentences[i] for i in inside]
    lo, hi = window(own, vectors[inside] @ question_vector, max_words)
    start, end = own[lo].start, own[hi - 1].end
    text = passage.text[start - passage.start : end - passage.start]
    return dataclasses.replace(passage, start=start, end=end, text=text)


def focus_hits(hits: Sequence[SearchHit], question_vector: np.ndarray, lookup: SentenceLookup, max_words: int) -> list[SearchHit]:
    """Each hit with its passage focused (`focus_passage`); each article's sentences looked up once."""
    found: dict[str, tuple[list[Span], np.ndarray]] = {}
    out = []
    for hit in hits:
        article_id = hit.passage.article_id
        if article_id not in found:
            found[article_id] = lookup(article_id)
        spans, vectors = found[article_id]
        out.append(dataclasses.replace(hit, passage=focus_passage(hit.passage, question_vector, spans, vectors, max_words)))
    return out
