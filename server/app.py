"""The Flask application factory.

    create_app()                       # engine created on first use, settings from the environment
    create_app(NewsQA(":memory:"))     # tests: an engine of your own

The app is a thin skin over `newsqa.NewsQA`: it validates requests, makes one engine call and
serializes the result. Server-only settings (API key, body limit, CORS) live here, in
`ServerSettings`, not in the library, which never imports Flask.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Flask, Response, request
from flask_openapi3 import Info, OpenAPI

from newsqa import limits

from .errors import register_error_handlers, validation_problem
from .headers import add_security_headers
from .schemas import Problem

if TYPE_CHECKING:
    from newsqa import NewsQA

DEFAULT_MAX_BODY = 5 * 1024 * 1024
DEFAULT_MAX_ARTICLE_CHARS = limits.MAX_POSTED_ARTICLE_CHARS
DEFAULT_REQUEST_TIMEOUT = 30.0


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


@dataclass
class ServerSettings:
    """Settings of the HTTP layer only; each has an environment variable.

    - `api_key` (NEWSQA_API_KEY): when set, every /v1 route (reads too: they return whole
      articles) needs `Authorization: Bearer KEY`.
    - `max_body` (NEWSQA_MAX_BODY): largest request body in bytes; larger ones get a 413, chunked
      bodies included.
    - `max_article_chars` (NEWSQA_MAX_ARTICLE_CHARS): longest article text one POST may add (413
      beyond); ingesting costs time in proportion, so this bounds what one request can cost.
      `newsqa ingest` has no such limit beyond the library's.
    - `request_timeout` (NEWSQA_REQUEST_TIMEOUT, seconds): the time budget of one API request; a
      request that runs past it stops and gets a 503 problem (nothing is stored).
    - `cors_origins` (NEWSQA_CORS_ORIGINS, comma-separated, `*` for any): origins allowed to call
      the API from a browser. Empty means CORS is off: browsers only allow same-origin calls.
    """

    api_key: str | None = field(default_factory=lambda: os.environ.get("NEWSQA_API_KEY") or None)
    max_body: int = field(default_factory=lambda: int(os.environ.get("NEWSQA_MAX_BODY") or DEFAULT_MAX_BODY))
    max_article_chars: int = field(default_factory=lambda: int(os.environ.get("NEWSQA_MAX_ARTICLE_CHARS") or DEFAULT_MAX_ARTICLE_CHARS))
    request_timeout: float = field(default_factory=lambda: float(os.environ.get("NEWSQA_REQUEST_TIMEOUT") or DEFAULT_REQUEST_TIMEOUT))
    cors_origins: list[str] = field(default_factory=lambda: _env_list("NEWSQA_CORS_ORIGINS"))


class EngineHolder:
    """Holds the app's NewsQA engine, creating it on first use.

    Creating it lazily keeps `create_app()` cheap and lets each gunicorn worker open its own SQLite
    connection after the fork. The lock makes sure two threads never create two engines.
    """

    def __init__(self, engine: NewsQA | None = None) -> None:
        self._engine = engine
        self._lock = threading.Lock()

    @property
    def engine(self) -> NewsQA:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    from newsqa import NewsQA

                    self._engine = NewsQA()
        return self._engine


def get_engine(app: Flask) -> NewsQA:
    """The engine of `app` (created now if it was not yet)."""
    return app.extensions["newsqa"].engine


def create_app(engine: NewsQA | None = None, settings: ServerSettings | None = None) -> OpenAPI:
    """Build the app: API routes under /v1, health checks, the web page, the OpenAPI document."""
    from newsqa import __version__

    from . import routes

    settings = settings or ServerSettings()
    app = OpenAPI(
        __name__,
        info=Info(
            title="newsqa",
            version=__version__,
            description="Answer questions about news articles and summarize them. "
            "Every answer and summary sentence carries character offsets into its article's text.",
        ),
        security_schemes={"bearer": {"type": "http", "scheme": "bearer",
                                     "description": "Needed on every /v1 route when the server sets NEWSQA_API_KEY."}},
        validation_error_status=422,
        validation_error_model=Problem,
        validation_error_callback=validation_problem,
        doc_ui=False,  # our own offline /docs page instead of UI bundles from a CDN
    )
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body
    app.config["NEWSQA_SERVER"] = settings
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # unicode stays readable in responses
    app.extensions["newsqa"] = EngineHolder(engine)
    app.wsgi_app = TimeBudget(app.wsgi_app, settings.request_timeout)  # type: ignore[method-assign]

    app.register_api(routes.api)
    app.register_api(routes.health)
    app.register_blueprint(routes.web)
    register_error_handlers(app)
    add_security_headers(app)
    if settings.cors_origins:
        _enable_cors(app, settings.cors_origins)
    return app


class TimeBudget:
    """WSGI middleware: every request runs under `newsqa.budget.time_budget(seconds)`, so a slow
    one stops with TimeBudgetExceeded (a 503 problem) long before gunicorn would kill the worker
    and send its own HTML 500."""

    def __init__(self, wsgi_app, seconds: float) -> None:  # noqa: ANN001 - any WSGI callable
        self.wsgi_app = wsgi_app
        self.seconds = seconds

    def __call__(self, environ, start_response):  # noqa: ANN001, ANN204 - the WSGI signature
        from newsqa.budget import time_budget

        with time_budget(self.seconds):
            return self.wsgi_app(environ, start_response)


def _enable_cors(app: Flask, origins: list[str]) -> None:
    """Answer browsers from the configured origins; preflights are Flask's automatic OPTIONS."""

    @app.after_request
    def add_cors_headers(response: Response) -> Response:
        origin = request.headers.get("Origin")
        response.headers.add("Vary", "Origin")  # the answer depends on the Origin: caches must know
        if origin and ("*" in origins or origin in origins):
            response.headers["Access-Control-Allow-Origin"] = "*" if "*" in origins else origin
            if request.method == "OPTIONS":
                response.headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE, OPTIONS"
                response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
                response.headers["Access-Control-Max-Age"] = "600"
        return response
