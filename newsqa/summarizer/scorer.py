"""Stage 3: the learned scorer, P(sentence belongs in a summary) from its feature row.

A small network (shipped as safetensors + JSON in `models/summarizer`, run here with numpy alone;
trained by `newsqa/training/summarizer.py`). The selection knobs chosen on validation data travel with
the weights.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelNotFound
from .candidates import MAX_CANDIDATES
from .features import EMBEDDING_DIMENSIONS, FEATURES

WIRE_COLUMN = FEATURES.index("wire_layout")

FEATURE_CLIP = 3.0  # standardized features are clipped: odd sentences must not extrapolate wildly
SPEC_FILE = "scorer.json"
WEIGHTS_FILE = "scorer.safetensors"


def standardize(features: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """(x - mean) / scale, clipped to +-FEATURE_CLIP: the same in training and at run time."""
    return np.clip((features - mean) / scale, -FEATURE_CLIP, FEATURE_CLIP)


@dataclass(frozen=True)
class SentenceScorer:
    """A small network over standardized features -> probability that a sentence is summary-worthy.

    `layers` are (weight, bias) pairs, ReLU between them, a sigmoid at the end (one layer: logistic
    regression). The selection knobs chosen on validation data travel with the weights.
    """

    mean: np.ndarray
    scale: np.ndarray
    layers: tuple[tuple[np.ndarray, np.ndarray], ...]
    mmr_lambda: float = 0.9
    length_prior: float = 0.25
    wire_length_prior: float | None = None  # for wire-layout articles; None: the same as length_prior
    query_weight: float = 0.7
    duplicate_threshold: float = 0.9
    meta: dict[str, Any] | None = None

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """P(in summary) for each row of `features` (numpy only)."""
        h = standardize(features, self.mean, self.scale)
        for i, (w, b) in enumerate(self.layers):
            h = h @ w + b
            if i < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        return 1.0 / (1.0 + np.exp(-h[:, 0]))

    def length_prior_for(self, features: np.ndarray) -> float:
        """The length-prior exponent for one article's feature rows: wire copy (the lead carries the
        news, short sentences count as much as long ones) may take another one than long-paragraph
        copy such as BBC's, whose references favour long sentences."""
        if self.wire_length_prior is not None and len(features) and features[0, WIRE_COLUMN] > 0.5:
            return self.wire_length_prior
        return self.length_prior

    def save(self, path: str | Path) -> None:
        """Write scorer.json (spec and knobs) and scorer.safetensors (arrays): no pickle."""
        from safetensors.numpy import save_file

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        tensors = {"mean": self.mean, "scale": self.scale}
        for i, (w, b) in enumerate(self.layers):
            tensors[f"layer{i}.weight"] = np.ascontiguousarray(w, dtype=np.float32)
            tensors[f"layer{i}.bias"] = np.ascontiguousarray(b, dtype=np.float32)
        save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in tensors.items()}, str(path / WEIGHTS_FILE))
        spec = {
            "format": "newsqa-sentence-scorer/1",
            "features": list(FEATURES) + [f"embedding_{i}" for i in range(EMBEDDING_DIMENSIONS)],
            "layers": len(self.layers),
            "activation": "relu",
            "output": "sigmoid",
            "mmr_lambda": self.mmr_lambda,
            "length_prior": self.length_prior,
            "wire_length_prior": self.wire_length_prior,
            "query_weight": self.query_weight,
            "duplicate_threshold": self.duplicate_threshold,
            "max_candidates": MAX_CANDIDATES,
            "feature_clip": FEATURE_CLIP,
            "meta": self.meta or {},
        }
        (path / SPEC_FILE).write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "SentenceScorer":
        """Read a scorer saved by `save`; raises ModelNotFound if the folder is incomplete."""
        from safetensors.numpy import load_file

        path = Path(path)
        if not (path / SPEC_FILE).is_file() or not (path / WEIGHTS_FILE).is_file():
            raise ModelNotFound(f"no summarizer model in {path} (expected {SPEC_FILE} and {WEIGHTS_FILE})")
        spec = json.loads((path / SPEC_FILE).read_text(encoding="utf-8"))
        if spec["features"][: len(FEATURES)] != list(FEATURES):
            raise ModelNotFound(f"summarizer model in {path} was trained on other features")
        tensors = load_file(str(path / WEIGHTS_FILE))
        layers = tuple((tensors[f"layer{i}.weight"], tensors[f"layer{i}.bias"]) for i in range(spec["layers"]))
        return cls(
            mean=tensors["mean"],
            scale=tensors["scale"],
            layers=layers,
            mmr_lambda=float(spec["mmr_lambda"]),
            length_prior=float(spec["length_prior"]),
            wire_length_prior=None if spec.get("wire_length_prior") is None else float(spec["wire_length_prior"]),
            query_weight=float(spec["query_weight"]),
            duplicate_threshold=float(spec["duplicate_threshold"]),
            meta=spec.get("meta", {}),
        )
