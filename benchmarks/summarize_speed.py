"""Latency of `summarize`: the seed article warm (p50/p95), stored and as raw text, a 100,000-word
article, and the previous summarizer (MiniLM sentence vectors) interleaved with this one.

    python benchmarks/summarize_speed.py [--runs 50] [--threads N] [--baseline 42fb1fb]

Models are loaded and warmed first: the numbers are per request in a running server. Targets:
`NewsQA.summarize(article_id=...)` of the stored seed article p50 under 10 ms, raw seed text
(`text=...`) p50 under 200 ms at 1 thread. The summarizer's sentence vectors come from its own
token table (newsqa/summarizer/sentence_vectors.py), computed per call for stored and raw text
alike: nothing is cached, so every call is a new text's cost.

The baseline is the summarizer of `--baseline` (its `models/summarizer`, read from git; a model
with no token table), run by this code on MiniLM's vectors as it was trained, with MiniLM's vector
cache emptied before every call: what a raw text never seen before cost. Both summarize the raw seed
text alternately, so their ratio is measured under the same load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from _common import ROOT, load_average, percentile  # noqa: E402
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from newsqa import NewsQA, Settings  # noqa: E402
from newsqa.config import shipped_models_dir  # noqa: E402
from newsqa.model_cache import shared  # noqa: E402
from newsqa.summarizer import SentenceScorer, summarize_articles  # noqa: E402
from newsqa.types import Article  # noqa: E402

SEED = ROOT / "seeds" / "000_6ad73c16a059aa65.txt"


def long_article(words: int = 100_000) -> Article:
    """The seed's body repeated (paragraphs numbered so lines differ) up to `words` words."""
    body = SEED.read_text(encoding="utf-8").split("\n\n")[3:-3]
    paragraphs, count, i = [], 0, 0
    while count < words:
        paragraph = f"{body[i % len(body)].strip()} ({i})"
        paragraphs.append(paragraph)
        count += len(paragraph.split())
        i += 1
    return Article(id="long", text="\n\n".join(paragraphs))


def baseline_scorer(commit: str, folder: Path) -> SentenceScorer:
    """The scorer shipped at `commit`, read from git."""
    for name in ("scorer.json", "scorer.safetensors"):
        blob = subprocess.run(["git", "-C", str(ROOT), "show", f"{commit}:models/summarizer/{name}"], check=True, capture_output=True).stdout
        (folder / name).write_bytes(blob)
    return SentenceScorer.load(folder)


def timings(calls: dict[str, object], runs: int) -> dict[str, list[float]]:
    """Milliseconds per call, the calls alternating, after 3 warm rounds."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for i in range(3 + runs):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            if i >= 3:
                times[name].append(1000 * (time.perf_counter() - start))
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--long-runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (the baseline's MiniLM; the table needs none)")
    parser.add_argument("--baseline", default="42fb1fb", help="commit whose summarizer (MiniLM vectors) is timed alongside ('' for none)")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    load_before = load_average()
    seed = Article(id="seed", text=SEED.read_text(encoding="utf-8"))
    words = len(seed.text.split())
    with tempfile.TemporaryDirectory() as tmp:
        qa = NewsQA(Path(tmp) / "speed.sqlite3", Settings(threads=args.threads))
        stored = qa.add_article(seed.text)
        raw_row = f"raw seed text ({words} words), summarize(text=...), 3 sentences"
        calls = {
            "stored seed article, summarize(article_id=...), 3 sentences": lambda: qa.summarize(article_id=stored.id),
            "stored seed article, query 'Venezuela'": lambda: qa.summarize(article_id=stored.id, query="Venezuela"),
            raw_row: lambda: qa.summarize(text=seed.text),
            "raw seed text, query 'Venezuela'": lambda: qa.summarize(text=seed.text, query="Venezuela"),
        }
        if args.baseline:
            old = baseline_scorer(args.baseline, Path(tmp))
            embedder = shared().embedder()

            def before() -> None:
                embedder.cache.clear()  # a text never seen: MiniLM encodes every sentence
                summarize_articles([seed], scorer=old, embedder=embedder, max_sentences=3)

            baseline_row = f"raw seed text, 3 sentences, summarizer of {args.baseline} on MiniLM ({'bf16' if embedder.bf16 else 'fp32'})"
            calls[baseline_row] = before
        times = timings(calls, args.runs)
        print("| case | p50 (ms) | p95 (ms) | runs |\n|---|---|---|---|")
        for name, t in times.items():
            print(f"| {name} | {statistics.median(t):.1f} | {percentile(t, 95):.1f} | {len(t)} |")
        if args.baseline:
            raw, old_raw = statistics.median(times[raw_row]), statistics.median(times[baseline_row])
            print(f"\nraw seed text p50, this summarizer / {args.baseline}'s: {raw / old_raw:.4f} ({raw:.1f} against {old_raw:.1f} ms)")
        long = long_article()
        long_times = []
        for _ in range(args.long_runs):
            start = time.perf_counter()
            qa.summarize(text=long.text)
            long_times.append(time.perf_counter() - start)
        if long_times:
            print(f"100,000-word article ({len(long.text.split())} words), raw text: median {statistics.median(long_times):.2f} s over {args.long_runs} runs")
        qa.close()
    print(f"torch threads {torch.get_num_threads()}, {os.cpu_count()} cpus; load average before {load_before}, after {load_average()}")


if __name__ == "__main__":
    main()
