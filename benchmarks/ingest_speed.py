"""Time to ingest BBC News Summary (2,225 articles) into a fresh SQLite file with `NewsQA.ingest`.

    python benchmarks/ingest_speed.py [--data ../shared/data/summarization/bbc_news_summary.jsonl] [--threads N] [--limit N]

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
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    main()
