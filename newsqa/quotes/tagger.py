"""Token tagger for attributions: MiniLM with a token-classification head, BIO tags for the
source, cue and content of reported statements (trained on PolNeAR train by `newsqa/training/quotes.py`).

The text is tokenized once with character offsets and read in overlapping windows; each token
keeps the prediction of the window where it sits farthest from an edge. The output is character
spans per role, which `quotes/extract.py` groups into attributions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .cues import candidate_sentences, load_cue_words

LABELS = ["O", "B-SRC", "I-SRC", "B-CUE", "I-CUE", "B-CON", "I-CON"]
ROLES = ("SRC", "CUE", "CON")
WINDOW = 256  # tokens per window, [CLS] and [SEP] included
STRIDE = 238  # tokens between window starts when reading (16 tokens of overlap: each token is read about once)
OVERLAP = WINDOW - 2 - STRIDE


@dataclass(frozen=True)
class Tagged:
    """A run of tokens with one role: 'SRC', 'CUE' or 'CON', as character offsets."""

    role: str
    start: int
    end: int


def tokenize(tokenizer: Any, text: str) -> tuple[list[int], list[tuple[int, int]]]:
    """Word-piece ids and their character offsets in `text`, without special tokens."""
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    return list(enc["input_ids"]), [tuple(o) for o in enc["offset_mapping"]]


def windows(n_tokens: int, window: int = WINDOW, stride: int = STRIDE) -> list[tuple[int, int]]:
    """(lo, hi) token ranges covering `n_tokens`, each at most `window - 2` long."""
    size = window - 2
    if n_tokens <= size:
        return [(0, n_tokens)]
    spans, lo = [], 0
    while True:
        hi = min(lo + size, n_tokens)
        spans.append((lo, hi))
        if hi == n_tokens:
            return spans
        lo += stride


def even_windows(n_tokens: int, window: int = WINDOW, overlap: int = OVERLAP) -> list[tuple[int, int]]:
    """(lo, hi) token ranges covering `n_tokens` in as few windows as `windows` uses, all of one
    length (at most `window - 2`) and overlapping by about `overlap`: a batch of them needs no
    padding, where fixed-size windows leave a short last one padded to full length."""
    size = window - 2
    if n_tokens <= size:
        return [(0, n_tokens)]
    k = -(-(n_tokens - overlap) // (size - overlap))
    length = min(size, -(-(n_tokens + (k - 1) * overlap) // k))
    starts = [round(i * (n_tokens - length) / (k - 1)) for i in range(k)]
    return [(lo, lo + length) for lo in starts]


def token_labels(offsets: Sequence[tuple[int, int]], parts: Sequence[tuple[str, int, int, int]]) -> list[int]:
    """Gold label ids per token from `parts` = (role, start, end, piece id); source and cue win
    over content where they overlap (a nested attribution inside a quoted statement)."""
    priority = {"CON": 0, "CUE": 1, "SRC": 2}
    labels = [0] * len(offsets)
    owner: list[tuple[int, int] | None] = [None] * len(offsets)  # (priority, piece id)
    starts = np.array([s for s, _ in offsets])
    ends = np.array([e for _, e in offsets])
    for role, start, end, piece in parts:
        inside = np.nonzero((starts < end) & (ends > start) & (ends > starts))[0]
        for i in inside:
            if owner[i] is None or owner[i][0] < priority[role]:
                owner[i] = (priority[role], piece)
                labels[i] = LABELS.index("I-" + role)
    for i, label in enumerate(labels):
        if label and (i == 0 or owner[i - 1] is None or owner[i - 1][1] != owner[i][1]):
            labels[i] = label - 1  # B- precedes I- in LABELS
    return labels


def decode(label_ids: Sequence[int], offsets: Sequence[tuple[int, int]]) -> list[Tagged]:
    """Character spans of each run of one role (a B- tag starts a new run)."""
    runs: list[Tagged] = []
    role, start, end = None, 0, 0
    for label, (s, e) in zip(label_ids, offsets):
        name = LABELS[label]
        tag, r = (name[0], name[2:]) if name != "O" else ("O", None)
        if role is not None and (r != role or tag == "B"):
            runs.append(Tagged(role, start, end))
            role = None
        if r is not None:
            if role is None:
                role, start = r, s
            end = e
    if role is not None:
        runs.append(Tagged(role, start, end))
    return runs


def selected_tokens(offsets: Sequence[tuple[int, int]], ranges: Sequence[tuple[int, int]]) -> list[int]:
    """Indices of the tokens that start inside one of the character `ranges` (tokens and ranges
    in text order, the ranges not overlapping)."""
    starts = np.array([s for s, _ in offsets], dtype=np.int64)
    bounds = np.array(ranges, dtype=np.int64).reshape(-1, 2)
    los, his = np.searchsorted(starts, bounds[:, 0]), np.searchsorted(starts, bounds[:, 1])
    return [i for lo, hi in zip(los.tolist(), his.tolist()) for i in range(lo, hi)]


def runs_of(indices: Sequence[int]) -> list[tuple[int, int]]:
    """(lo, hi) positions in `indices` of each run of consecutive values: a tagged run never
    spans text that was not read."""
    runs, lo = [], 0
    for j in range(1, len(indices) + 1):
        if j == len(indices) or indices[j] != indices[j - 1] + 1:
            runs.append((lo, j))
            lo = j
    return runs


class Tagger:
    """The shipped tagger in `model_dir` (config, tokenizer, fp16 safetensors).

    `precision` "int8" (the default) quantizes the linear layers dynamically: about 1.4x the
    bfloat16 speed on one core, which keeps ingest with extraction near the speed without it
    (benchmarks/ingest_speed.py --quotes-compare); "bf16" and "fp32" are there to compare with
    (benchmarks/quotes.py --precision). `select` reads only the sentences that can hold an
    attribution (`quotes/cues.py`); off, every sentence is read (benchmarks/quotes.py compares).
    """

    def __init__(self, model_dir: str | Path, precision: str = "int8", batch_size: int = 8, select: bool = True) -> None:
        if precision not in {"int8", "bf16", "fp32", "auto"}:
            raise ValueError(f"precision must be int8, bf16, fp32 or auto, not {precision!r}")
        import torch
        from transformers import AutoConfig, AutoModelForTokenClassification, AutoTokenizer

        from ..precision import native_bf16
        from ..reader_io import quiet_transformers, reader_weights

        quiet_transformers()
        model_dir = Path(model_dir)
        state = {k: v.float() for k, v in reader_weights(model_dir).items()}
        model = AutoModelForTokenClassification.from_config(AutoConfig.from_pretrained(model_dir))
        model.load_state_dict(state, strict=False)
        model.eval()
        if precision == "int8":
            import warnings

            with warnings.catch_warnings():  # torch announces the move of eager quantization to torchao
                warnings.simplefilter("ignore")
                model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        elif precision == "bf16" or (precision == "auto" and native_bf16()):
            model = model.to(torch.bfloat16)
        self.precision = precision
        self.model = model
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        self.batch_size = batch_size
        self.select = select
        self.cue_words = load_cue_words(model_dir)

    def tag(self, text: str) -> list[Tagged]:
        """Role spans (source, cue, content) found in `text`, in text order.

        Only the sentences that can hold an attribution are read (`cues.candidate_sentences`,
        every sentence when `select` is off or the tagger has no cue lexicon), as one sequence.
        Each text is read in batches of its own windows only: int8 activations are quantized per
        batch, so mixing articles in one batch would make an article's quotes depend on its
        neighbours (batching 40 BBC articles together was no faster either)."""
        ids, offsets = tokenize(self.tokenizer, text)
        if self.select and self.cue_words:
            keep = selected_tokens(offsets, candidate_sentences(text, self.cue_words))
        else:
            keep = list(range(len(ids)))
        if not keep:
            return []
        labels = self.predict([[ids[i] for i in keep]])[0]
        return [t for lo, hi in runs_of(keep) for t in decode(labels[lo:hi], [offsets[i] for i in keep[lo:hi]])]

    def predict(self, sequences: Sequence[Sequence[int]]) -> list[list[int]]:
        """One label id per token of each sequence, from overlapping windows (the most central
        reading of a token wins)."""
        import torch

        jobs = [(n, lo, hi) for n, ids in enumerate(sequences) if ids for lo, hi in even_windows(len(ids))]
        jobs.sort(key=lambda job: job[2] - job[1])
        best = [np.full(len(ids), -1) for ids in sequences]
        labels = [np.zeros(len(ids), dtype=np.int64) for ids in sequences]
        cls, sep, pad = self.tokenizer.cls_token_id, self.tokenizer.sep_token_id, self.tokenizer.pad_token_id
        for b in range(0, len(jobs), self.batch_size):
            batch = jobs[b : b + self.batch_size]
            width = max(hi - lo for _, lo, hi in batch) + 2
            input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, (n, lo, hi) in enumerate(batch):
                input_ids[row, : hi - lo + 2] = torch.tensor([cls, *sequences[n][lo:hi], sep])
                mask[row, : hi - lo + 2] = 1
            with torch.inference_mode():
                logits = self.model(input_ids=input_ids, attention_mask=mask).logits.float().numpy()
            for row, (n, lo, hi) in enumerate(batch):
                pred = logits[row, 1 : hi - lo + 1].argmax(-1)
                idx = np.arange(lo, hi)
                last = len(sequences[n]) - 1
                margin = np.minimum(idx - lo, hi - 1 - idx) + (idx == 0) * WINDOW + (idx == last) * WINDOW
                take = margin > best[n][lo:hi]
                labels[n][lo:hi][take] = pred[take]
                best[n][lo:hi][take] = margin[take]
        return [lab.tolist() for lab in labels]
