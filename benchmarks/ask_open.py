"""Open-corpus question answering: every question asked through `NewsQA.ask(top_k=1)` over a whole
corpus, next to the same pipeline restricted to the question's own story or paragraph.

Two corpora: the 162 CNN stories of NewsQA dev (1,092 questions), and the 2,067 paragraphs of SQuAD
v1.1 dev (a fixed, seeded sample of 2,000 of its 10,570 questions). Per reader, answer scoring
(`newsqa.scoring`) and corpus it reports:

- open EM/F1: `ask(question, top_k=1)` over the whole corpus, official SQuAD metric, a question
  with no answer (below the reader's calibrated threshold) counting as wrong;
- gold EM/F1: the same with `article_ids=[gold story]`;
- "gold share": the share of questions whose top answer comes from the gold story (in the open
  setting, threshold off, so it measures the ranking alone), and the share answered at all;
- the same EM/F1 with the threshold off (`Settings(answer_threshold=0)`), always answering.

    python benchmarks/ask_open.py [--corpus newsqa squad] [--scoring window margin] \
        [--reader models/reader /path/to/new/reader] [--precision auto] [--limit N] \
        [--work DIR] [--out results.json]

Several readers and scorings are compared in the same run, on the same databases. Reading is the
slow part and does not depend on the scoring: within one question, the reader's logits for an
identical batch of windows are computed once and reused for the other scorings (same numbers, less
CPU). Pin threads with --threads (default 1) on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import torch

from newsqa import NewsQA, Settings
from newsqa.scoring import SCORINGS
from newsqa.training.metric import exact_match, f1_score, max_over_truths

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "qa" / "dev"
SQUAD_SAMPLE = 2000
SEED = 2026


def load_corpus(name: str, path: Path, sample: int, seed: int) -> tuple[list[dict], list[dict]]:
    """(articles as {id, title, text}, questions as {id, question, answers, article}) of a SQuAD file.

    NewsQA stories have no headline (its SQuAD "title" is the story's first words), so they are
    stored without one; SQuAD paragraphs get their Wikipedia article's title.
    """
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    articles, questions = [], []
    for a_index, article in enumerate(data):
        for p_index, paragraph in enumerate(article["paragraphs"]):
            aid = f"{name}-{a_index}-{p_index}"
            title = None if name == "newsqa" else article["title"].replace("_", " ")
            articles.append({"id": aid, "title": title, "text": paragraph["context"]})
            for qa in paragraph["qas"]:
                questions.append({"id": qa["id"], "question": qa["question"], "answers": [x["text"] for x in qa["answers"]], "article": aid})
    if sample and sample < len(questions):
        questions = random.Random(seed).sample(questions, sample)
    return articles, questions


def corpus_db(work: Path, name: str, articles: list[dict]) -> tuple[Path, float]:
    """A database holding the corpus (built once per work folder), and the seconds ingest took."""
    db = work / f"{name}.sqlite3"
    if db.exists():
        return db, 0.0
    source = work / f"{name}.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    began = time.perf_counter()
    NewsQA(db).ingest([source])
    return db, time.perf_counter() - began


@contextmanager
def reader_folder(reader_dir: Path) -> Iterator[Path]:
    """A models folder whose reader/ is `reader_dir` (Settings take the folder above the reader)."""
    reader_dir = reader_dir.resolve()
    if reader_dir.name == "reader":
        yield reader_dir.parent
        return
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "reader").symlink_to(reader_dir, target_is_directory=True)
        yield Path(tmp)


class LogitsOnce:
    """Reuse the reader's logits for an identical batch of windows within one question (the
    scorings differ only in what they do with the logits)."""

    def __init__(self, reader) -> None:
        self.reader, self.compute, self.cache = reader, reader._logits, {}
        reader._logits = self

    def __call__(self, windows):
        key = tuple(map(tuple, windows.input_ids))
        if key not in self.cache:
            self.cache[key] = self.compute(windows)
        return self.cache[key]

    def clear(self) -> None:
        self.cache.clear()


def score(answer_text: str, truths: list[str]) -> tuple[float, float]:
    return max_over_truths(exact_match, answer_text, truths), max_over_truths(f1_score, answer_text, truths)


def run_corpus(db: Path, questions: list[dict], models_dir: Path, precision: str, scorings: list[str]) -> dict[str, dict]:
    """Metrics per scoring for one reader over one corpus."""
    engines = {}
    for scoring in scorings:
        base = Settings(db_path=str(db), models_dir=models_dir, reader_precision=precision, answer_scoring=scoring)
        engines[scoring] = (NewsQA(settings=base), NewsQA(settings=Settings(**{**vars(base), "answer_threshold": 0.0})))
    reader = engines[scorings[0]][0].reader
    once = LogitsOnce(reader)
    sums = {s: dict.fromkeys(("open_em", "open_f1", "gold_em", "gold_f1", "open_em_always", "open_f1_always",
                               "gold_em_always", "gold_f1_always", "gold_share", "open_answered", "gold_answered"), 0.0) for s in scorings}
    seconds = dict.fromkeys(scorings, 0.0)
    try:
        for q in questions:
            for scoring in scorings:
                calibrated, always = engines[scoring]
                began = time.perf_counter()
                rows = {
                    "open": calibrated.ask(q["question"], top_k=1),
                    "gold": calibrated.ask(q["question"], top_k=1, article_ids=[q["article"]]),
                    "open_always": always.ask(q["question"], top_k=1),
                    "gold_always": always.ask(q["question"], top_k=1, article_ids=[q["article"]]),
                }
                seconds[scoring] += time.perf_counter() - began
                m = sums[scoring]
                for mode, answers in rows.items():
                    em, f1 = score(answers[0].text if answers else "", q["answers"])
                    suffix = "_always" if mode.endswith("_always") else ""
                    m[f"{mode.split('_')[0]}_em{suffix}"] += em
                    m[f"{mode.split('_')[0]}_f1{suffix}"] += f1
                m["open_answered"] += bool(rows["open"])
                m["gold_answered"] += bool(rows["gold"])
                m["gold_share"] += bool(rows["open_always"]) and rows["open_always"][0].article_id == q["article"]
            once.clear()
    finally:
        reader._logits = once.compute
    n = max(len(questions), 1)
    results = {}
    for scoring, m in sums.items():
        out = {k: 100 * v / n for k, v in m.items()}
        out["threshold"] = engines[scoring][0].answer_threshold
        out["questions"] = len(questions)
        out["ask_seconds_all_four"] = seconds[scoring]  # includes reused logits: not a latency figure
        results[scoring] = out
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", nargs="+", choices=("newsqa", "squad"), default=["newsqa", "squad"])
    parser.add_argument("--newsqa", type=Path, default=DATA / "newsqa_dev.json")
    parser.add_argument("--squad", type=Path, default=DATA / "squad-v1.1-dev.json")
    parser.add_argument("--squad-sample", type=int, default=SQUAD_SAMPLE, help="questions sampled from SQuAD dev (seeded)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions of each corpus (quick checks)")
    parser.add_argument("--reader", type=Path, nargs="+", default=[ROOT / "models" / "reader"], help="reader folder(s) to compare")
    parser.add_argument("--precision", default="auto", help="auto, fp32, bf16 or int8")
    parser.add_argument("--scoring", nargs="+", choices=SCORINGS, default=["window", "margin"], help="answer scorings to compare")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--work", type=Path, help="folder for the corpus databases (kept and reused); default a temporary one")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        report = {"load_average_start": os.getloadavg(), "threads": args.threads, "precision": args.precision, "runs": []}
        for corpus in args.corpus:
            path = args.newsqa if corpus == "newsqa" else args.squad
            articles, questions = load_corpus(corpus, path, args.squad_sample if corpus == "squad" else 0, args.seed)
            questions = questions[: args.limit] if args.limit else questions
            db, ingest_s = corpus_db(work, corpus, articles)
            for reader_dir in args.reader:
                with reader_folder(reader_dir) as models_dir:
                    began = time.perf_counter()
                    by_scoring = run_corpus(db, questions, models_dir, args.precision, args.scoring)
                    took = time.perf_counter() - began
                for scoring, metrics in by_scoring.items():
                    report["runs"].append({"corpus": corpus, "articles": len(articles), "reader": str(reader_dir), "scoring": scoring,
                                           "ingest_seconds": ingest_s, "run_seconds": took, **metrics})
                print(f"{corpus} / {reader_dir}: {len(questions)} questions in {took:.0f} s", flush=True)
        report["load_average_end"] = os.getloadavg()
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)


def print_table(report: dict) -> None:
    print(f"\nthreads {report['threads']}, precision {report['precision']}, load average at start "
          f"{report['load_average_start'][0]:.2f}, at end {report['load_average_end'][0]:.2f}\n")
    print("| corpus | reader | scoring | questions | open EM | open F1 | gold EM | gold F1 | open/gold F1 gap | top answer from gold | "
          "answered open / gold | open F1, always answering | gold F1, always answering | threshold |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in report["runs"]:
        print(f"| {r['corpus']} | {Path(r['reader']).name} | {r['scoring']} | {r['questions']} | {r['open_em']:.2f} | {r['open_f1']:.2f} | "
              f"{r['gold_em']:.2f} | {r['gold_f1']:.2f} | {r['gold_f1'] - r['open_f1']:.2f} | {r['gold_share']:.1f}% | "
              f"{r['open_answered']:.0f}% / {r['gold_answered']:.0f}% | {r['open_f1_always']:.2f} | {r['gold_f1_always']:.2f} | {r['threshold']:.4f} |")


if __name__ == "__main__":
    main()
