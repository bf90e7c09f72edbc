"""newsqa: answer questions about news articles and summarize them, offline.

    from newsqa import NewsQA
    qa = NewsQA(":memory:")
    qa.ingest(["seeds/"])
    qa.ask("What did Lavrov say on Venezuela?")
"""

from .config import Settings
from .engine import NewsQA
from .errors import (
    ArticleConflict,
    ArticleNotFound,
    InvalidInput,
    ModelNotFound,
    NewsQAError,
    StorageError,
    TimeBudgetExceeded,
    UnreadableFile,
)
from .types import Answer, Article, Passage, SearchHit, Span, Summary

__all__ = [
    "NewsQA", "Settings", "Article", "Answer", "Passage", "SearchHit", "Span", "Summary",
    "NewsQAError", "InvalidInput", "ArticleNotFound", "ArticleConflict", "UnreadableFile", "ModelNotFound",
    "StorageError", "TimeBudgetExceeded",
]
__version__ = "0.1.0"
