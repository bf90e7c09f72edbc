"""Answering a question from retrieved passages, in stages: read candidates -> order -> select.

    hits = retriever.find(store, embedder, question, options.depth)       # retrieval (retriever.py)
    candidates = read_cascade(reader, question, hits, options, texts)     # every span read, no threshold
    answers = select(order(question, candidates, hits, options), top_k, texts)  # threshold, order, dedupe

`NewsQA.ask` is `answer()`, the composition of these. Each stage is a plain function of plain data,
so a benchmark can run one stage alone (read once, then rank the same candidates under several
rules), and a later stage (quotes, merging copies) can be added between two of them.

Ranking (chosen on NewsQA dev with benchmarks/answer_ranking.py): candidates that clear the
reader's calibrated threshold are ordered by `scoring.ranking_key`, the score's log-odds less
`passage_rank_weight * log(1 + passage rank)`. A question with hardly any content words ("When
did they meet?") says too little for the reader's confidence to tell which article is meant: its
answers come from the best-retrieved article first (`article_first`). Reading is a cascade (newsqa/cascade.py): the best
`read_first` passages, then down to `retrieve_candidates`, then to `read_further`, each stage only
when no answer read so far is confident.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from . import corpus, focus
from .cascade import read_in_stages, reading_stages
from .config import Settings
from .dates import timestamp
from .scoring import answer_scoring_and_threshold, ranking_key
from .store import Store
from .store.common import STOPWORDS, DateRange, query_terms
from .text import sentence_at, split_sentences
from .types import Answer, Article, SearchHit, Span


@dataclass(frozen=True)
class AskOptions:
    """How `ask` reads and ranks; `NewsQA` fills it from its Settings and the reader's calibration.
    The defaults are the Settings' own (newsqa/config.py says what each is and why)."""

    scoring: str  # what an answer's score means (newsqa.scoring)
    threshold: float  # answers scoring below it are dropped
    retrieve_candidates: int = Settings.retrieve_candidates  # passages read, in stages (newsqa/cascade.py): read_first,
    read_further: int = Settings.read_further  # then these, then down to this many, going on only while no answer is confident
    confident_answer: float = Settings.confident_answer
    give_up_below: float = Settings.give_up_below  # after the second stage, stop when no answer scores this (cascade.read_in_stages)
    passage_rank_weight: float = Settings.passage_rank_weight
    max_answer_len: int = 40  # tokens
    spans_per_passage: int = 2
    read_first: int = Settings.read_first  # 0: no first stage
    confident_first: float = Settings.confident_first  # the first stage stops at this score
    context_poor_words: int = Settings.context_poor_words  # questions with at most this many content words: article_first
    focus_words: int = Settings.focus_words  # > 0: passages from rank `focus_from` on are read only around their sentences
    focus_from: int = Settings.focus_from  # closest to the question, in windows of at most this many words (newsqa/focus.py)

    @property
    def depth(self) -> int:
        """How many passages retrieval must hand over."""
        return max(self.retrieve_candidates, self.read_further)


def options_from(settings: Settings, reader_meta: dict, max_answer_len: int = 40) -> AskOptions:
    """AskOptions from Settings, the scoring and threshold defaulting to the reader's calibration."""
    scoring, threshold = answer_scoring_and_threshold(settings.answer_scoring, settings.answer_threshold, reader_meta)
    return AskOptions(scoring, threshold, settings.retrieve_candidates, settings.read_further, settings.confident_answer,
                      give_up_below=settings.give_up_below,
                      passage_rank_weight=settings.passage_rank_weight, max_answer_len=max_answer_len, read_first=settings.read_first,
                      confident_first=settings.confident_first,
                      context_poor_words=settings.context_poor_words, focus_words=settings.focus_words,
                      focus_from=settings.focus_from)


@dataclass
class Candidate:
    """A span read from a passage, in article offsets, with the passage it was read from, that
    passage's retrieval rank and the key answers are ordered by."""

    answer: Answer
    hit: SearchHit
    rank: int
    key: float


class SpanReader(Protocol):
    """What answering needs of a reader (newsqa.reader.Reader has it)."""

    def answer_batch(self, pairs: Sequence[tuple[str, str]], top_k: int = 1, max_answer_len: int = 30,
                     scoring: str = "window", groups: Sequence[int] | None = None) -> list[list[Answer]]: ...


class ArticleTexts:
    """The stored articles answers point into, each looked up once per question."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.found: dict[str, Article | None] = {}

    def get(self, article_id: str) -> Article | None:
        if article_id not in self.found:
            self.found[article_id] = self.store.get_article(article_id)
        return self.found[article_id]


def read_candidates(reader: SpanReader, question: str, hits: Sequence[SearchHit], options: AskOptions,
                    texts: ArticleTexts, first_rank: int = 0) -> list[Candidate]:
    """Every span the reader proposes in `hits` (whose retrieval ranks start at `first_rank`), no
    threshold applied. A passage whose article was deleted or replaced while it was read drops out.
    The "shared" scoring normalizes over the passages of one such call."""
    if not hits:
        return []
    read = reader.answer_batch([(question, h.passage.text) for h in hits], top_k=options.spans_per_passage,
                               max_answer_len=options.max_answer_len, scoring=options.scoring, groups=[0] * len(hits))
    candidates: list[Candidate] = []
    for rank, (hit, spans) in enumerate(zip(hits, read), start=first_rank):
        article = texts.get(hit.passage.article_id)
        if article is None or article.text[hit.passage.start : hit.passage.end] != hit.passage.text:
            continue
        for span in spans:
            start, end = hit.passage.start + span.start, hit.passage.start + span.end
            answer = Answer(article.text[start:end], span.score, start, end, span.no_answer_score, article.id, article.title,
                            published=article.published)
            candidates.append(Candidate(answer, hit, rank, ranking_key(span.score, rank, options.passage_rank_weight)))
    return candidates


def read_cascade(reader: SpanReader, question: str, hits: Sequence[SearchHit], options: AskOptions,
                 texts: ArticleTexts, question_vector: np.ndarray | None = None) -> list[Candidate]:
    """The candidates of the hits read in stages (`cascade.reading_stages`): the first `read_first`,
    then down to `retrieve_candidates`, then to `read_further`, going on only while no candidate
    clears both the threshold and the stage's bar (`confident_first`, then `confident_answer`).
    Given the question's vector, passages from rank `focus_from` on are read only around their
    sentences closest to it (newsqa/focus.py)."""
    stages = reading_stages(options.read_first, options.retrieve_candidates, options.read_further,
                            max(options.confident_answer, options.threshold), max(options.confident_first, options.threshold))

    def read(lo: int, hi: int) -> list[Candidate]:
        chosen = list(hits[lo:hi])
        if options.focus_words > 0 and question_vector is not None and hi > options.focus_from:
            cut = max(0, options.focus_from - lo)
            chosen[cut:] = focus.focus_hits(chosen[cut:], question_vector, texts.store.sentences, options.focus_words)
        return read_candidates(reader, question, chosen, options, texts, lo)

    give_up = (options.retrieve_candidates, options.give_up_below) if options.give_up_below > 0 else None
    return read_in_stages(read, stages, lambda c: c.answer.score, give_up)


def rank(candidates: Sequence[Candidate], threshold: float) -> list[Candidate]:
    """The candidates that clear `threshold`, best first by their key (ties keep reading order)."""
    return sorted((c for c in candidates if c.answer.score >= threshold), key=lambda c: -c.key)


def order(question: str, candidates: Sequence[Candidate], hits: Sequence[SearchHit], options: AskOptions,
          threshold: float | None = None) -> list[Candidate]:
    """The candidates that clear the threshold (`options.threshold` unless given), in the order
    `ask` answers with: `rank`, then `article_first` for a question with hardly any content words."""
    ranked = rank(candidates, options.threshold if threshold is None else threshold)
    return article_first(ranked, hits) if is_context_poor(question, options) else ranked


def is_context_poor(question: str, options: AskOptions) -> bool:
    """Whether the question has at most `options.context_poor_words` words that are not stopwords."""
    return len([w for w in query_terms(question) if w not in STOPWORDS]) <= options.context_poor_words


def article_first(ranked: Sequence[Candidate], hits: Sequence[SearchHit]) -> list[Candidate]:
    """The ranked candidates, those of the article that matches the question best as a whole first:
    by the sum of the fused retrieval scores of its passages among `hits`. Each article's
    candidates keep their ranked order.

    For a question with no context ("When did they meet?") the reader can be surer of a board
    meeting on "Friday" in an unrelated story than of "May 14" in the story about the meeting; the
    retriever, which matched the question against every passage, is the better judge of which
    article is meant (issue 22, item 14; on NewsQA dev's 71 one-word questions the right story
    first rose from 22.5% to 26.8%; open corpus over all questions 44.51 F1 / 75.5% against 44.56 /
    75.9%: docs/results.md)."""
    relevance: dict[str, float] = {}
    for hit in hits:
        relevance[hit.passage.article_id] = relevance.get(hit.passage.article_id, 0.0) + hit.score
    return sorted(ranked, key=lambda c: -relevance.get(c.answer.article_id or "", 0.0))


def select(ranked: Sequence[Candidate], top_k: int, texts: ArticleTexts) -> list[Answer]:
    """The `top_k` best answers, none overlapping another in the same article and no answer text
    twice: a later candidate with a kept answer's text (as SQuAD normalises it) from another
    article is cited in that answer's `also_in` (`corpus.merge_answers`). Each answer comes with
    the sentence it lies in."""
    kept: list[Answer] = []
    for candidate in ranked:
        a = candidate.answer
        if not any(k.article_id == a.article_id and k.start < a.end and a.start < k.end for k in kept):
            kept.append(a)
    kept = corpus.merge_answers(kept)[:top_k]
    sentences = {i: article_sentences(texts, i) for i in {a.article_id for a in kept}}
    for a in kept:
        a.sentence = sentence_at(sentences[a.article_id], a.start)
    return kept


def article_sentences(texts: ArticleTexts, article_id: str) -> list[Span]:
    """The article's sentences as ingest split them (stored: a lookup, not a second split of the
    whole text, which took about 5 ms an answer); split here for an article stored without them."""
    spans, _ = texts.store.sentences(article_id)
    article = texts.get(article_id)
    return spans or (split_sentences(article.text) if article else [])


def prefer_recent(ranked: Sequence[Candidate], texts: ArticleTexts) -> list[Candidate]:
    """The ranked candidates with near-ties broken towards newer articles (`corpus.recency_order`)."""
    times = [timestamp(a.published) if (a := texts.get(c.answer.article_id or "")) else None for c in ranked]
    return [ranked[i] for i in corpus.recency_order([c.key for c in ranked], times)]


def answer(reader: SpanReader, question: str, hits: Sequence[SearchHit], options: AskOptions, texts: ArticleTexts,
           top_k: int, prefer: str | None = None, dates: DateRange = None,
           question_vector: np.ndarray | None = None) -> list[Answer]:
    """Answers to `question` from `hits`, best first; [] when none clears the threshold. With
    prefer="recent", near-ties go to newer articles. Each answer's `also_in` cites the other
    articles giving it and the syndicated copies (within `dates`) that hold it."""
    ranked = order(question, read_cascade(reader, question, hits, options, texts, question_vector), hits, options)
    if prefer == "recent":
        ranked = prefer_recent(ranked, texts)
    answers = select(ranked, top_k, texts)
    corpus.cite_copies(texts.store, answers, texts.found, dates)
    return answers
