"""Checks on an article's text and metadata before it is stored: bounded, and encodable as UTF-8.

A JSON string may hold a lone surrogate (`"\\ud800"`), which no database and no UTF-8 output can
hold: such a record is refused with InvalidInput (reported and skipped by ingest), never allowed to
abort a batch with a UnicodeEncodeError. Metadata over its limit (newsqa.limits) is refused too.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import InvalidInput
from .limits import FIELD_CHARS

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def check_unicode(name: str, value: str) -> None:
    """InvalidInput when `value` holds a lone surrogate (it cannot be written as UTF-8)."""
    found = _SURROGATE.search(value)
    if found:
        raise InvalidInput(f"{name} holds a lone surrogate (\\u{ord(found.group()):04x} at character {found.start()}), "
                           "which is not text in UTF-8")


def check_fields(item: Any) -> None:
    """Validate the text and each metadata field of `item` (an ArticleInput or anything with those
    attributes): strings or None, within FIELD_CHARS, free of lone surrogates."""
    check_unicode("text", item.text)
    for name, limit in FIELD_CHARS.items():
        value = getattr(item, name, None)
        if value is None:
            continue
        if not isinstance(value, str):
            raise InvalidInput(f"{name} must be a string")
        if len(value) > limit:
            raise InvalidInput(f"{name} is longer than {limit:,} characters ({len(value):,})")
        check_unicode(name, value)


def clip(value: str | None, limit: int) -> str | None:
    """Metadata newsqa recognised itself (not given by the caller), cut to its limit."""
    return value if value is None or len(value) <= limit else value[: limit - 1].rstrip() + "…"


def readable_name(name: str) -> str:
    """A file name fit to store and show: bytes that were not UTF-8 (kept by Python as surrogate
    escapes) become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace") if _SURROGATE.search(name) else name
