"""Stage 2a: TextRank centrality of the candidates, one of the scorer's features."""

from __future__ import annotations

import numpy as np

from .candidates import Candidate
from .words import content_stems


def textrank(candidates: list[Candidate], damping: float = 0.85, iterations: int = 100) -> np.ndarray:
    """TextRank (Mihalcea & Tarau 2004) over the candidates: word overlap / (log len_i + log len_j),
    self-loops kept, PageRank by power iteration. Returns the stationary probabilities: lexical
    centrality, which the embedding centroid blurs and BBC's references reward."""
    stems = [content_stems(c.span.text) for c in candidates]
    vocabulary: dict[str, int] = {}
    rows = [[vocabulary.setdefault(w, len(vocabulary)) for w in sentence] for sentence in stems]
    counts = np.zeros((len(stems), max(len(vocabulary), 1)), dtype=np.float32)
    for i, row in enumerate(rows):
        np.add.at(counts[i], row, 1.0)
    lengths = np.array([len(r) for r in rows], dtype=np.float32)
    overlap = counts @ counts.T
    logs = np.log(np.maximum(lengths, 1.0))
    norm = logs[:, None] + logs[None, :]
    weights = np.where(norm > 1e-6, overlap / np.maximum(norm, 1e-6), overlap)
    weights /= weights.sum(axis=1, keepdims=True) + 1e-7
    m = len(candidates)
    matrix = np.full((m, m), (1.0 - damping) / m, dtype=np.float32) + damping * weights
    p = np.full(m, 1.0 / m, dtype=np.float32)
    for _ in range(iterations):
        nxt = matrix.T @ p
        if np.abs(nxt - p).sum() < 1e-6:
            p = nxt
            break
        p = nxt
    return p
