"""Every limit on newsqa's inputs, and the checks that enforce them, in one place.

The engine checks its inputs here and raises InvalidInput; the REST API's request schemas
(server/schemas.py) declare the same numbers and patterns from here, so the HTTP contract and the
library cannot drift apart. Limits a deployment may change (question and article length) are
`Settings` fields whose defaults come from here.
"""

from __future__ import annotations

import re
from numbers import Integral
from typing import Sequence

from .errors import InvalidInput

# -- sizes ------------------------------------------------------------------------------------------
MAX_TOP_K = 50  # answers, hits or quotes one call returns
MAX_IDS = 1000  # article ids one call may name
MAX_LIST_LIMIT = 1000  # articles one `list_articles` page may hold (the API pages at most MAX_API_PAGE)
MAX_API_PAGE = 200
MAX_QUESTION_CHARS = 1000  # default of Settings.max_question_chars (questions and queries)
MAX_ARTICLE_CHARS = 2_000_000  # default of Settings.max_article_chars (the library; `newsqa ingest`)
MAX_POSTED_ARTICLE_CHARS = 300_000  # default for one POST to the API: about 10 s of embedding on one busy core
MAX_FILE_BYTES = 50_000_000  # default of Settings.max_file_bytes: one .txt/.json/.html file (.jsonl is streamed)
MAX_SUMMARY_SENTENCES = 100
MAX_SUMMARY_WORDS = 10_000
MAX_ANSWER_TOKENS = 100  # longest answer `ask` may be asked for (max_answer_len)
MAX_SPEAKER_CHARS = 200  # a speaker's name as asked for in `quotes(speaker=...)`
MAX_DATE_CHARS = 100  # a publication date or a since/until bound (newsqa/dates.py)
EMBEDDING_DIMENSIONS = 384  # all-MiniLM-L6-v2; the stores' vector columns have this size

# -- article metadata (issue 22, item 6) ------------------------------------------------------------
# Each field is bounded, so that one record cannot make every listing of the archive megabytes long:
# a page of `GET /v1/articles` (MAX_API_PAGE items) stays within MAX_API_PAGE * sum(FIELD_CHARS), ~2 MB.
# Enforced on what callers give by newsqa.fields.check_fields; metadata newsqa recognises itself
# (a caption, a byline, an HTML page's title) is clipped to the same limits instead.
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

# -- article ids ------------------------------------------------------------------------------------
MAX_ID_CHARS = 200
# 1-200 characters without C0 controls or DEL, at least one of them visible (neither whitespace nor a
# C1 control). Written for both Python's `re` and JSON Schema's ECMA-262 regexes: the API schema uses
# the same pattern. (JSON Schema's \s lacks \x1c-\x1f and \x85, hence the explicit ranges.)
VISIBLE = r"[^\s\x00-\x1f\x7f-\x9f]"
ARTICLE_ID_PATTERN = r"^[^\x00-\x1f\x7f]*" + VISIBLE + r"[^\x00-\x1f\x7f]*$"
_ARTICLE_ID = re.compile(ARTICLE_ID_PATTERN)
_VISIBLE = re.compile(VISIBLE)


def check_article_id(article_id: object) -> str:
    """`article_id` if it is a valid id, else InvalidInput."""
    if not isinstance(article_id, str) or not 1 <= len(article_id) <= MAX_ID_CHARS or not _ARTICLE_ID.match(article_id):
        raise InvalidInput(f"an article id is 1-{MAX_ID_CHARS} characters without control characters, not all spaces")
    return article_id


def check_article_ids(article_ids: Sequence[str] | None) -> list[str] | None:
    """The ids as a list (None stays None: no filter); InvalidInput for a bare string or a bad id."""
    if article_ids is None:
        return None
    if isinstance(article_ids, str):
        raise InvalidInput("article_ids must be a list of ids")
    ids = list(article_ids)
    if len(ids) > MAX_IDS:
        raise InvalidInput(f"at most {MAX_IDS} article ids")
    return [check_article_id(a) for a in ids]


def check_question(question: object, name: str = "question", max_chars: int = MAX_QUESTION_CHARS) -> str:
    """The question (or query) stripped; InvalidInput when it is empty or too long."""
    if not isinstance(question, str) or not _VISIBLE.search(question):
        raise InvalidInput(f"{name} is empty")
    if len(question) > max_chars:
        raise InvalidInput(f"{name} is longer than {max_chars} characters")
    return question.strip()


def check_text(text: object, max_chars: int = MAX_ARTICLE_CHARS) -> str:
    """An article text as given; InvalidInput when it is blank or too long."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("text is empty")
    if len(text) > max_chars:
        raise InvalidInput(f"text is longer than {max_chars} characters")
    return text


def check_int(name: str, value: object, low: int, high: int) -> int:
    """An integer in [low, high] (a bool is not one; numpy integers are); InvalidInput otherwise."""
    if not isinstance(value, Integral) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(f"{name} must be an integer between {low} and {high}")
    return value


def check_top_k(top_k: object) -> int:
    return check_int("top_k", top_k, 1, MAX_TOP_K)


def check_page(offset: object, limit: object) -> tuple[int, int]:
    """(offset, limit) of a page of articles."""
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise InvalidInput("offset must be an integer >= 0")
    return offset, check_int("limit", limit, 1, MAX_LIST_LIMIT)


def check_summary_budget(max_sentences: int | None, max_words: int | None) -> None:
    """At least one budget, each a positive integer within its limit."""
    if max_sentences is None and max_words is None:
        raise InvalidInput("give max_sentences or max_words (or both)")
    if max_sentences is not None:
        check_int("max_sentences", max_sentences, 1, MAX_SUMMARY_SENTENCES)
    if max_words is not None:
        check_int("max_words", max_words, 1, MAX_SUMMARY_WORDS)


def check_speaker(speaker: object) -> str:
    """A speaker name to match (any part of a resolved name): 1-MAX_SPEAKER_CHARS characters, not blank."""
    if not isinstance(speaker, str) or not speaker.strip():
        raise InvalidInput("speaker is empty")
    if len(speaker) > MAX_SPEAKER_CHARS:
        raise InvalidInput(f"speaker is longer than {MAX_SPEAKER_CHARS} characters")
    return speaker.strip()
