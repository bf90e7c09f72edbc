"""Latency of `summarize`: the seed article warm (p50/p95), and a 100,000-word article.

    python benchmarks/summarize_speed.py [--runs 50]

Models are loaded and warmed first: the numbers are per request in a running server, where the
embedder and the scorer are already in memory. Target: seed article p50 under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from newsqa.config import shipped_models_dir  # noqa: E402
from newsqa.models import get_embedder, get_summarizer  # noqa: E402
from newsqa.summarizer import summarize_articles  # noqa: E402
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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--long-runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: torch's default)")
    args = parser.parse_args(argv)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)

    t = time.perf_counter()
    scorer, embedder = get_summarizer(shipped_models_dir()), get_embedder()
    print(f"load: {time.perf_counter() - t:.2f} s (scorer + MiniLM)")
    seed = Article(id="seed", text=SEED.read_text(encoding="utf-8"))

    def timed(article: Article, **kw) -> float:
        start = time.perf_counter()
        summarize_articles([article], scorer=scorer, embedder=embedder, **kw)
        return time.perf_counter() - start

    for _ in range(3):
        timed(seed)
    for label, kw in (("generic, 3 sentences", {}), ("query 'Venezuela'", {"query": "Venezuela"})):
        times = [1000 * timed(seed, **kw) for _ in range(args.runs)]
        print(
            f"seed article ({len(seed.text.split())} words), {label}: "
            f"p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 95):.1f} ms over {args.runs} warm runs"
        )

    long = long_article()
    times = [timed(long) for _ in range(args.long_runs)]
    print(
        f"100,000-word article ({len(long.text.split())} words): "
        f"median {statistics.median(times):.2f} s, max {max(times):.2f} s over {args.long_runs} runs"
    )
    print(f"cpu threads: torch {__import__('torch').get_num_threads()}, os {os.cpu_count()}; load avg {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
