"""A client for a running `newsqa serve`: the engine calls the CLI makes, over the REST API.

A server keeps the models loaded, so a command answered through it starts in a fraction of a
second instead of loading them first. Standard library only (urllib): importing this module loads
neither torch nor numpy. Answers come back as the library's own types, and the server's problem
responses as the library's own errors, so the CLI prints both the same way it prints local ones.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence
from urllib.parse import quote, urlencode

from . import unix_http
from .errors import ArticleConflict, ArticleNotFound, InvalidInput, ModelNotFound, NewsQAError
from .limits import MAX_API_PAGE, MAX_FILE_BYTES, MAX_POSTED_ARTICLE_CHARS, check_summary_budget
from .types import Answer, Article, Quote, SearchHit, Summary

MAX_LINE_BYTES = MAX_POSTED_ARTICLE_CHARS * 4 + 65536  # one .jsonl line: the longest article a POST takes

# The library error each HTTP status stands for (anything else 4xx/5xx: NewsQAError).
class ServerUnavailable(NewsQAError):
    """No newsqa server answers at the configured address."""


class Unauthorized(NewsQAError, PermissionError):
    """The server refused the API key sent (or wanted one and got none)."""


STATUS_ERRORS: dict[int, type[NewsQAError]] = {401: Unauthorized, 404: ArticleNotFound, 409: ArticleConflict, 413: InvalidInput,
                                               422: InvalidInput, 503: ModelNotFound}


class Client:
    """Talks to the newsqa REST API at `url` (e.g. http://127.0.0.1:8000)."""

    def __init__(self, url: str, api_key: str | None = None, timeout: float = 120.0, database: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.database = database  # the database the server works on, when the caller knows it (a local worker)
        sock = unix_http.socket_path(self.url)  # `unix:/path`: a local worker's socket (newsqa/daemon.py)
        self._base = "http://localhost" if sock else self.url
        self._open = unix_http.opener(sock).open if sock else urllib.request.urlopen

    def __repr__(self) -> str:
        return f"Client({self.url!r})"

    @property
    def location(self) -> str:
        """Where the articles are, for messages: the database of a local worker, else the server."""
        from .config import without_password

        return f"the database {without_password(self.database)}" if self.database else f"the server at {self.url}"

    # -- transport ------------------------------------------------------------------------------
    def _call(self, method: str, path: str, body: dict[str, Any] | None = None, timeout: float | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self._base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.api_key:
            request.add_header("Authorization", f"Bearer {self.api_key}")
        try:
            with self._open(request, timeout=timeout or self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise _library_error(error, prefix="" if self.database else "server: ") from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            raise ServerUnavailable(f"no newsqa server answers at {self.url} ({reason})") from None
        return json.loads(raw) if raw else None

    def ping(self, timeout: float = 2.0) -> None:
        """Raise ServerUnavailable unless a newsqa server answers /healthz within `timeout` seconds."""
        self._call("GET", "/healthz", timeout=timeout)

    # -- the engine's calls (newsqa.protocol.Engine: the same signatures as NewsQA) -------------------
    def info(self) -> dict[str, Any]:
        """The server's `info()`, with its address under "server"."""
        return {"server": self.url, **self._call("GET", "/v1/info")}

    def close(self) -> None:
        """Nothing to release: every call is its own HTTP request."""

    def add_article(self, text: str, title: str | None = None, url: str | None = None, published: str | None = None,
                    article_id: str | None = None, byline: str | None = None, caption: str | None = None,
                    source: str | None = None) -> Article:
        body = {"text": text, "title": title, "url": url, "published": published, "id": article_id,
                "byline": byline, "caption": caption, "source": source}
        return Article.from_dict(self._call("POST", "/v1/articles", {k: v for k, v in body.items() if v is not None}))

    def add_html(self, html: str, url: str | None = None, article_id: str | None = None) -> Article:
        body = {"html": html, "url": url, "id": article_id}
        return Article.from_dict(self._call("POST", "/v1/articles", {k: v for k, v in body.items() if v is not None}))

    def ask(self, question: str, top_k: int = 3, article_ids: Sequence[str] | None = None, max_answer_len: int = 40,
            since: str | None = None, until: str | None = None, prefer: str | None = None) -> list[Answer]:
        body = self._call("POST", "/v1/ask", {"question": question, "top_k": top_k, "article_ids": _ids(article_ids),
                                              "max_answer_len": max_answer_len, **_given(since=since, until=until, prefer=prefer)})
        return [Answer.from_dict(a) for a in body["answers"]]

    def quotes(self, query: str | None = None, *, speaker: str | None = None, article_ids: Sequence[str] | None = None,
               top_k: int = 10) -> list[Quote]:
        body = self._call("POST", "/v1/quotes", {"query": query, "speaker": speaker, "top_k": top_k, "article_ids": _ids(article_ids)})
        return [Quote.from_dict(q) for q in body["quotes"]]

    def search(self, query: str, top_k: int = 5, article_ids: Sequence[str] | None = None, mode: str = "hybrid",
               since: str | None = None, until: str | None = None) -> list[SearchHit]:
        body = self._call("POST", "/v1/search", {"query": query, "top_k": top_k, "article_ids": _ids(article_ids), "mode": mode,
                                                 **_given(since=since, until=until)})
        return [SearchHit.from_dict(h) for h in body["hits"]]

    def summarize(self, article_id: str | None = None, text: str | None = None, article_ids: Sequence[str] | None = None,
                  max_sentences: int | None = 3, max_words: int | None = None, query: str | None = None,
                  since: str | None = None, until: str | None = None) -> Summary:
        given = [(k, v) for k, v in (("article_id", article_id), ("text", text), ("article_ids", article_ids)) if v is not None]
        if since is not None or until is not None:
            if article_ids is None or len(given) != 1:  # a summary of a whole date range is the library's alone
                raise InvalidInput("since/until select among article_ids (a date range alone: use the library)")
        if len(given) != 1:
            raise InvalidInput("give exactly one of article_id, text or article_ids")
        source = {given[0][0]: _ids(given[0][1]) if given[0][0] == "article_ids" else given[0][1]}
        source.update(_given(since=since, until=until))
        budget = {k: v for k, v in (("max_sentences", max_sentences), ("max_words", max_words), ("query", query)) if v is not None}
        check_summary_budget(max_sentences, max_words)  # here too: with neither, the API would apply its default budget
        return Summary.from_dict(self._call("POST", "/v1/summarize", {**source, **budget}))

    def get_article(self, article_id: str) -> Article:
        return Article.from_dict(self._call("GET", f"/v1/articles/{quote(article_id, safe='')}"))

    def list_articles(self, offset: int = 0, limit: int = 50, since: str | None = None, until: str | None = None) -> list[Article]:
        """Stored articles, oldest first, with their text (as NewsQA.list_articles), a page at a time."""
        found: list[Article] = []
        while len(found) < limit:  # the API pages at most MAX_API_PAGE articles at a time
            page = min(limit - len(found), MAX_API_PAGE)
            body = self._call("GET", "/v1/articles?" + urlencode({"offset": offset + len(found), "limit": page, "with_text": "true",
                                                                 **_given(since=since, until=until)}))
            found += [Article.from_dict(a) for a in body["items"]]
            if len(body["items"]) < page:
                break
        return found

    def count_articles(self) -> int:
        return int(self._call("GET", "/v1/articles?limit=1")["total"])

    def delete_article(self, article_id: str) -> None:
        self._call("DELETE", f"/v1/articles/{quote(article_id, safe='')}")

    def ingest_iter(self, paths: Sequence[str | Path], progress: bool = False,
                    on_error: Callable[[Path, Exception], None] | None = None) -> Iterator[Article]:
        """Read the files here and add each article through the server (which embeds and stores
        it), yielding it once stored; the same streaming and error reports as NewsQA.ingest_iter."""
        from .ingest import stream

        def post(items: list, refuse: Callable) -> list[Article]:
            stored = []
            for item in items:
                try:
                    stored.append(self.add_article(item.text, item.title, item.url, item.published, item.id,
                                                   item.byline, item.caption, item.source))
                except (InvalidInput, ArticleConflict) as exc:
                    refuse(item, exc)
            return stored

        paths = [paths] if isinstance(paths, (str, Path)) else paths
        return stream(paths, post, max_file_bytes=MAX_FILE_BYTES, max_line_bytes=MAX_LINE_BYTES, progress=progress, on_error=on_error)

    def ingest(self, paths: Sequence[str | Path], progress: bool = False,
               on_error: Callable[[Path, Exception], None] | None = None) -> list[Article]:
        return list(self.ingest_iter(paths, progress, on_error))


def _given(**values: Any) -> dict[str, Any]:
    """The optional fields that were given (the API's defaults stand for the others)."""
    return {k: v for k, v in values.items() if v is not None}


def _ids(article_ids: Sequence[str] | None) -> list[str] | None:
    if isinstance(article_ids, str):
        raise InvalidInput("article_ids must be a list of ids")
    return list(article_ids) if article_ids is not None else None


def _library_error(error: urllib.error.HTTPError, prefix: str = "server: ") -> NewsQAError:
    """The library error for a problem+json response, with the server's own explanation (a local
    background worker's without the prefix: a command says the same with or without one)."""
    try:
        problem = json.loads(error.read() or b"{}")
    except ValueError:
        problem = {}
    detail = problem.get("detail") or problem.get("title") or f"HTTP {error.code}"
    return STATUS_ERRORS.get(error.code, NewsQAError)(f"{prefix}{detail}")
