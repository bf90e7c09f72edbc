"""gunicorn settings for `newsqa serve`.

    gunicorn --config python:newsqa.server.gunicorn_conf -w 2 -b 127.0.0.1:8000 'newsqa.server.app:create_app()'

Each worker is a separate process with its own copy of the models: the app is not preloaded in the
master (so no model or SQLite connection is shared across a fork), and every worker loads the
models once, in `post_worker_init`, before it takes its first request. A request therefore never
waits for a model load, and /readyz reports ready as soon as a worker serves.

Started as the CLI's background worker (newsqa/daemon.py sets NEWSQA_DAEMON_RECORD), the server
also stops itself after NEWSQA_DAEMON_IDLE_MINUTES without requests, and removes its record on exit.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

# Command-line flags (-w, -b) override these.
bind = os.environ.get("NEWSQA_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("NEWSQA_WORKERS", "2"))
worker_class = "sync"  # one request at a time per worker: model inference is CPU bound anyway
# More than 1 makes gunicorn use its gthread worker: the CLI's background worker runs with a few,
# so that its health check answers while it works on another command's request.
threads = int(os.environ.get("NEWSQA_WORKER_THREADS", "1"))
preload_app = False
# Loading the models takes seconds, longer on a busy machine; do not let the master kill a
# worker that is still warming up. A request stops itself at its time budget
# (NEWSQA_REQUEST_TIMEOUT, a 503 problem), well before this kill, which would give the client
# gunicorn's HTML 500.
timeout = max(120, int(float(os.environ.get("NEWSQA_REQUEST_TIMEOUT") or 30)) * 3)
graceful_timeout = 30
backlog = 2048
control_socket_disable = True  # no runtime control socket: two servers on one machine would share its path
# Memory: oneDNN's kernel cache is capped and each worker gives freed heap back after every request
# (post_request; newsqa/memory.py), which slows its growth but does not stop it (+10.4% after 2,000
# mixed requests, +11.7% after 3,000: benchmarks/worker_rss.py); so a worker is replaced after
# NEWSQA_MAX_REQUESTS requests (0: never), jittered so that workers do not restart together. At
# 1,000 +- 100 no worker grew past +7.5% over 3,000 requests (docs/results.md, "Worker memory").
max_requests = int(os.environ.get("NEWSQA_MAX_REQUESTS", "1000"))
max_requests_jitter = max(0, max_requests // 10)
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("NEWSQA_LOG_LEVEL", "info")


from newsqa.memory import bound_native_caches, trim, trim_enabled  # noqa: E402 - after the settings gunicorn reads

bound_native_caches()  # in the master, before any worker imports torch: the workers inherit it

DAEMON_RECORD = os.environ.get("NEWSQA_DAEMON_RECORD")
log = logging.getLogger("gunicorn.error")


def post_worker_init(worker) -> None:  # noqa: ANN001 - gunicorn's Worker
    """Load the models once in this worker (torch threads: NEWSQA_THREADS, default 1 per worker)."""
    import torch

    from newsqa.server.app import get_engine

    try:
        get_engine(worker.wsgi).warm_up()
        log.info("worker %s: models loaded (%d torch threads)", worker.pid, torch.get_num_threads())
    except Exception:  # keep serving: /readyz says 503 and each request retries the load
        log.exception("worker %s: loading the models failed", worker.pid)
    if DAEMON_RECORD:
        from newsqa.daemon import idle_minutes

        _activity.last = time.monotonic()  # idle from now: loading the models is not idleness
        threading.Thread(target=_stop_when_idle, args=(idle_minutes() * 60,), daemon=True, name="idle-exit").start()


class _Activity:
    """Requests in progress and when the last one ended, across a worker's threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.last = time.monotonic()

    def idle_for(self) -> float:
        with self.lock:
            return 0.0 if self.running else time.monotonic() - self.last


_activity = _Activity()


def pre_request(worker, req) -> None:  # noqa: ANN001 - gunicorn's Worker and Request
    with _activity.lock:
        _activity.running += 1


def post_request(worker, req, environ, resp) -> None:  # noqa: ANN001 - gunicorn's hook signature
    with _activity.lock:
        _activity.running -= 1
        _activity.last = time.monotonic()
        idle = _activity.running == 0
    if idle and trim_enabled():
        trim()


def _stop_when_idle(seconds: float) -> None:
    """Ask the master to shut down (SIGTERM: graceful) once no request came for `seconds`."""
    while True:
        idle = _activity.idle_for()
        if idle >= seconds:
            log.info("no request for %.0f s: stopping the background worker", idle)
            os.kill(os.getppid(), signal.SIGTERM)
            return
        time.sleep(min(5.0, max(0.2, seconds - idle)))


def on_exit(server) -> None:  # noqa: ANN001 - gunicorn's Arbiter
    """A background worker removes its record, so the next command starts a new one at once."""
    if DAEMON_RECORD:
        from pathlib import Path

        from newsqa.daemon import forget

        forget(Path(DAEMON_RECORD), os.getpid())
