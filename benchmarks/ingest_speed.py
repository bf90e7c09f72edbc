"""Time to ingest BBC News Summary (2,225 articles) into a fresh SQLite file with `NewsQA.ingest`.

    python benchmarks/ingest_speed.py [--data ../shared/data/summarization/bbc_news_summary.jsonl] [--threads N] [--limit N]
    python benchmarks/ingest_speed.py --quotes-compare [--repeats 3] [--limit N]   # attribution extraction off vs on

The rows are written as JSONL {id, title, text} (the ingest format) first; the model is loaded
before the clock starts (a running server has it in memory). Target: under 2 minutes. Ingest
encodes every sentence once (the summarizer reuses those vectors) plus each distinct title, and
pools passage vectors from them.
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared/data/summarization/bbc_news_summary.jsonl"))
    parser.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: torch's default)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles")
    parser.add_argument("--quotes-compare", action="store_true",
                        help="ingest with attribution extraction off and on, alternating, and print medians and their ratio")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if args.quotes_compare:
        return compare_quotes(args)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    with open(args.data, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    rows = rows[: args.limit] if args.limit else rows
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "bbc.jsonl"
        corpus.write_text("".join(json.dumps({"id": r["id"], "title": r["title"], "text": r["article"]}) + "\n" for r in rows), encoding="utf-8")
        qa = NewsQA(Path(tmp) / "bbc.sqlite3")
        qa.embedder.encode(["warm up"])
        began = time.perf_counter()
        stored = qa.ingest([corpus])
        seconds = time.perf_counter() - began
        with sqlite3.connect(qa.settings.db_path) as conn:
            passages, sentences = (conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("passages", "sentences"))
    print(f"ingested {len(stored)} articles ({passages} passages, {sentences} sentences) in {seconds:.1f} s "
          f"({len(stored) / seconds:.1f} articles/s)")
    print(f"torch threads {torch.get_num_threads()}, os cpus {os.cpu_count()}; load avg {os.getloadavg()[0]:.2f}; "
          f"MiniLM in {'bfloat16' if qa.embedder.bf16 else 'float32'}")


def ingest_seconds(corpus: Path, db: Path, extract_quotes: bool) -> float:
    from newsqa.config import Settings

    qa = NewsQA(db, settings=Settings.from_env(extract_quotes=extract_quotes))
    qa.embedder.encode(["warm up"])
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

    if args.threads:
        torch.set_num_threads(args.threads)
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
