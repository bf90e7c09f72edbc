"""Stage 1: the sentences that may go into a summary, cleaned of what is not news text.

Kept out: the headline, photo captions with their "(credit)" line, bylines and "Twitter: @..."
footers (recognised by line), and the page furniture that scraped wire and tabloid copy carries
inline: a Daily Mail header ("By . Daily Mail Reporter . PUBLISHED: . 12:15 EST, 22 February 2014
. | . UPDATED: ..."), "Scroll down for video", "Read more: ..." and "CLICK HERE ..." lines, and a
"Los Angeles (CNN) -- " dateline. A sentence that starts with furniture is trimmed, not dropped: its
span starts after the furniture, so offsets still point into the verbatim article text.

Very long articles are cut to a bounded number of candidates (the lead plus the lexically most
central ones) before anything is embedded, which bounds the time.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from ..text import split_sentences
from ..types import Article, Span
from .words import WORD

MAX_CANDIDATES = 120  # sentences embedded per article at most: bounds time on very long articles
LEAD_CANDIDATES = 40  # of those, always the first ones (news puts the point first)
HEADER_SEARCH_CHARS = 400  # a Daily Mail header sits in the first characters of the body

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
_LINE = re.compile(r"[^\n]+")
_END_PUNCT = tuple('.!?…"”’\'')
_CREDIT = re.compile(r"^\s*[(\[].*[)\]]\s*$")
_SOCIAL = re.compile(r"^\s*(twitter|follow|facebook|instagram|e-?mail|contact|subscribe)\b|^\s*@\w+", re.IGNORECASE)
_BYLINE = re.compile(
    r"\b(correspondent|staff writer|contributed to this report|reported from|writes for|is a reporter|is a writer)\b",
    re.IGNORECASE,
)

# Daily Mail page header fields, consumed one after another from where the header starts.
_NAME = r"[A-Z][\w'’-]+"
_OUTLET = r"(?:MailOnline|Mailonline|Daily Mail|Mail on Sunday|Sportsmail|Associated Press|Reuters|AP|AFP)"
_HEADER_FIELDS = [
    re.compile(r"By\s*\.\s+[^.|\n]{1,80}?\s+\.(?=\s|$)"),  # By . Daily Mail Reporter .
    re.compile(r"By\s+[^.|\n]{1,80}?(?=\s+(?:PUBLISHED|UPDATED|Last updated)\b)"),  # By Helen Pow (then a date stamp)
    re.compile(rf"By\s+{_NAME}\s+{_NAME},?\s+(?:for\s+)?{_OUTLET}(?:\s+(?:{_NAME}\s+){{0,2}}(?:Editor|Reporter|Correspondent|Writer))?"),
    re.compile(rf"By\s+(?:{_NAME}\s+){{1,3}}(?:Reporter|Correspondent)\b"),  # By Pa Reporter
    re.compile(rf"By\s+{_NAME}\s+{_NAME}(?=\s+(?:A|An|The|This|That|These|It|In|On|At|As|When|After|She|He|They|We|I|There)\s)"),
    re.compile(r"(?:PUBLISHED|UPDATED):\s*\.?\s*[^|\n]{0,40}?\d{4}(?:\s+\.(?=\s|$))?"),
    re.compile(r"Last updated at [^|\n]{0,40}?\d{4}(?:\s+\.(?=\s|$))?"),
    re.compile(r"\|(?:\s*\.(?=\s|$))?"),
]
_HEADER_START = re.compile(r"\bBy\s*\.\s|\bBy\s+[^.|\n]{1,80}?\s+(?:PUBLISHED|Last updated)\b")
_FURNITURE_SENTENCE = re.compile(r"^(?:read more\b|click here\b|follow\s+@|share this\b|sources?:|see also\b)", re.IGNORECASE)
_FURNITURE_PREFIX = re.compile(r"^scroll down for (?:the )?(?:video|videos|more)(?: and (?:more )?pictures)?\s*", re.IGNORECASE)
_DATELINE = re.compile(
    r"^(?:[A-Z][^()\n]{0,60}?\s)?\((?:CNN|CNN Money|CNNMoney|EW\.com|Reuters|AP|AFP)\)\s*(?:--|—|–|-)?\s*"
)


@dataclass(frozen=True)
class Candidate:
    """A body sentence that may go into a summary, with its place in the article."""

    span: Span  # what a summary quotes: the sentence less any furniture it starts with
    sentence: Span  # the whole sentence as split: what is embedded (and stored at ingest)
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


def header_end(text: str, body_start: int) -> int:
    """Where a Daily Mail style page header (byline, PUBLISHED/UPDATED stamps) ends, or `body_start`
    if there is none. A header found a little way in ends a tabloid sub-headline: that goes too."""
    if not any(field.match(text, body_start) for field in _HEADER_FIELDS):
        found = _HEADER_START.search(text, body_start, body_start + HEADER_SEARCH_CHARS)
        if found is None:
            return body_start
        position = found.start()
    else:
        position = body_start
    end = position
    while True:
        while end < len(text) and text[end].isspace():
            end += 1
        field = next((m for m in (f.match(text, end) for f in _HEADER_FIELDS) if m), None)
        if field is None or field.end() == end:
            return end if end > position else body_start
        end = field.end()


def _trim_start(span: Span, text: str, cut: int) -> Span | None:
    """The span from `cut` on (leading spaces skipped), or None if nothing of it remains."""
    start = max(span.start, cut)
    while start < span.end and text[start].isspace():
        start += 1
    return Span(start, span.end, text[start : span.end]) if start < span.end else None


def clean_spans(spans: list[Span], text: str) -> list[tuple[Span, Span]]:
    """(quoted part, whole sentence) of the body sentences that are not page furniture (see the
    module docstring); the quoted part is trimmed of furniture it starts with."""
    if not spans:
        return []
    cut = header_end(text, spans[0].start)
    cleaned: list[tuple[Span, Span]] = []
    for span in spans:
        if span.end <= cut:
            continue
        trimmed = _trim_start(span, text, cut)
        if trimmed is None or _FURNITURE_SENTENCE.match(trimmed.text):
            continue
        prefix = _FURNITURE_PREFIX.match(trimmed.text)
        if prefix:
            trimmed = _trim_start(trimmed, text, trimmed.start + prefix.end())
        if not cleaned and trimmed is not None:
            dateline = _DATELINE.match(trimmed.text)
            if dateline and dateline.end() < len(trimmed.text):
                trimmed = _trim_start(trimmed, text, trimmed.start + dateline.end())
        if trimmed is not None and len(WORD.findall(trimmed.text)) >= 2:
            cleaned.append((trimmed, span))
    return cleaned


def _line_starts(text: str) -> list[int]:
    return [m.start() for m in _LINE.finditer(text)]


def _central_order(spans: list[Span], query: str | None) -> list[int]:
    """Indices of spans, most lexically central first (cheap: word counts, no model)."""
    tokens = [[w for w in WORD.findall(s.text.lower()) if len(w) > 3] for s in spans]
    counts = Counter(w for sentence in tokens for w in set(sentence))
    query_words = {w for w in WORD.findall((query or "").lower()) if len(w) > 2}
    scores = []
    for i, words in enumerate(tokens):
        unique = set(words)
        score = sum(math.log1p(counts[w]) for w in unique) / math.sqrt(1 + len(unique))
        score += 10.0 * len(unique & query_words)
        scores.append((-score, i))
    return [i for _, i in sorted(scores)]


def prepare_article(article: Article, query: str | None = None) -> PreparedArticle:
    """The article's candidate sentences (body only, cleaned, capped at MAX_CANDIDATES) and its title."""
    spans = split_sentences(article.text)
    excluded, headline = _excluded_lines(article)
    if excluded:
        starts = _line_starts(article.text)
        body = [s for s in spans if starts[bisect_right(starts, s.start) - 1] not in excluded]
        spans = body or spans
    pairs = clean_spans(spans, article.text) or [(s, s) for s in spans]
    spans = [quoted for quoted, _ in pairs]
    title = article.title or headline

    breaks = [m.end() for m in _PARAGRAPH_BREAK.finditer(article.text)]
    raw_paragraph = [bisect_right(breaks, s.start) for s in spans]
    dense: dict[int, int] = {}
    for p in raw_paragraph:
        dense.setdefault(p, len(dense))
    sizes = Counter(raw_paragraph)
    seen: Counter = Counter()
    candidates = []
    for i, ((span, sentence), p) in enumerate(zip(pairs, raw_paragraph)):
        candidates.append(Candidate(span, sentence, i, dense[p], seen[p], sizes[p], len(span.text.split())))
        seen[p] += 1

    if len(candidates) > MAX_CANDIDATES:
        keep = set(range(LEAD_CANDIDATES))
        for i in _central_order(spans, query):
            if len(keep) >= MAX_CANDIDATES:
                break
            keep.add(i)
        candidates = [c for c in candidates if c.index in keep]
    return PreparedArticle(article, title, candidates, len(spans), len(dense))
