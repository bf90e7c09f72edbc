"""Run a reader over SQuAD examples and score it with the official metric."""

from __future__ import annotations

import time
from typing import Sequence

from tqdm import tqdm

from ..reader import Reader
from .metric import squad_v1, squad_v2
from .squad import QAExample


def predict(reader: Reader, examples: Sequence[QAExample], max_answer_len: int = 30, batch: int = 32, progress: bool = True) -> tuple[dict[str, str], dict[str, float], float]:
    """Best span text and no-answer probability per question id, and the seconds it took."""
    preds: dict[str, str] = {}
    null: dict[str, float] = {}
    began = time.perf_counter()
    for lo in tqdm(range(0, len(examples), batch), desc="reading", unit="batch", disable=not progress, mininterval=10):
        part = examples[lo : lo + batch]
        answers = reader.answer_batch([(e.question, e.context) for e in part], top_k=1, max_answer_len=max_answer_len)
        for ex, ans in zip(part, answers):
            preds[ex.qid] = ans[0].text if ans else ""
            null[ex.qid] = ans[0].no_answer_score if ans else 1.0
    return preds, null, time.perf_counter() - began


def evaluate_examples(reader: Reader, examples: Sequence[QAExample], max_answer_len: int = 30, progress: bool = True) -> dict[str, float]:
    """SQuAD v1.1 EM/F1 (always answering); for sets with unanswerable questions also the v2 scores."""
    preds, null, seconds = predict(reader, examples, max_answer_len, progress=progress)
    gold = {e.qid: [t for _, t in e.answers] for e in examples}
    answerable = {q: g for q, g in gold.items() if g}
    result: dict[str, float] = dict(squad_v1(preds, answerable))
    if len(answerable) < len(gold):
        result.update(squad_v2(preds, null, gold))
    result["seconds"] = seconds
    result["questions_per_second"] = len(examples) / seconds if seconds else 0.0
    return result
