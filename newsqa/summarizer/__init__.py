"""Extractive summarization, generic and query-focused, with a length budget.

Every summary sentence is a sentence of an article, quoted verbatim with its offsets, so a summary
can invent nothing. The pipeline, one file per stage:

    candidates.py  body sentences, cleaned of headline, captions, bylines and page furniture
    features.py    position, paragraph, lead and title similarity, TextRank (textrank.py), sentence vector
    sentence_vectors.py  the sentence vectors: static token vectors fitted to MiniLM, microseconds a sentence
    scorer.py      the learned scorer: P(sentence belongs in a summary), numpy only
    selection.py   length prior, query relevance, MMR under sentence/word budgets, near-duplicates
    pipeline.py    summarize_articles: the stages wired together
    (newsqa/training/summarizer.py trains the scorer on BBC News Summary and CNN/Daily Mail, by hand)

In query mode the learned score is blended with the sentence's similarity to the query: neither
training set has queries to learn from, so the blend weight is a documented knob, not a trained one.
"""

from .candidates import MAX_CANDIDATES, Candidate, PreparedArticle, prepare_article
from .features import FEATURES, Embedder, ScoredArticle, featurize
from .pipeline import summarize, summarize_articles, summarize_text
from .scorer import SentenceScorer, standardize
from .selection import query_relevance, select_sentences, selection_scores

__all__ = [
    "FEATURES",
    "MAX_CANDIDATES",
    "Candidate",
    "Embedder",
    "PreparedArticle",
    "ScoredArticle",
    "SentenceScorer",
    "featurize",
    "prepare_article",
    "query_relevance",
    "select_sentences",
    "selection_scores",
    "standardize",
    "summarize",
    "summarize_articles",
    "summarize_text",
]
