"""newsqa: answer questions about news articles and summarize them, offline.

    from newsqa import NewsQA
    qa = NewsQA(":memory:")
    qa.ingest(["seeds/"])
    qa.ask("What did Lavrov say on Venezuela?")

The names below are imported on first use (PEP 562), so `import newsqa` and the `newsqa` command
start without loading numpy, torch or the engine until a command needs them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "NewsQA": "engine", "Settings": "config",
    "Article": "types", "Answer": "types", "Passage": "types", "SearchHit": "types", "Span": "types",
    "Summary": "types", "SummarySentence": "types",
    "NewsQAError": "errors", "InvalidInput": "errors", "ArticleNotFound": "errors", "ArticleConflict": "errors",
    "UnreadableFile": "errors", "ModelNotFound": "errors", "StorageError": "errors", "TimeBudgetExceeded": "errors",
}
__all__ = list(_EXPORTS)

if TYPE_CHECKING:
    from .config import Settings
    from .engine import NewsQA
    from .errors import (ArticleConflict, ArticleNotFound, InvalidInput, ModelNotFound, NewsQAError, StorageError,
                         TimeBudgetExceeded, UnreadableFile)
    from .types import Answer, Article, Passage, SearchHit, Span, Summary, SummarySentence


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'newsqa' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
