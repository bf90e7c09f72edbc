"""Which of the reader's linear layers survive dynamic int8 quantization: per variant (a set of
layers kept in fp32, the rest int8), F1 on NewsQA dev gold stories and on a held-out slice of SQuAD
train (never SQuAD dev), and the time to read the same 40 stories' windows, 1 thread, alternating
rounds (3), ratio against the first variant.

    python benchmarks/int8_layers.py "fp32,int8 all,keep ffn-out+qa" 300 600

Arguments: comma-separated variant names (see VARIANTS), NewsQA questions, SQuAD questions (both
sampled with a fixed seed; 0 skips the F1).
"""
from __future__ import annotations

import copy
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import torch  # noqa: E402

from newsqa.reader import Reader  # noqa: E402
from newsqa.training.evaluate import evaluate_examples  # noqa: E402
from newsqa.training.squad import load_squad, split_held_out  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "qa"
torch.set_num_threads(1)

VARIANTS: dict[str, list[str] | None] = {  # name -> patterns of the Linear layers kept in fp32 (None: all fp32)
    "fp32": None,
    "int8 all": [],
    "keep qa_outputs": [r"qa_outputs"],
    "keep ffn-out+qa": [r"(?<!attention)\.output\.dense$", r"qa_outputs"],
    "keep layer5+qa": [r"layer\.5\.", r"qa_outputs"],
    "keep layer0+qa": [r"layer\.0\.", r"qa_outputs"],
    "keep ffn-out+L0+qa": [r"(?<!attention)\.output\.dense$", r"layer\.0\.", r"qa_outputs"],
    "keep ffn-out L0-2+qa": [r"layer\.[012]\.output\.dense$", r"qa_outputs"],
    "keep ffn-out L3-5+qa": [r"layer\.[345]\.output\.dense$", r"qa_outputs"],
    "ffn-in only": [r"attention", r"(?<!attention)\.output\.dense$", r"qa_outputs"],
    "attn only": [r"intermediate", r"(?<!attention)\.output\.dense$", r"qa_outputs"],
}


def quantized(base: Reader, keep_fp32: list[str]) -> tuple[Reader, int]:
    """A copy of `base` with every Linear layer int8 except those matching `keep_fp32`; and how many are int8."""
    names = [n for n, m in base.model.named_modules() if isinstance(m, torch.nn.Linear)]
    chosen = {n for n in names if not any(re.search(p, n) for p in keep_fp32)}
    model = torch.ao.quantization.quantize_dynamic(copy.deepcopy(base.model), chosen, dtype=torch.qint8)
    return Reader(model=model, tokenizer=base.tokenizer, meta=base.meta, precision="fp32"), len(chosen)


def main() -> None:
    selected = sys.argv[1].split(",") if len(sys.argv) > 1 else list(VARIANTS)
    n_news = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    n_squad = int(sys.argv[3]) if len(sys.argv) > 3 else 600
    news = load_squad(DATA / "dev" / "newsqa_dev.json")
    random.Random(1).shuffle(news)
    timing_pairs = [(e.question, e.context) for e in news[:40]]
    news = news[:n_news]
    _, held = split_held_out(load_squad(DATA / "train" / "squad_v1.1_train.json"), 0.02)
    random.Random(1).shuffle(held)
    held = held[:n_squad]
    base = Reader(precision="fp32")
    readers: dict[str, Reader] = {}
    for name in selected:
        keep = VARIANTS[name]
        readers[name], n_int8 = (base, 0) if keep is None else quantized(base, keep)
        news_f1 = evaluate_examples(readers[name], news, progress=False)["f1"] if n_news else 0.0
        squad_f1 = evaluate_examples(readers[name], held, progress=False)["f1"] if n_squad else 0.0
        print(f"{name:20s} int8 layers {n_int8:2d}  NewsQA gold F1 {news_f1:6.2f}  SQuAD held-out F1 {squad_f1:6.2f}", flush=True)
    times: dict[str, list[float]] = {n: [] for n in selected}
    for _ in range(3):
        for name in selected:
            began = time.perf_counter()
            readers[name].read(timing_pairs)
            times[name].append(time.perf_counter() - began)
    first = statistics.median(times[selected[0]])
    for name in selected:
        print(f"{name:20s} read 40 stories: median {statistics.median(times[name]):.2f} s  ratio {statistics.median(times[name]) / first:.3f}")


if __name__ == "__main__":
    main()
