"""Warm `ask` latency of two checkouts of newsqa, side by side in one run: "did this change make
asking slower?" measured on the same machine at the same time.

Each checkout runs in a worker process of its own (`PYTHONPATH=CHECKOUT`, so its own newsqa code;
the models are the ones each checkout ships), which builds its own databases (the seed article, and
the first N BBC articles) with its own code, loads the models and answers warm questions. The
parent alternates the workers round by round, so both see the same load; only one works at a time.

    python benchmarks/compare_checkouts.py --baseline /path/to/old/checkout [--candidate .] \
        [--repeats 10] [--rounds 4] [--bbc-articles 500] [--threads 1] [--questions ask_latency]

`--questions ask_latency` asks `benchmarks/ask_latency.py`'s questions (6 on the seed, 8 on the BBC
corpus: those every `--compare-*` run of issue 24 used) instead of this script's own 5 and 5; give
`--repeats` as a multiple of 24 so that every question is asked equally often.

Prints p50 / p95 per checkout and corpus, the ratio candidate / baseline, and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ROOT, SHARED_DATA, load_average, percentile

SEED_QUESTIONS = ["What did Lavrov say on Venezuela?", "Who did Pompeo meet?", "When did Pompeo meet Putin?",
                  "What did Putin say about relations?", "Where did the meeting take place?"]
BBC_QUESTIONS = ["What did the chancellor announce?", "Who won the match?", "How much did profits rise?",
                 "Which company was fined?", "What did the minister say about the election?"]


def question_sets(name: str) -> dict[str, list[str]]:
    """The questions per corpus: this script's own, or ask_latency.py's (imported here, in the
    parent: the workers run older checkouts' newsqa, which ask_latency.py may not import)."""
    if name == "ask_latency":
        from ask_latency import BBC_QUESTIONS as BBC, SEED_QUESTIONS as SEED

        return {"seed": SEED, "bbc": BBC}
    return {"seed": SEED_QUESTIONS, "bbc": BBC_QUESTIONS}


def worker(work: Path, bbc: Path, bbc_articles: int, questions: dict[str, list[str]]) -> None:
    """Build the databases with this process's newsqa, then answer `{"corpus", "repeats"}` lines
    with the list of per-ask seconds. Only stable public API (NewsQA, ingest, ask) is used, so
    that any checkout can run it."""
    import time

    from newsqa import NewsQA

    seed_dir = next(p for p in (Path("seeds"), ROOT / "seeds") if p.is_dir())
    feed = work / "bbc.jsonl"
    with bbc.open(encoding="utf-8") as src, feed.open("w", encoding="utf-8") as dst:
        for n, line in enumerate(src):
            if n >= bbc_articles:
                break
            item = json.loads(line)
            dst.write(json.dumps({"id": f"bbc-{item['id']}", "title": item["title"], "text": item["article"]}) + "\n")
    engines = {"seed": NewsQA(work / "seed.sqlite3"), "bbc": NewsQA(work / "bbc.sqlite3")}
    engines["seed"].ingest([seed_dir])
    engines["bbc"].ingest([feed])
    for name, qa in engines.items():
        qa.ask(questions[name][0])  # warm
    reader = getattr(engines["bbc"], "reader", None)
    print(json.dumps({"ready": True, "precision": getattr(reader, "precision", "?")}), flush=True)
    for line in sys.stdin:
        order = json.loads(line)
        qa, asked = engines[order["corpus"]], questions[order["corpus"]]
        times = []
        for i in range(order["repeats"]):
            began = time.perf_counter()
            qa.ask(asked[i % len(asked)])
            times.append(time.perf_counter() - began)
        print(json.dumps({"times": times}), flush=True)


def start(checkout: Path, work: Path, args: argparse.Namespace) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(checkout.resolve()), "NEWSQA_THREADS": str(args.threads),
           "OMP_NUM_THREADS": str(args.threads), "NEWSQA_DAEMON": "0", "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(work), "--bbc", str(args.bbc),
           "--bbc-articles", str(args.bbc_articles), "--worker-questions", json.dumps(question_sets(args.questions))]
    proc = subprocess.Popen(cmd, cwd=checkout, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    return proc


def ask(proc: subprocess.Popen, corpus: str, repeats: int) -> list[float]:
    proc.stdin.write(json.dumps({"corpus": corpus, "repeats": repeats}) + "\n")  # type: ignore[union-attr]
    proc.stdin.flush()  # type: ignore[union-attr]
    return json.loads(proc.stdout.readline())["times"]  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, help="checkout to compare against (e.g. a worktree of the previous main)")
    parser.add_argument("--candidate", type=Path, default=ROOT, help="checkout under test (default: this one)")
    parser.add_argument("--repeats", type=int, default=10, help="asks per corpus per round")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--bbc", type=Path, default=SHARED_DATA / "summarization" / "bbc_news_summary.jsonl")
    parser.add_argument("--bbc-articles", type=int, default=500)
    parser.add_argument("--threads", type=int, default=1, help="torch threads in each worker")
    parser.add_argument("--questions", choices=("own", "ask_latency"), default="own", help="which questions to ask (see above)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker-questions", type=json.loads, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.bbc, args.bbc_articles, args.worker_questions)
        return
    if not args.baseline:
        parser.error("--baseline is required")
    load_before = load_average()
    checkouts = {"baseline": args.baseline, "candidate": args.candidate}
    with tempfile.TemporaryDirectory() as tmp:
        procs = {}
        for name, checkout in checkouts.items():
            (Path(tmp) / name).mkdir()
            procs[name] = start(checkout, Path(tmp) / name, args)
        precisions = {}
        for name, proc in procs.items():
            ready = json.loads(proc.stdout.readline())  # type: ignore[union-attr]
            assert ready["ready"], name
            precisions[name] = ready.get("precision", "?")
        times = {(name, corpus): [] for name in procs for corpus in ("seed", "bbc")}
        for round_ in range(args.rounds):
            order = list(procs) if round_ % 2 == 0 else list(procs)[::-1]
            for corpus in ("seed", "bbc"):
                for name in order:
                    times[name, corpus] += ask(procs[name], corpus, args.repeats)
        for proc in procs.values():
            proc.stdin.close()  # type: ignore[union-attr]
            proc.wait(timeout=60)
    print(f"\nwarm ask, {args.threads} torch thread(s), {args.rounds} alternating rounds x {args.repeats} asks; "
          f"load average before {load_before}, after {load_average()}")
    print(f"baseline {args.baseline.resolve()} (reader {precisions['baseline']})\n"
          f"candidate {args.candidate.resolve()} (reader {precisions['candidate']})\n")
    print("| corpus | baseline p50 / p95 (ms) | candidate p50 / p95 (ms) | p50 candidate / baseline |\n|---|---|---|---|")
    for corpus, label in (("seed", "seed article"), ("bbc", f"{args.bbc_articles} BBC articles")):
        base, cand = times["baseline", corpus], times["candidate", corpus]
        print(f"| {label} | {statistics.median(base) * 1000:.0f} / {percentile(base, 95) * 1000:.0f} | "
              f"{statistics.median(cand) * 1000:.0f} / {percentile(cand, 95) * 1000:.0f} | "
              f"{statistics.median(cand) / statistics.median(base):.3f} |")


if __name__ == "__main__":
    main()
