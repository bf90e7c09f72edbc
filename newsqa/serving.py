"""How `newsqa serve` (and the background worker) start gunicorn: the command line and its checks.

From a checkout's root after a non-editable `pip install .`, the folder `newsqa/` there would shadow
the installed package on gunicorn's import path (Python puts the current folder first), and it has
no `newsqa.server`. So gunicorn starts in the folder the imported package lives in (`-P`: with no
current folder on the path either); relative paths in NEWSQA_DB, NEWSQA_HOME and NEWSQA_MODELS are
made absolute first, so they still name what the user meant.
"""

from __future__ import annotations

import errno
import os
import socket
import sys

from .config import PACKAGE_DIR
from .errors import InvalidInput


def gunicorn_command(options: list[str]) -> list[str]:
    """The argv that runs newsqa's gunicorn server with `options` (-w, -b ...)."""
    return [sys.executable, "-P", "-m", "gunicorn", "--config", "python:newsqa.server.gunicorn_conf", *options, "newsqa.server.app:create_app()"]


def leave_the_current_folder() -> None:
    """chdir to the folder holding the imported newsqa package, after making the relative paths
    in NEWSQA_DB, NEWSQA_HOME and NEWSQA_MODELS absolute (gunicorn then imports the installed code)."""
    from .daemon import database_key

    db = os.environ.get("NEWSQA_DB")
    if db and not db.startswith(("postgresql://", "postgres://", "file:")):
        key = database_key(db)
        if key is not None:
            os.environ["NEWSQA_DB"] = key
    for name in ("NEWSQA_HOME", "NEWSQA_MODELS"):
        if os.environ.get(name):
            os.environ[name] = os.path.abspath(os.environ[name])
    os.chdir(PACKAGE_DIR.parent)


def check_port_free(host: str, port: int) -> None:
    """InvalidInput (one `error:` line, exit 2) when `host:port` cannot be bound: in use, or not an
    address of this machine."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InvalidInput(f"cannot serve on {host}:{port}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does: TIME_WAIT is no obstacle
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InvalidInput(f"port {port} on {host} is in use (another `newsqa serve`?): pick another with --port") from None
            raise InvalidInput(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
