"""Hybrid passage retrieval: BM25 over SQLite FTS5 and dense cosine over MiniLM vectors, fused
with reciprocal rank fusion (robust to the two scores' different scales)."""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from .embedder import Embedder
from .store import Store

RRF_K = 60
_WORD = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset(
    "a an and are as at be by did do does for from had has have he her his how i in is it its of on or she "
    "that the their them they this to was were what when where which who whom whose why will with you".split()
)


def fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression OR-ing the text's content words, each quoted (no syntax errors)."""
    words = [w.lower() for w in _WORD.findall(text)]
    content = [w for w in words if w not in STOPWORDS] or words
    unique = list(dict.fromkeys(content))[:32]
    return " OR ".join(f'"{w}"' for w in unique) if unique else None


def bm25_ranking(store: Store, query: str, limit: int, article_ids: Sequence[str] | None = None) -> list[int]:
    match = fts_query(query)
    return [pid for pid, _ in store.fts_search(match, limit, article_ids)] if match else []


def dense_ranking(store: Store, query_vector: np.ndarray, limit: int, article_ids: Sequence[str] | None = None) -> list[int]:
    ids, arts, matrix = store.vectors()
    if article_ids is not None:
        keep = np.isin(arts, list(article_ids))
        ids, matrix = ids[keep], matrix[keep]
    if len(ids) == 0:
        return []
    scores = matrix @ query_vector
    k = min(limit, len(ids))
    top = np.argpartition(-scores, k - 1)[:k]
    return [int(ids[i]) for i in top[np.argsort(-scores[top])]]


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Fuse rankings: score(d) = sum over rankings of 1 / (k + rank); best first."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking, start=1):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def search(
    store: Store,
    embedder: Embedder,
    query: str,
    top_k: int = 5,
    article_ids: Sequence[str] | None = None,
    mode: str = "hybrid",
) -> list[tuple[int, float]]:
    """(passage id, score) best first; mode is "hybrid", "bm25" or "dense"."""
    depth = max(top_k * 4, 50)
    rankings = []
    if mode in ("hybrid", "bm25"):
        rankings.append(bm25_ranking(store, query, depth, article_ids))
    if mode in ("hybrid", "dense"):
        rankings.append(dense_ranking(store, embedder.encode([query])[0], depth, article_ids))
    return reciprocal_rank_fusion(rankings)[:top_k]
