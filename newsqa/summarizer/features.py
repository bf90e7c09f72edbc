"""Stage 2: one feature row per candidate, from its place in the article, lexical centrality
(TextRank) and its sentence vector (sentence_vectors.py: static token vectors fitted to MiniLM).

The hand-made features let one linear or small network scorer express both patterns it is trained
on: wire copy (CNN, Daily Mail, Reuters), where the lead carries the news, and BBC News Summary,
whose reference extracts favour long, central sentences. Besides position they say how central
the lead itself is (an article whose first sentence is its most central one reads like wire copy),
whether the layout is wire style (paragraphs of one or two sentences, or none at all, as in scraped
copy; BBC's paragraphs run three sentences and more), products of the lead's centrality with the
lead position, and products of the position, length and centrality features with the wire layout
(WIRE_INTERACTIONS), so that one linear scorer can weigh them differently for the two styles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from ..types import Article
from .candidates import PreparedArticle, prepare_article
from .textrank import textrank
from .words import content_stems

FEATURES = (
    "position",
    "inverse_position",
    "is_first",
    "paragraph_position",
    "inverse_paragraph",
    "first_in_paragraph",
    "inverse_index_in_paragraph",
    "inverse_paragraph_size",
    "log_words",
    "is_short",
    "log_sentences",
    "has_title",
    "title_similarity",
    "title_similarity_z",
    "centroid_similarity",
    "centroid_similarity_z",
    "centroid_rank",
    "lead_similarity",
    "has_quote",
    "has_digit",
    "log_content_words",
    "textrank",
    "textrank_z",
    "textrank_rank",
    "is_second",
    "is_third",
    "words_before",
    "wire_layout",
    "lead_centrality",
    "lead_textrank",
    "lead_title_similarity",
    "first_x_lead_centrality",
    "inverse_position_x_lead_centrality",
)
# Base features that also enter once more multiplied by `wire_layout`: a linear scorer then weighs
# position, length and centrality one way for wire-style text and another way for long-paragraph text.
WIRE_INTERACTIONS = (
    "position",
    "inverse_position",
    "is_first",
    "is_second",
    "is_third",
    "log_words",
    "words_before",
    "centroid_similarity_z",
    "lead_similarity",
    "textrank_z",
    "has_quote",
)
FEATURES = FEATURES + tuple(f"{name}_x_wire_layout" for name in WIRE_INTERACTIONS)
WIRE_PARAGRAPH_SENTENCES = 2.25  # wire copy: 1-2 sentences a paragraph (the seed: 1.6); BBC: 2.8 and more
EMBEDDING_DIMENSIONS = 384
_WIRE_COLUMNS = [FEATURES.index(name) for name in WIRE_INTERACTIONS]
_QUOTES = ('"', "“", "”")


class Embedder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass
class ScoredArticle:
    """Candidates with their embeddings, features and (once scored) probabilities."""

    prepared: PreparedArticle
    article_index: int  # in the list given to `featurize`
    vectors: np.ndarray
    features: np.ndarray
    query_similarity: np.ndarray | None = None


def _zscore(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / (x.std() + 1e-6)


def _rank(score: np.ndarray) -> np.ndarray:
    """0 for the highest score, len - 1 for the lowest (stable)."""
    rank = np.empty(len(score), dtype=np.float32)
    rank[np.argsort(-score, kind="stable")] = np.arange(len(score))
    return rank


def _title_similarity(vectors: np.ndarray, title_vector: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each sentence's cosine to the headline, whether there is one, and the cosine's z-score."""
    m = len(vectors)
    if title_vector is None:
        zeros = np.zeros(m, dtype=np.float32)
        return zeros, zeros, zeros
    to_title = vectors @ title_vector
    return to_title, np.ones(m, dtype=np.float32), _zscore(to_title)


def article_features(prepared: PreparedArticle, vectors: np.ndarray, title_vector: np.ndarray | None) -> np.ndarray:
    """One row per candidate: the FEATURES above, then the 384-dim sentence embedding."""
    c = prepared.candidates
    m = len(c)
    n = max(prepared.body_count, 1)
    index, paragraph, in_paragraph, paragraph_size, words = (
        np.array([getattr(x, name) for x in c], dtype=np.float32) for name in ("index", "paragraph", "in_paragraph", "paragraph_size", "words"))
    centroid = vectors.mean(axis=0)
    centroid /= np.linalg.norm(centroid) + 1e-9
    to_centroid = vectors @ centroid
    centroid_z = _zscore(to_centroid)
    wire = float(m > 3 and (prepared.paragraph_count <= 1 or prepared.body_count / prepared.paragraph_count < WIRE_PARAGRAPH_SENTENCES))
    # Wire copy is scored without its headline (see WIRE_PARAGRAPH_SENTENCES).
    to_title, has_title, title_z = _title_similarity(vectors, None if wire else title_vector)
    rank_score = textrank(c)
    textrank_z = _zscore(rank_score)
    inverse_position = 1.0 / (index + 1)
    is_first = (index == 0).astype(np.float32)
    lead = int(np.argmin(index))  # the first candidate (index 0 unless the article was capped)
    lead_centrality = float(centroid_z[lead]) if m > 1 else 0.0
    words_before = np.concatenate([[0.0], np.cumsum(words)[:-1]]) / max(float(words.sum()), 1.0)
    columns = [
        index / max(n - 1, 1),
        inverse_position,
        is_first,
        paragraph / max(prepared.paragraph_count - 1, 1),
        1.0 / (paragraph + 1),
        (in_paragraph == 0),
        1.0 / (in_paragraph + 1),
        1.0 / paragraph_size,
        np.log1p(words),
        (words < 8),
        np.full(m, math.log1p(n)),
        has_title,
        to_title,
        title_z,
        to_centroid,
        centroid_z,
        _rank(to_centroid) / max(m - 1, 1),
        vectors @ vectors[lead],
        [any(q in x.span.text for q in _QUOTES) for x in c],
        [any(ch.isdigit() for ch in x.span.text) for x in c],
        [math.log1p(len(content_stems(x.span.text))) for x in c],
        rank_score * m,
        textrank_z,
        _rank(rank_score) / max(m - 1, 1),
        (index == 1),
        (index == 2),
        words_before,
        np.full(m, wire),
        np.full(m, lead_centrality),
        np.full(m, float(textrank_z[lead]) if m > 1 else 0.0),
        np.full(m, float(to_title[lead])),
        is_first * lead_centrality,
        inverse_position * lead_centrality,
    ]
    hand = np.stack([np.asarray(col, dtype=np.float32) for col in columns], axis=1)
    hand = np.concatenate([hand, hand[:, _WIRE_COLUMNS] * wire], axis=1)
    return np.concatenate([hand, vectors.astype(np.float32)], axis=1)


def featurize(articles: Sequence[Article], embedder: Embedder, query: str | None = None) -> list[ScoredArticle]:
    """Prepare, embed (one batch for all articles, titles and query) and featurize the articles.

    What is embedded is each candidate's whole sentence (`Candidate.sentence`), furniture and all."""
    prepared = [prepare_article(a, query) for a in articles]
    texts: list[str] = []
    for p in prepared:
        texts.extend(c.sentence.text for c in p.candidates)
        if p.title and p.candidates:
            texts.append(p.title)
    if query is not None:
        texts.append(query)
    vectors = embedder.encode(texts) if texts else np.zeros((0, EMBEDDING_DIMENSIONS), dtype=np.float32)
    query_vector = vectors[-1] if query is not None else None
    out, at = [], 0
    for article_index, p in enumerate(prepared):
        if not p.candidates:
            continue
        k = len(p.candidates)
        sentence_vectors = vectors[at : at + k]
        at += k
        title_vector = None
        if p.title:
            title_vector = vectors[at]
            at += 1
        features = article_features(p, sentence_vectors, title_vector)
        similarity = sentence_vectors @ query_vector if query_vector is not None else None
        out.append(ScoredArticle(p, article_index, sentence_vectors, features, similarity))
    return out
