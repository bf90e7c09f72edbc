"""What an answer's score means, so that spans read from different passages can be compared.

The reader gives every window start and end logits; a span (i, j) has the raw score
s_i + e_j. Softmax is blind to a constant added to a window's logits, so raw scores of two
windows are not on one scale, and neither are probabilities taken under each window's own
softmax: a passage that never mentions the subject of the question can still hand a confident
share of its mass to some span. Each way of scoring below turns raw span scores into a number in
[0, 1] with a stated meaning (all of them order the spans of one window alike):

- ``window``: p(start) * p(end) under the window's own softmax (the reader's original score).
- ``margin``: sigmoid(s_i + e_j - (s_0 + e_0)), the span against the window's own no-answer
  position [CLS]: how much the reader prefers this span to "nothing here". The shift cancels, so it
  compares across windows as far as the no-answer position is calibrated, which is what
  training on distractor windows teaches.
- ``shared``: p(start) * p(end) under one softmax over every position of every window read for
  the question (shared normalization, Clark & Gardner 2018).
- ``logits``: sigmoid(0.1 * (s_i + e_j)), the raw logits as they are (Haystack's
  ExtractiveReader, with its default calibration factor 0.1).
- ``answerable``: p(span | the window holds an answer) * (1 - p(no answer)): the span's share among
  the window's spans, weighted by the window's probability that it holds an answer at all.

`ask` ranks the answers of all passages read by `ranking_key`: the score's log-odds plus the
retrieval's opinion of the passage, so that a confident span from a passage the retriever ranked
low does not beat an equally confident one from its best passage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

SCORINGS = ("window", "margin", "shared", "logits", "answerable")
DEFAULT_SCORING = "margin"  # what a new export ships with; chosen on NewsQA dev (benchmarks/ask_open.py)
LOGIT_CALIBRATION = 0.1  # Haystack's ExtractiveReader default


def logsumexp(x: np.ndarray) -> float:
    m = float(np.max(x))
    return m + float(np.log(np.exp(x - m).sum()))


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)


@dataclass(frozen=True)
class WindowStats:
    """What a window contributes to the scores of its spans, from its start and end logits."""

    lse_start: float  # log-partition of the start logits over the whole window
    lse_end: float
    lse_context_start: float  # the same over the context tokens only
    lse_context_end: float
    null: float  # s_0 + e_0, the raw score of "no answer" ([CLS])

    @classmethod
    def of(cls, start: np.ndarray, end: np.ndarray, context_mask: np.ndarray) -> "WindowStats":
        start, end = start.astype(np.float64), end.astype(np.float64)
        ctx = context_mask[: len(start)]
        has_context = bool(ctx.any())
        return cls(
            lse_start=logsumexp(start),
            lse_end=logsumexp(end),
            lse_context_start=logsumexp(start[ctx]) if has_context else 0.0,
            lse_context_end=logsumexp(end[ctx]) if has_context else 0.0,
            null=float(start[0] + end[0]),
        )

    @property
    def null_log_prob(self) -> float:
        """log p(no answer) under the window's own softmax."""
        return self.null - self.lse_start - self.lse_end


def check_scoring(scoring: str) -> str:
    if scoring not in SCORINGS:
        raise ValueError(f"answer scoring must be one of {', '.join(SCORINGS)}, not {scoring!r}")
    return scoring


def shared_partition(windows: Sequence[WindowStats]) -> tuple[float, float]:
    """The log-partitions of one softmax over all positions of all the given windows."""
    return (logsumexp(np.array([w.lse_start for w in windows])), logsumexp(np.array([w.lse_end for w in windows])))


def span_log_scores(raw: np.ndarray, window: WindowStats, scoring: str, shared: tuple[float, float] | None = None) -> np.ndarray:
    """log score of spans with raw scores `raw` (s_i + e_j) read in `window`.

    `shared` is the pair of log-partitions over every window of the question (`shared_partition`);
    only the "shared" scoring uses it.
    """
    raw = np.asarray(raw, dtype=np.float64)
    if scoring == "window":
        return raw - window.lse_start - window.lse_end
    if scoring == "margin":
        return log_sigmoid(raw - window.null)
    if scoring == "shared":
        lse_start, lse_end = shared if shared is not None else (window.lse_start, window.lse_end)
        return raw - lse_start - lse_end
    if scoring == "logits":
        return log_sigmoid(LOGIT_CALIBRATION * raw)
    if scoring == "answerable":
        p_null = min(float(np.exp(window.null_log_prob)), 1.0 - 1e-12)
        return raw - window.lse_context_start - window.lse_context_end + np.log1p(-p_null)
    raise ValueError(f"unknown answer scoring {scoring!r}")


def ranking_key(score: float, passage_rank: int, weight: float) -> float:
    """The key `ask` sorts answers by: the log-odds of the answer's score plus `weight` times
    -log(1 + rank) of the passage it was read from in the fused retrieval order (0 is the best).

    The reader judges each passage alone; the retriever saw the whole corpus. Adding its opinion
    breaks near-ties between confident spans from different stories in favour of the better
    retrieved passage (chosen on NewsQA dev: `benchmarks/answer_ranking.py`). The score shown with
    the answer, and the threshold, stay the reader's own.
    """
    return log_odds(score) - weight * math.log1p(passage_rank)


def log_odds(p: float) -> float:
    """log(p / (1 - p)), with p kept off 0 and 1."""
    p = min(max(p, 1e-12), 1.0 - 1e-12)
    return math.log(p / (1.0 - p))


DEFAULT_ANSWER_THRESHOLD = 0.3  # for a reader whose metadata holds no calibration at all


def answer_scoring_and_threshold(scoring: str | None, threshold: float | None, meta: dict) -> tuple[str, float]:
    """The scoring and threshold answers are judged by: the given ones (settings), else the
    reader's own choice and its calibrated threshold (`meta`, the reader's reader.json)."""
    scoring = scoring or str(meta.get("answer_scoring", "window"))
    return scoring, threshold if threshold is not None else calibrated_threshold(meta, scoring)


def calibrated_threshold(meta: dict, scoring: str) -> float:
    """The answer threshold a reader's metadata holds for `scoring` (calibrated at export)."""
    from .errors import ModelNotFound

    thresholds = meta.get("answer_thresholds") or {}
    if scoring in thresholds:
        return float(thresholds[scoring])
    if scoring == meta.get("answer_scoring", "window") and "answer_threshold" in meta:
        return float(meta["answer_threshold"])
    if not meta:
        return DEFAULT_ANSWER_THRESHOLD
    raise ModelNotFound(f"the reader has no answer threshold calibrated for scoring {scoring!r}; "
                        "set Settings.answer_threshold or calibrate it (newsqa.training.export --calibrate)")
