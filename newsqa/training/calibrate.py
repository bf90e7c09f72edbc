"""Calibrate a reader's answer threshold: the score below which newsqa says "no answer".

    python -m newsqa.training.calibrate --model models/reader \
        --file ../shared/data/qa/train/subjqa_dev.squad2.json [--scoring window margin ...] [--default margin]

The threshold is chosen to maximise SQuAD 2.0 overall F1 on a file with unanswerable questions that
training never saw. A score means something different under each answer scoring
(`newsqa.scoring`), so each scoring gets its own threshold, written to the reader's reader.json
as `answer_thresholds`; `answer_scoring` (with `--default`) is the one `ask` uses unless told
otherwise, and `answer_threshold` is kept equal to its threshold.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Sequence

from ..reader import Reader
from ..reader_io import READER_META, read_meta
from ..scoring import SCORINGS
from ..types import Answer
from .evaluate import predict_scorings, texts
from .metric import squad_v2
from .squad import gold_answers, load_squad


def best_threshold(answers: dict[str, Answer | None], gold: dict[str, list[str]]) -> dict[str, float]:
    """The answer-score threshold with the best SQuAD 2.0 overall F1 (answer only when score >= it)."""
    best = squad_v2(texts(answers), {q: 1.0 - (a.score if a else 0.0) for q, a in answers.items()}, gold)
    best["answer_threshold"] = 1.0 - best["threshold"]
    return best


def calibrate_meta(reader: Reader, squad_v2_file: Path, scorings: Sequence[str], default: str, limit: int = 0) -> dict[str, Any]:
    """The reader.json entries for thresholds calibrated under each of `scorings` (one reading)."""
    examples = load_squad(squad_v2_file)
    examples = examples[:limit] if limit else examples
    scorings = list(dict.fromkeys([default, *scorings]))
    gold = gold_answers(examples)
    runs = {s: {**best_threshold(answers, gold), "file": squad_v2_file.name, "scoring": s, "precision": reader.precision}
            for s, answers in predict_scorings(reader, examples, scorings).items()}
    return {
        "answer_scoring": default,
        "answer_threshold": round(runs[default]["answer_threshold"], 4),
        "answer_thresholds": {s: round(r["answer_threshold"], 4) for s, r in runs.items()},
        "calibration": runs[default],
        "calibrations": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=Path("models/reader"))
    parser.add_argument("--file", type=Path, required=True, help="SQuAD v2 file with unanswerable questions")
    parser.add_argument("--scoring", nargs="+", choices=SCORINGS, default=list(SCORINGS))
    parser.add_argument("--default", choices=SCORINGS, help="the scoring ask uses (default: the reader's current one)")
    parser.add_argument("--precision", default="fp32")
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    meta = read_meta(args.model)
    default = args.default or meta.get("answer_scoring", "window")
    found = calibrate_meta(Reader(args.model, precision=args.precision), args.file, args.scoring, default, args.limit)
    old = {k: meta.pop(k) for k in list(meta) if k.startswith("answer_") or k.startswith("calibration")}
    meta.update(found)
    (args.model / READER_META).write_text(json.dumps(meta, indent=2) + "\n")
    print(json.dumps({"before": {k: v for k, v in old.items() if k.startswith("answer_")}, "after": {k: found[k] for k in ("answer_scoring", "answer_thresholds")}}, indent=2))


if __name__ == "__main__":
    main()
