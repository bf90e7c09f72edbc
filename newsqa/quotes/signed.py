"""Signed quotes: a paragraph that is a passage in quotation marks followed by a dash and a name
(“...” ― Sonya Herridge), the way readers' reactions and epigraphs are printed. Found by a
rule, they replace what the tagger made of those paragraphs (it tends to break them up).
"""

from __future__ import annotations

import re

from ..types import Quote, Span

SPACE = "[ \\t\\xa0]*"
SIGNED = re.compile(rf"(?m)^{SPACE}(?P<content>[“”\"][^\n]*[”\"]){SPACE}(?P<cue>[―—–]|--){SPACE}"
                    rf"(?P<source>[A-Z][^\n“”\"]{{0,60}}?)[ \t\xa0.]*$")


def signed_quotes(text: str) -> list[Quote]:
    """The signed quotes of `text` (speaker unresolved), each with its dash as the cue."""
    out = []
    for m in SIGNED.finditer(text):
        spans = {key: Span(m.start(key), m.end(key), m.group(key)) for key in ("content", "cue", "source")}
        out.append(Quote(content=[spans["content"]], source=spans["source"], cue=spans["cue"], direct=True))
    return out


def with_signed(text: str, quotes: list[Quote]) -> list[Quote]:
    """`quotes` with the signed quotes of `text` in place of those that overlap them."""
    signed = signed_quotes(text)
    if not signed:
        return quotes
    taken = [(q.content[0].start, q.source.end) for q in signed]
    kept = [q for q in quotes if not any(a < q.end and q.start < b for a, b in taken)]
    return sorted(kept + signed, key=lambda q: q.start)
