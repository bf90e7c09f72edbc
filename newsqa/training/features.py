"""Turn QA examples into training windows whose targets are every gold answer inside the window."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..reader import make_windows
from .squad import QAExample


@dataclass
class TrainFeature:
    input_ids: list[int]
    token_type_ids: list[int]
    starts: list[int]  # gold start token positions; [0] ([CLS]) when no answer lies in the window
    ends: list[int]


def token_span(offsets: Sequence[tuple[int, int]], context_mask: np.ndarray, char_start: int, char_end: int) -> tuple[int, int] | None:
    """Token positions of the first and last context tokens of [char_start, char_end) in this window."""
    idx = np.flatnonzero(context_mask)
    if idx.size == 0:
        return None
    tok_starts = np.array([offsets[i][0] for i in idx])
    tok_ends = np.array([offsets[i][1] for i in idx])
    if char_start < tok_starts[0] or char_end > tok_ends[-1]:
        return None  # the answer is not wholly inside this window
    first = int(np.flatnonzero(tok_ends > char_start)[0])
    last = int(np.flatnonzero(tok_starts < char_end)[-1])
    if last < first:
        return None
    return int(idx[first]), int(idx[last])


def build_features(tokenizer: Any, examples: Sequence[QAExample], max_length: int = 256, stride: int = 96, chunk: int = 1000) -> list[TrainFeature]:
    """Windows for every example; all gold answers of a question are targets (marginal likelihood)."""
    features: list[TrainFeature] = []
    for lo in range(0, len(examples), chunk):
        part = examples[lo : lo + chunk]
        win = make_windows(tokenizer, [e.question for e in part], [e.context for e in part], max_length, stride)
        for w, pair in enumerate(win.pair_index):
            spans = set()
            for char_start, text in part[pair].answers:
                span = token_span(win.offsets[w], win.context_mask[w], char_start, char_start + len(text))
                if span is not None:
                    spans.add(span)
            starts = sorted({s for s, _ in spans}) or [0]
            ends = sorted({e for _, e in spans}) or [0]
            features.append(TrainFeature(win.input_ids[w], win.token_type_ids[w], starts, ends))
    return features
