"""Sentence vectors for the summarizer: the mean of learned static token vectors, no transformer pass.

The summarizer needs a vector per sentence (similarity to the title, the centroid and the lead,
MMR, near-duplicates, the query, and the scorer's linear part). MiniLM gave them at about 7 ms a
sentence on one CPU core, which made a raw-text summary of a 45-sentence article cost 0.3-0.6 s.
Here each token of MiniLM's WordPiece vocabulary has one learned vector in MiniLM's space, and a
sentence's vector is the mean of its tokens' vectors, normalized: microseconds a sentence. The
table was fitted so that this mean matches MiniLM's own vector of the sentence
(newsqa/training/sentence_vectors.py; cosine 0.86 on held-out sentences), and the scorer was trained
on these vectors, so stored articles and raw text get the same vectors and the same summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from ..embedder import normalize
from ..errors import ModelNotFound

TABLE_FILE = "sentence_vectors.safetensors"
TABLE_KEY = "token_vectors"
MAX_TOKENS = 256  # a sentence longer than this is cut (as MiniLM's 256-token limit did)


class SentenceVectors:
    """Encode sentences with a token-vector table and the WordPiece tokenizer it was fitted with."""

    def __init__(self, table: np.ndarray, tokenizer_file: Path) -> None:
        from tokenizers import Tokenizer

        self.table = np.ascontiguousarray(table)  # kept as stored (float16: 23 MB, not 47); means are taken in float32
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)

    @classmethod
    def load(cls, summarizer_dir: str | Path, tokenizer_file: str | Path | None = None) -> "SentenceVectors":
        """The table in `summarizer_dir`; the tokenizer defaults to the bundled MiniLM's."""
        from safetensors.numpy import load_file

        from ..reader_io import base_encoder_dir

        path = Path(summarizer_dir) / TABLE_FILE
        if not path.is_file():
            raise ModelNotFound(f"no sentence-vector table in {summarizer_dir} (expected {TABLE_FILE})")
        table = load_file(str(path))[TABLE_KEY]
        return cls(table, Path(tokenizer_file) if tokenizer_file else base_encoder_dir() / "tokenizer.json")

    @property
    def dimensions(self) -> int:
        return self.table.shape[1]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (a text with no tokens gets zeros)."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch_fast(list(texts), add_special_tokens=False)  # ids only, no offsets
        for i, encoding in enumerate(encodings):
            if encoding.ids:
                out[i] = self.table[encoding.ids].mean(axis=0, dtype=np.float32)
        return normalize(out)
