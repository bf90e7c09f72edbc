"""Time to ingest BBC News Summary (2,225 articles) into a fresh SQLite file with `NewsQA.ingest`.

    python benchmarks/ingest_speed.py [--data ../shared/data/summarization/bbc_news_summary.jsonl] [--threads 1 2] [--rounds N] [--limit N]
    python benchmarks/ingest_speed.py --quotes-compare [--repeats 3] [--limit N] [--threads 1]   # attribution extraction off vs on

The rows are written as JSONL {id, title, text} (the ingest format) first; the model is loaded
before the clock starts (a running server has it in memory). Target: under 2 minutes. Ingest
encodes every sentence once (the summarizer reuses those vectors) plus each distinct title, and
pools passage vectors from them; the share of the time spent in MiniLM is reported per thread
setting (the embedder's cache is emptied before each ingest, so every run encodes everything).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from _common import ROOT  # noqa: E402
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from newsqa import NewsQA  # noqa: E402


def ingest_once(corpus: Path, db: Path, threads: int) -> dict[str, float]:
    """Ingest `corpus` into a fresh database at `threads` torch threads: seconds in all and in MiniLM."""
    import torch

    torch.set_num_threads(threads)
    qa = NewsQA(db)
    embedder = qa.embedder
    embedder.encode(["warm up"])
    embedder.cache.clear()  # a second run must encode again, not read the first run's vectors
    encode, spent = embedder.encode_uncached, [0.0]

    def timed_encode(texts):  # instrument: how much of ingest is MiniLM
        began = time.perf_counter()
        try:
            return encode(texts)
        finally:
            spent[0] += time.perf_counter() - began

    embedder.encode_uncached = timed_encode
    try:
        began = time.perf_counter()
        stored = qa.ingest([corpus])
        seconds = time.perf_counter() - began
    finally:
        embedder.encode_uncached = encode
    with sqlite3.connect(qa.settings.db_path) as conn:
        passages, sentences = (conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("passages", "sentences"))
    qa.close()
    return {"articles": len(stored), "passages": passages, "sentences": sentences, "seconds": seconds, "embedding_s": spent[0]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared/data/summarization/bbc_news_summary.jsonl"))
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="torch intra-op threads, one ingest each (in turn)")
    parser.add_argument("--rounds", type=int, default=1, help="ingests per thread setting, alternating")
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles")
    parser.add_argument("--quotes-compare", action="store_true",
                        help="ingest with attribution extraction off and on, alternating, and print medians and their ratio")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if args.quotes_compare:
        return compare_quotes(args)
    import torch

    with open(args.data, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    rows = rows[: args.limit] if args.limit else rows
    print(f"load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results: dict[int, list[dict[str, float]]] = {t: [] for t in args.threads}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "bbc.jsonl"
        corpus.write_text("".join(json.dumps({"id": r["id"], "title": r["title"], "text": r["article"]}) + "\n" for r in rows), encoding="utf-8")
        for r in range(args.rounds):
            for threads in args.threads:
                results[threads].append(ingest_once(corpus, Path(tmp) / f"bbc-{threads}-{r}.sqlite3", threads))
    print("| torch threads | articles | passages | sentences | seconds (median) | articles/s | MiniLM share |\n|---|---|---|---|---|---|---|")
    for threads, runs in results.items():
        run = sorted(runs, key=lambda x: x["seconds"])[len(runs) // 2]
        print(f"| {threads} | {run['articles']} | {run['passages']} | {run['sentences']} | {run['seconds']:.1f} | "
              f"{run['articles'] / run['seconds']:.1f} | {100 * run['embedding_s'] / run['seconds']:.0f}% |")
    print(f"os cpus {os.cpu_count()}; load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"MiniLM in {'bfloat16' if NewsQA(':memory:').embedder.bf16 else 'float32'} (torch {torch.__version__})")


def ingest_seconds(corpus: Path, db: Path, extract_quotes: bool) -> float:
    from newsqa.config import Settings

    qa = NewsQA(db, settings=Settings.from_env(extract_quotes=extract_quotes))
    qa.embedder.encode(["warm up"])
    qa.embedder.cache.clear()  # every run encodes everything (the model cache is shared between runs)
    if extract_quotes:
        qa.quote_tagger.tag("Warm up, he said.")
    began = time.perf_counter()
    qa.ingest([corpus])
    seconds = time.perf_counter() - began
    qa.close()
    return seconds


def compare_quotes(args: argparse.Namespace) -> None:
    """Ingest time with attribution extraction off and on, alternating runs in fresh databases."""
    import statistics

    import torch

    torch.set_num_threads(args.threads[0])
    with open(args.data, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    rows = rows[: args.limit] if args.limit else rows
    loads = [os.getloadavg()[0]]
    times: dict[bool, list[float]] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "bbc.jsonl"
        corpus.write_text("".join(json.dumps({"id": r["id"], "title": r["title"], "text": r["article"]}) + "\n" for r in rows), encoding="utf-8")
        for run in range(args.repeats):
            for on in (False, True):
                times[on].append(ingest_seconds(corpus, Path(tmp) / f"db-{run}-{on}.sqlite3", on))
                loads.append(os.getloadavg()[0])
    off, on = statistics.median(times[False]), statistics.median(times[True])
    print(f"{len(rows)} articles, {args.repeats} alternating runs each; torch threads {torch.get_num_threads()}")
    print(f"extraction off: median {off:.1f} s ({len(rows) / off:.2f} articles/s), runs {[round(t, 1) for t in times[False]]}")
    print(f"extraction on:  median {on:.1f} s ({len(rows) / on:.2f} articles/s), runs {[round(t, 1) for t in times[True]]}")
    print(f"ratio on/off: {on / off:.2f}x; load avg during the runs {min(loads):.2f}-{max(loads):.2f}")


if __name__ == "__main__":
    main()
