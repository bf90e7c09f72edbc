"""Train the summarizer's sentence scorer on BBC News Summary, read top to bottom in one file.

    python -m newsqa.training.train_summarizer --data ../shared/data/summarization/bbc_news_summary.jsonl --out models/summarizer

A sentence's label is whether it appears in the article's (extractive) reference summary. Every
sentence is embedded once with MiniLM and cached outside the repo (`--cache`), so retraining costs
seconds. A fixed 20% of articles, chosen by a hash of the id (`is_held_out`), is never trained on:
`benchmarks/summarize_rouge.py` reports ROUGE on exactly those. The model, the MMR weight and the
query weight are chosen on a validation slice of the remaining 80%.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np

HELD_OUT_PERCENT = 20
VALIDATION_PERCENT = 15  # of the training 80%, for choosing the model and the MMR weight
DEFAULT_CACHE = Path("/root/newsqa-cache/summarizer")


def _bucket(article_id: str, salt: str = "") -> int:
    return int(hashlib.sha1((salt + article_id).encode("utf-8")).hexdigest()[:8], 16) % 100


def is_held_out(article_id: str) -> bool:
    """True for the fixed 20% of BBC articles that training never sees (the ROUGE test set)."""
    return _bucket(article_id) < HELD_OUT_PERCENT


def is_validation(article_id: str) -> bool:
    """True for the training articles kept aside to choose the model and the MMR weight."""
    return not is_held_out(article_id) and _bucket(article_id, "validation:") < VALIDATION_PERCENT


def load_rows(path: str | Path) -> list[dict]:
    """The BBC News Summary rows: {id, category, title, article, summary}."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def held_out_rows(path: str | Path) -> list[dict]:
    """The held-out 20%, in file order."""
    return [row for row in load_rows(path) if is_held_out(row["id"])]


class EmbeddingCache:
    """MiniLM vectors of sentences, by text, stored under a cache folder in chunks (resumable)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.vectors: dict[str, np.ndarray] = {}
        for part in sorted(self.folder.glob("part-*.npy")):
            texts = json.loads(part.with_suffix(".json").read_text(encoding="utf-8"))
            for text, vector in zip(texts, np.load(part)):
                self.vectors[text] = vector

    def ensure(self, texts: list[str], embedder, chunk: int = 2048) -> None:
        """Embed the texts not cached yet, saving every `chunk` of them."""
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        self.folder.mkdir(parents=True, exist_ok=True)
        for i in range(0, len(missing), chunk):
            batch = missing[i : i + chunk]
            vectors = embedder.encode(batch)
            name = self.folder / f"part-{len(list(self.folder.glob('part-*.npy'))):05d}"
            name.with_suffix(".json").write_text(json.dumps(batch), encoding="utf-8")
            np.save(name.with_suffix(".npy"), vectors)
            self.vectors.update(zip(batch, vectors))
            print(f"embedded {min(i + chunk, len(missing))}/{len(missing)}", flush=True)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Cached vectors for texts (all must have been `ensure`d): an embedder stand-in."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts]).astype(np.float32)


def corpus_texts(rows: list[dict]) -> list[str]:
    """Every text the summarizer may embed for these rows: titles and all sentences."""
    from ..text import split_sentences

    texts = []
    for row in rows:
        texts.append(row["title"])
        texts.extend(span.text for span in split_sentences(row["article"]))
    return texts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="../shared/data/summarization/bbc_news_summary.jsonl")
    parser.add_argument("--out", default="models/summarizer")
    parser.add_argument("--cache", default=str(DEFAULT_CACHE))
    parser.add_argument("--embed-only", action="store_true")
    args = parser.parse_args(argv)

    from ..models import get_embedder

    rows = load_rows(args.data)
    cache = EmbeddingCache(Path(args.cache))
    cache.ensure(corpus_texts(rows), get_embedder())
    if args.embed_only:
        return


if __name__ == "__main__":
    main()
