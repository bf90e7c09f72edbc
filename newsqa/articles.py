"""Articles in: plain text (the seed article's shape), JSON / JSON Lines objects and HTML pages.

The text of an article is kept exactly as given; headline, caption and byline are recognised as
metadata where present but never cut out of the text (offsets must stay valid).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from .errors import InvalidInput, UnreadableFile

TEXT_SUFFIXES = {".txt", ".text", ".md"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | JSON_SUFFIXES | HTML_SUFFIXES

_CREDIT = re.compile(r"^\(.{2,120}\)$")  # "(Alexei Druzhinin / Pool)"
_BYLINE = re.compile(
    r"^(twitter:|follow |by [A-Z]|@\w)|reported from|contributed to this|is an? (special |staff |foreign )?(correspondent|writer|reporter|editor)",
    re.IGNORECASE,
)


@dataclass
class ArticleInput:
    """What a source yields before storage: the verbatim text and whatever metadata it carried."""

    text: str
    title: str | None = None
    url: str | None = None
    published: str | None = None
    id: str | None = None
    byline: str | None = None
    caption: str | None = None
    source: str | None = None


def content_id(text: str) -> str:
    """Stable id derived from the text, so the same article added twice is stored once."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def text_metadata(text: str) -> dict[str, str | None]:
    """Headline, photo caption and byline of a plain-text article, where its shape shows them."""
    paragraphs = _paragraphs(text)
    meta: dict[str, str | None] = {"title": None, "caption": None, "byline": None}
    if not paragraphs:
        return meta
    first = paragraphs[0]
    if "\n" not in first and len(first) <= 200 and not first.endswith((".", "?", "!", "”", '"')) and len(paragraphs) > 1:
        meta["title"] = first
    for para in paragraphs[1:3]:
        lines = para.splitlines()
        if len(lines) >= 2 and _CREDIT.match(lines[-1].strip()):
            meta["caption"] = para
            break
    footer = []
    for para in reversed(paragraphs[1:]):
        if len(para) <= 200 and _BYLINE.search(para):
            footer.insert(0, para)
        else:
            break
    if footer:
        meta["byline"] = "\n".join(footer)
    return meta


def from_text(text: str, **fields: Any) -> ArticleInput:
    """An article from plain text; headline/caption/byline filled in when not given."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("article text is empty")
    meta = text_metadata(text)
    return ArticleInput(
        text=text,
        title=fields.get("title") or meta["title"],
        url=fields.get("url"),
        published=fields.get("published"),
        id=fields.get("id"),
        byline=fields.get("byline") or meta["byline"],
        caption=fields.get("caption") or meta["caption"],
        source=fields.get("source"),
    )


def from_html(html: str, url: str | None = None, source: str | None = None) -> ArticleInput:
    """Main text and metadata of an HTML page, extracted with trafilatura."""
    import trafilatura

    if not isinstance(html, str) or not html.strip():
        raise InvalidInput("HTML is empty")
    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True)
    if not text or not text.strip():
        raise InvalidInput("no article text found in the HTML")
    meta = trafilatura.extract_metadata(html)
    return ArticleInput(
        text=text,
        title=getattr(meta, "title", None),
        url=url or getattr(meta, "url", None),
        published=getattr(meta, "date", None),
        byline=getattr(meta, "author", None),
        source=source,
    )


def from_json_object(obj: Any, source: str | None = None) -> ArticleInput:
    """An article from a JSON object with `text` (or `article`), optional title/url/published/id."""
    if not isinstance(obj, dict):
        raise InvalidInput("a JSON article must be an object")
    text = obj.get("text") or obj.get("article")
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("JSON article has no text")
    str_or_none = lambda v: None if v is None else str(v)  # noqa: E731
    return from_text(text, title=str_or_none(obj.get("title")), url=str_or_none(obj.get("url")),
                     published=str_or_none(obj.get("published")), id=str_or_none(obj.get("id")), source=source)


def read_file(path: Path) -> list[ArticleInput]:
    """Every article in one file; UnreadableFile when it cannot be read or holds no text."""
    suffix = path.suffix.lower()
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableFile(f"{path}: cannot read ({exc})") from exc
    try:
        if suffix in HTML_SUFFIXES:
            return [from_html(raw, source=str(path))]
        if suffix == ".json":
            data = json.loads(raw)
            items = data if isinstance(data, list) else [data]
            return [from_json_object(obj, source=str(path)) for obj in items]
        if suffix in JSON_SUFFIXES:
            return [from_json_object(json.loads(line), source=str(path)) for line in raw.splitlines() if line.strip()]
        return [from_text(raw, source=str(path))]
    except (InvalidInput, json.JSONDecodeError) as exc:
        raise UnreadableFile(f"{path}: {exc}") from exc


def find_files(paths: list[str | Path]) -> Iterator[Path]:
    """Files named, and supported files under folders named (recursively, sorted)."""
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES)
        else:
            yield p
