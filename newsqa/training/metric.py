"""The official SQuAD v1.1 EM/F1 (and the v2.0 HasAns/NoAns breakdown with the best threshold)."""

from __future__ import annotations

import collections
import re
import string
from typing import Mapping, Sequence

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCT = set(string.punctuation)


def normalize_answer(text: str) -> str:
    """Lower-case, strip punctuation and articles, collapse whitespace (as the official script)."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in _PUNCT)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match(prediction: str, truth: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(truth))


def f1_score(prediction: str, truth: str) -> float:
    pred_tokens = normalize_answer(prediction).split()
    truth_tokens = normalize_answer(truth).split()
    if not pred_tokens or not truth_tokens:  # v2: both empty means a correct no-answer
        return float(pred_tokens == truth_tokens)
    common = collections.Counter(pred_tokens) & collections.Counter(truth_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision = same / len(pred_tokens)
    recall = same / len(truth_tokens)
    return 2 * precision * recall / (precision + recall)


def max_over_truths(metric, prediction: str, truths: Sequence[str]) -> float:
    truths = list(truths) or [""]
    return max(metric(prediction, t) for t in truths)


def squad_v1(predictions: Mapping[str, str], gold: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """EM and F1 in percent over every question in `gold` (a missing prediction counts as wrong)."""
    em = f1 = 0.0
    for qid, truths in gold.items():
        pred = predictions.get(qid, "")
        em += max_over_truths(exact_match, pred, truths)
        f1 += max_over_truths(f1_score, pred, truths)
    n = max(len(gold), 1)
    return {"exact_match": 100 * em / n, "f1": 100 * f1 / n, "total": len(gold)}


def squad_v2(
    predictions: Mapping[str, str],
    no_answer_probs: Mapping[str, float],
    gold: Mapping[str, Sequence[str]],
    threshold: float | None = None,
) -> dict[str, float]:
    """SQuAD 2.0 scores: a question is answered "" when its no-answer prob exceeds the threshold.

    With `threshold=None` the best threshold on this set is searched (as the official script's
    best_f1), and reported. HasAns/NoAns split by whether gold holds any answer.
    """

    def scores_at(th: float) -> dict[str, float]:
        rows = {"HasAns": [], "NoAns": []}
        for qid, truths in gold.items():
            pred = "" if no_answer_probs.get(qid, 1.0) > th else predictions.get(qid, "")
            key = "HasAns" if truths else "NoAns"
            rows[key].append((max_over_truths(exact_match, pred, truths), max_over_truths(f1_score, pred, truths)))
        out: dict[str, float] = {"threshold": th}
        everything = rows["HasAns"] + rows["NoAns"]
        for name, items in (("overall", everything), *rows.items()):
            n = max(len(items), 1)
            out[f"{name}_exact"] = 100 * sum(e for e, _ in items) / n
            out[f"{name}_f1"] = 100 * sum(f for _, f in items) / n
            out[f"{name}_total"] = len(items)
        return out

    if threshold is not None:
        return scores_at(threshold)
    candidates = sorted({0.0, 1.0, *no_answer_probs.values()})
    if len(candidates) > 400:
        candidates = [candidates[int(i * (len(candidates) - 1) / 399)] for i in range(400)]
    return max((scores_at(th) for th in candidates), key=lambda r: r["overall_f1"])
