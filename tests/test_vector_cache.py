"""The sentence-vector cache: a repeated text is answered from it, with the vectors MiniLM gives."""

from __future__ import annotations

import numpy as np

from newsqa.model_cache import shared
from newsqa.vector_cache import VectorCache


def get_embedder():
    return shared().embedder()


def test_repeated_texts_are_not_encoded_again():
    embedder = get_embedder()
    texts = ["The cache test sentence number one.", "A second, rather longer, sentence for the cache test."]
    first = embedder.encode(texts)
    hits = embedder.cache.hits
    again = embedder.encode([texts[1], texts[0], texts[1]])
    assert embedder.cache.hits == hits + 3
    np.testing.assert_array_equal(again, first[[1, 0, 1]])
    fresh = embedder.encode_uncached(texts)  # the model itself, no cache
    assert np.all(np.sum(fresh * first, axis=1) > 0.999)


def test_least_recently_used_entries_leave_first():
    calls: list[list[str]] = []

    def encode(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    cache = VectorCache(2, max_entries=2)
    cache.encode(["a", "bb", "a"], encode)
    assert calls == [["a", "bb"]]  # duplicates encoded once
    cache.encode(["a"], encode)  # "a" is now the most recent
    cache.encode(["ccc"], encode)  # evicts "bb"
    cache.encode(["a", "bb"], encode)
    assert calls[-1] == ["bb"] and len(cache) == 2
