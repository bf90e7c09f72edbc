"""The routes. Each one validates its input (the pydantic model in its signature), makes one call
to the NewsQA engine and serializes the result; there is no NLP here.

Three blueprints:
- `api`: the REST API under /v1, described in the OpenAPI document;
- `health`: /healthz and /readyz, for load balancers and orchestrators;
- `web`: the web page, the /docs page and the OpenAPI document itself.
"""

from __future__ import annotations

import hmac
import json
import time
from typing import Any
from pathlib import PurePath
from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template, request
from flask_openapi3 import APIBlueprint, Tag
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType

from newsqa import NewsQA, NewsQAError

from .app import ServerSettings, get_engine
from .errors import log, problem
from .schemas import (
    ArticleIn,
    ArticleList,
    ArticleMeta,
    ArticleOut,
    ArticlePath,
    AskIn,
    AskOut,
    Health,
    HtmlArticleIn,
    InfoOut,
    PageQuery,
    QuotesIn,
    QuotesOut,
    Readiness,
    SearchIn,
    SearchOut,
    SummarizeArticleIn,
    SummarizeIn,
    SummarizeTextIn,
    SummaryOut,
    problem_responses,
)

# Every /v1 route may be called with a bearer token; it must be, when the server has an API key.
WRITE_SECURITY: list[dict[str, list[Any]]] = [{}, {"bearer": []}]
READ_SECURITY = WRITE_SECURITY
WRITE_ERRORS = (400, 401, 413, 415, 422, 503)

articles_tag = Tag(name="articles", description="Add, list, read and delete articles.")
qa_tag = Tag(name="questions", description="Ask, search and summarize.")
health_tag = Tag(name="health", description="Liveness and readiness.")

api = APIBlueprint("api", __name__, url_prefix="/v1")
health = APIBlueprint("health", __name__, abp_tags=[health_tag])
web = Blueprint("web", __name__)


def engine() -> NewsQA:
    return get_engine(current_app)


def one_line_doc(func: Any) -> Any:
    """flask-openapi3 turns a docstring's first line into the summary and joins the other lines
    with <br/>; make the rest one line so the description reads as prose in the OpenAPI document."""
    summary, _, rest = (func.__doc__ or "").strip().partition("\n")
    func.__doc__ = summary + ("\n" + " ".join(rest.split()) if rest.strip() else "")
    return func


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


# -- checks every API request passes before its route runs ----------------------------------------


@api.before_request
def check_request() -> Response | None:
    """Authorization first (never parse an unauthorized body), then the body: JSON, an object.

    With an API key set, reads need it too: they return whole articles. CORS preflights (OPTIONS)
    carry no credentials by design and return no data, so they pass.
    """
    settings: ServerSettings = current_app.config["NEWSQA_SERVER"]
    if request.method != "OPTIONS" and settings.api_key and not _authorized(settings.api_key):
        return problem(401, "this route needs the API key: `Authorization: Bearer <key>`",
                       kind="unauthorized", headers={"WWW-Authenticate": 'Bearer realm="newsqa"'})
    if request.method == "POST":
        if not request.is_json:
            raise UnsupportedMediaType(f"send a JSON body with Content-Type: application/json, not {request.mimetype or 'nothing'!r}")
        if request.content_length is None:  # a chunked body: its length is known once read
            _check_streamed_length()
        try:
            body = request.get_json()  # a body over the limit raises a 413 here
        except BadRequest:
            raise BadRequest("the body is not valid JSON") from None
        except RecursionError:
            raise BadRequest("the JSON body is nested too deeply") from None
        if not isinstance(body, dict):
            return problem(422, "the JSON body must be an object", kind="validation-error")
        try:  # lone surrogates ("\ud800") parse as JSON but are not text any store can keep
            json.dumps(body, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise BadRequest("the JSON body holds invalid unicode (a lone surrogate)") from None
    return None


def _check_streamed_length() -> None:
    """413 for a chunked body that reaches the limit. Werkzeug stops reading such a body at the
    limit and hands over the truncated bytes, which then fail to parse: a misleading 400."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit is not None and len(request.get_data(cache=True)) >= limit:
        raise RequestEntityTooLarge(f"the body is larger than this server's limit of {limit:,} bytes (NEWSQA_MAX_BODY)")


def _authorized(key: str) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    # compare_digest takes time independent of where the strings differ: no timing oracle.
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), key.encode())


# -- articles -------------------------------------------------------------------------------------


def _article_json(article: Any, with_text: bool = True) -> dict[str, Any]:
    fields = article.to_dict()
    if fields.get("source"):  # a file name, never a path on the server (older databases kept paths)
        fields["source"] = PurePath(fields["source"]).name
    model = ArticleOut if with_text else ArticleMeta
    return model.model_validate({**fields, "chars": len(article.text)}).model_dump(mode="json")


def _check_article_length(text: str) -> None:
    """One POST may add an article of at most `max_article_chars` characters (ingest cost bound)."""
    limit = current_app.config["NEWSQA_SERVER"].max_article_chars
    if len(text) > limit:
        raise RequestEntityTooLarge(f"the article has {len(text):,} characters; this server takes at most {limit:,} "
                                    "per request (NEWSQA_MAX_ARTICLE_CHARS; `newsqa ingest` takes longer ones)")


@api.post("/articles", tags=[articles_tag], security=WRITE_SECURITY,
          responses={201: ArticleOut, **problem_responses(*WRITE_ERRORS, 409)})
@one_line_doc
def add_article(body: ArticleIn) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Add an article from text or HTML.

    Idempotent: adding the same text again returns the stored article. Giving an `id` that is
    already stored with a different text is a 409.
    """
    given = body.root
    _check_article_length(given.html if isinstance(given, HtmlArticleIn) else given.text)
    if isinstance(given, HtmlArticleIn):
        article = engine().add_html(given.html, url=given.url, article_id=given.id)
    else:
        article = engine().add_article(given.text, title=given.title, url=given.url, published=given.published,
                                       article_id=given.id, byline=given.byline, caption=given.caption, source=given.source)
    return _article_json(article), 201, {"Location": f"/v1/articles/{quote(article.id, safe='')}"}


@api.get("/articles", tags=[articles_tag], security=READ_SECURITY,
         responses={200: ArticleList, **problem_responses(401, 422, 503)})
def list_articles(query: PageQuery) -> dict[str, Any]:
    """List stored articles (with their text only when `with_text=true`), oldest first, a page at a time."""
    items = engine().list_articles(offset=query.offset, limit=query.limit, since=query.since, until=query.until)
    return ArticleList(items=[_article_json(a, with_text=query.with_text) for a in items], total=engine().count_articles(),
                       offset=query.offset, limit=query.limit).model_dump(mode="json")


@api.get("/articles/<path:article_id>", tags=[articles_tag], security=READ_SECURITY,
         responses={200: ArticleOut, **problem_responses(401, 404, 422, 503)})
def get_article(path: ArticlePath) -> dict[str, Any]:
    """One stored article with its text. Percent-encode the id in the URL."""
    return _article_json(engine().get_article(path.article_id))


@api.delete("/articles/<path:article_id>", tags=[articles_tag], security=WRITE_SECURITY,
            responses={204: None, **problem_responses(401, 404, 422, 503)})
def delete_article(path: ArticlePath) -> tuple[str, int]:
    """Delete a stored article, its passages and its vectors."""
    engine().delete_article(path.article_id)
    return "", 204


# -- questions ------------------------------------------------------------------------------------


@api.post("/ask", tags=[qa_tag], security=WRITE_SECURITY,
          responses={200: AskOut, **problem_responses(*WRITE_ERRORS, 404)})
@one_line_doc
def ask(body: AskIn) -> dict[str, Any]:
    """Answer a question from the stored articles (or only from `article_ids`).

    Each answer gives its article and the character offsets of the answer and of its sentence in
    the article's text. An empty `answers` list means the articles do not answer the question.
    """
    started = time.perf_counter()
    answers = engine().ask(body.question, top_k=body.top_k, article_ids=body.article_ids, max_answer_len=body.max_answer_len,
                           since=body.since, until=body.until, prefer=body.prefer)
    return AskOut(question=body.question, answers=[a.to_dict() for a in answers],
                  took_ms=_ms_since(started)).model_dump(mode="json")


@api.post("/search", tags=[qa_tag], security=WRITE_SECURITY,
          responses={200: SearchOut, **problem_responses(*WRITE_ERRORS, 404)})
def search(body: SearchIn) -> dict[str, Any]:
    """The passages most relevant to a query, best first (BM25 and embeddings, fused)."""
    started = time.perf_counter()
    hits = engine().search(body.query, top_k=body.top_k, article_ids=body.article_ids, mode=body.mode,
                           since=body.since, until=body.until)
    return SearchOut(query=body.query, hits=[h.to_dict() for h in hits],
                     took_ms=_ms_since(started)).model_dump(mode="json")


@api.post("/quotes", tags=[qa_tag], security=READ_SECURITY,
          responses={200: QuotesOut, **problem_responses(*WRITE_ERRORS, 404)})
def quotes(body: QuotesIn) -> dict[str, Any]:
    """Who said what: attributed statements in the stored articles, best first (only `speaker`'s, ranked by `query`)."""
    started = time.perf_counter()
    found = engine().quotes(body.query, speaker=body.speaker, article_ids=body.article_ids, top_k=body.top_k)
    return QuotesOut(query=body.query, speaker=body.speaker, quotes=[q.to_dict() for q in found],
                     took_ms=_ms_since(started)).model_dump(mode="json")


@api.post("/summarize", tags=[qa_tag], security=WRITE_SECURITY,
          responses={200: SummaryOut, **problem_responses(*WRITE_ERRORS, 404)})
@one_line_doc
def summarize(body: SummarizeIn) -> dict[str, Any]:
    """An extractive summary of one stored article, a given text, or several stored articles.

    Give exactly one of `article_id`, `text` or `article_ids`; `query` focuses the summary.
    """
    given = body.root
    source: dict[str, Any]
    if isinstance(given, SummarizeArticleIn):
        source = {"article_id": given.article_id}
    elif isinstance(given, SummarizeTextIn):
        source = {"text": given.text}
    else:
        source = {"article_ids": given.article_ids, "since": given.since, "until": given.until}
    # A word budget alone means just that: no default sentence budget on top of it.
    words_only = given.max_words is not None and "max_sentences" not in given.model_fields_set
    started = time.perf_counter()
    summary = engine().summarize(**source, max_sentences=None if words_only else given.max_sentences,
                                 max_words=given.max_words, query=given.query)
    return SummaryOut(**summary.to_dict(), took_ms=_ms_since(started)).model_dump(mode="json")


@api.get("/info", tags=[health_tag], responses={200: InfoOut})
def info() -> dict[str, Any]:
    """The database in use, its article count, the models and the software versions (`newsqa info`)."""
    return InfoOut(**engine().info()).model_dump(mode="json")


# -- health ---------------------------------------------------------------------------------------


@health.get("/healthz", responses={200: Health})
def healthz() -> dict[str, Any]:
    """Liveness: the process answers HTTP. Touches neither the models nor the database."""
    return Health().model_dump()


@health.get("/readyz", responses={200: Readiness, 503: Readiness})
def readyz() -> tuple[dict[str, Any], int]:
    """Readiness: the models are loaded in this process, so a question will not wait for them, and
    the database answers (it is there, it is a database, it is the file the server opened)."""
    try:
        if not engine().ready():
            return Readiness(ready=False, status="loading models").model_dump(), 503
        engine().check_storage()
    except NewsQAError as exc:  # the engine could not even be made: a database that cannot be opened
        log.error("not ready: %s", exc)
        return Readiness(ready=False, status=f"database unavailable: {exc}").model_dump(), 503
    return Readiness(ready=True, status="ready").model_dump(), 200


# -- the web page, the docs page and the OpenAPI document -----------------------------------------


@web.get("/")
def index() -> str:
    """The web page: add articles, ask, see the answer highlighted, summarize."""
    settings: ServerSettings = current_app.config["NEWSQA_SERVER"]
    return render_template("index.html", needs_key=bool(settings.api_key))


@web.get("/openapi.json")
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3 document, generated from the pydantic models in schemas.py."""
    return current_app.api_doc  # type: ignore[attr-defined]


@web.get("/docs")
def docs() -> str:
    """A readable page of the OpenAPI document, rendered here so that it works offline."""
    return render_template("docs.html", spec=current_app.api_doc)  # type: ignore[attr-defined]
