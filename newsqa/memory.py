"""Keep a served worker's memory bounded (issue #22, item 5).

A worker's resident memory grew with every request although no Python object is kept between
requests (tracemalloc over 300 requests: a few KB). The growth is native, from two sources, both
because every question gives tensors of another shape:

- oneDNN, which runs torch's CPU kernels (the bf16 matmuls among them), compiles and caches a
  primitive per shape, up to 1,024 of them: `bound_native_caches` caps it
  (ONEDNN_PRIMITIVE_CACHE_CAPACITY, default here 16; it must be set before torch runs a kernel);
- glibc's malloc keeps freed buffers of every size in its arenas, fragmented: `trim` (malloc_trim)
  gives the free pages back, a few milliseconds after each request.

Measured with benchmarks/worker_rss.py and in docs/results.md. gunicorn calls both
(server/gunicorn_conf.py) and, as a backstop, replaces a worker after max_requests.
Elsewhere than glibc (macOS, musl) `trim` does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from functools import cache


@cache
def _libc() -> ctypes.CDLL | None:
    """glibc, loaded once (lazily, like the models); None where there is no malloc_trim."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


ONEDNN_CACHE_CAPACITY = "16"  # 0 measured the same; 16 keeps the usual shapes' kernels compiled


def bound_native_caches() -> None:
    """Cap oneDNN's cache of compiled kernels, unless ONEDNN_PRIMITIVE_CACHE_CAPACITY is set. Call
    before torch runs its first kernel (oneDNN reads it once), e.g. in gunicorn's master."""
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", ONEDNN_CACHE_CAPACITY)


def trim_enabled() -> bool:
    """On unless NEWSQA_MALLOC_TRIM=0 (for measuring the difference)."""
    return os.environ.get("NEWSQA_MALLOC_TRIM", "1") != "0"


def trim() -> bool:
    """Return the heap's free memory to the system; True when it could be done here."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


def rss_bytes(pid: int | str = "self") -> int:
    """Resident memory of a process (Linux /proc), 0 where it cannot be read."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
