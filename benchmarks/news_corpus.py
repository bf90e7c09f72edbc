"""A news-aware corpus, measured: syndicated copies recognised, answers merged across copies, date
filters exact and never empty because of them.

    python benchmarks/news_corpus.py [--newsqa ../shared/data/qa/dev/newsqa_dev.json]
        [--cnndm ../shared/data/summarization/cnndm_sample.jsonl] [--copies 2] [--asks 200]
        [--filtered 1000] [--seed 2026] [--out results.json]

Corpus: the 162 CNN stories of NewsQA dev, each with `--copies` syndicated copies generated from it
(seeded): another dateline in place of "(CNN) --", a new headline line, the last paragraph trimmed,
an agency footer, and 1-5 words changed, each copy drawing at least three of these. Distinct
stories: the 162 originals and the 1,000 CNN / Daily Mail stories of the summarization sample
(news on overlapping topics; any of them that is itself a near copy of a NewsQA story, by exact
shingle Jaccard >= 0.5, is left out and counted). Dates are synthetic: originals spread over 90
days of 2024 (half as dates, half as datetimes with a zone), each copy 0-2 days after its original.

1. Copy detection, on a real SQLite store through the calls ingest makes (`dedupe.signature`,
   `store.copy_candidates`, `dedupe.find_original`, `add_article` with the band keys), articles in a
   shuffled order: a copy is right when it names the first stored article of its story. Precision,
   recall, distinct stories marked as copies, and the detection time per article.
2. Ingest through `NewsQA.ingest` (MiniLM and all) of the NewsQA stories with their copies: the
   time per article, against which detection's share of ingest is reported.
3. Merged answers: `ask(top_k=3)` on `--asks` questions: the share whose top-3 holds one answer
   text twice (must be 0), and for top answers from a story with copies, the share citing in
   `also_in` every copy that holds the answer's sentence unchanged.
4. Date-filter exactness: `--filtered` searches (top 10) and article listings with random ranges
   (1-30 days, dates and datetimes): results (hits, their `also_in`, listed articles) published
   outside the range must be 0; searches coming back empty although the range holds articles are
   counted too.
5. One-day filter: every question searched (top 5) with since = until = its story's day, and
   `--asks` questions asked the same way: the share finding the right story (it or a copy).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import torch

from newsqa import NewsQA, Settings, dates, dedupe
from newsqa.embedder import DIMENSIONS
from newsqa.store.sqlite import SQLiteStore
from newsqa.training.metric import normalize_answer
from newsqa.types import Article

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
FIRST_DAY = date(2024, 1, 1)
DAYS = 90
NEAR = 0.5  # exact shingle Jaccard from which two stories of the natural data are near copies (dedupe.COPY_THRESHOLD)
DATELINES = ["WASHINGTON (AP) —", "LONDON (Reuters) -", "NEW YORK (AFP) --", "ATLANTA, Georgia —", "PARIS (dpa) -"]
HEADLINES = ["Officials respond as story develops", "What we know so far", "Court hears new evidence in case",
             "Officials say more to come", "Report: the latest on the story"]
FOOTERS = ["Copyright 2024 The Associated Press. All rights reserved. This material may not be published, broadcast, rewritten or redistributed.",
           "(Reporting by Staff; Editing by Desk Editor)", "© Agence France-Presse", "Distributed by Tribune Content Agency, LLC."]
SWAPS = ["officials", "Tuesday", "reported", "several", "city", "group", "after", "people", "announced", "former"]


def load_newsqa(path: Path) -> tuple[list[dict], list[dict]]:
    """(stories {id, text}, questions {question, answers, story})."""
    data = json.loads(path.read_text())["data"]
    stories, questions = [], []
    for n, item in enumerate(data):
        for m, para in enumerate(item["paragraphs"]):
            sid = f"newsqa-{n}-{m}"
            stories.append({"id": sid, "text": para["context"]})
            for qa in para["qas"]:
                questions.append({"question": qa["question"], "answers": [a["text"] for a in qa["answers"]], "story": sid})
    return stories, questions


def syndicate(text: str, rng: random.Random) -> str:
    """A syndicated copy of a story: at least three of dateline, headline, trimmed last paragraph,
    footer and changed words."""
    edits = rng.sample(["dateline", "headline", "trim", "footer", "words"], rng.randint(3, 5))
    if "words" in edits:
        words = re.split(r"(\s+)", text)
        spots = [i for i, w in enumerate(words) if w.strip() and i > 10]
        for i in rng.sample(spots, min(len(spots), rng.randint(1, 5))):
            words[i] = rng.choice(SWAPS)
        text = "".join(words)
    if "trim" in edits:
        paragraphs = re.split(r"\n\s*\n", text.strip())
        if len(paragraphs) > 2:
            text = "\n\n".join(paragraphs[:-1])
    if "dateline" in edits:
        text = re.sub(r"^\(CNN\)\s*--\s*", "", text)
        text = f"{rng.choice(DATELINES)} {text}"
    if "headline" in edits:
        text = f"{rng.choice(HEADLINES)}\n\n{text}"
    if "footer" in edits:
        text = f"{text}\n\n{rng.choice(FOOTERS)}"
    return text


def a_date(day: int, rng: random.Random) -> str:
    """Day `day` of the corpus as a date, or as a datetime with a zone (half of the time)."""
    d = FIRST_DAY + timedelta(days=day)
    if rng.random() < 0.5:
        return d.isoformat()
    zone = timezone(timedelta(hours=rng.choice([-5, 0, 1, 2])))
    return datetime(d.year, d.month, d.day, rng.randint(0, 23), rng.randint(0, 59), tzinfo=zone).isoformat()


def build_corpus(stories: list[dict], copies: int, rng: random.Random) -> list[dict]:
    """The stories with `copies` syndicated copies each, dated: {id, text, story, published}."""
    out = []
    for s in stories:
        day = rng.randrange(DAYS)
        out.append({"id": s["id"], "text": s["text"], "story": s["id"], "published": a_date(day, rng), "copy": False})
        for c in range(copies):
            out.append({"id": f"{s['id']}-copy{c}", "text": syndicate(s["text"], rng), "story": s["id"],
                        "published": a_date(min(DAYS - 1, day + rng.randint(0, 2)), rng), "copy": True})
    return out


def exact_jaccard(a: set, b: set) -> float:
    return len(a & b) / max(1, len(a | b))


def distinct_stories(path: Path, newsqa: list[dict]) -> tuple[list[dict], list[float]]:
    """The CNN / Daily Mail sample's stories, less those that are near copies (exact shingle
    Jaccard >= NEAR) of a NewsQA story or of a story of the sample kept before them; the Jaccard
    of each one left out."""
    ours = [dedupe.shingles(s["text"]) for s in newsqa]
    kept, dropped = [], []
    for n, line in enumerate(path.read_text().splitlines()):
        item = json.loads(line)
        sh = dedupe.shingles(item["article"])
        nearest = max(exact_jaccard(sh, o) for o in ours)
        if nearest >= NEAR:
            dropped.append(round(nearest, 3))
            continue
        ours.append(sh)
        kept.append({"id": f"cnndm-{n}", "text": item["article"], "story": f"cnndm-{item['id']}", "published": None, "copy": False})
    return kept, dropped


def detection(articles: list[dict], rng: random.Random, work: Path) -> dict:
    """Copy detection through the store, articles in a shuffled order."""
    order = articles[:]
    rng.shuffle(order)
    store = SQLiteStore(work / "detection.db")
    first_of: dict[str, str] = {}
    tp = fp = fn = wrong_original = distinct_marked = 0
    took = []
    marked_distinct: list[tuple[str, str, float]] = []
    shingles = {}
    for item in order:
        began = time.perf_counter()
        sig = dedupe.signature(item["text"])
        original = dedupe.find_original(sig, store.copy_candidates(sig.keys))
        took.append(time.perf_counter() - began)
        store.add_article(Article(item["id"], item["text"], duplicate_of=original), [], np.zeros((0, DIMENSIONS), np.float32),
                          copy_keys=sig.keys, signature=sig.to_bytes())
        truth = first_of.get(item["story"])
        if truth is None:
            first_of[item["story"]] = item["id"]
            if original is not None:
                fp += 1
                distinct_marked += 1
                shingles.setdefault(original, dedupe.shingles(next(a["text"] for a in articles if a["id"] == original)))
                marked_distinct.append((item["id"], original, exact_jaccard(dedupe.shingles(item["text"]), shingles[original])))
        elif original is None:
            fn += 1
        elif original == truth:
            tp += 1
        else:
            fp += 1
            wrong_original += 1
            marked_distinct.append((item["id"], original, -1.0))
    store.close()
    return {"articles": len(order), "true_copies": tp + fn, "marked": tp + fp, "precision": tp / max(1, tp + fp),
            "recall": tp / max(1, tp + fn), "distinct_marked": distinct_marked, "wrong_original": wrong_original,
            "wrongly_marked": marked_distinct[:10],
            "detect_ms_p50": 1000 * statistics.median(took), "detect_ms_p95": 1000 * sorted(took)[int(0.95 * (len(took) - 1))],
            "detect_ms_mean": 1000 * statistics.fmean(took)}


def ingest(qa: NewsQA, corpus: list[dict], work: Path) -> tuple[float, dict[str, str]]:
    """Seconds per article for `NewsQA.ingest` of the corpus (originals first), and id -> duplicate_of."""
    path = work / "corpus.jsonl"
    with path.open("w") as f:
        for item in sorted(corpus, key=lambda x: x["copy"]):
            f.write(json.dumps({"id": item["id"], "text": item["text"], "published": item["published"]}) + "\n")
    began = time.perf_counter()
    stored = qa.ingest([path])
    return (time.perf_counter() - began) / len(stored), {a.id: a.duplicate_of for a in stored}


def in_range(published: str | None, window: tuple[float | None, float | None]) -> bool:
    ts = dates.timestamp(published)
    lo, hi = window
    return ts is not None and (lo is None or ts >= lo) and (hi is None or ts <= hi)


def filtered_queries(qa: NewsQA, corpus: list[dict], questions: list[dict], n: int, rng: random.Random) -> dict:
    """`n` searches and listings with random ranges: results outside the range, empty results."""
    outside = checked = empty_with_articles = listed = 0
    for _ in range(n):
        start = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        end = start + timedelta(days=rng.randint(0, 29))
        if rng.random() < 0.5:
            since, until = start.isoformat(), end.isoformat()
        else:
            hours = sorted(rng.randint(0, 23) for _ in range(2)) if start == end else [rng.randint(0, 23), rng.randint(0, 23)]
            since = datetime(start.year, start.month, start.day, hours[0], tzinfo=timezone.utc).isoformat()
            until = datetime(end.year, end.month, end.day, hours[1], tzinfo=timezone.utc).isoformat()
        window = dates.date_range(since, until)
        question = rng.choice(questions)["question"]
        hits = qa.search(question, top_k=10, since=since, until=until)
        for hit in hits:
            checked += 1 + len(hit.also_in)
            outside += (not in_range(hit.published, window)) + sum(not in_range(c.published, window) for c in hit.also_in)
        if not hits and any(in_range(a["published"], window) for a in corpus):
            empty_with_articles += 1
        for article in qa.list_articles(limit=1000, since=since, until=until):
            listed += 1
            outside += not in_range(article.published, window)
    return {"queries": n, "results_checked": checked, "articles_listed": listed, "outside_range": outside,
            "empty_although_range_holds_articles": empty_with_articles}


def one_day(qa: NewsQA, corpus: list[dict], questions: list[dict], asks: list[dict]) -> dict:
    """Searches (every question) and asks (a sample) with since = until = the story's day."""
    day_of = {c["id"]: c["published"][:10] for c in corpus if not c["copy"]}
    story_of = {c["id"]: c["story"] for c in corpus}
    found = 0
    for q in questions:
        day = day_of[q["story"]]
        hits = qa.search(q["question"], top_k=5, since=day, until=day)
        found += any(story_of[h.passage.article_id] == q["story"] for h in hits)
    right = answered = 0
    for q in asks:
        day = day_of[q["story"]]
        answers = qa.ask(q["question"], top_k=1, since=day, until=day)
        answered += bool(answers)
        right += bool(answers) and story_of[answers[0].article_id] == q["story"]
    return {"search_questions": len(questions), "search_right_story_top5": found / len(questions),
            "asks": len(asks), "ask_answered": answered / max(1, len(asks)), "ask_right_story": right / max(1, len(asks)),
            "ask_right_story_of_answered": right / max(1, answered)}


def merged(qa: NewsQA, corpus: list[dict], asks: list[dict]) -> dict:
    """Asks without filters: one answer text twice in a top 3, copies cited in also_in."""
    texts = {c["id"]: c["text"] for c in corpus}
    copies_of: dict[str, list[str]] = {}
    for c in corpus:
        if c["copy"]:
            copies_of.setdefault(c["story"], []).append(c["id"])
    repeated = with_copies = all_cited = some_cited = bad_citations = 0
    latencies = []
    for q in asks:
        began = time.perf_counter()
        answers = qa.ask(q["question"], top_k=3)
        latencies.append(time.perf_counter() - began)
        keys = [normalize_answer(a.text) for a in answers]
        repeated += len(keys) != len(set(keys))
        for answer in answers:  # every citation points at the same answer (as SQuAD normalises it)
            bad_citations += sum(normalize_answer(texts[c.article_id][c.start : c.end]) != normalize_answer(answer.text)
                                 for c in answer.also_in)
        if not answers:
            continue
        top = answers[0]
        story = top.article_id.split("-copy")[0]
        holding = [c for c in copies_of.get(story, []) if top.sentence and top.sentence.text in texts[c]]
        if not holding:
            continue
        with_copies += 1
        cited = {c.article_id for c in top.also_in}
        all_cited += set(holding) <= cited
        some_cited += bool(cited & set(holding))
    return {"asks": len(asks), "top3_with_a_repeated_answer": repeated, "top_answers_whose_sentence_is_in_copies": with_copies,
            "cite_every_such_copy": all_cited / max(1, with_copies), "cite_some_copy": some_cited / max(1, with_copies),
            "citations_not_holding_the_answer_text": bad_citations,
            "ask_p50_ms": 1000 * statistics.median(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--newsqa", type=Path, default=DATA / "qa" / "dev" / "newsqa_dev.json")
    parser.add_argument("--cnndm", type=Path, default=DATA / "summarization" / "cnndm_sample.jsonl")
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--asks", type=int, default=200)
    parser.add_argument("--filtered", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    report: dict = {"load_average_start": os.getloadavg(), "seed": args.seed}

    stories, questions = load_newsqa(args.newsqa)
    corpus = build_corpus(stories, args.copies, rng)
    distinct, dropped = distinct_stories(args.cnndm, stories)
    report["corpus"] = {"stories": len(stories), "copies": sum(c["copy"] for c in corpus), "other_distinct_stories": len(distinct),
                        "cnndm_left_out_as_near_copies": len(dropped), "their_jaccard": dropped, "questions": len(questions)}
    print(json.dumps(report["corpus"]), flush=True)
    asks = rng.sample(questions, min(args.asks, len(questions)))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        report["detection"] = detection(corpus + distinct, rng, work)
        print(json.dumps(report["detection"]), flush=True)
        with NewsQA(settings=Settings(db_path=str(work / "news.db"), threads=args.threads)) as qa:
            per_article, stored = ingest(qa, corpus, work)
            truth = {c["id"]: (c["story"] if c["copy"] else None) for c in corpus}
            report["ingest"] = {"seconds_per_article": per_article,
                                "detection_share_of_ingest": report["detection"]["detect_ms_mean"] / 1000 / per_article,
                                "copies_marked_at_ingest": sum(v is not None for v in stored.values()),
                                "marked_right": sum(stored[i] == truth[i] for i in stored if truth[i] is not None)}
            print(json.dumps(report["ingest"]), flush=True)
            report["merged"] = merged(qa, corpus, asks)
            print(json.dumps(report["merged"]), flush=True)
            report["filters"] = filtered_queries(qa, corpus, questions, args.filtered, rng)
            print(json.dumps(report["filters"]), flush=True)
            report["one_day"] = one_day(qa, corpus, questions, asks)
            print(json.dumps(report["one_day"]), flush=True)
    report["load_average_end"] = os.getloadavg()
    print(f"load average (1, 5, 15 min) at start {report['load_average_start']}, at end {report['load_average_end']}")
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
