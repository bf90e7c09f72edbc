"""Reader throughput on SQuAD v1.1 dev in each precision: questions per second, median of runs,
with the ratio to fp32 measured in the same run and the F1 each precision gets on the same questions.

    python benchmarks/reader_speed.py [--squad FILE] [--questions 1000] [--runs 3] [--threads N]

The reader alone (no retrieval): each question is read against its own paragraph in batches of
32 questions, as `newsqa eval-reader` does. Run it on an idle machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path

from _common import ROOT  # noqa: E402
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from newsqa.reader import Reader  # noqa: E402
from newsqa.training.evaluate import predict, texts  # noqa: E402
from newsqa.training.metric import squad_v1  # noqa: E402
from newsqa.training.squad import gold_answers, load_squad  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "qa" / "dev" / "squad-v1.1-dev.json"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--squad", type=Path, default=DEV)
    parser.add_argument("--model", type=Path, default=None, help="Reader folder (default: the shipped one).")
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--precisions", nargs="+", default=["fp32", "bf16", "int8"])
    parser.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: torch's default)")
    args = parser.parse_args(argv)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)

    examples = load_squad(args.squad)[: args.questions]
    gold = gold_answers(examples)
    rows = []
    for precision in args.precisions:
        reader = Reader(args.model, precision=precision)
        predict(reader, examples[:64], progress=False)  # warm-up: first-call allocations
        rates, f1 = [], 0.0
        for _ in range(args.runs):
            best, seconds = predict(reader, examples, progress=False)
            rates.append(len(examples) / seconds)
            f1 = squad_v1(texts(best), gold)["f1"]
        rows.append((precision, statistics.median(rates), f1))
        print(f"{precision}: {rows[-1][1]:.1f} questions/s (runs: {', '.join(f'{r:.1f}' for r in rates)}), F1 {f1:.2f}", flush=True)

    base = rows[0][1]
    print(f"\n{len(examples)} SQuAD dev questions, median of {args.runs} runs, ratio to {rows[0][0]}:\n")
    print("| precision | questions/s | x | F1 on these questions |")
    print("|---|---|---|---|")
    for precision, rate, f1 in rows:
        print(f"| {precision} | {rate:.1f} | {rate / base:.2f} | {f1:.2f} |")


if __name__ == "__main__":
    main()
