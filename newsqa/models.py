"""The one accessor for the heavy models: each is loaded lazily, once per process, and shared by threads."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any, Callable

_lock = threading.Lock()
_loaded: dict[tuple, Any] = {}
_threads = 0  # torch threads asked for by the last engine (0: torch's default)


def _get(key: tuple, load: Callable[[], Any]) -> Any:
    with _lock:
        if key not in _loaded:
            _apply_threads()
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


def get_quote_tagger(models_dir: Path):
    """The attribution tagger shipped in `models_dir/quotes`."""
    from .quotes.tagger import Tagger

    return _get(("quotes", str(models_dir)), lambda: Tagger(Path(models_dir) / "quotes"))


def use_threads(threads: int) -> None:
    """Run torch with `threads` intra-op threads in this process (0: torch's default, one per core).

    Torch's default oversubscribes a busy machine: on 2 shared cores, warm ask p50 went from
    hundreds of milliseconds to seconds. The setting is per process, so the last engine wins. It
    applies at once where torch is loaded, else when the first model loads: a command that needs
    no model (`newsqa info`, an empty database) never pays for importing torch.
    """
    global _threads
    _threads = threads
    if "torch" in sys.modules:
        _apply_threads()


def _apply_threads() -> None:
    if _threads:
        import torch

        if torch.get_num_threads() != _threads:
            torch.set_num_threads(_threads)


def loaded() -> list[str]:
    """Names of the models this process has loaded (for readiness checks)."""
    with _lock:
        return [key[0] for key in _loaded]
