"""Security headers on every response (issue 22, item 7).

The page and /docs load their script and style from this server only, so a Content-Security-Policy
that allows nothing else keeps an injected tag inert even if escaping ever failed; the page may not
be framed (clickjacking), and browsers may not guess a content type other than the one sent.
"""

from __future__ import annotations

from flask import Flask, Response

# /docs carries an inline <style>; styles cannot run code, scripts come from 'self' only.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def add_security_headers(app: Flask) -> None:
    """Set HEADERS on every response of `app` (a route that set one itself keeps its own)."""

    @app.after_request
    def secure(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
