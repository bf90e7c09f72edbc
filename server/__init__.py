"""The newsqa HTTP server: a Flask skin over `newsqa.NewsQA`, plus a small web page.

Run it with `newsqa serve` (gunicorn) or `newsqa serve --debug` (Flask's development server).
"""

from .app import ServerSettings, create_app

__all__ = ["create_app", "ServerSettings"]
