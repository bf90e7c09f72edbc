"""Limits on what newsqa stores, shared by the library (which enforces them) and the API schemas.

Each metadata field of an article is bounded, so that one record cannot make every listing of the
archive megabytes long: a page of `GET /v1/articles` (at most MAX_PAGE items) stays within
MAX_PAGE * sum(FIELD_CHARS.values()) characters, about 2 MB.
"""

from __future__ import annotations

MAX_TITLE_CHARS = 1_000
MAX_URL_CHARS = 2_048  # the length browsers and crawlers commonly support
MAX_PUBLISHED_CHARS = 100  # a date, in any of the shapes feeds write it
MAX_BYLINE_CHARS = 1_000
MAX_CAPTION_CHARS = 5_000
MAX_SOURCE_CHARS = 1_000  # a file name (255 bytes on most file systems) with room for its encoding

FIELD_CHARS: dict[str, int] = {
    "title": MAX_TITLE_CHARS, "url": MAX_URL_CHARS, "published": MAX_PUBLISHED_CHARS,
    "byline": MAX_BYLINE_CHARS, "caption": MAX_CAPTION_CHARS, "source": MAX_SOURCE_CHARS,
}
MAX_PAGE = 200  # articles in one page of a listing
