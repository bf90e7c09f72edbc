"""Latency of `summarize`: the seed article warm (p50/p95), stored and as raw text, and a
100,000-word article.

    python benchmarks/summarize_speed.py [--runs 50] [--threads N]

Models are loaded and warmed first: the numbers are per request in a running server, where the
embedder and the scorer are already in memory. Target: `NewsQA.summarize(article_id=...)` of the
stored seed article, p50 under 10 ms, and raw seed text (`text=...`), p50 under 200 ms. A stored article's sentence vectors were computed at ingest,
so only its title (when not one of its sentences) and the query are encoded per request; raw text
(`text=...`) is encoded in full on every call.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from _common import ROOT, percentile  # noqa: E402
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from newsqa import NewsQA, Settings  # noqa: E402
from newsqa.config import shipped_models_dir  # noqa: E402
from newsqa.model_cache import shared  # noqa: E402
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



def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--long-runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: newsqa's default, NEWSQA_THREADS or 1)")
    args = parser.parse_args(argv)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)

    t = time.perf_counter()
    scorer, embedder = shared().summarizer(shipped_models_dir() / "summarizer"), shared().embedder()
    print(f"load: {time.perf_counter() - t:.2f} s (scorer + MiniLM)")
    seed = Article(id="seed", text=SEED.read_text(encoding="utf-8"))

    def timed(article: Article, **kw) -> float:
        start = time.perf_counter()
        summarize_articles([article], scorer=scorer, embedder=embedder, **kw)
        return time.perf_counter() - start

    def report(label: str, call) -> None:
        for _ in range(3):
            call()
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            call()
            times.append(1000 * (time.perf_counter() - start))
        print(f"{label}: p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 95):.1f} ms over {args.runs} warm runs")

    words = len(seed.text.split())
    with tempfile.TemporaryDirectory() as tmp:
        qa = NewsQA(Path(tmp) / "speed.sqlite3", Settings(threads=args.threads) if args.threads else Settings())
        stored = qa.add_article(seed.text)
        for label, kw in (("generic, 3 sentences", {}), ("query 'Venezuela'", {"query": "Venezuela"})):
            report(f"stored seed article ({words} words), NewsQA.summarize(article_id=...), {label}",
                   lambda: qa.summarize(article_id=stored.id, **kw))
        qa.store.close()
    for label, kw in (("generic, 3 sentences", {}), ("query 'Venezuela'", {"query": "Venezuela"})):
        report(f"raw seed text ({words} words), encoded per call, {label}", lambda: timed(seed, **kw))

    long = long_article()
    times = [timed(long) for _ in range(args.long_runs)]
    print(
        f"100,000-word article ({len(long.text.split())} words): "
        f"median {statistics.median(times):.2f} s, max {max(times):.2f} s over {args.long_runs} runs"
    )
    print(f"cpu threads: torch {__import__('torch').get_num_threads()}, os {os.cpu_count()}; load avg {os.getloadavg()[0]:.2f}; "
          f"MiniLM in {'bfloat16' if embedder.bf16 else 'float32'}")


if __name__ == "__main__":
    main()
