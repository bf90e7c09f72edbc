"""Extractive question answering over a context: windows with stride, span decoding, no-answer.

The reader tokenizes (question, context) pairs with the fast tokenizer's offset mapping, splits
long contexts into overlapping windows, runs the QA model on batches of windows, and decodes the
best spans back to character offsets into the context. Spans never cross the question, special
tokens or padding. Scores are in [0, 1]; what they mean (and whether they compare across passages)
is the `scoring` chosen, see `newsqa.scoring`. The no-answer score is p(start) * p(end) of the
[CLS] position under the window's softmax (SQuAD 2.0 style), taken from the window most sure that
an answer exists.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch

from . import budget
from .errors import InvalidInput
from .onnx_reader import OnnxLogits, available as onnx_available
from .precision import cpu_has, resolve
from .scoring import WindowStats, check_scoring, shared_partition, span_log_scores
from .types import Answer

MAX_QUESTION_TOKENS = 64


@dataclass
class Windows:
    """Tokenized windows of (question, context) pairs, with the bookkeeping to map spans back."""

    input_ids: list[list[int]]
    token_type_ids: list[list[int]]
    offsets: list[list[tuple[int, int]]]
    context_mask: list[np.ndarray]  # True where the token belongs to the context
    pair_index: list[int]  # which input pair each window came from


class WindowTokenizer:
    """A fast tokenizer set up for reading: (question, context) pairs cut into windows of at most
    `max_length` tokens that overlap by `stride`, and questions alone (to clip them).

    Takes a `tokenizers.Tokenizer` or a transformers fast tokenizer (its Rust backend) and keeps two
    private copies, each configured once, so encoding never changes shared state and is safe from
    several threads. transformers' own call does the same encoding, but reconfigures its backend
    on every call, and importing it costs a cold start a noticeable part of a second.
    """

    def __init__(self, tokenizer: Any, max_length: int = 256, stride: int = 96) -> None:
        from tokenizers import Tokenizer

        spec = getattr(tokenizer, "backend_tokenizer", tokenizer).to_str()
        self.max_length, self.stride = max_length, stride
        self.pairs = Tokenizer.from_str(spec)
        self.pairs.enable_truncation(max_length, stride=stride, strategy="only_second")
        self.pairs.no_padding()
        self.single = Tokenizer.from_str(spec)
        self.single.no_truncation()
        self.single.no_padding()


def clip_question(tokenizer: WindowTokenizer, question: str, max_tokens: int = MAX_QUESTION_TOKENS) -> str:
    """Cut a question to its first `max_tokens` tokens so a window always has room for context."""
    enc = tokenizer.single.encode(question, add_special_tokens=False)
    if len(enc.ids) <= max_tokens:
        return question
    return question[: enc.offsets[max_tokens - 1][1]]


def make_windows(
    tokenizer: Any,
    questions: Sequence[str],
    contexts: Sequence[str],
    max_length: int = 256,
    stride: int = 96,
) -> Windows:
    """Tokenize pairs into overlapping windows of at most `max_length` tokens (`stride` overlap).

    `tokenizer` is a WindowTokenizer, or any fast tokenizer (set up here for this call).
    """
    if not (isinstance(tokenizer, WindowTokenizer) and (tokenizer.max_length, tokenizer.stride) == (max_length, stride)):
        tokenizer = WindowTokenizer(tokenizer, max_length, stride)
    questions = [clip_question(tokenizer, q) for q in questions]
    windows = Windows([], [], [], [], [])
    for pair, first in enumerate(tokenizer.pairs.encode_batch(list(zip(questions, contexts)))):
        for enc in [first, *first.overflowing]:
            windows.input_ids.append(enc.ids)
            windows.token_type_ids.append(enc.type_ids)
            windows.offsets.append(enc.offsets)
            windows.context_mask.append(np.array([s == 1 for s in enc.sequence_ids], dtype=bool))
            windows.pair_index.append(pair)
    return windows


def best_spans(
    start_logits: np.ndarray,
    end_logits: np.ndarray,
    context_mask: np.ndarray,
    max_answer_len: int,
    n_best: int,
) -> list[tuple[int, int, float]]:
    """Top spans (start_tok, end_tok, raw score s_i + e_j) inside the context, best first."""
    length = len(context_mask)
    idx = np.flatnonzero(context_mask)
    if idx.size == 0:
        return []
    scores = start_logits[:length].astype(np.float64)[idx][:, None] + end_logits[:length].astype(np.float64)[idx][None, :]
    pos = idx[:, None], idx[None, :]
    valid = (pos[1] >= pos[0]) & (pos[1] - pos[0] < max_answer_len)
    scores = np.where(valid, scores, -np.inf)
    flat = scores.ravel()
    k = min(n_best, int(np.isfinite(flat).sum()))
    if k == 0:
        return []
    top = np.argpartition(-flat, k - 1)[:k]
    top = top[np.argsort(-flat[top])]
    return [(int(idx[t // len(idx)]), int(idx[t % len(idx)]), float(flat[t])) for t in top]


@dataclass
class Reading:
    """The model's start and end logits for every window of some (question, context) pairs."""

    pairs: list[tuple[str, str]]
    windows: Windows | None
    start_logits: list[np.ndarray]
    end_logits: list[np.ndarray]


LENGTH_SLACK = 0.15  # measured on BBC passages, 1 thread: 8 windows 225 -> 188 ms, 16 windows 464 -> 370 ms


def default_length_slack(precision: str) -> float | None:
    """How to batch a call's windows: by length (LENGTH_SLACK), where padding is compute thrown
    away; in one padded batch (None) where the CPU multiplies bf16 in AMX tiles, which make padding
    cheap and each extra forward pass the larger cost. Measured on NewsQA dev's passages, 1 thread,
    an AMX host (docs/results.md, "One batch per call"): 2 + 6 + 6 passages 184.9 -> 163.6 ms,
    8 at once 93.3 -> 85.0, 16 at once 169.3 -> 158.6."""
    return None if precision == "bf16" and cpu_has("amx_tile") else LENGTH_SLACK


def length_batches(lengths: Sequence[int], batch_size: int, slack: float | None = LENGTH_SLACK) -> list[list[int]]:
    """Window indices in batches of at most `batch_size`, shortest first, a new batch starting where
    a window is more than `slack` longer than its batch's first: padding is compute thrown away on a
    CPU, and the few windows of one question vary a lot in length. `slack=None`: fixed-size batches
    of the length-sorted windows."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    if slack is None:
        return [order[b : b + batch_size] for b in range(0, len(order), batch_size)]
    batches: list[list[int]] = []
    for i in order:
        if batches and len(batches[-1]) < batch_size and lengths[i] <= (1 + slack) * lengths[batches[-1][0]]:
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


class Reader:
    """An extractive QA model with its tokenizer; thread-safe to call once loaded.

    `precision` is "fp32", "bf16", "int8" (dynamic quantization of the linear layers), "onnx" (fp32
    in ONNX Runtime, newsqa/onnx_reader.py), "onnx-int8" (most weight products int8 there) or "auto" (bf16 where the CPU multiplies it in
    hardware faster than fp32, `precision.native_bf16`; else onnx where onnxruntime is installed, else fp32).
    """

    def __init__(
        self,
        model_dir: str | Path | None = None,
        precision: str = "fp32",
        batch_size: int = 32,
        *,
        model: torch.nn.Module | None = None,
        tokenizer: Any = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.precision = resolve(precision)
        if model is None:
            from .config import shipped_models_dir
            from .reader_io import load_inference_reader

            model_dir = Path(model_dir) if model_dir else shipped_models_dir() / "reader"
            model, tokenizer, meta = load_inference_reader(model_dir, torch.bfloat16 if self.precision == "bf16" else torch.float32)
        elif self.precision == "bf16":  # a caller's model (e.g. one in training) is never converted in place
            model = copy.deepcopy(model).to(torch.bfloat16)
        if self.precision == "int8":  # makes a quantized copy
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        self.onnx: OnnxLogits | None = None
        if self.precision in ("onnx", "onnx-int8"):
            if not onnx_available():
                raise InvalidInput(f"precision {self.precision!r} needs onnxruntime: pip install -e '.[onnx]'")
            self.onnx = OnnxLogits(model, torch.get_num_threads(), int8=self.precision == "onnx-int8")
        meta = meta or {}
        # ONNX Runtime holds its own copy of the weights: the torch model is let go (73 MB less RSS).
        self.model: torch.nn.Module | None = None if self.onnx is not None else model
        self.tokenizer = tokenizer
        self.meta = meta
        self.max_length = int(meta.get("max_length", 256))
        self.stride = int(meta.get("stride", 96))
        self.windows = WindowTokenizer(tokenizer, self.max_length, self.stride)
        self.batch_size = batch_size
        self.length_slack: float | None = default_length_slack(self.precision)  # see length_batches; None: fixed-size batches
        self._lock = threading.Lock()  # torch modules are safe for concurrent inference, but
        # intra-op threads are shared; serialising keeps latency predictable under load.

    def answer(self, question: str, context: str, top_k: int = 1, max_answer_len: int = 30, scoring: str = "window") -> list[Answer]:
        """The `top_k` best spans of `context` answering `question`, offsets into `context`."""
        return self.answer_batch([(question, context)], top_k=top_k, max_answer_len=max_answer_len, scoring=scoring)[0]

    def answer_batch(
        self,
        pairs: Sequence[tuple[str, str]],
        top_k: int = 1,
        max_answer_len: int = 30,
        scoring: str = "window",
        groups: Sequence[int] | None = None,
    ) -> list[list[Answer]]:
        """Answer many (question, context) pairs at once, batching all their windows.

        `scoring` says what an answer's score means (see `newsqa.scoring`). Pairs with the same
        `groups` entry are one question over several passages: the "shared" scoring normalizes
        over all their windows together (by default each pair is its own group).
        """
        check_scoring(scoring)
        if top_k < 1 or max_answer_len < 1:
            raise InvalidInput("top_k and max_answer_len must be positive")
        return self.decode(self.read(pairs), top_k, max_answer_len, scoring, groups)

    def read(self, pairs: Sequence[tuple[str, str]]) -> Reading:
        """Run the model over every window of the pairs (the slow step; decoding is cheap)."""
        for question, context in pairs:
            if not question or not question.strip():
                raise InvalidInput("question is empty")
            if not context or not context.strip():
                raise InvalidInput("context is empty")
        windows = make_windows(self.windows, [q for q, _ in pairs], [c for _, c in pairs], self.max_length, self.stride) if pairs else None
        start_logits, end_logits = self._logits(windows) if windows else ([], [])
        return Reading(list(pairs), windows, start_logits, end_logits)

    def decode(
        self,
        reading: Reading,
        top_k: int = 1,
        max_answer_len: int = 30,
        scoring: str = "window",
        groups: Sequence[int] | None = None,
    ) -> list[list[Answer]]:
        """The `top_k` best spans per pair of a `reading`, scored by `scoring` (see `answer_batch`)."""
        check_scoring(scoring)
        pairs, windows = reading.pairs, reading.windows
        if not pairs:
            return []
        groups = list(range(len(pairs))) if groups is None else list(groups)
        if len(groups) != len(pairs):
            raise InvalidInput("groups must give one group per pair")
        start_logits, end_logits = reading.start_logits, reading.end_logits
        stats = [WindowStats.of(start_logits[w], end_logits[w], windows.context_mask[w]) for w in range(len(windows.pair_index))]
        by_group: dict[int, list[WindowStats]] = {}
        for w, pair in enumerate(windows.pair_index):
            by_group.setdefault(groups[pair], []).append(stats[w])
        partitions = {g: shared_partition(ws) for g, ws in by_group.items()} if scoring == "shared" else {}
        candidates: list[dict[tuple[int, int], float]] = [{} for _ in pairs]
        null_logp = [-np.inf for _ in pairs]
        for w, pair in enumerate(windows.pair_index):
            null_logp[pair] = stats[w].null_log_prob if null_logp[pair] == -np.inf else min(null_logp[pair], stats[w].null_log_prob)
            spans = best_spans(start_logits[w], end_logits[w], windows.context_mask[w], max_answer_len, max(top_k, 5) * 2)
            if not spans:
                continue
            log_scores = span_log_scores(np.array([raw for _, _, raw in spans]), stats[w], scoring, partitions.get(groups[pair]))
            offsets = windows.offsets[w]
            for (s, e, _), logp in zip(spans, log_scores):
                key = (offsets[s][0], offsets[e][1])
                if logp > candidates[pair].get(key, -np.inf):
                    candidates[pair][key] = float(logp)
        results = []
        for pair, (_, context) in enumerate(pairs):
            ranked = sorted(candidates[pair].items(), key=lambda kv: -kv[1])[:top_k]
            no_answer = float(np.exp(null_logp[pair]))
            results.append(
                [Answer(text=context[s:e], score=float(np.exp(lp)), start=s, end=e, no_answer_score=no_answer) for (s, e), lp in ranked]
            )
        return results

    def _logits(self, windows: Windows) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Run the model over all windows in batches of similar length; logits per window, unpadded."""
        lengths = [len(ids) for ids in windows.input_ids]
        starts: list[np.ndarray] = [np.empty(0)] * len(lengths)
        ends: list[np.ndarray] = [np.empty(0)] * len(lengths)
        for batch in length_batches(lengths, self.batch_size, self.length_slack):
            budget.check("reading passages")
            width = max(len(windows.input_ids[i]) for i in batch)
            ids = torch.zeros((len(batch), width), dtype=torch.long)
            types = torch.zeros_like(ids)
            attn = torch.zeros_like(ids)
            for row, i in enumerate(batch):
                n = len(windows.input_ids[i])
                ids[row, :n] = torch.tensor(windows.input_ids[i])
                types[row, :n] = torch.tensor(windows.token_type_ids[i])
                attn[row, :n] = 1
            if self.onnx is not None:
                with self._lock:
                    s, e = self.onnx(ids.numpy(), types.numpy(), attn.numpy())
            else:
                with self._lock, torch.inference_mode():
                    out = self.model(input_ids=ids, token_type_ids=types, attention_mask=attn)
                s = out.start_logits.float().numpy()
                e = out.end_logits.float().numpy()
            for row, i in enumerate(batch):
                n = len(windows.input_ids[i])
                starts[i], ends[i] = s[row, :n], e[row, :n]
        return starts, ends
