"""Typed errors: every failure a caller can cause is a NewsQAError subclass with a clear message."""


class NewsQAError(Exception):
    """Base class for every error newsqa raises on purpose."""


class InvalidInput(NewsQAError, ValueError):
    """The caller passed something newsqa cannot use (empty text, bad budget, too long a question)."""


class ArticleNotFound(NewsQAError, KeyError):
    """No stored article has the given id."""

    def __str__(self) -> str:  # KeyError would otherwise print the repr of the message
        return str(self.args[0]) if self.args else "article not found"


class UnreadableFile(NewsQAError, OSError):
    """A file given to ingest could not be read or holds no article text."""


class ModelNotFound(NewsQAError, FileNotFoundError):
    """A model folder is missing or incomplete."""


class ArticleConflict(NewsQAError):
    """An article id is already stored with a different text."""


class StorageError(NewsQAError):
    """The database cannot be used: disk full, not a database, read-only, deleted under us, locked.

    The message names the database file and the cause. Nothing the caller did is wrong; retrying
    later (or fixing the disk) may help. The server answers it with a 503.
    """


class TimeBudgetExceeded(NewsQAError, TimeoutError):
    """A call ran past its time budget (see `newsqa.budget`) and was stopped; nothing was stored."""
