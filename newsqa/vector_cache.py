"""A bounded cache of sentence vectors by text, so a text seen recently is never encoded twice.

MiniLM encoding is most of the cost of ingest (a syndicated copy repeats its sentences) and a
fifth of an `ask` (a repeated question). A vector depends only on the text and
the model, so the cache can never be stale: no writer needs to invalidate it, in this process or
another. It lives on the embedder (one per process) and keeps the most recently used entries.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Sequence

import numpy as np

DEFAULT_ENTRIES = 8192  # 384 float32 each: about 12 MiB of vectors at most, plus the texts


class VectorCache:
    """Least-recently-used map from text to its unit vector; thread-safe."""

    def __init__(self, dimensions: int, max_entries: int = DEFAULT_ENTRIES) -> None:
        self.dimensions = dimensions
        self.max_entries = max_entries
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._vectors)

    def clear(self) -> None:
        with self._lock:
            self._vectors.clear()

    def encode(self, texts: Sequence[str], encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Vectors for `texts`, calling `encode` only for the distinct texts not cached."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                vector = self._vectors.get(text)
                if vector is None:
                    missing.setdefault(text, []).append(i)
                else:
                    self._vectors.move_to_end(text)
                    out[i] = vector
            self.hits += len(texts) - sum(map(len, missing.values()))
            self.misses += sum(map(len, missing.values()))
        if not missing:
            return out
        fresh = encode(list(missing))
        with self._lock:
            for (text, rows), vector in zip(missing.items(), fresh):
                out[rows] = vector
                if self.max_entries:
                    self._vectors[text] = vector.copy()
                    self._vectors.move_to_end(text)
            while len(self._vectors) > self.max_entries:
                self._vectors.popitem(last=False)
        return out
