"""Every error leaves the server as `application/problem+json` (RFC 9457).

Three sources of errors meet here: HTTP errors raised by Flask and Werkzeug (404, 405, 413, 415, a
malformed JSON body), the library's own typed errors (`NewsQAError` and its subclasses), and request
validation by pydantic (reported through `validation_problem`, which flask-openapi3 calls). Anything else is a bug on our side: it is logged with its traceback and the
client gets a plain 500 problem, never the traceback.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, json
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from newsqa.errors import (
    ArticleConflict,
    ArticleNotFound,
    InvalidInput,
    ModelNotFound,
    NewsQAError,
    StorageError,
    TimeBudgetExceeded,
)

from .schemas import PROBLEM_MEDIA_TYPE, ArticleIn, SummarizeIn

log = logging.getLogger("newsqa.server")
TAGGED_UNIONS = {ArticleIn.__name__, SummarizeIn.__name__}  # request bodies that come in several shapes

# Library errors, most specific first: the status each one means over HTTP. A missing model is the
# server's fault, not the client's: 503, so a load balancer can route around this instance; so is
# a database that cannot be used (disk full, deleted, corrupt) and a request over its time budget.
LIBRARY_ERRORS: list[tuple[type[NewsQAError], int, str]] = [
    (ModelNotFound, 503, "model-unavailable"),
    (StorageError, 503, "storage-unavailable"),
    (TimeBudgetExceeded, 503, "time-budget-exceeded"),
    (ArticleNotFound, 404, "article-not-found"),
    (ArticleConflict, 409, "article-conflict"),
    (InvalidInput, 422, "invalid-input"),
    (NewsQAError, 400, "bad-request"),
]


def problem(status: int, detail: str | None = None, *, kind: str | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> Response:
    """A problem+json response. `kind` names the problem; the HTTP phrase is its title."""
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": f"urn:newsqa:problem:{kind or phrase.lower().replace(' ', '-')}",
        "title": phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def validation_problem(error: ValidationError) -> Response:
    """A 422 listing the invalid fields. Used by flask-openapi3 for bodies, paths and queries.

    Bodies that come in several shapes (`{article_id}`, `{text}` or `{article_ids}` to summarize)
    are pydantic tagged unions, which put the tag first in each error's location
    (`article_id.max_sentences`); the client sent `max_sentences`, so that is the name reported.
    """
    tagged = error.title in TAGGED_UNIONS
    fields = [
        {"loc": list(e["loc"][1:] if tagged and len(e["loc"]) > 1 else e["loc"]), "msg": e["msg"], "type": e["type"]}
        for e in error.errors(include_url=False, include_context=False, include_input=False)
    ]
    for f in fields:  # a blank question or text: the library's own words, not a regex or a length
        if f["type"] in BLANK_ERRORS and f["loc"] and isinstance(f["loc"][-1], str):
            f["msg"] = f"{f['loc'][-1]} is empty"
    if fields and all(f["type"] in BLANK_ERRORS for f in fields):  # "question is empty", as the library says it
        return problem(422, "; ".join(f["msg"] for f in fields[:5]), kind="validation-error", errors=fields)
    where = "; ".join(f"{'.'.join(map(str, f['loc'])) or 'body'}: {f['msg']}" for f in fields[:5])
    return problem(422, f"invalid request: {where}", kind="validation-error", errors=fields)


# The pydantic errors of a string field given blank ("" or only spaces: schemas.NonBlank, Question).
BLANK_ERRORS = ("string_too_short", "string_pattern_mismatch")


def _http_error(error: HTTPException) -> Response | HTTPException:
    if error.response is not None:  # abort(response): already a finished response (e.g. a 422)
        return error.response
    if error.code is None or error.code < 400:  # redirects raised by routing pass through
        return error
    # Keep headers Werkzeug attaches for a reason, such as `Allow` on a 405.
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    if isinstance(error, RequestEntityTooLarge) and error.description == RequestEntityTooLarge.description:
        # Werkzeug's own text does not say what the limit is (our routes' 413s do already).
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if limit:
            return problem(413, f"the request body is larger than this server's limit of {limit:,} bytes "
                                "(NEWSQA_MAX_BODY sets it)", headers=headers, limit=limit)
    return problem(error.code, error.description, headers=headers)


def _library_error(error: NewsQAError) -> Response:
    for cls, status, kind in LIBRARY_ERRORS:
        if isinstance(error, cls):
            if status >= 500:  # the operator must hear of it, not only the client
                log.error("%s: %s", kind, error)
            headers = {"Retry-After": "5"} if status == 503 else None
            return problem(status, str(error), kind=kind, headers=headers)
    return problem(400, str(error))  # pragma: no cover - NewsQAError is the last entry


def _unexpected_error(error: Exception) -> Response:
    log.exception("unhandled error", exc_info=error)
    return problem(500, "The server hit an unexpected error; it has been logged.")


def register_error_handlers(app: Flask) -> None:
    """Install the handlers; called once by the app factory."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(NewsQAError, _library_error)
    app.register_error_handler(Exception, _unexpected_error)
