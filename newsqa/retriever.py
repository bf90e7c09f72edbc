"""Hybrid passage retrieval: the store's lexical ranking (BM25 over SQLite FTS5, or Postgres
full-text search) and its dense cosine ranking over MiniLM vectors, fused with reciprocal rank
fusion (robust to the two scores' different scales).

`find` is the retrieval stage of `search` and `ask`: the passages with their article titles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .config import FUSION_DEPTH, RRF_K
from .embedder import Embedder
from .store import Store
from .store.common import DateRange, query_terms
from .types import SearchHit

MODES = ("hybrid", "bm25", "dense")


@dataclass(frozen=True)
class Fusion:
    """How the rankings are fused: each is at least `depth` passages deep, and reciprocal rank
    fusion's constant is `k` (lower trusts the top ranks more; config.RRF_K says why 10)."""

    depth: int = FUSION_DEPTH
    k: int = RRF_K


def bm25_ranking(store: Store, query: str, limit: int, article_ids: Sequence[str] | None = None, dates: DateRange = None) -> list[int]:
    terms = query_terms(query)
    return [pid for pid, _ in store.lexical_search(terms, limit, article_ids, dates)] if terms else []


def dense_ranking(store: Store, query_vector: np.ndarray, limit: int, article_ids: Sequence[str] | None = None,
                  dates: DateRange = None) -> list[int]:
    return [pid for pid, _ in store.dense_search(query_vector, limit, article_ids, dates)]


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
    dates: DateRange = None,
    fusion: Fusion = Fusion(),
) -> list[tuple[int, float]]:
    """(passage id, score) best first; mode is "hybrid", "bm25" or "dense"; each ranking fused
    is at least `fusion.depth` deep. `article_ids` and `dates` (epoch seconds, inclusive) filter
    inside the store's queries, so a narrow filter still gets the best passages within it."""
    depth = max(top_k * 4, fusion.depth)
    rankings = []
    if mode in ("hybrid", "bm25"):
        rankings.append(bm25_ranking(store, query, depth, article_ids, dates))
    if mode in ("hybrid", "dense"):
        rankings.append(dense_ranking(store, embedder.encode([query])[0], depth, article_ids, dates))
    return reciprocal_rank_fusion(rankings, fusion.k)[:top_k]


def find(
    store: Store,
    embedder: Embedder,
    query: str,
    top_k: int,
    article_ids: Sequence[str] | None = None,
    mode: str = "hybrid",
    dates: DateRange = None,
    fusion: Fusion = Fusion(),
) -> list[SearchHit]:
    """The `top_k` passages most relevant to `query`, best first, as SearchHits. A passage outside
    `article_ids` never passes (whatever a cache said), nor one whose article was deleted since its
    passages were found (by another request). `dates` filters inside the store's queries; each hit
    carries its article's `published` and, in `also_in`, its syndicated copies (`corpus.collapse_hits`)."""
    from . import corpus

    ranked = search(store, embedder, query, top_k, article_ids, mode, dates, fusion)
    found = store.passages([pid for pid, _ in ranked])
    if article_ids is not None:
        allowed = set(article_ids)
        found = {pid: p for pid, p in found.items() if p.article_id in allowed}
    articles = {a: store.get_article(a) for a in {p.article_id for p in found.values()}}
    hits = [SearchHit(found[pid], score, articles[found[pid].article_id].title)  # type: ignore[union-attr]
            for pid, score in ranked if pid in found and articles[found[pid].article_id] is not None]
    return corpus.collapse_hits(store, hits, {a: x for a, x in articles.items() if x is not None}, dates)
