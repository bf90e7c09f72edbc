"""Time budgets: a deadline that long-running steps check between chunks of work.

    with time_budget(30):          # the server wraps every request in one
        qa.ask("...")              # raises TimeBudgetExceeded once 30 s have passed

Embedding, reading and storing check the deadline between batches, so a call stops within about
one batch of its budget instead of tying up a worker until the process is killed. The deadline
lives in a context variable: each thread (each request) has its own, and code outside a budget
never stops.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

from .errors import TimeBudgetExceeded

_deadline: ContextVar[float | None] = ContextVar("newsqa_deadline", default=None)


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Run the block under a deadline `seconds` from now (None or 0: no deadline)."""
    token = _deadline.set(time.monotonic() + seconds if seconds else None)
    try:
        yield
    finally:
        _deadline.reset(token)


def check(step: str) -> None:
    """Raise TimeBudgetExceeded if the current deadline has passed; `step` says what was running."""
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise TimeBudgetExceeded(f"stopped while {step}: the request ran past its time budget")
