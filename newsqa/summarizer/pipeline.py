"""The summarizer end to end: candidates -> features -> scorer -> selection -> Summary."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ..errors import InvalidInput
from ..limits import check_summary_budget
from ..types import Article, Summary, SummarySentence
from .candidates import Candidate
from .features import Embedder, ScoredArticle, featurize
from .scorer import SentenceScorer
from .selection import WORD_BUDGET_FLOOR, query_relevance, select_sentences, selection_scores


def summarize_articles(
    articles: list[Article],
    *,
    scorer: SentenceScorer,
    embedder: Embedder,
    max_sentences: int | None = 3,
    max_words: int | None = None,
    query: str | None = None,
) -> Summary:
    """One extractive summary of one or more articles, sentences in article order (articles in the
    order given), each with its article id, offsets into that article's text and its score.

    At least one budget is required; both may be given (the tighter one wins). `query` focuses the
    summary on sentences similar to it.
    """
    check_summary_budget(max_sentences, max_words)
    if not articles:
        raise InvalidInput("no article to summarize")
    if query is not None and not query.strip():
        query = None
    scored = featurize(articles, embedder, query)
    if not scored:
        return Summary(text="", sentences=[], article_ids=[a.id for a in articles])
    scores, owners, candidates = score_candidates(scored, scorer, query)
    words = np.array([c.words for c in candidates])
    chosen = select_sentences(scores, np.concatenate([s.vectors for s in scored]), words,
                              max_sentences=max_sentences, max_words=max_words, mmr_lambda=scorer.mmr_lambda,
                              duplicate_threshold=scorer.duplicate_threshold,
                              floor=WORD_BUDGET_FLOOR if max_words is not None else 0.0)
    chosen.sort(key=lambda j: (owners[j], candidates[j].span.start))
    sentences = [SummarySentence(candidates[j].span.start, candidates[j].span.end, candidates[j].span.text,
                                 articles[owners[j]].id, round(float(scores[j]), 4)) for j in chosen]
    return Summary(text=" ".join(s.text for s in sentences), sentences=sentences, article_ids=[a.id for a in articles])


def score_candidates(scored: list[ScoredArticle], scorer: SentenceScorer, query: str | None) -> tuple[np.ndarray, list[int], list[Candidate]]:
    """Every candidate sentence's selection score (blended with the query's relevance in query
    mode), the index of the article it belongs to, and the candidates, flattened."""
    scores, owners, candidates = [], [], []
    for s in scored:
        words = np.array([c.words for c in s.prepared.candidates])
        score = selection_scores(scorer.probabilities(s.features), words, scorer.length_prior_for(s.features))
        if s.query_similarity is not None:
            relevance = query_relevance(query, s.prepared.candidates, s.query_similarity)
            score = (1.0 - scorer.query_weight) * score + scorer.query_weight * relevance
        scores.append(score)
        owners.extend([s.article_index] * len(s.prepared.candidates))
        candidates.extend(s.prepared.candidates)
    return np.concatenate(scores).astype(np.float32), owners, candidates


def summarize_text(text: str, scorer: SentenceScorer, embedder: Embedder, **budget: Any) -> Summary:
    """The summary of a text that is not stored: its sentences have no article id to point at."""
    summary = summarize_articles([Article(id="", text=text)], scorer=scorer, embedder=embedder, **budget)
    return Summary(summary.text, [dataclasses.replace(s, article_id=None) for s in summary.sentences], [])


def summarize(article: Article, *, scorer: SentenceScorer, embedder: Embedder, **budget: Any) -> Summary:
    """One article's summary: `summarize_articles([article], ...)`."""
    return summarize_articles([article], scorer=scorer, embedder=embedder, **budget)
