"""Ship a trained reader: fp16 weights without the word embeddings, plus a calibrated threshold.

    python -m newsqa.training.export --run runs/reader --out models/reader \
        --calibrate ../shared/data/qa/train/subjqa_dev.squad2.json

The threshold is the answer score below which newsqa says "no answer"; it is chosen to maximise
SQuAD 2.0 overall F1 on a file with unanswerable questions that training never saw.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from ..reader import Reader
from ..reader_io import load_reader, read_meta, save_reader
from .evaluate import predict, texts
from .metric import squad_v2
from .squad import load_squad


def calibrate_threshold(reader: Reader, squad_v2_file: Path, limit: int = 0) -> dict[str, float]:
    """Best answer-score threshold on a v2 file (answer only when score >= threshold)."""
    examples = load_squad(squad_v2_file)
    examples = examples[:limit] if limit else examples
    answers, _ = predict(reader, examples, progress=False)
    gold = {e.qid: [t for _, t in e.answers] for e in examples}
    best = squad_v2(texts(answers), {q: 1.0 - (a.score if a else 0.0) for q, a in answers.items()}, gold)
    best["answer_threshold"] = 1.0 - best["threshold"]
    best["file"] = squad_v2_file.name
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, required=True, help="training output folder (its best/ is exported)")
    parser.add_argument("--out", type=Path, default=Path("models/reader"))
    parser.add_argument("--calibrate", type=Path, help="SQuAD v2 file for the no-answer threshold")
    parser.add_argument("--calibrate-limit", type=int, default=0)
    args = parser.parse_args()
    model, tokenizer, meta = load_reader(args.run / "best")
    meta = {**read_meta(args.run / "best"), **meta}
    if args.calibrate:
        calibration = calibrate_threshold(Reader(model=model, tokenizer=tokenizer, meta=meta, precision="fp32"), args.calibrate, args.calibrate_limit)
        meta["answer_threshold"] = round(calibration["answer_threshold"], 4)
        meta["calibration"] = calibration
        print(json.dumps(calibration, indent=2))
    save_reader(model, tokenizer, args.out, meta, dtype=torch.float16, keep_word_embeddings=False)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
