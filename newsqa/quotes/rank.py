"""Order stored quotes for a query: the statement's and its paragraph's similarity to the query
(MiniLM cosine), plus the share of query words they contain, plus a little for a direct quote. Without a query, quotes keep their
stored order (article, then position in it), direct quotes first."""

from __future__ import annotations

import re
from typing import Any, Callable, Sequence

import numpy as np

from ..embedder import Encoder
from ..store.common import query_terms
from ..types import Quote
from .extract import paragraphs

MAX_RERANK = 200  # quotes compared with the query by MiniLM; the rest are pre-ranked by words
WEIGHTS = (0.6, 0.4, 0.3)  # statement cosine, paragraph cosine, share of query words present
DIRECT_BONUS = 0.1  # a quote in the speaker's own words beats a paraphrase of the same relevance


def paragraph_of(text: str, quote: Quote) -> str:
    for lo, hi in paragraphs(text):
        if lo <= quote.start < hi:
            return text[lo:hi]
    return quote.text


def _word_share(terms: Sequence[str], text: str) -> float:
    words = set(re.findall(r"\w+", text.lower()))
    return sum(any(w.startswith(t) for w in words) for t in terms) / len(terms) if terms else 0.0


def rank(quotes: list[Quote], query: str | None, texts: dict[str, str], encoder: Encoder | None, top_k: int) -> list[Quote]:
    """The `top_k` best quotes for `query`, each with `score` set (0 without a query)."""
    if not query:
        return sorted(quotes, key=lambda q: not q.direct)[:top_k]
    terms = query_terms(query)
    contexts = [paragraph_of(texts[q.article_id], q) if q.article_id in texts else q.text for q in quotes]
    lexical = np.array([_word_share(terms, q.text) + 0.5 * _word_share(terms, c) for q, c in zip(quotes, contexts)])
    keep = np.argsort(-lexical, kind="stable")[:MAX_RERANK]
    if encoder is None or not len(keep):
        scores = {int(i): float(lexical[i]) for i in keep}
    else:
        vectors = encoder.encode([query] + [quotes[i].text for i in keep] + [contexts[i] for i in keep])
        n = len(keep)
        statement, paragraph = vectors[1 : 1 + n] @ vectors[0], vectors[1 + n :] @ vectors[0]
        w_s, w_p, w_l = WEIGHTS
        scores = {int(i): float(w_s * s + w_p * p + w_l * min(lexical[i], 1.0) + DIRECT_BONUS * quotes[i].direct)
                  for i, s, p in zip(keep, statement, paragraph)}
    best = sorted(scores, key=lambda i: -scores[i])[:top_k]
    for i in best:
        quotes[i].score = round(max(0.0, min(1.0, scores[i])), 4)
    return [quotes[i] for i in best]


def find(store: Any, embedder: Callable[[], Encoder], query: str | None, speaker: str | None,
         article_ids: list[str] | None, top_k: int) -> list[Quote]:
    """The stored quotes of `speaker` (any part of the resolved name) in `article_ids`, the `top_k`
    best for `query`; the embedder is loaded only when there is a query to rank by."""
    found = store.quotes(speaker=speaker, article_ids=article_ids)
    texts: dict[str, str] = {}
    if query:
        for article_id in {q.article_id for q in found if q.article_id}:
            article = store.get_article(article_id)
            if article is not None:
                texts[article.id] = article.text
    return rank(found, query, texts, embedder() if query and found else None, top_k)
