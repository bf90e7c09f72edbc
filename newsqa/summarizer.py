"""Extractive summarization, generic and query-focused, with a length budget.

Every summary sentence is a sentence of an article, quoted verbatim with its offsets, so a summary
can invent nothing. Which sentences is learned: a small network (shipped as safetensors + JSON in
`models/summarizer`, run here with numpy alone) scores each sentence from its MiniLM embedding and a
few cheap features (position, paragraph, length, TextRank centrality, similarity to the title, to the
article centroid and to the lead). A length prior favours sentences that carry more of the story, MMR
trades score against redundancy, near-duplicates (the same wire copy in two articles) are dropped
outright, and sentences are added until the sentence or word budget is spent.

In query mode the learned score is blended with the sentence's similarity to the query: BBC News
Summary has no queries to learn from, so the blend weight is a documented knob, not a trained one.

Headlines, photo captions with their "(credit)" line, bylines and "Twitter: @..." footers are kept
out of the candidates; very long articles are cut to a bounded number of candidate sentences (the
lead plus the lexically most central ones) before anything is embedded, which bounds the time.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np

from .errors import InvalidInput, ModelNotFound
from .text import split_sentences
from .types import Article, Span, Summary

MAX_CANDIDATES = 120  # sentences embedded per article at most: bounds time on very long articles
LEAD_CANDIDATES = 40  # of those, always the first ones (news puts the point first)
WORD_BUDGET_FLOOR = 0.5  # under a word budget, no sentence scoring below half the best one
FEATURE_CLIP = 3.0  # standardized features are clipped: odd sentences must not extrapolate wildly
SPEC_FILE = "scorer.json"
WEIGHTS_FILE = "scorer.safetensors"

FEATURES = (
    "position",
    "inverse_position",
    "is_first",
    "paragraph_position",
    "inverse_paragraph",
    "first_in_paragraph",
    "inverse_index_in_paragraph",
    "inverse_paragraph_size",
    "log_words",
    "is_short",
    "log_sentences",
    "has_title",
    "title_similarity",
    "title_similarity_z",
    "centroid_similarity",
    "centroid_similarity_z",
    "centroid_rank",
    "lead_similarity",
    "has_quote",
    "has_digit",
    "log_content_words",
    "textrank",
    "textrank_z",
    "textrank_rank",
)

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
_LINE = re.compile(r"[^\n]+")
_WORD = re.compile(r"\w+")
_END_PUNCT = tuple('.!?…"”’\'')
_CREDIT = re.compile(r"^\s*[(\[].*[)\]]\s*$")
_SOCIAL = re.compile(r"^\s*(twitter|follow|facebook|instagram|e-?mail|contact|subscribe)\b|^\s*@\w+", re.IGNORECASE)
_BYLINE = re.compile(
    r"\b(correspondent|staff writer|contributed to this report|reported from|writes for|is a reporter|is a writer)\b",
    re.IGNORECASE,
)
_QUOTES = ('"', "“", "”")
_STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most my
    myself no nor not now of off on once only or other our ours out over own same say said says she should
    so some such than that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you your
    yours mr mrs ms told tell""".split()
)


class Embedder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Candidate:
    """A body sentence that may go into a summary, with its place in the article."""

    span: Span
    index: int  # among the article's body sentences
    paragraph: int  # among the article's body paragraphs
    in_paragraph: int
    paragraph_size: int
    words: int


@dataclass
class PreparedArticle:
    """An article cut into candidate sentences, before anything is embedded."""

    article: Article
    title: str | None
    candidates: list[Candidate]
    body_count: int  # body sentences before the cap
    paragraph_count: int


@dataclass
class ScoredArticle:
    """Candidates with their embeddings, features and (once scored) probabilities."""

    prepared: PreparedArticle
    article_index: int  # in the list given to `featurize`
    vectors: np.ndarray
    features: np.ndarray
    query_similarity: np.ndarray | None = None


# ---------------------------------------------------------------------------------------------
# Candidates: body sentences, without headline, caption, credit, byline or footer lines


def _ends_like_sentence(line: str) -> bool:
    return line.rstrip().endswith(_END_PUNCT)


def _excluded_lines(article: Article) -> tuple[set[int], str | None]:
    """Start offsets of lines that are not body text, and the headline found (if any)."""
    lines = [(m.start(), m.group().strip()) for m in _LINE.finditer(article.text) if m.group().strip()]
    if len(lines) < 2:
        return set(), None
    excluded: set[int] = set()
    headline = None
    known = {s.strip() for s in (article.title, article.caption, article.byline) if s and s.strip()}
    first_start, first = lines[0]
    if first in known or (not _ends_like_sentence(first) and len(first.split()) <= 25):
        excluded.add(first_start)
        headline = first
    for k, (start, line) in enumerate(lines):
        words = len(line.split())
        if line in known:
            excluded.add(start)
        elif _CREDIT.match(line) and words <= 15:
            excluded.add(start)
            if 0 < k <= 4:  # a photo caption sits just above its credit near the top
                excluded.add(lines[k - 1][0])
        elif _SOCIAL.match(line) and words <= 15:
            excluded.add(start)
        elif k >= len(lines) - 3 and _BYLINE.search(line) and words <= 25:
            excluded.add(start)
        elif words < 3 and not _ends_like_sentence(line):
            excluded.add(start)
    return excluded, headline


def _line_starts(text: str) -> list[int]:
    return [m.start() for m in _LINE.finditer(text)]


def _central_order(spans: list[Span], query: str | None) -> list[int]:
    """Indices of spans, most lexically central first (cheap: word counts, no model)."""
    tokens = [[w for w in _WORD.findall(s.text.lower()) if len(w) > 3] for s in spans]
    counts = Counter(w for sentence in tokens for w in set(sentence))
    query_words = {w for w in _WORD.findall((query or "").lower()) if len(w) > 2}
    scores = []
    for i, words in enumerate(tokens):
        unique = set(words)
        score = sum(math.log1p(counts[w]) for w in unique) / math.sqrt(1 + len(unique))
        score += 10.0 * len(unique & query_words)
        scores.append((-score, i))
    return [i for _, i in sorted(scores)]


def prepare_article(article: Article, query: str | None = None) -> PreparedArticle:
    """The article's candidate sentences (body only, capped at MAX_CANDIDATES) and its title."""
    spans = split_sentences(article.text)
    excluded, headline = _excluded_lines(article)
    if excluded:
        starts = _line_starts(article.text)
        body = [s for s in spans if starts[bisect_right(starts, s.start) - 1] not in excluded]
        spans = body or spans
    title = article.title or headline

    breaks = [m.end() for m in _PARAGRAPH_BREAK.finditer(article.text)]
    raw_paragraph = [bisect_right(breaks, s.start) for s in spans]
    dense: dict[int, int] = {}
    for p in raw_paragraph:
        dense.setdefault(p, len(dense))
    sizes = Counter(raw_paragraph)
    seen: Counter = Counter()
    candidates = []
    for i, (span, p) in enumerate(zip(spans, raw_paragraph)):
        candidates.append(Candidate(span, i, dense[p], seen[p], sizes[p], len(span.text.split())))
        seen[p] += 1

    if len(candidates) > MAX_CANDIDATES:
        keep = set(range(LEAD_CANDIDATES))
        for i in _central_order(spans, query):
            if len(keep) >= MAX_CANDIDATES:
                break
            keep.add(i)
        candidates = [c for c in candidates if c.index in keep]
    return PreparedArticle(article, title, candidates, len(spans), len(dense))


# ---------------------------------------------------------------------------------------------
# Features


def _content_stems(text: str) -> list[str]:
    """Lower-cased words minus stop words, cut to 6 letters (a crude, dependency-free stemmer)."""
    return [w[:6] for w in _WORD.findall(text.lower()) if w not in _STOP]


def textrank(candidates: list[Candidate], damping: float = 0.85, iterations: int = 100) -> np.ndarray:
    """TextRank (Mihalcea & Tarau 2004) over the candidates: word overlap / (log len_i + log len_j),
    self-loops kept, PageRank by power iteration. Returns the stationary probabilities: lexical
    centrality, which the embedding centroid blurs and BBC's references reward."""
    stems = [_content_stems(c.span.text) for c in candidates]
    vocabulary: dict[str, int] = {}
    rows = [[vocabulary.setdefault(w, len(vocabulary)) for w in sentence] for sentence in stems]
    counts = np.zeros((len(stems), max(len(vocabulary), 1)), dtype=np.float32)
    for i, row in enumerate(rows):
        np.add.at(counts[i], row, 1.0)
    lengths = np.array([len(r) for r in rows], dtype=np.float32)
    overlap = counts @ counts.T
    logs = np.log(np.maximum(lengths, 1.0))
    norm = logs[:, None] + logs[None, :]
    weights = np.where(norm > 1e-6, overlap / np.maximum(norm, 1e-6), overlap)
    weights /= weights.sum(axis=1, keepdims=True) + 1e-7
    m = len(candidates)
    matrix = np.full((m, m), (1.0 - damping) / m, dtype=np.float32) + damping * weights
    p = np.full(m, 1.0 / m, dtype=np.float32)
    for _ in range(iterations):
        nxt = matrix.T @ p
        if np.abs(nxt - p).sum() < 1e-6:
            p = nxt
            break
        p = nxt
    return p


def _zscore(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / (x.std() + 1e-6)


def article_features(prepared: PreparedArticle, vectors: np.ndarray, title_vector: np.ndarray | None) -> np.ndarray:
    """One row per candidate: the FEATURES above, then the 384-dim sentence embedding."""
    c = prepared.candidates
    n = max(prepared.body_count, 1)
    index = np.array([x.index for x in c], dtype=np.float32)
    paragraph = np.array([x.paragraph for x in c], dtype=np.float32)
    in_paragraph = np.array([x.in_paragraph for x in c], dtype=np.float32)
    paragraph_size = np.array([x.paragraph_size for x in c], dtype=np.float32)
    words = np.array([x.words for x in c], dtype=np.float32)
    centroid = vectors.mean(axis=0)
    centroid /= np.linalg.norm(centroid) + 1e-9
    to_centroid = vectors @ centroid
    rank = np.empty(len(c), dtype=np.float32)
    rank[np.argsort(-to_centroid, kind="stable")] = np.arange(len(c))
    if title_vector is not None:
        to_title = vectors @ title_vector
        has_title = np.ones(len(c), dtype=np.float32)
        title_z = _zscore(to_title)
    else:
        to_title = np.zeros(len(c), dtype=np.float32)
        has_title = np.zeros(len(c), dtype=np.float32)
        title_z = to_title
    columns = [
        index / max(n - 1, 1),
        1.0 / (index + 1),
        (index == 0),
        paragraph / max(prepared.paragraph_count - 1, 1),
        1.0 / (paragraph + 1),
        (in_paragraph == 0),
        1.0 / (in_paragraph + 1),
        1.0 / paragraph_size,
        np.log1p(words),
        (words < 8),
        np.full(len(c), math.log1p(n)),
        has_title,
        to_title,
        title_z,
        to_centroid,
        _zscore(to_centroid),
        rank / max(len(c) - 1, 1),
        vectors @ vectors[0],
        [any(q in x.span.text for q in _QUOTES) for x in c],
        [any(ch.isdigit() for ch in x.span.text) for x in c],
    ]
    rank_score = textrank(c)
    textrank_rank = np.empty(len(c), dtype=np.float32)
    textrank_rank[np.argsort(-rank_score, kind="stable")] = np.arange(len(c))
    columns += [
        [math.log1p(len(_content_stems(x.span.text))) for x in c],
        rank_score * len(c),
        _zscore(rank_score),
        textrank_rank / max(len(c) - 1, 1),
    ]
    hand = np.stack([np.asarray(col, dtype=np.float32) for col in columns], axis=1)
    return np.concatenate([hand, vectors.astype(np.float32)], axis=1)


def featurize(articles: Sequence[Article], embedder: Embedder, query: str | None = None) -> list[ScoredArticle]:
    """Prepare, embed (one batch for all articles, titles and query) and featurize the articles."""
    prepared = [prepare_article(a, query) for a in articles]
    texts: list[str] = []
    for p in prepared:
        texts.extend(c.span.text for c in p.candidates)
        if p.title and p.candidates:
            texts.append(p.title)
    if query is not None:
        texts.append(query)
    vectors = embedder.encode(texts) if texts else np.zeros((0, 384), dtype=np.float32)
    query_vector = vectors[-1] if query is not None else None
    out, at = [], 0
    for article_index, p in enumerate(prepared):
        if not p.candidates:
            continue
        k = len(p.candidates)
        sentence_vectors = vectors[at : at + k]
        at += k
        title_vector = None
        if p.title:
            title_vector = vectors[at]
            at += 1
        features = article_features(p, sentence_vectors, title_vector)
        similarity = sentence_vectors @ query_vector if query_vector is not None else None
        out.append(ScoredArticle(p, article_index, sentence_vectors, features, similarity))
    return out


# ---------------------------------------------------------------------------------------------
# The learned scorer


def standardize(features: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """(x - mean) / scale, clipped to +-FEATURE_CLIP: the same in training and at run time."""
    return np.clip((features - mean) / scale, -FEATURE_CLIP, FEATURE_CLIP)


@dataclass(frozen=True)
class SentenceScorer:
    """A small network over standardized features -> probability that a sentence is summary-worthy.

    `layers` are (weight, bias) pairs, ReLU between them, a sigmoid at the end (one layer: logistic
    regression). The selection knobs chosen on validation data travel with the weights.
    """

    mean: np.ndarray
    scale: np.ndarray
    layers: tuple[tuple[np.ndarray, np.ndarray], ...]
    mmr_lambda: float = 0.9
    length_prior: float = 0.25
    query_weight: float = 0.7
    duplicate_threshold: float = 0.9
    meta: dict[str, Any] | None = None

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """P(in summary) for each row of `features` (numpy only)."""
        h = standardize(features, self.mean, self.scale)
        for i, (w, b) in enumerate(self.layers):
            h = h @ w + b
            if i < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        return 1.0 / (1.0 + np.exp(-h[:, 0]))

    def save(self, path: str | Path) -> None:
        """Write scorer.json (spec and knobs) and scorer.safetensors (arrays): no pickle."""
        from safetensors.numpy import save_file

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        tensors = {"mean": self.mean, "scale": self.scale}
        for i, (w, b) in enumerate(self.layers):
            tensors[f"layer{i}.weight"] = np.ascontiguousarray(w, dtype=np.float32)
            tensors[f"layer{i}.bias"] = np.ascontiguousarray(b, dtype=np.float32)
        save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in tensors.items()}, str(path / WEIGHTS_FILE))
        spec = {
            "format": "newsqa-sentence-scorer/1",
            "features": list(FEATURES) + [f"embedding_{i}" for i in range(384)],
            "layers": len(self.layers),
            "activation": "relu",
            "output": "sigmoid",
            "mmr_lambda": self.mmr_lambda,
            "length_prior": self.length_prior,
            "query_weight": self.query_weight,
            "duplicate_threshold": self.duplicate_threshold,
            "max_candidates": MAX_CANDIDATES,
            "feature_clip": FEATURE_CLIP,
            "meta": self.meta or {},
        }
        (path / SPEC_FILE).write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "SentenceScorer":
        """Read a scorer saved by `save`; raises ModelNotFound if the folder is incomplete."""
        from safetensors.numpy import load_file

        path = Path(path)
        if not (path / SPEC_FILE).is_file() or not (path / WEIGHTS_FILE).is_file():
            raise ModelNotFound(f"no summarizer model in {path} (expected {SPEC_FILE} and {WEIGHTS_FILE})")
        spec = json.loads((path / SPEC_FILE).read_text(encoding="utf-8"))
        if spec["features"][: len(FEATURES)] != list(FEATURES):
            raise ModelNotFound(f"summarizer model in {path} was trained on other features")
        tensors = load_file(str(path / WEIGHTS_FILE))
        layers = tuple((tensors[f"layer{i}.weight"], tensors[f"layer{i}.bias"]) for i in range(spec["layers"]))
        return cls(
            mean=tensors["mean"],
            scale=tensors["scale"],
            layers=layers,
            mmr_lambda=float(spec["mmr_lambda"]),
            length_prior=float(spec["length_prior"]),
            query_weight=float(spec["query_weight"]),
            duplicate_threshold=float(spec["duplicate_threshold"]),
            meta=spec.get("meta", {}),
        )


# ---------------------------------------------------------------------------------------------
# Selection


def selection_scores(probability: np.ndarray, words: np.ndarray, length_prior: float) -> np.ndarray:
    """P(in summary) x words^length_prior, scaled so the article's best is 1.

    Under a sentence budget a long summary-worthy sentence carries more of the story than a short
    one; the exponent (chosen on validation data) says how much more.
    """
    score = probability * np.power(np.maximum(words, 1).astype(np.float32), length_prior)
    return (score / max(float(score.max()), 1e-9)).astype(np.float32)


def _check_budget(name: str, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise InvalidInput(f"{name} must be a positive integer, got {value!r}")


def select_sentences(
    scores: np.ndarray,
    vectors: np.ndarray,
    words: np.ndarray,
    *,
    max_sentences: int | None,
    max_words: int | None,
    mmr_lambda: float,
    duplicate_threshold: float,
    floor: float = 0.0,
) -> list[int]:
    """Greedy MMR under the budgets: indices chosen, in the order chosen.

    A sentence longer than the words left is skipped (a shorter one may still fit), but only
    sentences scoring at least `floor` times the best one that fits may fill the gap: a word budget should
    not be padded with a weak fragment just because it is short. A sentence at least
    `duplicate_threshold`-similar to a chosen one is never chosen.
    """
    words_left = max_words if max_words is not None else math.inf
    available = words <= words_left
    if available.any():
        available &= scores >= floor * float(scores[available].max())
    redundancy = np.zeros(len(scores), dtype=np.float32)
    chosen: list[int] = []
    while max_sentences is None or len(chosen) < max_sentences:
        fits = available & (words <= words_left)
        if not fits.any():
            break
        gain = np.where(fits, mmr_lambda * scores - (1.0 - mmr_lambda) * redundancy, -np.inf)
        j = int(np.argmax(gain))
        chosen.append(j)
        words_left -= words[j]
        similarity = vectors @ vectors[j]
        redundancy = np.maximum(redundancy, similarity)
        available &= similarity < duplicate_threshold
        available[j] = False
    return chosen


def _stems(text: str) -> set[str]:
    return {w[:6] for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOP}


def query_relevance(query: str, candidates: list[Candidate], similarity: np.ndarray) -> np.ndarray:
    """How much each candidate is about the query, in [0, 1]: half dense, half lexical.

    Dense: cosine to the query, rescaled so the median candidate is 0 and the best is 1 (MiniLM
    cosines sit in a narrow band, so raw values barely separate). Lexical: the share of the query's
    content words (6-letter prefixes) that the sentence contains, for names the embedding blurs.
    """
    median, best = float(np.median(similarity)), float(similarity.max())
    dense = np.clip((similarity - median) / (best - median), 0.0, 1.0) if best - median > 1e-6 else np.ones_like(similarity)
    wanted = _stems(query)
    if not wanted:
        return dense.astype(np.float32)
    lexical = np.array([len(wanted & _stems(c.span.text)) / len(wanted) for c in candidates], dtype=np.float32)
    return (0.5 * dense + 0.5 * lexical).astype(np.float32)


def summarize_articles(
    articles: list[Article],
    *,
    scorer: SentenceScorer,
    embedder: Embedder,
    max_sentences: int | None = 3,
    max_words: int | None = None,
    query: str | None = None,
) -> Summary:
    """One extractive summary of one or more articles, sentences in article order (articles in the
    order given), each with its article id, offsets into that article's text and its score.

    At least one budget is required; both may be given (the tighter one wins). `query` focuses the
    summary on sentences similar to it.
    """
    _check_budget("max_sentences", max_sentences)
    _check_budget("max_words", max_words)
    if max_sentences is None and max_words is None:
        raise InvalidInput("give max_sentences or max_words (or both)")
    if not articles:
        raise InvalidInput("no article to summarize")
    if query is not None and not query.strip():
        query = None

    scored = featurize(articles, embedder, query)
    if not scored:
        return Summary(text="", sentences=[], article_ids=[a.id for a in articles])
    scores, owners, candidates = [], [], []
    for s in scored:
        words = np.array([c.words for c in s.prepared.candidates])
        score = selection_scores(scorer.probabilities(s.features), words, scorer.length_prior)
        if s.query_similarity is not None:
            relevance = query_relevance(query, s.prepared.candidates, s.query_similarity)
            score = (1.0 - scorer.query_weight) * score + scorer.query_weight * relevance
        scores.append(score)
        owners.extend([s.article_index] * len(s.prepared.candidates))
        candidates.extend(s.prepared.candidates)
    all_scores = np.concatenate(scores).astype(np.float32)
    vectors = np.concatenate([s.vectors for s in scored])
    words = np.array([c.words for c in candidates])
    chosen = select_sentences(
        all_scores,
        vectors,
        words,
        max_sentences=max_sentences,
        max_words=max_words,
        mmr_lambda=scorer.mmr_lambda,
        duplicate_threshold=scorer.duplicate_threshold,
        floor=WORD_BUDGET_FLOOR if max_words is not None else 0.0,
    )
    chosen.sort(key=lambda j: (owners[j], candidates[j].span.start))
    sentences = [
        {
            "article_id": articles[owners[j]].id,
            "start": candidates[j].span.start,
            "end": candidates[j].span.end,
            "text": candidates[j].span.text,
            "score": round(float(all_scores[j]), 4),
        }
        for j in chosen
    ]
    return Summary(
        text=" ".join(s["text"] for s in sentences),
        sentences=sentences,
        article_ids=[a.id for a in articles],
    )


def summarize(article: Article, *, scorer: SentenceScorer, embedder: Embedder, **budget: Any) -> Summary:
    """One article's summary: `summarize_articles([article], ...)`."""
    return summarize_articles([article], scorer=scorer, embedder=embedder, **budget)
