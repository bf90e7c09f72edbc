"""Run a reader over SQuAD examples and score it with the official metric."""

from __future__ import annotations

import time
from typing import Sequence

from tqdm import tqdm

from ..reader import Reader
from ..types import Answer
from .metric import squad_v1, squad_v2
from .squad import QAExample, gold_answers


def predict(reader: Reader, examples: Sequence[QAExample], max_answer_len: int = 30, batch: int = 32, progress: bool = True,
            scoring: str = "window") -> tuple[dict[str, Answer | None], float]:
    """The best answer (None if no span at all) per question id, and the seconds it took."""
    best: dict[str, Answer | None] = {}
    began = time.perf_counter()
    for lo in tqdm(range(0, len(examples), batch), desc="reading", unit="batch", disable=not progress, mininterval=10):
        part = examples[lo : lo + batch]
        answers = reader.answer_batch([(e.question, e.context) for e in part], top_k=1, max_answer_len=max_answer_len, scoring=scoring)
        for ex, ans in zip(part, answers):
            best[ex.qid] = ans[0] if ans else None
    return best, time.perf_counter() - began


def predict_scorings(reader: Reader, examples: Sequence[QAExample], scorings: Sequence[str], max_answer_len: int = 30,
                     batch: int = 32) -> dict[str, dict[str, Answer | None]]:
    """`predict` under several answer scorings at the cost of one: the windows are read once."""
    best: dict[str, dict[str, Answer | None]] = {s: {} for s in scorings}
    for lo in range(0, len(examples), batch):
        part = examples[lo : lo + batch]
        reading = reader.read([(e.question, e.context) for e in part])
        for scoring in scorings:
            for ex, ans in zip(part, reader.decode(reading, 1, max_answer_len, scoring)):
                best[scoring][ex.qid] = ans[0] if ans else None
    return best


def texts(best: dict[str, Answer | None]) -> dict[str, str]:
    return {qid: a.text if a else "" for qid, a in best.items()}


def evaluate_examples(reader: Reader, examples: Sequence[QAExample], max_answer_len: int = 30, progress: bool = True) -> dict[str, float]:
    """SQuAD v1.1 EM/F1 (always answering); for sets with unanswerable questions also the v2 scores."""
    best, seconds = predict(reader, examples, max_answer_len, progress=progress)
    preds = texts(best)
    null = {qid: a.no_answer_score if a else 1.0 for qid, a in best.items()}
    gold = gold_answers(examples)
    answerable = {q: g for q, g in gold.items() if g}
    result: dict[str, float] = dict(squad_v1(preds, answerable))
    if len(answerable) < len(gold):
        result.update(squad_v2(preds, null, gold))
    result["seconds"] = seconds
    result["questions_per_second"] = len(examples) / seconds if seconds else 0.0
    return result
