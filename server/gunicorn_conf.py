"""gunicorn settings for `newsqa serve`.

    gunicorn --config python:newsqa.server.gunicorn_conf -w 2 -b 127.0.0.1:8000 'newsqa.server.app:create_app()'

Each worker is a separate process with its own copy of the models: the app is not preloaded in the
master (so no model or SQLite connection is shared across a fork), and every worker loads the
models once, in `post_worker_init`, before it takes its first request. A request therefore never
waits for a model load, and /readyz reports ready as soon as a worker serves.
"""

from __future__ import annotations

import logging
import os

# Command-line flags (-w, -b) override these.
bind = os.environ.get("NEWSQA_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("NEWSQA_WORKERS", "2"))
worker_class = "sync"  # one request at a time per worker: model inference is CPU bound anyway
preload_app = False
# Loading the models takes seconds, longer on a busy machine; do not let the master kill a
# worker that is still warming up. A request stops itself at its time budget
# (NEWSQA_REQUEST_TIMEOUT, a 503 problem), well before this kill, which would give the client
# gunicorn's HTML 500.
timeout = max(120, int(float(os.environ.get("NEWSQA_REQUEST_TIMEOUT") or 30)) * 3)
graceful_timeout = 30
backlog = 2048
control_socket_disable = True  # no runtime control socket: two servers on one machine would share its path
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("NEWSQA_LOG_LEVEL", "info")


def post_worker_init(worker) -> None:  # noqa: ANN001 - gunicorn's Worker
    """Load the models once in this worker (torch threads: NEWSQA_THREADS, default 1 per worker)."""
    import torch

    from newsqa.server.app import get_engine

    log = logging.getLogger("gunicorn.error")
    try:
        get_engine(worker.wsgi).warm_up()
        log.info("worker %s: models loaded (%d torch threads)", worker.pid, torch.get_num_threads())
    except Exception:  # keep serving: /readyz says 503 and each request retries the load
        log.exception("worker %s: loading the models failed", worker.pid)
