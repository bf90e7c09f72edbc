"""How `ask` should rank answers read from different passages: dump every candidate answer with
the relevance of the passage it came from, then compare ranking rules on the dump.

`ask` retrieves `retrieve_candidates` passages (hybrid BM25 + dense, reciprocal rank fusion), reads
each, and keeps the spans whose reader score clears the calibrated threshold. Which of them comes
first decides the answer. This script, per question of a corpus (the same corpora and databases as
`benchmarks/ask_open.py`), records every candidate `ask` considers, over the whole corpus and over
the gold story alone, with:

- the reader's score (the answer scoring the reader ships with) and its log-odds;
- the passage's place in the fused ranking and its fused score; its BM25 score and rank, its dense
  cosine and rank (depth 50; absent when outside it);

and then scores ranking rules `log-odds + weight * relevance feature` over a grid of weights, with
the official EM/F1 of the top answer, open and gold, and the share of top answers from the gold
story: the same numbers as `ask_open.py`, computed from the dump (reading is the slow step and is
done once).

    python benchmarks/answer_ranking.py dump --corpus newsqa --work /tmp/open-work --out cands.jsonl
    python benchmarks/answer_ranking.py compare cands.jsonl [--corpus newsqa]
    python benchmarks/answer_ranking.py compare cands.jsonl --rules log_rank --weights 1 --stages 8:0.999,16 --stages 2:0.9,4:0.99,16
    python benchmarks/answer_ranking.py compare cands.jsonl --rules log_rank --weights 1 --stages 2:0.98,6:0.995,14@6:0.1
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import time
from pathlib import Path

import torch

from ask_open import DATA, SEED, SQUAD_SAMPLE, corpus_db, load_corpus, parse_overrides  # noqa: E402

from newsqa import NewsQA, SearchHit, Settings, answering  # noqa: E402
from newsqa.cascade import read_in_stages  # noqa: E402
from newsqa.scoring import log_odds  # noqa: E402
from newsqa.store.common import query_terms  # noqa: E402
from newsqa.training.metric import exact_match, f1_score, max_over_truths  # noqa: E402

DEPTH = 50
UNRANKED = 999  # a passage read only because its story was (outside the fused top DEPTH)
FEATURES = ("none", "fused", "log_rank", "cosine", "bm25", "article_best_fused", "article_hits", "story_rank")


def passage_features(qa: NewsQA, question: str, ids: list[str] | None) -> dict[tuple[str, int], dict]:
    """Per passage (article id, index) within depth: BM25 score and rank, dense cosine and rank."""
    terms = query_terms(question)
    lexical = qa.store.lexical_search(terms, DEPTH, ids) if terms else []
    dense = qa.store.dense_search(qa.embedder.encode([question])[0], DEPTH, ids)
    out: dict[int, dict] = {}
    for rank, (pid, score) in enumerate(lexical):
        out.setdefault(pid, {})
        out[pid].update(bm25=float(score), bm25_rank=rank)
    for rank, (pid, score) in enumerate(dense):
        out.setdefault(pid, {})
        out[pid].update(cosine=float(score), dense_rank=rank)
    found = qa.store.passages(list(out))
    return {(p.article_id, p.index): out[pid] for pid, p in found.items()}


def candidates(qa: NewsQA, question: str, ids: list[str] | None, depth: int, stories: int) -> list[dict]:
    """Every span read (threshold off) from the top `depth` passages and from every passage of the
    top `stories` stories (in order of their best passage), with each passage's relevance."""
    hits = qa.search(question, top_k=max(depth, DEPTH), article_ids=ids)
    if not hits:
        return []
    rank_of = {(h.passage.article_id, h.passage.index): (r, h.score) for r, h in enumerate(hits)}
    story_order = list(dict.fromkeys(h.passage.article_id for h in hits))
    story_rank = {a: r for r, a in enumerate(story_order)}
    passages = {(h.passage.article_id, h.passage.index): h.passage for h in hits[:depth]}
    for article_id in story_order[:stories]:
        stored = qa.store.stored_article(article_id)
        passages.update({(p.article_id, p.index): p for p in stored.passages} if stored else {})
    chosen = [SearchHit(p, rank_of.get((p.article_id, p.index), (UNRANKED, 0.0))[1]) for p in passages.values()]
    options = dataclasses.replace(qa.ask_options(), threshold=0.0)
    read = answering.read_candidates(qa.reader, question, chosen, options, answering.ArticleTexts(qa.store))
    extra = passage_features(qa, question, ids)
    rows = []
    for cand in read:
        passage = cand.hit.passage
        key = (passage.article_id, passage.index)
        rank, fused = rank_of.get(key, (UNRANKED, 0.0))
        rows.append({"text": cand.answer.text, "score": cand.answer.score, "no_answer": cand.answer.no_answer_score,
                     "article": passage.article_id, "passage": passage.index, "rank": rank, "fused": fused,
                     "story_rank": story_rank.get(passage.article_id, UNRANKED), **extra.get(key, {})})
    return rows


def others(ids: list[str], gold: str) -> list[str]:
    """The corpus without the question's own story: the question is then (nearly always) unanswerable."""
    return [i for i in ids if i != gold]


def dump(args: argparse.Namespace) -> None:
    torch.set_num_threads(args.threads)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    path = args.newsqa if args.corpus == "newsqa" else args.squad
    articles, questions = load_corpus(args.corpus, path, args.squad_sample if args.corpus == "squad" else 0, args.seed)
    questions = questions[: args.limit] if args.limit else questions
    db, _ = corpus_db(work, args.corpus, articles)
    qa = NewsQA(settings=Settings(db_path=str(db), answer_threshold=0.0, **parse_overrides(args.set)))
    depth = args.depth or qa.settings.retrieve_candidates
    all_ids = [a.id for a in qa.store.list_articles(limit=qa.store.count_articles())] if args.without_gold else []
    began = time.perf_counter()
    with args.out.open("w", encoding="utf-8") as out:
        for n, q in enumerate(questions, 1):
            row = {"id": q["id"], "answers": q["answers"], "gold_article": q["article"], "depth": depth, "stories": args.stories,
                   "open": candidates(qa, q["question"], others(all_ids, q["article"]) if args.without_gold else None, depth, args.stories)}
            if not args.open_only:
                row["gold"] = candidates(qa, q["question"], [q["article"]], qa.settings.retrieve_candidates, 0)
            out.write(json.dumps(row) + "\n")
            if n % 50 == 0:
                print(f"{n}/{len(questions)} in {time.perf_counter() - began:.0f} s", flush=True)
    print(f"threshold {NewsQA(settings=Settings(db_path=':memory:')).answer_threshold} scoring {qa.answer_scoring}")


def feature(cand: dict, name: str, cands: list[dict]) -> float:
    if name == "none":
        return 0.0
    if name == "fused":  # reciprocal rank fusion, scaled so that rank 1 in both lists is about 1
        return cand["fused"] * 30.5
    if name == "log_rank":
        return -math.log1p(cand["rank"])
    if name == "cosine":
        return cand.get("cosine", 0.0)
    if name == "bm25":
        return math.log1p(max(cand.get("bm25", 0.0), 0.0))
    if name == "article_best_fused":  # how well the best passage of the candidate's article was retrieved
        return max(c["fused"] for c in cands if c["article"] == cand["article"]) * 30.5
    if name == "story_rank":  # the place of the candidate's story among stories, by their best passage
        return -math.log1p(cand.get("story_rank", 0))
    if name == "article_hits":  # how many of the retrieved passages come from the candidate's article
        return math.log(len({c["passage"] for c in cands if c["article"] == cand["article"]}))
    raise ValueError(name)


def top_answer(cands: list[dict], threshold: float, name: str, weight: float) -> dict | None:
    kept = [c for c in cands if c["score"] >= threshold]
    return max(kept, key=lambda c: log_odds(c["score"]) + weight * feature(c, name, cands), default=None)


def evaluate(rows: list[dict], threshold: float, name: str, weight: float) -> dict[str, float]:
    sums = {"open_f1": 0.0, "open_em": 0.0, "gold_f1": 0.0, "gold_em": 0.0, "gold_share": 0.0, "answered": 0.0}
    for row in rows:
        for mode in ("open", "gold"):
            if mode not in row:  # an --open-only dump: gold columns stay 0
                continue
            best = top_answer(row[mode], threshold, name, weight)
            sums["answered"] += mode == "open" and best is not None
            text = best["text"] if best else ""
            sums[f"{mode}_f1"] += max_over_truths(f1_score, text, row["answers"])
            sums[f"{mode}_em"] += max_over_truths(exact_match, text, row["answers"])
        best = top_answer(row["open"], 0.0, name, weight)
        sums["gold_share"] += bool(best) and best["article"] == row["gold_article"]
    out = {k: 100 * v / len(rows) for k, v in sums.items()}
    out["gap"] = out["gold_f1"] - out["open_f1"]
    return out


def read_sets(depth: int, stories: int) -> dict[str, object]:
    """Which passages a strategy reads: the top k fused passages, or those plus every passage of the
    top s stories (a dump with --depth D --stories S holds every set with k <= D and s <= S)."""
    sets = {f"top {k} passages": (lambda c, k=k: c["rank"] < k) for k in (4, 8, 12, 16, 24) if k <= depth}
    for s in range(1, stories + 1):
        for k in (0, 4, 8):
            sets[f"top {k} passages + stories 1-{s}"] = lambda c, k=k, s=s: c["rank"] < k or c["story_rank"] < s
    return sets


def read_further(row: dict, first: int, then: int, confident: float) -> dict:
    """The question's candidates when `ask` reads the top `first` passages and, only when no answer
    from them scores `confident` or more, the passages down to `then` as well: two stages."""
    return read_stages_of(row, [(first, confident), (then, None)])


def read_stages_of(row: dict, stages: list[tuple[int, float | None]], give_up: tuple[int, float] | None = None) -> dict:
    """The question's candidates when `ask` reads in these stages (`newsqa.cascade.read_in_stages`,
    run on the dump): down to each depth in turn, stopping once an answer read so far scores that
    stage's confident score, or (`give_up` = (depth, bar)) after that depth when none scores bar."""
    read = lambda lo, hi: [c for c in row["open"] if lo <= c["rank"] < hi]
    return {**row, "open": read_in_stages(read, stages, lambda c: c["score"], give_up)}


def parse_give_up(text: str | None) -> tuple[int, float] | None:
    """"6:0.1" -> (6, 0.1)."""
    if not text:
        return None
    depth, _, bar = text.partition(":")
    return int(depth), float(bar)


def parse_stages(text: str) -> list[tuple[int, float | None]]:
    """"2:0.9,4:0.99,16" -> [(2, 0.9), (4, 0.99), (16, None)]."""
    stages = [(int(d), float(c) if c else None) for d, _, c in (part.partition(":") for part in text.split(","))]
    return stages[:-1] + [(stages[-1][0], None)]


def passages_read(rows: list[dict], keep) -> float:
    return sum(len({(c["article"], c["passage"]) for c in row["open"] if keep(c)}) for row in rows) / len(rows)


def print_rows(set_name: str, subset: list[dict], threshold: float, rules: list[str], weights: list[float]) -> None:
    """One table row per rule and weight over the candidates `subset` (the passages a strategy reads)."""
    cost = passages_read(subset, lambda c: True)
    for name in rules:
        for weight in ([0.0] if name == "none" else weights):
            r = evaluate(subset, threshold, name, weight)
            print(f"| {set_name} | {cost:.2f} | {name} | {weight:g} | {r['open_em']:.2f} | "
                  f"{r['open_f1']:.2f} | {r['gold_em']:.2f} | {r['gold_f1']:.2f} | {r['gap']:.2f} | {r['gold_share']:.1f}% | {r['answered']:.1f}% |", flush=True)


def compare(args: argparse.Namespace) -> None:
    rows = [json.loads(line) for line in args.dump.open(encoding="utf-8")]
    if args.gold_from:
        gold = {r["id"]: r["gold"] for r in map(json.loads, args.gold_from.open(encoding="utf-8"))}
        for row in rows:
            row["gold"] = gold[row["id"]]
    threshold = args.threshold if args.threshold is not None else NewsQA(settings=Settings(db_path=":memory:")).answer_threshold
    print(f"{len(rows)} questions, threshold {threshold:.4f}\n")
    print("| passages read | per question | rule | weight | open EM | open F1 | gold EM | gold F1 | gap | top answer from gold | answered |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for set_name, keep in (read_sets(rows[0].get("depth", 8), rows[0].get("stories", 0)) if args.read_sets else {"as dumped": lambda c: True}).items():
        subset = [{**row, "open": [c for c in row["open"] if keep(c)]} for row in rows]
        print_rows(set_name, subset, threshold, args.rules, args.weights)
    for text in args.stages or []:
        stages, _, give_up = text.partition("@")
        subset = [read_stages_of(row, parse_stages(stages), parse_give_up(give_up)) for row in rows]
        print_rows(f"stages {text}", subset, threshold, args.rules, args.weights)
    for first, then, confident in args.read_further or []:
        subset = [read_further(row, int(first), int(then), confident) for row in rows]
        print_rows(f"top {first:g}, top {then:g} below {confident:g}", subset, threshold, args.rules, args.weights)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump", help="read every question once and write its candidates")
    d.add_argument("--corpus", choices=("newsqa", "squad"), default="newsqa")
    d.add_argument("--newsqa", type=Path, default=DATA / "newsqa_dev.json")
    d.add_argument("--squad", type=Path, default=DATA / "squad-v1.1-dev.json")
    d.add_argument("--squad-sample", type=int, default=SQUAD_SAMPLE)
    d.add_argument("--seed", type=int, default=SEED)
    d.add_argument("--limit", type=int, default=0)
    d.add_argument("--threads", type=int, default=1)
    d.add_argument("--depth", type=int, default=0, help="passages read per question (default: the engine's retrieve_candidates)")
    d.add_argument("--stories", type=int, default=0, help="also read every passage of this many top stories")
    d.add_argument("--open-only", action="store_true", help="skip the gold-story asks")
    d.add_argument("--without-gold", action="store_true",
                   help="search the corpus without each question's own story (questions the corpus cannot answer)")
    d.add_argument("--set", nargs="+", default=[], metavar="NAME=VALUE", help="engine settings to override, e.g. rrf_k=10")
    d.add_argument("--work", type=Path, required=True, help="folder for the corpus databases (kept and reused)")
    d.add_argument("--out", type=Path, required=True)
    c = sub.add_parser("compare", help="score ranking rules on a dump")
    c.add_argument("dump", type=Path)
    c.add_argument("--threshold", type=float, help="default: the shipped reader's calibrated threshold")
    c.add_argument("--weights", type=float, nargs="+", default=[0.5, 1, 2, 4, 8, 16])
    c.add_argument("--rules", nargs="+", choices=FEATURES, default=list(FEATURES))
    c.add_argument("--read-sets", action="store_true", help="compare the passage sets a --depth/--stories dump holds")
    c.add_argument("--read-further", type=float, nargs=3, action="append", metavar=("FIRST", "THEN", "CONFIDENT"),
                   help="read FIRST passages, and down to THEN when no answer scores CONFIDENT (repeatable)")
    c.add_argument("--stages", action="append", metavar="D:C,D:C,D[@G:B]",
                   help="read in stages (newsqa.cascade): down to D, stopping if an answer scores C; e.g. 2:0.9,4:0.99,16 (repeatable); "
                        "@G:B also stops after depth G when no answer scores B (Settings.give_up_below), e.g. 2:0.98,6:0.995,14@6:0.1")
    c.add_argument("--gold-from", type=Path, help="take the gold-story candidates from this dump (one made without --open-only)")
    args = parser.parse_args()
    dump(args) if args.command == "dump" else compare(args)


if __name__ == "__main__":
    main()
