"""The one accessor for the heavy models: each is loaded lazily, once per process, and shared by threads."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

_lock = threading.Lock()
_loaded: dict[tuple, Any] = {}


def _get(key: tuple, load: Callable[[], Any]) -> Any:
    with _lock:
        if key not in _loaded:
            _loaded[key] = load()
        return _loaded[key]


def get_embedder():
    """The sentence embedder (all-MiniLM-L6-v2)."""
    from .embedder import Embedder

    return _get(("embedder",), Embedder)


def get_reader(models_dir: Path, precision: str = "auto"):
    """The extractive reader shipped in `models_dir/reader`, in the given precision."""
    from .reader import Reader

    return _get(("reader", str(models_dir), precision), lambda: Reader(Path(models_dir) / "reader", precision=precision))


def get_summarizer(models_dir: Path):
    """The learned sentence scorer shipped in `models_dir/summarizer`."""
    from .summarizer import SentenceScorer

    return _get(("summarizer", str(models_dir)), lambda: SentenceScorer.load(Path(models_dir) / "summarizer"))


def loaded() -> list[str]:
    """Names of the models this process has loaded (for readiness checks)."""
    with _lock:
        return [key[0] for key in _loaded]
