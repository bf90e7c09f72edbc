"""Train the summarizer's sentence scorer on BBC News Summary, read top to bottom in one file.

    python -m newsqa.training.train_summarizer --data ../shared/data/summarization/bbc_news_summary.jsonl --out models/summarizer

A sentence's label is whether it appears in the article's (extractive) reference summary. Every
sentence is embedded once with MiniLM and cached outside the repo (`--cache`), so retraining costs
seconds. A fixed 20% of articles, chosen by a hash of the id (`is_held_out`), is never trained on:
`benchmarks/summarize_rouge.py` reports ROUGE on exactly those. The model, the MMR weight and the
length prior are chosen on a validation slice of the remaining 80%, then refit on all of it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from dataclasses import dataclass
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

    def ensure(self, texts: list[str], get_embedder, chunk: int = 2048) -> None:
        """Embed the texts not cached yet (loading the embedder only then), saving every `chunk`."""
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if not missing:
            return
        embedder = get_embedder()
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


def article_of(row: dict):
    """The BBC row as the Article the summarizer sees (title kept apart, as BBC ships it)."""
    from ..types import Article

    return Article(id=row["id"], text=row["article"], title=row["title"], source="bbc")


def budget_for(row_sentences: int, budget: str) -> int:
    """Sentences allowed: "3" -> 3; "40%" -> 40% of the article's sentences (at least 1)."""
    if budget.endswith("%"):
        return max(1, round(row_sentences * float(budget[:-1]) / 100))
    return int(budget)


@dataclass
class Example:
    """One training article: its featurized candidates and their labels."""

    row: dict
    scored: object  # summarizer.ScoredArticle
    labels: np.ndarray
    sentences: int  # all sentences of the article (the budget base shared with the baselines)


def build_examples(rows: list[dict], cache: EmbeddingCache) -> list[Example]:
    """Featurize every row with the summarizer's own code; label = sentence is in the reference."""
    from ..summarizer import featurize
    from ..text import split_sentences

    examples = []
    for row in rows:
        scored = featurize([article_of(row)], cache)
        if not scored:
            continue
        labels = np.array([c.span.text in row["summary"] for c in scored[0].prepared.candidates], dtype=np.float32)
        examples.append(Example(row, scored[0], labels, len(split_sentences(row["article"]))))
    return examples


def to_scorer(model, mean: np.ndarray, scale: np.ndarray, **knobs) -> "SentenceScorer":
    """A fitted scikit-learn LogisticRegression or MLPClassifier as a numpy SentenceScorer."""
    from ..summarizer import SentenceScorer

    if hasattr(model, "coefs_"):
        layers = tuple((w.astype(np.float32), b.astype(np.float32)) for w, b in zip(model.coefs_, model.intercepts_))
    else:
        layers = ((model.coef_.T.astype(np.float32), model.intercept_.astype(np.float32)),)
    return SentenceScorer(mean=mean.astype(np.float32), scale=scale.astype(np.float32), layers=layers, **knobs)


def rouge_of(examples: list[Example], scorer, budgets: tuple[str, ...], types=("rouge1", "rouge2")) -> dict[str, dict[str, float]]:
    """Mean ROUGE F1 of the scorer's selections on featurized examples, per budget."""
    from rouge_score import rouge_scorer

    from ..summarizer import select_sentences, selection_scores

    rouge = rouge_scorer.RougeScorer(list(types), use_stemmer=True)
    result = {}
    for budget in budgets:
        totals = dict.fromkeys(types, 0.0)
        for ex in examples:
            s = ex.scored
            words = np.array([c.words for c in s.prepared.candidates])
            chosen = select_sentences(
                selection_scores(scorer.probabilities(s.features), words, scorer.length_prior),
                s.vectors,
                words,
                max_sentences=budget_for(ex.sentences, budget),
                max_words=None,
                mmr_lambda=scorer.mmr_lambda,
                duplicate_threshold=scorer.duplicate_threshold,
            )
            text = " ".join(s.prepared.candidates[j].span.text for j in sorted(chosen))
            scores = rouge.score(ex.row["summary"], text)
            for t in types:
                totals[t] += scores[t].fmeasure
        result[budget] = {t: totals[t] / len(examples) for t in types}
    return result


def fit(kind: str, x: np.ndarray, y: np.ndarray, seed: int):
    """One candidate model: 'logreg:C', 'logreg-hand:C' (no embedding columns) or 'mlp:hidden:alpha'."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    from ..summarizer import FEATURES

    name, *args = kind.split(":")
    if name == "logreg":
        return LogisticRegression(C=float(args[0]), max_iter=2000).fit(x, y)
    if name == "logreg-hand":  # the same model with zero weight on the embedding
        model = LogisticRegression(C=float(args[0]), max_iter=2000).fit(x[:, : len(FEATURES)], y)
        model.coef_ = np.pad(model.coef_, ((0, 0), (0, x.shape[1] - len(FEATURES))))
        return model
    model = MLPClassifier(
        hidden_layer_sizes=(int(args[0]),),
        alpha=float(args[1]),
        early_stopping=True,
        validation_fraction=0.1,
        max_iter=200,
        random_state=seed,
    )
    return model.fit(x, y)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="../shared/data/summarization/bbc_news_summary.jsonl")
    parser.add_argument("--out", default="models/summarizer")
    parser.add_argument("--cache", default=str(DEFAULT_CACHE), help="sentence-embedding cache folder (outside the repo)")
    parser.add_argument("--models", default="logreg-hand:1.0,logreg:0.01,logreg:0.1", help="candidates, comma-separated")
    parser.add_argument("--lambdas", default="0.95,0.9,0.8", help="MMR weights to try (1.0 would switch MMR off)")
    parser.add_argument("--length-priors", default="0,0.25,0.5", help="exponents of the sentence-length prior to try")
    parser.add_argument("--query-weight", type=float, default=0.7, help="query relevance vs learned score (not trained: no queries in BBC)")
    parser.add_argument("--duplicate-threshold", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--embed-only", action="store_true", help="fill the embedding cache and stop")
    args = parser.parse_args(argv)

    from ..models import get_embedder
    from ..summarizer import standardize

    started = time.time()
    rows = load_rows(args.data)
    train_rows = [r for r in rows if not is_held_out(r["id"])]
    cache = EmbeddingCache(Path(args.cache))
    cache.ensure(corpus_texts(train_rows), get_embedder)
    if args.embed_only:
        cache.ensure(corpus_texts(rows), get_embedder)
        return

    examples = build_examples(train_rows, cache)
    fit_set = [e for e in examples if not is_validation(e.row["id"])]
    validation = [e for e in examples if is_validation(e.row["id"])]
    print(f"{len(rows)} articles: {len(fit_set)} fit, {len(validation)} validation, {len(rows) - len(train_rows)} held out (unused)")

    def matrix(items: list[Example]) -> tuple[np.ndarray, np.ndarray]:
        return np.concatenate([e.scored.features for e in items]), np.concatenate([e.labels for e in items])

    x_fit, y_fit = matrix(fit_set)
    mean, scale = x_fit.mean(axis=0), x_fit.std(axis=0) + 1e-6
    knobs = {"query_weight": args.query_weight, "duplicate_threshold": args.duplicate_threshold}
    budgets = ("3", "40%")
    best = None
    for kind in args.models.split(","):
        model = fit(kind, standardize(x_fit, mean, scale), y_fit, args.seed)
        for lam in (float(v) for v in args.lambdas.split(",")):
            for prior in (float(v) for v in args.length_priors.split(",")):
                scorer = to_scorer(model, mean, scale, mmr_lambda=lam, length_prior=prior, **knobs)
                scores = rouge_of(validation, scorer, budgets)
                total = sum(v for b in scores.values() for v in b.values())
                print(
                    f"{kind:16s} lambda={lam:.2f} length_prior={prior:.2f}  "
                    + "  ".join(f"{b}: R1 {s['rouge1']:.4f} R2 {s['rouge2']:.4f}" for b, s in scores.items()),
                    flush=True,
                )
                if best is None or total > best[0]:
                    best = (total, kind, lam, prior, scores)

    _, kind, lam, prior, val_scores = best
    print(f"chosen: {kind} lambda={lam} length_prior={prior} -> refit on all {len(examples)} training articles")
    x_all, y_all = matrix(examples)
    mean, scale = x_all.mean(axis=0), x_all.std(axis=0) + 1e-6
    model = fit(kind, standardize(x_all, mean, scale), y_all, args.seed)
    meta = {
        "model": kind,
        "training_articles": len(examples),
        "training_sentences": int(len(y_all)),
        "positive_rate": round(float(y_all.mean()), 4),
        "held_out": f"{HELD_OUT_PERCENT}% by sha1(id), never trained on",
        "validation_rouge_f1": {b: {k: round(v, 4) for k, v in s.items()} for b, s in val_scores.items()},
        "data": Path(args.data).name,
        "seed": args.seed,
    }
    scorer = to_scorer(model, mean, scale, mmr_lambda=lam, length_prior=prior, meta=meta, **knobs)
    scorer.save(args.out)
    print(f"saved {args.out} in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
