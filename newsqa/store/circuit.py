"""A circuit breaker for the PostgreSQL store: fail fast while the database is down, recover at once.

Without it, every request during an outage waited for the connection pool's timeout (30 s) before
its 503, and after the database came back the pool's own reconnection back-off kept requests
failing for tens of seconds. With it, the first failure opens the circuit; while it is open each
request tries one fresh connection (a short connect timeout; a refused one fails in microseconds)
unless another request of this process is trying already, in which case it fails at once. The first
probe that connects closes the circuit, so the first request after the database is back succeeds.
"""

from __future__ import annotations

import re
import threading
import time
from contextlib import contextmanager
from typing import Iterator

CONNECT_TIMEOUT = 2  # seconds a probe (or the first connection) waits for the server: libpq's minimum
POOL_WAIT = 1.5  # seconds a request waits for a pooled connection before the database counts as down


class Circuit:
    """Open (the database is down) or closed; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._opened: float | None = None
        self._probing = False

    @property
    def is_open(self) -> bool:
        return self._opened is not None

    def trip(self) -> bool:
        """Open the circuit; True when it was closed until now."""
        with self._lock:
            if self._opened is not None:
                return False
            self._opened = time.monotonic()
            return True

    def close(self) -> None:
        with self._lock:
            self._opened = None

    @contextmanager
    def probe(self) -> Iterator[bool]:
        """True for the one caller that may probe now (the others fail fast), until it is done."""
        with self._lock:
            mine = not self._probing
            self._probing = True
        try:
            yield mine
        finally:
            if mine:
                with self._lock:
                    self._probing = False


def public_reason(exc: BaseException) -> str:
    """What went wrong, without the connection details a driver error carries (host, socket path,
    user and database names are quoted in libpq's messages): fit for a 503 body or /readyz."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    reason = first.rsplit("failed: ", 1)[-1]
    reason = re.sub(r'"[^"]*"', "…", reason)
    return re.sub(r"\b(user|database|host|port|dbname)\s+\S+", r"\1 …", reason).strip() or type(exc).__name__
