"""A news corpus, not a bag of documents: answers merged across the sources that give them,
syndicated copies cited rather than read twice, near-ties broken towards newer articles.

Plain functions over answers and hits the engine has already ranked; the store is asked only for
the articles of a story (an original and its copies, see `newsqa.dedupe`).
"""

from __future__ import annotations

from typing import Sequence

from .store import Store
from .text import split_sentences
from .training.metric import normalize_answer
from .types import Answer, Article, Citation, SearchHit

RECENT_TIE = 1.0  # prefer="recent": ranking keys (log-odds, scoring.ranking_key) this close count as a near-tie
PREFER = (None, "recent")


def recency_order(keys: Sequence[float], times: Sequence[float | None], tie: float = RECENT_TIE) -> list[int]:
    """The order (indices) of items ranked by `keys` (higher is better) once near-ties (keys within
    `tie`) go to newer items: each key gains up to `tie` by its recency among the items (the newest
    +tie, the oldest or undated +0). `times` are epoch seconds, None when undated."""
    known = [t for t in times if t is not None]
    if not known or max(known) == min(known):
        return sorted(range(len(keys)), key=lambda i: -keys[i])
    lo, hi = min(known), max(known)
    bonus = [tie * (t - lo) / (hi - lo) if t is not None else 0.0 for t in times]
    return sorted(range(len(keys)), key=lambda i: -(keys[i] + bonus[i]))


def merge_answers(answers: list[Answer]) -> list[Answer]:
    """Answers (best first) with the same answer text, as SQuAD normalises it, given once: the best
    keeps its place and cites each other article that gave it in `also_in`."""
    kept: dict[str, Answer] = {}
    for answer in answers:
        key = normalize_answer(answer.text) or answer.text
        first = kept.get(key)
        if first is None:
            kept[key] = answer
        elif answer.article_id != first.article_id and all(c.article_id != answer.article_id for c in first.also_in):
            first.also_in.append(Citation(answer.article_id or "", answer.start, answer.end, answer.published, answer.title))
    return list(kept.values())


def locate(text: str, source: str, start: int, end: int, context: tuple[int, int] | None = None) -> tuple[int, int] | None:
    """Where the span source[start:end] is in `text`, a copy of `source`: found with the sentence
    (or passage) `context` around it when that is in the copy unchanged, else the span's own first
    occurrence; None when the copy does not hold it."""
    wanted = source[start:end]
    if context is not None:
        lo, hi = context
        at = text.find(source[lo:hi])
        if at >= 0 and text[at + start - lo : at + end - lo] == wanted:  # the span may run past its sentence
            return at + start - lo, at + end - lo
    at = text.find(wanted)
    return (at, at + len(wanted)) if at >= 0 else None


def locate_passage(text: str, passage: str) -> tuple[int, int]:
    """The span of `text`, a copy of the passage's article, that holds the passage: the passage
    itself where it is unchanged, else from the first to the last of its sentences found in the
    copy in order (a copy may trim, add or change some); the whole copy when none is found."""
    at = text.find(passage)
    if at >= 0:
        return at, at + len(passage)
    first = last = None
    for sentence in split_sentences(passage):
        found = text.find(sentence.text, last if last is not None else 0)
        if found >= 0:
            first = found if first is None else first
            last = found + len(sentence.text)
    return (first, last) if first is not None and last is not None else (0, len(text))


def cite_copies(store: Store, answers: Sequence[Answer], texts: dict[str, Article | None],
                dates: tuple[float | None, float | None] | None = None) -> None:
    """Fill each answer's `published` and add to its `also_in` every other article of its story
    (its original and syndicated copies, within `dates`) that holds the answer."""
    found = {a.article_id: texts.get(a.article_id or "") for a in answers}
    stories = stories_of(store, [a for a in found.values() if a is not None], dates)
    for answer in answers:
        article = found[answer.article_id]
        if article is None:
            continue
        answer.published = article.published
        context = (answer.sentence.start, answer.sentence.end) if answer.sentence else None
        cited = {answer.article_id, *(c.article_id for c in answer.also_in)}
        for other in stories.get(article.id, []):
            if other.id in cited:
                continue
            span = locate(other.text, article.text, answer.start, answer.end, context)
            if span is not None:
                answer.also_in.append(Citation(other.id, span[0], span[1], other.published, other.title))
                cited.add(other.id)


def collapse_hits(store: Store, hits: list[SearchHit], articles: dict[str, Article],
                  dates: tuple[float | None, float | None] | None = None) -> list[SearchHit]:
    """Hits with `published` and, in `also_in`, the other articles of their story (syndicated
    copies, which the stores do not search twice) that hold the passage."""
    stories = stories_of(store, list(articles.values()), dates)
    for hit in hits:
        article = articles[hit.passage.article_id]
        hit.published = article.published
        for other in stories.get(article.id, []):
            start, end = locate_passage(other.text, hit.passage.text)
            hit.also_in.append(Citation(other.id, start, end, other.published, other.title))
    return hits


def stories_of(store: Store, articles: Sequence[Article], dates: tuple[float | None, float | None] | None = None) -> dict[str, list[Article]]:
    """For each article, the OTHER stored articles of its story (its original and its copies),
    published within `dates`: one store query for all of them."""
    from .dates import timestamp

    root = {a.id: a.duplicate_of or a.id for a in articles}
    if not root:
        return {}
    members: dict[str, list[Article]] = {}
    for other in store.story_articles(sorted(set(root.values()))):
        if within(timestamp(other.published), dates):
            members.setdefault(other.duplicate_of or other.id, []).append(other)
    return {a: [o for o in members.get(r, []) if o.id != a] for a, r in root.items()}


def within(ts: float | None, dates: tuple[float | None, float | None] | None) -> bool:
    """Whether a publication time (epoch seconds, None when undated) is inside an inclusive range."""
    if dates is None:
        return True
    lo, hi = dates
    return ts is not None and (lo is None or ts >= lo) and (hi is None or ts <= hi)


def articles_in_range(store: Store, dates: tuple[float | None, float | None], limit: int) -> list[str]:
    """The ids of up to `limit` stored originals (not copies) published within `dates`, oldest first."""
    ids: list[str] = []
    offset = 0
    while len(ids) < limit:
        page = store.list_articles(offset, 200, dates)
        if not page:
            break
        offset += len(page)
        ids += [a.id for a in page if a.duplicate_of is None]
    return ids[:limit]
