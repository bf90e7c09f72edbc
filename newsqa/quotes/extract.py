"""Group the tagger's role spans into attributed statements (`Quote`s) and resolve speakers.

Per paragraph: each content run takes the nearest cue (no other cue in between), the cue takes
the nearest source; content runs that share a cue are one statement in pieces ("“A,” he said,
“B.”"). A piece that opens a quotation mark is widened to its closing mark when the mark is just
past the tagged end (and vice versa), so direct quotes come out balanced.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from typing import Sequence

from ..types import Quote, Span
from .adjacent import adjacent_source
from .cues import SENTENCE_END
from .signed import with_signed
from .speakers import Resolver
from .tagger import Tagged

OPEN, CLOSE = "“\"", "”\""
PARAGRAPH = re.compile(r"\n\s*\n|\n")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line-separated paragraph."""
    out, lo = [], 0
    for m in PARAGRAPH.finditer(text):
        out.append((lo, m.start()))
        lo = m.end()
    out.append((lo, len(text)))
    return [(a, b) for a, b in out if b > a]


def balance(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) to include a quotation mark it opens or closes, if that mark is within
    a few characters of the edge (punctuation such as `,”` or `.”`)."""
    piece = text[start:end]
    if piece[:1] in OPEN and not any(c in piece[1:] for c in CLOSE if c != '"') and piece.count('"') % 2 == (piece[:1] == '"'):
        tail = text[end : end + 3]
        for i, c in enumerate(tail):
            if c in CLOSE:
                end += i + 1
                break
            if c.isalnum() or c in OPEN:
                break
    elif piece[-1:] in CLOSE and not any(c in piece[:-1] for c in OPEN if c != '"'):
        head = text[max(0, start - 2) : start]
        for i, c in enumerate(reversed(head)):
            if c in OPEN:
                start -= i + 1
                break
            if c.isalnum():
                break
    return start, end


def _gap(a: Tagged, b: Tagged) -> int:
    return max(b.start - a.end, a.start - b.end, 0)


def _near_cues(cues: Sequence[Tagged], starts: Sequence[int], content: Tagged) -> list[Tagged]:
    """The cues (in text order, `starts` theirs) with no other cue wholly between them and
    `content`, found by binary search (a paragraph can hold thousands of runs): those overlapping
    it, the last ones before it and the first ones after it."""
    near, i = [], bisect_left(starts, content.start)
    last_start = None  # start of the nearest cue wholly before the content
    for j in range(i - 1, -1, -1):
        if last_start is not None and cues[j].end <= last_start:
            break  # that cue lies between
        near.append(j)
        if last_start is None and cues[j].end <= content.start:
            last_start = cues[j].start
    first_end = None  # end of the nearest cue wholly after the content
    for j in range(i, len(cues)):
        if first_end is not None and cues[j].start >= first_end:
            break
        near.append(j)
        if cues[j].start >= content.end:
            first_end = cues[j].end if first_end is None else min(first_end, cues[j].end)
    return [cues[j] for j in sorted(near)]  # in text order: the first of equally near cues wins


def _word_edges(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a run cut inside a word (word pieces) to the whole word."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return start, end


EDGE = " \t:;,—–-"


def _trimmed(text: str, run: Tagged) -> list[Tagged]:
    """A run cut at line breaks (a statement does not run across paragraphs), each part without
    leading or trailing spaces, colons, commas or dashes."""
    parts, lo = [], run.start
    for m in re.finditer(r"\n+", text[run.start : run.end]):
        parts.append((lo, run.start + m.start()))
        lo = run.start + m.end()
    parts.append((lo, run.end))
    out = []
    for a, b in parts:
        while a < b and text[a] in EDGE:
            a += 1
        while b > a and text[b - 1] in EDGE:
            b -= 1
        if b > a:
            out.append(Tagged(run.role, a, b))
    return out


def clean(text: str, tagged: Sequence[Tagged], max_gap: int = 3) -> list[Tagged]:
    """Runs snapped to whole words; content runs separated by a few characters of punctuation (a
    token the tagger left out) joined; lone one-word content runs outside quotation marks dropped."""
    runs = [Tagged(t.role, *_word_edges(text, t.start, t.end)) for t in sorted(tagged, key=lambda t: t.start)]
    runs = [part for t in runs for part in _trimmed(text, t)]
    joined: list[Tagged] = []
    for t in runs:
        prev = joined[-1] if joined else None
        gap = text[prev.end : t.start] if prev is not None else ""
        if (prev is not None and prev.role == t.role and 0 <= t.start - prev.end <= max_gap and "\n" not in gap
                and (not any(c.isalnum() for c in gap) if t.role == "CON" else not gap.strip())):
            joined[-1] = Tagged(t.role, prev.start, max(prev.end, t.end))  # "said" "Friday" -> "said Friday"
        else:
            joined.append(t)
    return [t for t in joined if t.role != "CON" or len(text[t.start : t.end].split()) > 1 or text[t.start : t.end][:1] in OPEN]


LEAD_IN = re.compile(r"[^“”\"\n]{0,40}?:\s*(?=[“\"])")  # "tersely: “..." -> "“..."


@lru_cache(maxsize=2)
def _sentence_ends(text: str) -> tuple[list[int], list[int]]:
    """Start and end offsets of every sentence end in `text`, found once per text."""
    found = [(m.start(), m.end()) for m in SENTENCE_END.finditer(text)]
    return [a for a, _ in found], [b for _, b in found]


def _same_sentence(text: str, a: Tagged, b: Tagged) -> bool:
    """No sentence end between the two runs (a source belongs to its cue's sentence); a binary
    search, so that an article with thousands of runs in one paragraph stays linear."""
    lo, hi = min(a.end, b.end), max(a.start, b.start)
    if lo >= hi:
        return True
    starts, ends = _sentence_ends(text)
    first = bisect_left(starts, lo)  # the sentence ends come in text order, so the first ends first
    return not (first < len(starts) and ends[first] < min(hi + 2, len(text)))


PARTICIPLE = re.compile(r"[a-z]+ing\b")
COORDINATED = re.compile(r"\band\s+(?:\w+ly\s+)?$")


def _second_verb(text: str, cue: Tagged) -> bool:
    """The cue is a participle or a verb coordinated with an earlier one ("..., claiming",
    "stressed her support ... and said"): its subject is the sentence's, not the nearest noun."""
    return bool(PARTICIPLE.match(text, cue.start) or COORDINATED.search(text, max(0, cue.start - 20), cue.start))


LEADING = re.compile(r"(?i)(?:in|at|on|during|after|before|from|with|meanwhile|but|and|however|still|later|earlier|"
                     r"then|also|yet|so|now|today|yesterday|asked|speaking|writing|separately|instead)\b")


def _source_head(text: str, source: Tagged) -> Tagged | None:
    """The name in a source run that holds a comma: after the last comma when the run opens with
    an adverbial ("In Sochi, Lavrov" -> "Lavrov"), else before the first ("Caddell, speaking of",
    "Donald Trump, her opponent," -> the name); None for a run with no letter or digit."""
    written = text[source.start : source.end]
    if not any(c.isalnum() for c in written):
        return None
    if ", " not in written:
        return source
    if LEADING.match(written):
        return Tagged("SRC", text.rindex(", ", source.start, source.end) + 2, source.end)
    return Tagged("SRC", source.start, source.start + written.index(", "))


def _quoted(text: str, run: Tagged) -> bool:
    """`run` lies inside a passage in quotation marks in its paragraph (a cue there is the speaker
    quoting someone else, not the cue of the quote it sits in)."""
    lo = text.rfind("\n", 0, run.start) + 1
    hi = text.find("\n", run.end)
    before, after = text[lo : run.start], text[run.end : hi if hi >= 0 else len(text)]
    curly = before.rfind("“") > before.rfind("”") and "”" in after
    return curly or (before.count('"') % 2 == 1 and '"' in after)


def _tagged_source(text: str, sources: Sequence[Tagged], cue: Tagged | None, pieces: Sequence[Tagged]) -> Tagged | None:
    """The tagged source of a statement: the nearest to its cue (else to its first piece) in the
    same sentence; before the cue when the content follows it ("X said (that) ..."), and the
    sentence's first when the cue is a second verb ("X filed a complaint with Y, claiming")."""
    anchor = cue or pieces[0]
    near = [s for s in sources if _same_sentence(text, anchor, s)]
    if cue is not None and pieces[0].start >= cue.end:
        near = [s for s in near if s.end <= cue.start] or near
    source = min(near, key=lambda s: _gap(anchor, s), default=None)
    if cue is not None and source is not None and source.end <= cue.start and _second_verb(text, cue):
        source = min(near, key=lambda s: s.start)
    return source


def group(text: str, tagged: Sequence[Tagged]) -> list[Quote]:
    """Quotes (speaker unresolved) from role spans, in text order. A content run with no cue in its
    paragraph is kept only when it is a direct quote (a quoted paragraph continuing a speaker's
    quote); its source and speaker are then unknown."""
    tagged = clean(text, [t for t in tagged if not t.role.startswith("CON*")]) + [t for t in tagged if t.role.startswith("CON*")]
    tagged = sorted(tagged, key=lambda t: t.start)
    starts = [t.start for t in tagged]
    quotes: list[Quote] = []
    carried: tuple[Tagged, Tagged | None] | None = None  # (cue, source) of a paragraph ending with ":"
    for p_lo, p_hi in paragraphs(text):
        runs = tagged[bisect_left(starts, p_lo) : bisect_left(starts, p_hi)]
        cues = [t for t in runs if t.role == "CUE" and not _quoted(text, t)]
        cue_starts = [q.start for q in cues]
        contents = [t for t in runs if t.role == "CON" and text[t.start : t.end].strip(" \"“”,.") != ""]
        contents += [t for t in runs if t.role == "CON*" and len(text[t.start : t.end].split()) >= 4
                     and any(_gap(t, q) <= 60 for q in cues)]
        sources = [t for t in runs if t.role == "SRC"]
        by_cue: dict[Tagged | None, list[Tagged]] = {}
        for c in contents:
            cue = min(_near_cues(cues, cue_starts, c), key=lambda q: _gap(c, q), default=None)
            key = cue if cue is not None else Tagged("CON", c.start, c.end)
            by_cue.setdefault(key, []).append(c)
        introduced = carried
        carried = None
        for key, pieces in by_cue.items():
            cue = key if key.role == "CUE" else None
            source = _tagged_source(text, sources, cue, pieces)
            if cue is None and introduced is not None:  # "Caddell continued:" then a quoted paragraph
                cue, source = introduced
            if source is not None and cue is None and _gap(pieces[0], source) > 40:
                source = None
            source = _source_head(text, source) if source is not None else None
            if source is None and cue is not None:  # the tagger found the cue only: "Trump demands"
                source = adjacent_source(text, cue, pieces)
            spans = []
            for c in sorted(pieces, key=lambda t: t.start):
                a, b = balance(text, c.start, c.end)
                lead = LEAD_IN.match(text, a, b)
                a = lead.end() if lead else a
                spans.append(Span(a, b, text[a:b]))
            if cue is None and spans[0].text[:1] not in OPEN:
                continue
            quotes.append(Quote(
                content=spans,
                source=Span(source.start, source.end, text[source.start : source.end]) if source else None,
                cue=Span(cue.start, cue.end, text[cue.start : cue.end]) if cue else None,
                direct=spans[0].text.lstrip()[:1] in OPEN,
            ))
        if text[p_lo:p_hi].rstrip().endswith(":") and cues:
            last = max(cues, key=lambda q: q.end)
            near = [t for t in sources if _same_sentence(text, last, t)]
            carried = (last, min(near, key=lambda t: _gap(last, t), default=None))
    quotes.sort(key=lambda q: q.start)
    return quotes


def resolve_speakers(text: str, quotes: list[Quote]) -> list[Quote]:
    """Set each quote's `speaker` (in text order, so "he" can refer back to an earlier speaker)."""
    resolver = Resolver(text)
    for q in sorted(quotes, key=lambda q: q.source.start if q.source else q.start):
        q.speaker = resolver.resolve(q.source.text if q.source else None, q.source.start if q.source else q.start)
    return quotes


def extract(text: str, tagged: Sequence[Tagged]) -> list[Quote]:
    """Attributed statements in `text`, given the tagger's role spans for it."""
    return resolve_speakers(text, with_signed(text, group(text, merge_marks(tagged))))


QUOTED = re.compile(r"“[^“”\n]{2,}?”|\"[^\"\n]{2,}?\"")


def quote_marks(text: str) -> list[Tagged]:
    """Every passage in quotation marks, as a content run the tagger may have missed; `merge_marks`
    keeps those that overlap no tagged content."""
    return [Tagged("QUOTED", m.start(), m.end()) for m in QUOTED.finditer(text)]


def merge_marks(tagged: Sequence[Tagged]) -> list[Tagged]:
    """The tagger's runs plus quoted passages that no tagged content touches and that hold a full
    clause (four words or more: scare quotes such as “fake” are not statements)."""
    runs = [t for t in tagged if t.role != "QUOTED"]
    contents = [t for t in runs if t.role == "CON"]
    for q in (t for t in tagged if t.role == "QUOTED"):
        if not any(c.start < q.end and q.start < c.end for c in contents):
            runs.append(Tagged("CON*", q.start, q.end))
    return sorted(runs, key=lambda t: t.start)
