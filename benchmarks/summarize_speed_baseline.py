"""The summarizer's latency against an earlier version of it, in one run (interleaved, same load).

    python benchmarks/summarize_speed_baseline.py [--baseline c5c4871] [--runs 20]

The baseline's `newsqa/summarizer.py` and `models/summarizer` are read from git at `--baseline`
(default: the BBC-only summarizer before issue #10) into a temporary folder. Both summarize the seed
article at 3 sentences, alternately, with one torch thread: from known sentence vectors (what a
stored article costs) and from raw text (MiniLM encodes every sentence per call). On a busy shared
machine the absolute times swing with the load; the ratio new/old is the number to read.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT  # noqa: E402
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from newsqa.model_cache import shared  # noqa: E402
from newsqa.summarizer import SentenceScorer, summarize_articles  # noqa: E402
from newsqa.text import split_sentences  # noqa: E402
from newsqa.types import Article  # noqa: E402

SEED = ROOT / "seeds" / "000_6ad73c16a059aa65.txt"


def git_show(commit: str, path: str) -> bytes:
    return subprocess.run(["git", "-C", str(ROOT), "show", f"{commit}:{path}"], check=True, capture_output=True).stdout


def load_baseline(commit: str, folder: Path):
    """The baseline summarizer module (relative imports made absolute) and its scorer."""
    source = git_show(commit, "newsqa/summarizer.py").decode()
    for name in ("errors", "text", "types"):
        source = source.replace(f"from .{name} import", f"from newsqa.{name} import")
    (folder / "baseline_summarizer.py").write_text(source)
    (folder / "model").mkdir()
    for name in ("scorer.json", "scorer.safetensors"):
        (folder / "model" / name).write_bytes(git_show(commit, f"models/summarizer/{name}"))
    spec = importlib.util.spec_from_file_location("baseline_summarizer", folder / "baseline_summarizer.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_summarizer"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module, module.SentenceScorer.load(folder / "model")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="c5c4871")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    seed = Article(id="seed", text=SEED.read_text(encoding="utf-8"))
    embedder = shared().embedder()
    texts = [s.text for s in split_sentences(seed.text)]
    known = dict(zip(texts, embedder.encode(texts)))

    class KnownVectors:  # what a stored article gives the summarizer: vectors computed at ingest
        def encode(self, batch):
            return np.stack([known[t] if t in known else embedder.encode([t])[0] for t in batch])

    scorer = SentenceScorer.load(ROOT / "models" / "summarizer")
    with tempfile.TemporaryDirectory() as tmp:
        old, old_scorer = load_baseline(args.baseline, Path(tmp))
        for label, encoder in (("stored (known vectors)", KnownVectors()), ("raw text", embedder)):
            runs = {"old": (old.summarize_articles, old_scorer, []), "new": (summarize_articles, scorer, [])}
            for i in range(3 + args.runs):
                for summarize, model, times in runs.values():
                    start = time.perf_counter()
                    summarize([seed], scorer=model, embedder=encoder, max_sentences=3)
                    if i >= 3:
                        times.append(1000 * (time.perf_counter() - start))
            before, now = (statistics.median(runs[k][2]) for k in ("old", "new"))
            print(f"{label}: {args.baseline} p50 {before:.1f} ms, this tree p50 {now:.1f} ms, ratio {now / before:.2f} ({args.runs} runs each)")
    print(f"load avg {os.getloadavg()[0]:.2f}; torch threads 1")


if __name__ == "__main__":
    main()
