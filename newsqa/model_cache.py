"""Loading the heavy models: each lazily, once per cache, and shared by the threads that use it.

`shared()` is the process's cache, the one accessor every engine uses unless it is given its own
(`NewsQA(..., models=ModelCache())`, e.g. a benchmark comparing two readers). A reader is cached by
its folder and precision, so two engines with different reader settings each get theirs.

Torch threads are a property of the process, not of an engine (torch has one intra-op pool per
process): `use_threads` sets them, and the engine applies its Settings' value when it is made.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any, Callable

_threads = 0  # torch threads asked for in this process (0: torch's default)


class ModelCache:
    """The embedder, readers and summarizers loaded so far, each loaded on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: dict[tuple, Any] = {}

    def _get(self, key: tuple, load: Callable[[], Any]) -> Any:
        with self._lock:
            if key not in self._loaded:
                _apply_threads()
                self._loaded[key] = load()
            return self._loaded[key]

    def embedder(self):
        """The sentence embedder (all-MiniLM-L6-v2)."""
        from .embedder import Embedder

        return self._get(("embedder",), Embedder)

    def reader(self, reader_dir: Path, precision: str = "auto"):
        """The extractive reader in `reader_dir`, in the given precision."""
        from .reader import Reader

        return self._get(("reader", str(reader_dir), precision), lambda: Reader(Path(reader_dir), precision=precision))

    def summarizer(self, summarizer_dir: Path):
        """The learned sentence scorer in `summarizer_dir`."""
        from .summarizer import SentenceScorer

        return self._get(("summarizer", str(summarizer_dir)), lambda: SentenceScorer.load(Path(summarizer_dir)))

    def summary_vectors(self, summarizer_dir: Path):
        """The summarizer's sentence encoder: the static token vectors in `summarizer_dir`."""
        from .summarizer.sentence_vectors import SentenceVectors

        return self._get(("summary_vectors", str(summarizer_dir)), lambda: SentenceVectors.load(Path(summarizer_dir)))

    def quote_tagger(self, quotes_dir: Path):
        """The attribution tagger in `quotes_dir` (newsqa/quotes/tagger.py)."""
        from .quotes.tagger import Tagger

        return self._get(("quotes", str(quotes_dir)), lambda: Tagger(Path(quotes_dir)))

    def ingest_quote_tagger(self, settings: Any):
        """The tagger ingest uses, or None: extraction turned off (`Settings.extract_quotes`), or no
        tagger in the models folder (articles are then stored without quotes rather than refused)."""
        if not settings.extract_quotes or not (Path(settings.quotes_path) / "config.json").exists():
            return None
        return self.quote_tagger(settings.quotes_path)

    def loaded(self) -> list[str]:
        """Kinds of model this cache holds (for readiness checks)."""
        with self._lock:
            return [key[0] for key in self._loaded]


_shared = ModelCache()


def shared() -> ModelCache:
    """The process's model cache."""
    return _shared


def use_threads(threads: int) -> None:
    """Run torch with `threads` intra-op threads in this process (0: torch's default, one per core).

    Torch's default oversubscribes a busy machine: on 2 shared cores, warm ask p50 went from
    hundreds of milliseconds to seconds. It applies at once where torch is loaded, else when the
    first model loads: a command that needs no model (`newsqa info`, an empty database) never pays
    for importing torch.
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
