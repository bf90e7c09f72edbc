"""Articles in: plain text (the seed article's shape), JSON / JSON Lines objects and HTML pages.

The text of an article is kept exactly as given; headline, caption and byline are recognised as
metadata where present but never cut out of the text (offsets must stay valid).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from . import dates
from .errors import InvalidInput, UnreadableFile
from .fields import clip, readable_name
from .limits import MAX_BYLINE_CHARS, MAX_CAPTION_CHARS, MAX_TITLE_CHARS

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
    where: str | None = None  # file and line it came from, for error messages; not stored


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
    """An article from plain text; headline/caption/byline filled in when not given, the
    publication date normalised to ISO 8601 (InvalidInput when it is not a date)."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("article text is empty")
    meta = text_metadata(text)
    return ArticleInput(
        text=text,
        title=fields.get("title") or meta["title"],
        url=fields.get("url"),
        published=dates.normalize(fields.get("published")),
        id=fields.get("id"),
        byline=fields.get("byline") or clip(meta["byline"], MAX_BYLINE_CHARS),
        caption=fields.get("caption") or clip(meta["caption"], MAX_CAPTION_CHARS),
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
        title=clip(getattr(meta, "title", None), MAX_TITLE_CHARS),
        url=url or getattr(meta, "url", None),
        published=dates.from_html(html),
        byline=clip(getattr(meta, "author", None), MAX_BYLINE_CHARS),
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


@dataclass
class BadRecord:
    """One record of an input file that cannot become an article: where it is and why."""

    where: str
    reason: str

    def error(self) -> UnreadableFile:
        return UnreadableFile(f"{self.where}: {self.reason}")


def decode_text(raw: bytes) -> str:
    """Text of a file's bytes: UTF-8 (with or without BOM), else the encoding charset-normalizer
    detects (Latin-1 and Windows-1252 news files are common). Raises ValueError for binary data."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(raw))
    if not matches:
        raise ValueError("not text in any encoding charset-normalizer knows (a binary file?)")
    best = matches[0]
    # Windows-1252 and Windows-1250 often decode Western text equally well; the web's most common
    # legacy encoding (and what HTML means by "latin-1") wins a tie.
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    return str(next((m for m in tied if "cp1252" in m.could_be_from_charset), best))


def _item(obj: Any, source: str, where: str) -> ArticleInput | BadRecord:
    try:
        item = from_json_object(obj, source=source)
    except InvalidInput as exc:
        return BadRecord(where, str(exc))
    item.where = where
    return item


def _json_lines(path: Path, source: str, max_line_bytes: int) -> Iterator[ArticleInput | BadRecord]:
    """Records of a JSON Lines file, read one line at a time: memory stays flat however big it is."""
    with path.open("rb") as f:
        number = 0
        while True:
            line = f.readline(max_line_bytes + 1)
            if not line:
                return
            number += 1
            where = f"{path}:{number}"
            if len(line) > max_line_bytes and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):  # skip the rest of the over-long line
                    line = f.readline(1 << 20)
                yield BadRecord(where, f"line is longer than {max_line_bytes:,} bytes")
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
                yield BadRecord(where, f"not a JSON object ({exc})")
                continue
            yield _item(obj, source, where)


MAX_BAD_LINES_SHOWN = 5  # per file: a binary .jsonl is thousands of bad lines


def capped(records: Iterator[ArticleInput | BadRecord], path: Path) -> Iterator[ArticleInput | BadRecord]:
    """`records` with only the first MAX_BAD_LINES_SHOWN bad lines of a file reported one by one;
    the rest are counted into one last report."""
    bad = 0
    for record in records:
        if isinstance(record, BadRecord):
            bad += 1
            if bad > MAX_BAD_LINES_SHOWN:
                continue
        yield record
    if bad > MAX_BAD_LINES_SHOWN:
        yield BadRecord(str(path), f"... and {bad - MAX_BAD_LINES_SHOWN:,} more lines like this")


def read_records(path: Path, max_file_bytes: int = 50_000_000, max_line_bytes: int = 10_000_000) -> Iterator[ArticleInput | BadRecord]:
    """Every article in one file, as it is read: an ArticleInput per good record and a BadRecord
    (file, line or item, reason) per bad one, so that one bad record never stops the rest.

    JSON Lines files are streamed line by line (any size; a line may hold `max_line_bytes`); other
    files are read whole and may hold `max_file_bytes`. Only regular files are opened: a FIFO or a
    device would block or never end.
    """
    suffix = path.suffix.lower()
    source = readable_name(path.name)  # a file name, never a path: it is shown to API clients
    try:
        info = path.stat()
    except FileNotFoundError:
        yield BadRecord(str(path), "no such file or folder")
        return
    except OSError as exc:
        yield BadRecord(str(path), f"cannot read ({exc.strerror or exc})")
        return
    if not stat.S_ISREG(info.st_mode):
        yield BadRecord(str(path), "not a regular file (a folder, FIFO, socket or device)")
        return
    if suffix and suffix not in SUPPORTED_SUFFIXES:
        yield BadRecord(str(path), f"unsupported file type {suffix!r} (newsqa reads {', '.join(sorted(SUPPORTED_SUFFIXES))})")
        return
    if suffix in JSON_SUFFIXES and suffix != ".json":
        try:
            yield from capped(_json_lines(path, source, max_line_bytes), path)
        except OSError as exc:
            yield BadRecord(str(path), f"cannot read ({exc.strerror or exc})")
        return
    if info.st_size > max_file_bytes:
        yield BadRecord(str(path), f"file is {info.st_size / 1e6:,.0f} MB, over the {max_file_bytes / 1e6:,.0f} MB limit for one "
                                   f"{suffix or 'text'} file (split it, or use .jsonl, which is read line by line)")
        return
    try:
        raw = decode_text(path.read_bytes())
    except OSError as exc:
        yield BadRecord(str(path), f"cannot read ({exc.strerror or exc})")
        return
    except ValueError as exc:
        yield BadRecord(str(path), str(exc))
        return
    try:
        if suffix in HTML_SUFFIXES:
            yield dataclasses.replace(from_html(raw, source=source), where=str(path))
        elif suffix == ".json":
            data = json.loads(raw)
            items = data if isinstance(data, list) else [data]
            for n, obj in enumerate(items, 1):
                yield _item(obj, source, f"{path}: item {n}" if isinstance(data, list) else str(path))
        else:
            yield dataclasses.replace(from_text(raw, source=source), where=str(path))
    except (InvalidInput, json.JSONDecodeError, RecursionError) as exc:
        yield BadRecord(str(path), str(exc))


def read_file(path: Path) -> list[ArticleInput]:
    """Every article in one file; UnreadableFile for the first bad record."""
    items = []
    for record in read_records(path):
        if isinstance(record, BadRecord):
            raise record.error()
        items.append(record)
    return items


def find_files(paths: list[str | Path]) -> Iterator[Path]:
    """Files named, and supported files under folders named (recursively, sorted)."""
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES)
        else:
            yield p
