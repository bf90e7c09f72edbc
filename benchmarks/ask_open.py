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

Each question is asked with the threshold on and off through the same public stages `NewsQA.ask`
composes (newsqa/answering.py); the reader runs once per question and passage set. Every question's top answers are kept in the JSON
output. (Reports written before answers were ranked with the passage's rank as well applied the
threshold to the always-answering top answer; `--rescore` still does that for them.)

    python benchmarks/ask_open.py [--corpus newsqa squad] [--scoring window margin] \
        [--reader models/reader /path/to/new/reader] [--precision auto] [--limit N] \
        [--work DIR] [--out results.json] [--set read_first=0 retrieve_candidates=8 read_further=8 give_up_below=0 passage_rank_weight=0 fusion_depth=50]

Several readers and scorings are compared in the same run, on the same databases. Reading is the
slow part and does not depend on the scoring: within one question, the reader's logits for an
identical batch of windows are computed once and reused for the other scorings (same numbers, less
CPU). Pin threads with --threads (default 1) on a shared machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import tempfile
import time
from pathlib import Path

import torch

from newsqa import NewsQA, Settings, answering, retriever
from newsqa.errors import ModelNotFound
from newsqa.scoring import SCORINGS, calibrated_threshold
from newsqa.training.metric import exact_match, f1_score, max_over_truths

from _common import ROOT  # noqa: E402
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


class ReadOnce:
    """A reader that runs the model once per identical batch of passages (the scorings differ
    only in how they decode the same logits): `Reader.read` once, `Reader.decode` per scoring."""

    def __init__(self, reader) -> None:
        self.reader, self.readings = reader, {}

    def answer_batch(self, pairs, top_k=1, max_answer_len=30, scoring="window", groups=None):
        key = tuple(pairs)
        if key not in self.readings:
            self.readings[key] = self.reader.read(pairs)
        return self.reader.decode(self.readings[key], top_k, max_answer_len, scoring, groups)

    def clear(self) -> None:
        self.readings.clear()


def parse_overrides(pairs: list[str]) -> dict[str, object]:
    """`Settings` fields from NAME=VALUE strings, each value of its field's type."""
    defaults = Settings(db_path=":memory:")
    out: dict[str, object] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if not hasattr(defaults, name) or not value:
            raise SystemExit(f"--set wants NAME=VALUE with NAME a Settings field, not {pair!r}")
        out[name] = type(getattr(defaults, name))(value)
    return out


def run_corpus(db: Path, questions: list[dict], reader_dir: Path, precision: str, scorings: list[str],
               overrides: dict[str, object] | None = None) -> dict[str, dict]:
    """Per scoring: each question's top answer over the whole corpus and over its gold story, with
    the reader's calibrated threshold (where it has one for the scoring) and with the threshold off.

    `NewsQA.ask` is retrieval -> `answering.read_cascade` -> `order` -> `select`; this runs the same
    stages, reading once per question and passage set and ranking those candidates both ways."""
    qa = NewsQA(settings=Settings(db_path=str(db), reader_dir=reader_dir, reader_precision=precision, **(overrides or {})))
    reader = ReadOnce(qa.reader)
    thresholds = {s: threshold_for(qa, s) for s in scorings}
    found: dict[str, list[dict]] = {s: [] for s in scorings}
    seconds = dict.fromkeys(scorings, 0.0)
    for q in questions:
        rows = {s: {"id": q["id"]} for s in scorings}
        for mode, ids in (("open", None), ("gold", [q["article"]])):
            began = time.perf_counter()
            hits = retriever.find(qa.store, qa.embedder, q["question"], qa.ask_options().depth, ids, fusion=qa.fusion)
            shared_s = time.perf_counter() - began
            for scoring in scorings:
                began = time.perf_counter()
                options = dataclasses.replace(qa.ask_options(), scoring=scoring, threshold=0.0)
                texts = answering.ArticleTexts(qa.store)
                vector = qa.embedder.encode([q["question"]])[0] if options.focus_words else None
                candidates = answering.read_cascade(reader, q["question"], hits, options, texts, vector)
                top = answering.select(answering.order(q["question"], candidates, hits, options, 0.0), 1, texts)
                seconds[scoring] += time.perf_counter() - began + shared_s
                row = rows[scoring]
                for key, attr in (("text", "text"), ("score", "score"), ("article", "article_id")):
                    row[f"{mode}_{key}"] = getattr(top[0], attr) if top else None
                if thresholds[scoring] is not None:  # the same candidates, those below the threshold dropped before ranking
                    kept = answering.select(answering.order(q["question"], candidates, hits, options, thresholds[scoring]), 1, texts)
                    row[f"{mode}_kept_text"] = kept[0].text if kept else None
        for scoring in scorings:
            found[scoring].append(rows[scoring])
        reader.clear()
    return {scoring: {**metrics(questions, rows, thresholds[scoring]), "seconds": seconds[scoring], "predictions": rows}
            for scoring, rows in found.items()}


def threshold_for(qa: NewsQA, scoring: str) -> float | None:
    """The reader's calibrated threshold for `scoring`, None when it has none."""
    try:
        return calibrated_threshold(qa.reader.meta, scoring)
    except ModelNotFound:
        return None


def metrics(questions: list[dict], rows: list[dict], threshold: float | None) -> dict[str, float | None]:
    """EM/F1 open and gold at the calibrated threshold (an answer scoring below it is no answer, as in
    `ask`) and always answering; the share of top answers from the gold story; the share answered."""
    sums: dict[str, float] = {}
    for q, row in zip(questions, rows):
        for mode in ("open", "gold"):
            text, score = row[f"{mode}_text"] or "", row[f"{mode}_score"] or 0.0
            if f"{mode}_kept_text" in row:  # asked with the threshold on
                kept = row[f"{mode}_kept_text"] or ""
            else:  # an older report: the threshold applied to the top answer (right when answers are ranked by score alone)
                kept = text if threshold is not None and score >= threshold else ""
            for key, answer in ((f"{mode}_{{}}_always", text), (f"{mode}_{{}}", kept)):
                em, f1 = max_over_truths(exact_match, answer, q["answers"]), max_over_truths(f1_score, answer, q["answers"])
                sums[key.format("em")] = sums.get(key.format("em"), 0.0) + em
                sums[key.format("f1")] = sums.get(key.format("f1"), 0.0) + f1
            sums[f"{mode}_answered"] = sums.get(f"{mode}_answered", 0.0) + bool(kept)
        sums["gold_share"] = sums.get("gold_share", 0.0) + (row["open_article"] == q["article"])
    n = max(len(questions), 1)
    out: dict[str, float | None] = {k: 100 * v / n for k, v in sums.items()}
    if threshold is None:
        out.update({k: None for k in out if not k.endswith("_always") and k != "gold_share"})
    out["threshold"] = threshold
    out["questions"] = len(questions)
    return out


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
    parser.add_argument("--set", nargs="+", default=[], metavar="NAME=VALUE",
                        help="Settings for how ask reads and ranks, e.g. the way before answer_ranking.py: "
                             "read_first=0 retrieve_candidates=8 read_further=8 give_up_below=0 passage_rank_weight=0 fusion_depth=50")
    parser.add_argument("--work", type=Path, help="folder for the corpus databases (kept and reused); default a temporary one")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument("--rescore", type=Path, help="recompute the metrics of an earlier --out file with the readers' current thresholds")
    args = parser.parse_args()
    overrides = parse_overrides(args.set)
    if args.rescore:
        report = rescore(json.loads(args.rescore.read_text()), args)
        (args.out or args.rescore).write_text(json.dumps(report, indent=2) + "\n")
        print_table(report)
        return
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
                began = time.perf_counter()
                by_scoring = run_corpus(db, questions, reader_dir, args.precision, args.scoring, overrides)
                took = time.perf_counter() - began
                for scoring, found in by_scoring.items():
                    report["runs"].append({"corpus": corpus, "articles": len(articles), "reader": str(reader_dir), "scoring": scoring,
                                           "settings": overrides,
                                           "ingest_seconds": ingest_s, "run_seconds": took, **found})
                print(f"{corpus} / {reader_dir}: {len(questions)} questions in {took:.0f} s", flush=True)
        report["load_average_end"] = os.getloadavg()
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)


def threshold_of(reader_dir: Path, scoring: str) -> float | None:
    from newsqa.reader_io import read_meta

    try:
        return calibrated_threshold(read_meta(reader_dir), scoring)
    except ModelNotFound:
        return None


def rescore(report: dict, args: argparse.Namespace) -> dict:
    """The metrics of a saved report again, with each reader's current thresholds (after calibrating)."""
    questions = {}
    for corpus in {r["corpus"] for r in report["runs"]}:
        path = args.newsqa if corpus == "newsqa" else args.squad
        questions.update({q["id"]: q for q in load_corpus(corpus, path, 0, args.seed)[1]})
    for run in report["runs"]:
        if any("open_kept_text" in row for row in run["predictions"]):
            raise SystemExit("this report was asked with the threshold on: run the benchmark again for a new threshold")
        asked = [questions[row["id"]] for row in run["predictions"]]
        run.update(metrics(asked, run["predictions"], threshold_of(Path(run["reader"]), run["scoring"])))
    return report


def print_table(report: dict) -> None:
    print(f"\nthreads {report['threads']}, precision {report['precision']}, load average at start "
          f"{report['load_average_start'][0]:.2f}, at end {report['load_average_end'][0]:.2f}\n")
    print("| corpus | reader | scoring | questions | open EM | open F1 | gold EM | gold F1 | open/gold F1 gap | top answer from gold | "
          "answered open / gold | open F1, always answering | gold F1, always answering | threshold |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    def num(value: float | None, fmt: str = ".2f") -> str:
        return "n/a" if value is None else format(value, fmt)

    for r in report["runs"]:
        gap = None if r["open_f1"] is None else r["gold_f1"] - r["open_f1"]
        print(f"| {r['corpus']} | {Path(r['reader']).name} | {r['scoring']} | {r['questions']} | {num(r['open_em'])} | {num(r['open_f1'])} | "
              f"{num(r['gold_em'])} | {num(r['gold_f1'])} | {num(gap)} | {r['gold_share']:.1f}% | "
              f"{num(r['open_answered'], '.0f')}% / {num(r['gold_answered'], '.0f')}% | {r['open_f1_always']:.2f} | {r['gold_f1_always']:.2f} | "
              f"{num(r['threshold'], '.4f')} |")


if __name__ == "__main__":
    main()
