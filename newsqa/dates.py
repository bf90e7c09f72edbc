"""Publication dates: what an input says, normalised to ISO 8601, and the bounds of a date filter.

A date is never guessed: an article whose input gives none has `published = None`. What is given
is parsed with python-dateutil (ISO 8601, RFC 2822 as in RSS, "May 1, 2024", "1 May 2024",
"2024/05/01", ...) and stored as `YYYY-MM-DD` (a date) or `YYYY-MM-DDTHH:MM:SS+HH:MM` (a datetime
with its zone; a time given without a zone is read as UTC). A value that is not a whole date (no
day, no year, or not a date at all) is an InvalidInput, never a silent guess.

For filtering, the stores keep `published_ts`: seconds since the epoch at the start of the
published instant (midnight UTC for a date). `since`/`until` are inclusive: a date as `until`
covers the whole day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from .errors import InvalidInput
from .limits import MAX_DATE_CHARS
_DEFAULTS = (datetime(2001, 2, 3, 4, 5, 6, 7), datetime(2002, 3, 4, 5, 6, 7, 8))  # two defaults reveal missing parts


def _parse(value: str) -> tuple[datetime, bool]:
    """(the datetime, whether a time of day was given) for a date string; InvalidInput if it is
    not a whole date."""
    from dateutil import parser

    text = value.strip()
    if len(text) > MAX_DATE_CHARS:
        raise InvalidInput(f"published is longer than {MAX_DATE_CHARS} characters (not a date)")
    if not text:
        raise InvalidInput(f"not a date: {value!r}")
    try:
        return _iso(text)
    except ValueError:
        pass
    try:
        a, b = (parser.parse(text, default=d) for d in _DEFAULTS)
    except (ValueError, OverflowError, parser.ParserError) as exc:
        raise InvalidInput(f"not a date: {value!r} (give ISO 8601, e.g. 2024-05-01 or 2024-05-01T09:30:00+02:00)") from exc
    if (a.year, a.month, a.day) != (b.year, b.month, b.day):
        raise InvalidInput(f"not a whole date (year, month and day): {value!r}")
    has_time = (a.hour, a.minute, a.second) == (b.hour, b.minute, b.second)  # else the defaults show through
    if not has_time:
        a = a.replace(hour=0, minute=0, second=0, microsecond=0)
    elif a.microsecond != b.microsecond:
        a = a.replace(microsecond=0)
    return a, has_time


def _iso(text: str) -> tuple[datetime, bool]:
    """ISO 8601 through the standard library (fast path); ValueError if it is not that."""
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time()), False
    if len(text) < 16 or text[4] != "-" or text[10] not in "T ":
        raise ValueError(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")), True


def normalize(value: object) -> str | None:
    """ISO 8601 for a publication date given as a string, date or datetime; None for None.

    `2024-05-01`, `May 1, 2024` -> `2024-05-01`; `2024-05-01T09:30:00+02:00`,
    `Wed, 01 May 2024 07:30:00 GMT` -> a datetime with its zone. InvalidInput otherwise.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        moment, has_time = value, True
    elif isinstance(value, date):
        moment, has_time = datetime.combine(value, time()), False
    elif isinstance(value, str):
        if not value.strip():
            return None
        moment, has_time = _parse(value)
    else:
        raise InvalidInput(f"published must be a date string, not {type(value).__name__}")
    if not has_time:
        return moment.date().isoformat()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.isoformat(timespec="seconds")


def timestamp(published: str | None) -> float | None:
    """Seconds since the epoch at the start of a normalised publication date (None stays None);
    None too for a stored value that does not parse (databases older than normalisation)."""
    if published is None:
        return None
    try:
        moment, _ = _parse(published)
    except InvalidInput:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def bound(value: object, name: str, upper: bool) -> float | None:
    """The epoch seconds of an inclusive filter bound: `since` at its start, `until` at its end (a
    date as `until` covers its whole day). None for no bound; InvalidInput for a bad one."""
    if value is None:
        return None
    try:
        iso = normalize(value)
    except InvalidInput as exc:
        raise InvalidInput(f"{name}: {exc}") from None
    if iso is None:
        return None
    start = timestamp(iso)
    assert start is not None
    if upper and len(iso) == 10:
        return start + timedelta(days=1).total_seconds() - 1e-3
    return start


def date_range(since: object = None, until: object = None) -> tuple[float | None, float | None] | None:
    """(since, until) in epoch seconds for the stores, or None when neither is given;
    InvalidInput when a bound is bad or `since` is after `until`."""
    lo, hi = bound(since, "since", False), bound(until, "until", True)
    if lo is None and hi is None:
        return None
    if lo is not None and hi is not None and lo > hi:
        raise InvalidInput("since is after until")
    return lo, hi


def from_html(html: str) -> str | None:
    """The publication date an HTML page's markup gives (article:published_time and other meta
    tags, JSON-LD datePublished, <time>), found by htmldate without its extensive search, which
    guesses from the text and URL; None when the markup gives none."""
    from htmldate import find_date

    try:
        found = find_date(html, extensive_search=False, original_date=True, outputformat="%Y-%m-%dT%H:%M:%S%z")
    except Exception:  # htmldate on a page it cannot parse: no date rather than no article
        return None
    if not found:
        return None
    if found.endswith("T00:00:00"):  # htmldate's time for a date-only value: keep the date
        return found[:10]
    try:
        return normalize(found)
    except InvalidInput:
        return None
