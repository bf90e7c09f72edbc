"""Quotes as stored rows, shared by both backends (no SQL here): offsets only, never copies of the
article text, which is sliced again when a quote is read back."""

from __future__ import annotations

import json
from typing import Any

from ..types import Quote, Span


def quote_row(quote: Quote) -> tuple[str | None, bool, str]:
    """(speaker, direct, spans as JSON offsets) for one quote of an article."""
    def pair(span: Span | None) -> list[int] | None:
        return None if span is None else [span.start, span.end]

    data = {"content": [pair(s) for s in quote.content], "source": pair(quote.source), "cue": pair(quote.cue)}
    return quote.speaker, quote.direct, json.dumps(data)


def quote_from_row(article_id: str, text: str, speaker: str | None, direct: bool, data: str | dict[str, Any],
                   title: str | None = None) -> Quote:
    """The stored quote with every Span's text sliced from its article's `text`."""
    data = json.loads(data) if isinstance(data, str) else data

    def span(pair: list[int] | None) -> Span | None:
        return None if pair is None else Span(pair[0], pair[1], text[pair[0] : pair[1]])

    return Quote(content=[span(p) for p in data["content"]], source=span(data["source"]), cue=span(data["cue"]),
                 speaker=speaker, direct=bool(direct), article_id=article_id, title=title)


def like_pattern(speaker: str) -> str:
    """A LIKE pattern (escape character backslash) matching `speaker` anywhere, case folded by the caller."""
    escaped = speaker.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
