"""The plain data the library hands out: articles, sentences, passages, answers, summaries."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Span:
    """A (start, end) character range into an article's text, with the text it covers."""

    start: int
    end: int
    text: str


@dataclass
class Article:
    """A news article. `text` is kept exactly as given; every offset in newsqa points into it."""

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    published: str | None = None
    byline: str | None = None
    caption: str | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Passage:
    """A run of whole sentences of one article, the unit of retrieval and reading."""

    article_id: str
    index: int
    start: int
    end: int
    text: str


@dataclass
class Answer:
    """An extracted answer. `start`/`end` index the article (or context) text it came from.

    `score` is the reader's probability for this span in [0, 1]; `no_answer_score` is its
    probability that the passage holds no answer at all.
    """

    text: str
    score: float
    start: int
    end: int
    no_answer_score: float = 0.0
    article_id: str | None = None
    title: str | None = None
    sentence: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SearchHit:
    """A retrieved passage with its fused retrieval score."""

    passage: Passage
    score: float
    title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "title": self.title, **asdict(self.passage)}


@dataclass
class Summary:
    """An extractive summary: sentences taken verbatim from the articles, in article order."""

    text: str
    sentences: list[dict[str, Any]] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
