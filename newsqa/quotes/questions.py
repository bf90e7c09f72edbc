"""Recognize questions about what someone said: "What did Lavrov say on Venezuela?", "What does
Hunt think of Iran?", "How did Lavrov respond?" -> (speaker as asked, topic or None)."""

from __future__ import annotations

import re

from .speakers import strip_titles

_TOPIC = r"(?:\s+(?:on|about|of|regarding|concerning|to|over|after|when)\s+(?P<topic>.+?))?"
_PATTERNS = [
    re.compile(r"^what (?:did|does|do|has|have|had|will|would) (?P<who>.+?) (?:say|said|tell|told|write|wrote|think|thought|mean|claim|argue|answer|reply)"
               + _TOPIC + r"$", re.I),
    re.compile(r"^how (?:did|does|do|has|have) (?P<who>.+?) (?:respond|react|reply|answer|describe|see|view|feel)" + _TOPIC + r"$", re.I),
    re.compile(r"^what (?:is|was|are|were) (?P<who>.+?)[’']s? (?:view|views|position|response|reaction|answer|comment|comments|statement|opinion)"
               + _TOPIC + r"$", re.I),
]


def speaker_question(question: str) -> tuple[str, str | None] | None:
    """(who, topic) when `question` asks what someone said or thinks; None for any other question."""
    q = question.strip().rstrip("?!. ").strip()
    for pattern in _PATTERNS:
        m = pattern.match(q)
        if m:
            who = strip_titles(m.group("who").strip(" ,"))
            topic = (m.group("topic") or "").strip() or None
            if who and who.lower() not in {"it", "this", "that", "they", "he", "she", "you", "i", "we"}:
                return who, topic
    return None
