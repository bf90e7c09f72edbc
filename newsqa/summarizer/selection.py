"""Stage 4: from scores to a summary: the length prior, query relevance, MMR under the sentence
and word budgets, near-duplicate removal across articles."""

from __future__ import annotations

import math

import numpy as np

from .candidates import Candidate
from .words import stem_set

WORD_BUDGET_FLOOR = 0.5  # under a word budget, no sentence scoring below half the best one


def selection_scores(probability: np.ndarray, words: np.ndarray, length_prior: float) -> np.ndarray:
    """P(in summary) x words^length_prior, scaled so the article's best is 1.

    Under a sentence budget a long summary-worthy sentence carries more of the story than a short
    one; the exponent (chosen on validation data) says how much more.
    """
    score = probability * np.power(np.maximum(words, 1).astype(np.float32), length_prior)
    return (score / max(float(score.max()), 1e-9)).astype(np.float32)


def select_sentences(
    scores: np.ndarray,
    vectors: np.ndarray,
    words: np.ndarray,
    *,
    max_sentences: int | None,
    max_words: int | None,
    mmr_lambda: float,
    duplicate_threshold: float,
    floor: float = 0.0,
) -> list[int]:
    """Greedy MMR under the budgets: indices chosen, in the order chosen.

    A sentence longer than the words left is skipped (a shorter one may still fit), but only
    sentences scoring at least `floor` times the best one that fits may fill the gap: a word budget should
    not be padded with a weak fragment just because it is short. A sentence at least
    `duplicate_threshold`-similar to a chosen one is never chosen.
    """
    words_left = max_words if max_words is not None else math.inf
    available = words <= words_left
    if available.any():
        available &= scores >= floor * float(scores[available].max())
    redundancy = np.zeros(len(scores), dtype=np.float32)
    chosen: list[int] = []
    while max_sentences is None or len(chosen) < max_sentences:
        fits = available & (words <= words_left)
        if not fits.any():
            break
        gain = np.where(fits, mmr_lambda * scores - (1.0 - mmr_lambda) * redundancy, -np.inf)
        j = int(np.argmax(gain))
        chosen.append(j)
        words_left -= words[j]
        similarity = vectors @ vectors[j]
        redundancy = np.maximum(redundancy, similarity)
        available &= similarity < duplicate_threshold
        available[j] = False
    return chosen

def query_relevance(query: str, candidates: list[Candidate], similarity: np.ndarray) -> np.ndarray:
    """How much each candidate is about the query, in [0, 1]: half dense, half lexical.

    Dense: cosine to the query, rescaled so the median candidate is 0 and the best is 1 (sentence
    cosines sit in a narrow band, so raw values barely separate). Lexical: the share of the query's
    content words (6-letter prefixes) that the sentence contains, for names the embedding blurs.
    """
    median, best = float(np.median(similarity)), float(similarity.max())
    dense = np.clip((similarity - median) / (best - median), 0.0, 1.0) if best - median > 1e-6 else np.ones_like(similarity)
    wanted = stem_set(query)
    if not wanted:
        return dense.astype(np.float32)
    lexical = np.array([len(wanted & stem_set(c.span.text)) / len(wanted) for c in candidates], dtype=np.float32)
    return (0.5 * dense + 0.5 * lexical).astype(np.float32)
