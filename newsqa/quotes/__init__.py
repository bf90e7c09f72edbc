"""Who said what: attributed statements (direct and indirect) found in an article at ingest.

`extract_quotes(text)` runs the shipped tagger (`models/quotes`, see its MODEL_CARD.md), groups
its spans into `Quote`s and resolves speakers; `rank` orders stored quotes for a query.
"""

from __future__ import annotations

from ..types import Quote
from .extract import extract, quote_marks
from .tagger import Tagger


def extract_quotes(text: str, tagger: Tagger) -> list[Quote]:
    """Attributed statements in `text`, best effort, every Span indexing `text` exactly."""
    if not text.strip():
        return []
    return extract(text, tagger.tag(text) + quote_marks(text))


def extract_many(texts: list[str], tagger: Tagger) -> list[list[Quote]]:
    """`extract_quotes` for each text (ingest's stage; each text alone, so results never depend
    on what else is ingested with it)."""
    return [extract_quotes(text, tagger) for text in texts]


__all__ = ["Quote", "Tagger", "extract_many", "extract_quotes"]
