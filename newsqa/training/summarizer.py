"""Train the summarizer's sentence scorer on BBC News Summary and CNN/Daily Mail together, read top
to bottom in one file.

    python -m newsqa.training.sentence_vectors --out models/summarizer    # the token vectors, first
    python -m newsqa.training.summarizer --out models/summarizer    # the defaults are the shipped search

Labels. BBC: a sentence is positive if it appears in the article's (extractive) reference. CNN/DM:
the highlights are written, not extracted, so the positives are the greedy ROUGE oracle: the (at most
three) sentences that, added one by one, most raise ROUGE-1 + ROUGE-2 F1 against the highlights.

Sentences are embedded with the summarizer's own static token vectors (`sentence_vectors.safetensors`
in `--vectors`, fitted to MiniLM beforehand by newsqa/training/sentence_vectors.py): a few seconds
for every sentence, so a run costs minutes. A fixed 20% of each data set, chosen by a hash of the id (`is_held_out`), is never
trained on or chosen on: `benchmarks/summarize_rouge.py` reports ROUGE on exactly those. The model,
the weight of the CNN/DM examples, the MMR weight and the length priors (one for wire layout, one
for long paragraphs) are chosen on a validation
slice of the remaining 80% (ROUGE-1 + ROUGE-2 at 3 sentences on CNN/DM, plus the mean of BBC's at 3
sentences and at 40%), then refit on all of it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HELD_OUT_PERCENT = 20
VALIDATION_PERCENT = 15  # of the training 80%, for choosing the model and the knobs
# Paths as the reader's trainer takes them: run from the repository root, data in ../shared/data.
DATA_DIR = Path("../shared/data/summarization")
DEFAULT_DATA = (str(DATA_DIR / "bbc_news_summary.jsonl"), str(DATA_DIR / "cnndm_sample.jsonl"))
ORACLE_SENTENCES = 3  # CNN/DM positives: the greedy oracle of this many sentences at most
BUDGETS = {"bbc": ("3", "40%"), "cnndm": ("3",)}  # what each data set is judged on


def _bucket(article_id: str, salt: str = "") -> int:
    return int(hashlib.sha1((salt + article_id).encode("utf-8")).hexdigest()[:8], 16) % 100


def is_held_out(article_id: str) -> bool:
    """True for the fixed 20% of articles (of each data set) that training never sees."""
    return _bucket(article_id) < HELD_OUT_PERCENT


def is_validation(article_id: str) -> bool:
    """True for the training articles kept aside to choose the model and the knobs."""
    return not is_held_out(article_id) and _bucket(article_id, "validation:") < VALIDATION_PERCENT


def dataset_of(row: dict) -> str:
    """'bbc' for BBC News Summary rows (they have a category), 'cnndm' for CNN/Daily Mail ones."""
    return "bbc" if "category" in row else "cnndm"


def load_rows(path: str | Path) -> list[dict]:
    """The rows of a summarization JSONL file: {id, article, summary, ...}."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def held_out_rows(path: str | Path) -> list[dict]:
    """The held-out 20%, in file order."""
    return [row for row in load_rows(path) if is_held_out(row["id"])]


def corpus_texts(rows: list[dict]) -> list[str]:
    """Every text the summarizer may embed for these rows: titles and all sentences."""
    from ..text import split_sentences

    texts = []
    for row in rows:
        if row.get("title"):
            texts.append(row["title"])
        texts.extend(span.text for span in split_sentences(row["article"]))
    return texts


def article_of(row: dict):
    """The row as the Article the summarizer sees (BBC ships its title apart; CNN/DM has none)."""
    from ..types import Article

    return Article(id=row["id"], text=row["article"], title=row.get("title"), source=row.get("source", "bbc"))


def budget_for(row_sentences: int, budget: str) -> int:
    """Sentences allowed: "3" -> 3; "40%" -> 40% of the article's sentences (at least 1)."""
    if budget.endswith("%"):
        return max(1, round(row_sentences * float(budget[:-1]) / 100))
    return int(budget)


class Oracle:
    """The greedy extractive oracle: sentences added one at a time, each the one that most raises
    ROUGE-1 + ROUGE-2 F1 (rouge-score's tokenizer and stemmer) against the reference, until `k`
    are chosen or none helps. The best any extractive method could do, give or take greediness."""

    def __init__(self) -> None:
        from rouge_score import tokenizers

        self.tokenizer = tokenizers.DefaultTokenizer(use_stemmer=True)

    def _grams(self, tokens: list[str], n: int) -> Counter:
        return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))

    def choose(self, sentences: list[str], reference: str, k: int) -> list[int]:
        """Indices (ascending) of the oracle's sentences."""
        ref = self.tokenizer.tokenize(reference)
        target = (self._grams(ref, 1), self._grams(ref, 2))
        tokens = [self.tokenizer.tokenize(s) for s in sentences]
        chosen: list[int] = []
        best = 0.0
        while len(chosen) < k:
            candidate = None
            for i in range(len(sentences)):
                if i in chosen or not tokens[i]:
                    continue
                summary = [t for j in sorted(chosen + [i]) for t in tokens[j]]
                score = sum(_f1(g, self._grams(summary, n + 1)) for n, g in enumerate(target))
                if score > best:
                    best, candidate = score, i
            if candidate is None:
                break
            chosen.append(candidate)
        return sorted(chosen)

    def each(self, sentences: list[str], reference: str) -> np.ndarray:
        """ROUGE-1 + ROUGE-2 F1 of each sentence alone against the reference."""
        ref = self.tokenizer.tokenize(reference)
        target = (self._grams(ref, 1), self._grams(ref, 2))
        out = []
        for sentence in sentences:
            tokens = self.tokenizer.tokenize(sentence)
            out.append(sum(_f1(g, self._grams(tokens, n + 1)) for n, g in enumerate(target)))
        return np.array(out, dtype=np.float32)


def _f1(target: Counter, prediction: Counter) -> float:
    overlap = sum(min(c, prediction[g]) for g, c in target.items())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(prediction.values()), overlap / sum(target.values())
    return 2 * precision * recall / (precision + recall)


@dataclass
class Example:
    """One training article: its featurized candidates and their labels."""

    row: dict
    dataset: str
    scored: object  # summarizer.ScoredArticle
    labels: np.ndarray  # 0/1: in the reference (BBC) or in the greedy oracle (CNN/DM)
    soft: np.ndarray  # CNN/DM: each sentence's own ROUGE-1 + ROUGE-2 against the highlights, best = 1
    sentences: int  # all sentences of the article (the budget base shared with the baselines)


def with_wire_paragraphs(row: dict) -> dict:
    """The CNN/DM row with its sentences laid out in paragraphs of one or two sentences, as wire
    copy prints them (the sample's texts lost their paragraph breaks): the scorer then also sees
    wire stories that have paragraphs, like the ones users paste. Same sentences, same labels."""
    from ..text import split_sentences

    spans = split_sentences(row["article"])
    paragraphs, i = [], 0
    while i < len(spans):
        size = 1 + _bucket(f"{row['id']}:{i}", "paragraph:") % 2
        paragraphs.append(" ".join(s.text for s in spans[i : i + size]))
        i += size
    return {**row, "article": "\n\n".join(paragraphs), "augmented": "wire paragraphs"}


def build_examples(rows: list[dict], encoder) -> list[Example]:
    """Featurize every row with the summarizer's own code and label its candidates; each CNN/DM
    row also once as `with_wire_paragraphs` (for fitting only, never for validation)."""
    from ..text import split_sentences
    from ..summarizer.features import featurize

    oracle = Oracle()
    examples = []
    augmented = [with_wire_paragraphs(r) for r in rows if dataset_of(r) == "cnndm"]
    for row in rows + augmented:
        scored = featurize([article_of(row)], encoder)
        if not scored:
            continue
        candidates = scored[0].prepared.candidates
        dataset = dataset_of(row)
        if dataset == "bbc":
            labels = np.array([c.sentence.text in row["summary"] for c in candidates], dtype=np.float32)
            soft = labels
        else:
            texts = [c.span.text for c in candidates]
            labels = np.zeros(len(candidates), dtype=np.float32)
            labels[oracle.choose(texts, row["summary"], ORACLE_SENTENCES)] = 1.0
            alone = oracle.each(texts, row["summary"])
            soft = alone / max(float(alone.max()), 1e-9)
        examples.append(Example(row, dataset, scored[0], labels, soft, len(split_sentences(row["article"]))))
    return examples


def to_scorer(model, mean: np.ndarray, scale: np.ndarray, **knobs) -> "SentenceScorer":
    """A fitted scikit-learn LogisticRegression or MLPClassifier as a numpy SentenceScorer."""
    from ..summarizer.scorer import SentenceScorer

    if hasattr(model, "coefs_"):
        layers = tuple((w.astype(np.float32), b.astype(np.float32)) for w, b in zip(model.coefs_, model.intercepts_))
    else:
        layers = ((model.coef_.T.astype(np.float32), model.intercept_.astype(np.float32)),)
    return SentenceScorer(mean=mean.astype(np.float32), scale=scale.astype(np.float32), layers=layers, **knobs)


def rouge_of(examples: list[Example], scorer, budgets: tuple[str, ...], types=("rouge1", "rouge2")) -> dict[str, dict[str, float]]:
    """Mean ROUGE F1 of the scorer's selections on featurized examples, per budget."""
    from rouge_score import rouge_scorer

    from ..summarizer.selection import select_sentences, selection_scores

    rouge = rouge_scorer.RougeScorer(list(types), use_stemmer=True)
    result = {}
    for budget in budgets:
        totals = dict.fromkeys(types, 0.0)
        for ex in examples:
            s = ex.scored
            words = np.array([c.words for c in s.prepared.candidates])
            chosen = select_sentences(
                selection_scores(scorer.probabilities(s.features), words, scorer.length_prior_for(s.features)),
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
        result[budget] = {t: totals[t] / max(len(examples), 1) for t in types}
    return result


def objective(scores: dict[str, dict[str, dict[str, float]]]) -> float:
    """What the choices maximize: CNN/DM R-1 + R-2 at 3 sentences plus BBC's mean over its budgets."""
    total = 0.0
    for dataset, by_budget in scores.items():
        total += sum(v for s in by_budget.values() for v in s.values()) / len(by_budget)
    return total


def fit(kind: str, x: np.ndarray, y: np.ndarray, weights: np.ndarray, seed: int, fitted: dict | None = None):
    """One candidate model: 'logreg:C', 'logreg-hand:C' (no embedding columns), 'mlp:hidden:alpha'
    (on the hand-made features), 'mlp-avg:hidden:alpha:k' (k such networks from k seeds, logits
    averaged) or 'blend:hidden:alpha:k:C:a' (a x that average + (1 - a) x the logit of 'logreg:C').
    The averages ship as one wider network (`CombinedNetwork`). `fitted` memoizes the parts between
    calls on the same data."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    from ..summarizer.features import FEATURES

    fitted = {} if fitted is None else fitted
    name, *args = kind.split(":")
    if name.startswith("logreg") and ((y > 0) & (y < 1)).any():  # soft targets: a row as 1 (weight y) and 0 (1 - y)
        x, y, weights = np.concatenate([x, x]), np.concatenate([np.ones_like(y), np.zeros_like(y)]), np.concatenate([weights * y, weights * (1 - y)])
    if name == "logreg":
        if kind not in fitted:
            fitted[kind] = LogisticRegression(C=float(args[0]), max_iter=2000).fit(x, y, sample_weight=weights)
        return fitted[kind]
    if name == "logreg-hand":  # the same model with zero weight on the embedding
        model = LogisticRegression(C=float(args[0]), max_iter=2000).fit(x[:, : len(FEATURES)], y, sample_weight=weights)
        model.coef_ = np.pad(model.coef_, ((0, 0), (0, x.shape[1] - len(FEATURES))))
        return model

    def network(hidden: str, alpha: str, s: int):
        key = f"mlp:{hidden}:{alpha}:{s}"
        if key not in fitted:  # with the embedding columns a network overfits (validation R-1: BBC -1.5, CNN/DM -2)
            fitted[key] = MLPClassifier(
                hidden_layer_sizes=(int(hidden),),
                alpha=float(alpha),
                early_stopping=True,
                validation_fraction=0.1,
                max_iter=200,
                random_state=s,
            ).fit(x[:, : len(FEATURES)], y, sample_weight=weights)
        return fitted[key]

    k = int(args[2]) if name in ("mlp-avg", "blend") else 1
    networks = [network(args[0], args[1], s) for s in range(seed, seed + k)]
    if name != "blend":
        return CombinedNetwork(networks, x.shape[1])
    linear = fit(f"logreg:{args[3]}", x, y, weights, seed, fitted)
    return CombinedNetwork(networks, x.shape[1], linear=linear, share=float(args[4]))


class CombinedNetwork:
    """One-hidden-layer networks on the hand-made features with their logits averaged, optionally
    blended with a logistic regression's logit, written as one wider network over all columns
    (`coefs_` / `intercepts_` like scikit-learn's, which `to_scorer` ships):

        logit = share x mean_i(network_i logit) + (1 - share) x (w.x + b)

    The linear part rides on two hidden units, relu(w.x + b) - relu(-(w.x + b)) = w.x + b, so the
    blend is exact. Averaging seeds takes out most of one network's seed-to-seed swing (validation
    R-1 moved by up to 0.7 between seeds); the linear part keeps what a network unlearns off its
    training distribution, e.g. the lead of a wire story laid out in paragraphs under a headline
    (the seed article): the networks alone drop it, the blend keeps it."""

    def __init__(self, networks: list, columns: int, linear=None, share: float = 1.0) -> None:
        k = len(networks)
        first = np.concatenate([n.coefs_[0] for n in networks], axis=1)
        first = np.pad(first, ((0, columns - first.shape[0]), (0, 0)))
        bias = np.concatenate([n.intercepts_[0] for n in networks])
        second = share * np.concatenate([n.coefs_[1] for n in networks]) / k
        out = share * np.mean([n.intercepts_[1] for n in networks], axis=0)
        if linear is not None:
            w, b = linear.coef_.T, linear.intercept_
            first = np.concatenate([first, w, -w], axis=1)
            bias = np.concatenate([bias, b, -b])
            second = np.concatenate([second, [[1.0 - share], [share - 1.0]]])
        self.coefs_ = [first, second]
        self.intercepts_ = [bias, out]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", nargs="+", default=list(DEFAULT_DATA), help="BBC News Summary and CNN/DM JSONL files")
    parser.add_argument("--out", default="models/summarizer")
    parser.add_argument("--vectors", help="folder holding sentence_vectors.safetensors (default: --out)")
    parser.add_argument("--models", default="blend:32:0.001:5:0.01:0.5,blend:32:0.001:5:0.01:0.3,logreg:0.01", help="candidates, comma-separated (see `fit`)")
    parser.add_argument("--cnndm-labels", default="oracle", help="CNN/DM targets to try: oracle, soft (per-sentence ROUGE) or mix (their mean); logreg only for soft/mix")
    parser.add_argument("--cnndm-weights", default="1", help="weights of CNN/DM sentences to try (BBC: 1)")
    parser.add_argument("--lambdas", default="0.9", help="MMR weights to try (1.0 would switch MMR off)")
    parser.add_argument("--length-priors", default="0.25,0.5", help="exponents of the sentence-length prior to try")
    parser.add_argument("--wire-length-priors", default="0,0.25", help="exponents to try for wire-layout articles ('same': the one above)")
    parser.add_argument("--query-weight", type=float, default=0.7, help="query relevance vs learned score (not trained: no queries in the data)")
    parser.add_argument("--duplicate-threshold", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)

    from ..summarizer.scorer import standardize
    from ..summarizer.sentence_vectors import SentenceVectors

    started = time.time()
    rows = [row for path in args.data for row in load_rows(path)]
    train_rows = [r for r in rows if not is_held_out(r["id"])]
    examples = build_examples(train_rows, SentenceVectors.load(args.vectors or args.out))
    fit_set = [e for e in examples if not is_validation(e.row["id"])]
    validation = {d: [e for e in examples if is_validation(e.row["id"]) and e.dataset == d and "augmented" not in e.row] for d in BUDGETS}
    counts = Counter((e.dataset + (" with wire paragraphs" if "augmented" in e.row else ""), "validation" if is_validation(e.row["id"]) else "fit") for e in examples)
    print(f"{len(rows)} articles, {len(rows) - len(train_rows)} held out (unused); training: {dict(counts)}")

    def target(e: Example, kind: str) -> np.ndarray:
        return {"oracle": e.labels, "soft": e.soft, "mix": 0.5 * (e.labels + e.soft)}[kind]

    def matrix(items: list[Example], cnndm_weight: float, labels: str = "oracle") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x = np.concatenate([e.scored.features for e in items])
        y = np.concatenate([target(e, labels) for e in items])
        w = np.concatenate([np.full(len(e.labels), cnndm_weight if e.dataset == "cnndm" else 1.0) for e in items])
        return x, y, w

    knobs = {"query_weight": args.query_weight, "duplicate_threshold": args.duplicate_threshold}
    length_priors = [float(v) for v in args.length_priors.split(",")]
    wire_priors = [None] if args.wire_length_priors == "same" else [float(v) for v in args.wire_length_priors.split(",")]
    priors = [(p, w) for p in length_priors for w in wire_priors]
    best = None
    for labels, weight in ((k, float(v)) for k in args.cnndm_labels.split(",") for v in args.cnndm_weights.split(",")):
        x_fit, y_fit, w_fit = matrix(fit_set, weight, labels)
        mean, scale = x_fit.mean(axis=0), x_fit.std(axis=0) + 1e-6
        fitted: dict = {}
        for kind in args.models.split(","):
            if labels != "oracle" and not kind.startswith("logreg"):
                continue
            model = fit(kind, standardize(x_fit, mean, scale), y_fit, w_fit, args.seed, fitted)
            for lam in (float(v) for v in args.lambdas.split(",")):
                for prior, wire_prior in priors:
                    scorer = to_scorer(model, mean, scale, mmr_lambda=lam, length_prior=prior, wire_length_prior=wire_prior, **knobs)
                    scores = {d: rouge_of(items, scorer, BUDGETS[d]) for d, items in validation.items() if items}
                    total = objective(scores)
                    print(
                        f"{kind:16s} {labels} cnndm_weight={weight:g} lambda={lam:.2f} length_prior={prior:.2f} wire_length_prior={wire_prior} objective={total:.4f}  "
                        + "  ".join(f"{d}@{b}: R1 {s['rouge1']:.4f} R2 {s['rouge2']:.4f}" for d, by in scores.items() for b, s in by.items()),
                        flush=True,
                    )
                    if best is None or total > best[0]:
                        best = (total, kind, labels, weight, lam, prior, wire_prior, scores)

    _, kind, labels, weight, lam, prior, wire_prior, val_scores = best
    print(f"chosen: {kind} {labels} cnndm_weight={weight:g} lambda={lam} length_prior={prior} wire_length_prior={wire_prior} -> refit on all {len(examples)} training articles")
    x_all, y_all, w_all = matrix(examples, weight, labels)
    mean, scale = x_all.mean(axis=0), x_all.std(axis=0) + 1e-6
    model = fit(kind, standardize(x_all, mean, scale), y_all, w_all, args.seed)
    meta = {
        "model": kind,
        "cnndm_labels": labels,
        "cnndm_weight": weight,
        "training_articles": dict(Counter(e.dataset for e in examples)),
        "training_sentences": int(len(y_all)),
        "positive_rate": {d: round(float(np.concatenate([e.labels for e in examples if e.dataset == d]).mean()), 4)
                          for d in sorted({e.dataset for e in examples})},
        "held_out": f"{HELD_OUT_PERCENT}% of each data set by sha1(id), never trained or chosen on",
        "validation_rouge_f1": {d: {b: {k: round(v, 4) for k, v in s.items()} for b, s in by.items()} for d, by in val_scores.items()},
        "data": [Path(p).name for p in args.data],
        "seed": args.seed,
    }
    scorer = to_scorer(model, mean, scale, mmr_lambda=lam, length_prior=prior, wire_length_prior=wire_prior, meta=meta, **knobs)
    scorer.save(args.out)
    print(f"saved {args.out} in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
