"""Word-level helpers shared by the summarizer's stages: tokens, stop words, crude stems."""

from __future__ import annotations

import re

WORD = re.compile(r"\w+")
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most my
    myself no nor not now of off on once only or other our ours out over own same say said says she should
    so some such than that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you your
    yours mr mrs ms told tell""".split()
)


def content_stems(text: str) -> list[str]:
    """Lower-cased words minus stop words, cut to 6 letters (a crude, dependency-free stemmer)."""
    return [w[:6] for w in WORD.findall(text.lower()) if w not in STOP_WORDS]


def stem_set(text: str) -> set[str]:
    """The distinct content stems of words longer than two letters (for matching a query)."""
    return {w[:6] for w in WORD.findall(text.lower()) if len(w) > 2 and w not in STOP_WORDS}
