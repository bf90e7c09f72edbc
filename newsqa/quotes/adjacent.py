"""A source for a statement whose cue the tagger found but whose source it did not: the subject
written right next to the cue ("Trump demands", "critics would call", "“...,” said Mulgrew",
"was passed by Congress"). Rules over the words touching the cue, nothing further away.
"""

from __future__ import annotations

import re
from typing import Sequence

from .tagger import Tagged

NAME = r"[A-Z][\w'’.\-]*(?:\s+(?:of\s+|de\s+|van\s+|von\s+|al\s+|bin\s+)?[A-Z][\w'’.\-]*)*"
PRONOUN = r"(?:he|she|they|we|I|it|you|who|his|her|their|its|my|our)"
PLURAL = r"[a-z][a-z\-]{2,}s"  # "critics", "officials", "lawmakers"
BETWEEN = (r"(?:(?:has|have|had|is|are|was|were|been|being|so|would|will|could|can|may|might|should|must|also|not|never|"
           r"then|later|still|already|just|did|does|do|once|often|again|\w+ly)\s+)*")
BEFORE = re.compile(rf"(?<![\w'’.\-])(?P<np>{NAME}|{PRONOUN}|{PLURAL})\s+{BETWEEN}$")
SAID_BEFORE = re.compile(rf"(?<![\w'’.\-])(?P<np>{NAME}|{PRONOUN}|{PLURAL})\s+{BETWEEN}[a-z]+,\s+$")  # "she said, referencing"
AFTER = re.compile(rf"\s+(?P<by>by\s+)?(?P<np>{NAME}|{PRONOUN}\b|(?:the|a|an)\s+[a-z][\w\-]*(?:\s+[a-z][\w\-]*){{0,2}}(?=[,.;]))")
NOT_SUBJECTS = {"this", "does", "was", "has", "is", "as", "us", "yes", "news", "less", "unless", "address",
                "business", "process", "progress", "congress", "campaigns", "plans", "calls", "claims", "says", "wants",
                "thinks", "believes", "argues", "notes", "adds", "tells", "insists", "warns", "asks", "also"}
LOOK = 80  # characters on either side of the cue that are looked at


def adjacent_source(text: str, cue: Tagged, contents: Sequence[Tagged] = ()) -> Tagged | None:
    """The subject touching `cue`: after it when the cue follows a quotation or a comma ("...,”
    said X") or is passive ("supported by X"), else just before it ("X said", "X has said");
    never inside one of the statement's `contents`."""
    found = _touching(text, cue)
    if found is None or any(c.start < found.end and found.start < c.end for c in contents):
        return None
    return found


def _touching(text: str, cue: Tagged) -> Tagged | None:
    head = text[max(0, cue.start - LOOK) : cue.start]
    cue_text = text[cue.start : cue.end].split()[0] if text[cue.start : cue.end].split() else ""
    after = AFTER.match(text[cue.end : cue.end + LOOK])
    follows_quote = head.rstrip()[-1:] in {",", "”", '"', "’", "'"}
    if after and (follows_quote or after.group("by")):
        return _span(text, cue.end + after.start("np"), cue.end + after.end("np"))
    before = BEFORE.search(head) or (SAID_BEFORE.search(head) if cue_text.endswith("ing") else None)
    if before and "\n" not in before.group() and before.group("np") not in NOT_SUBJECTS:
        lo = cue.start - len(head) + before.start("np")
        return _span(text, lo, lo + len(before.group("np")))
    return None


def _span(text: str, start: int, end: int) -> Tagged | None:
    while end > start and text[end - 1] in ".,;:’'":
        end -= 1
    word = text[start:end]
    return Tagged("SRC", start, end) if word and word.split()[-1] not in NOT_SUBJECTS else None
