"""Ship a trained reader: fp16 weights without the word embeddings, plus a calibrated threshold.

    python -m newsqa.training.export --run runs/reader [runs/reader-2 ...] --out models/reader \
        --calibrate ../shared/data/qa/train/subjqa_dev.squad2.json

Several runs (one continuing another with `--init-from`) are exported as the mean of their best
checkpoints' weights (a uniform "model soup"; check it on the held-out slice with
`newsqa eval-reader --held-out` before shipping it).

The threshold is the answer score below which newsqa says "no answer"; it is chosen to maximise
SQuAD 2.0 overall F1 on a file with unanswerable questions that training never saw, once for
each answer scoring (see `newsqa.training.calibrate`); `--scoring` is the one `ask` uses.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Sequence

import torch

from ..precision import PRECISIONS
from ..reader import Reader
from ..reader_io import load_reader, read_meta, save_reader
from ..scoring import DEFAULT_SCORING, SCORINGS
from .calibrate import calibrate_meta


def average_weights(models: Sequence[torch.nn.Module]) -> torch.nn.Module:
    """The first model, its floating-point weights replaced by the mean over all models (in fp32)."""
    states = [m.state_dict() for m in models]
    mean = {k: torch.stack([s[k].float() for s in states]).mean(0).to(v.dtype) if v.is_floating_point() else v for k, v in states[0].items()}
    models[0].load_state_dict(mean)
    return models[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, nargs="+", required=True, help="training output folder(s); their best/ is exported (averaged)")
    parser.add_argument("--out", type=Path, default=Path("models/reader"))
    parser.add_argument("--calibrate", type=Path, help="SQuAD v2 file for the no-answer threshold")
    parser.add_argument("--calibrate-limit", type=int, default=0)
    parser.add_argument("--scoring", choices=SCORINGS, default=DEFAULT_SCORING, help="the answer scoring ask uses with this reader")
    parser.add_argument("--precision", choices=PRECISIONS, default="fp32",
                        help="the precision the threshold is calibrated in: the one the exported reader will run in (onnx-int8 for int8-aware weights)")
    args = parser.parse_args()
    loaded = [load_reader(run / "best") for run in args.run]
    model, tokenizer, meta = average_weights([m for m, _, _ in loaded]), loaded[-1][1], loaded[-1][2]
    run_metas = [read_meta(run / "best") for run in args.run]
    meta = {**run_metas[-1], **meta}
    if len(args.run) > 1:
        meta["averaged_runs"] = [{"run": str(run), "step": m.get("step"), "heldout_f1": m.get("heldout", {}).get("f1")} for run, m in zip(args.run, run_metas)]
        for one_runs_own in ("heldout", "step"):  # the average has its own scores
            meta.pop(one_runs_own, None)
    if args.calibrate:
        reader = Reader(model=model, tokenizer=tokenizer, meta=meta, precision=args.precision)
        calibration = calibrate_meta(reader, args.calibrate, SCORINGS, args.scoring, args.calibrate_limit)
        meta.update(calibration)
        print(json.dumps(calibration["calibration"], indent=2))
    save_reader(model, tokenizer, args.out, meta, dtype=torch.float16, keep_word_embeddings=False)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
