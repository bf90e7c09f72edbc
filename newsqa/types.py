"""The plain data the library hands out: articles, sentences, passages, answers, summaries."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
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
    duplicate_of: str | None = None  # the first stored copy of the same (syndicated) story, set at ingest

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """The inverse of `to_dict` (keys that are not fields, such as the API's `chars`, are ignored)."""
        return cls(**_known_fields(cls, data))


@dataclass
class Passage:
    """A run of whole sentences of one article, the unit of retrieval and reading."""

    article_id: str
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Citation:
    """Another stored article that says the same: `article.text[start:end]` is the cited span."""

    article_id: str
    start: int
    end: int
    published: str | None = None
    title: str | None = None


def _citations(items: Any) -> list[Citation]:
    return [c if isinstance(c, Citation) else Citation(**_known_fields(Citation, c)) for c in items or []]


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
    speaker: str | None = None  # set when the answer lies inside an attributed statement
    published: str | None = None
    also_in: list[Citation] = field(default_factory=list)  # every other article where the same answer is found

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        """The inverse of `to_dict`, e.g. for an answer read back from the REST API."""
        fields_ = _known_fields(cls, data)
        if fields_.get("sentence") is not None:
            fields_["sentence"] = Span(**fields_["sentence"])
        fields_["also_in"] = _citations(fields_.get("also_in"))
        return cls(**fields_)


@dataclass
class Quote:
    """An attributed statement: who (`source` as written, `speaker` resolved to the fullest name in
    the article, None when unresolved), the reporting `cue` ("said", "told reporters") and what
    (`content`, one or more Spans: a quote interrupted by "he said" has two). `direct` is True for
    a statement in quotation marks. Every Span indexes the article text (or the text given to
    `extract_quotes`); `score` is the relevance to a `quotes` query (0 without one).
    """

    content: list[Span]
    source: Span | None = None
    cue: Span | None = None
    speaker: str | None = None
    direct: bool = False
    article_id: str | None = None
    score: float = 0.0
    title: str | None = None

    @property
    def text(self) -> str:
        """The statement's pieces joined by " … " (each piece is exact article text)."""
        return " … ".join(piece.text for piece in self.content)

    @property
    def start(self) -> int:
        return self.content[0].start

    @property
    def end(self) -> int:
        return self.content[-1].end

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Quote:
        """The inverse of `to_dict` (the derived `text` is ignored)."""
        fields_ = _known_fields(cls, data)
        fields_["content"] = [Span(**piece) for piece in fields_.get("content", [])]
        for name in ("source", "cue"):
            if fields_.get(name) is not None:
                fields_[name] = Span(**fields_[name])
        return cls(**fields_)


@dataclass
class SearchHit:
    """A retrieved passage with its fused retrieval score."""

    passage: Passage
    score: float
    title: str | None = None
    published: str | None = None
    also_in: list[Citation] = field(default_factory=list)  # syndicated copies of the article, not searched again

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "title": self.title, "published": self.published,
                "also_in": [asdict(c) for c in self.also_in], **asdict(self.passage)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SearchHit:
        """The inverse of `to_dict`."""
        return cls(Passage(**_known_fields(Passage, data)), data["score"], data.get("title"), data.get("published"),
                   _citations(data.get("also_in")))


@dataclass(frozen=True)
class SummarySentence(Span):
    """One sentence of a summary: a Span of its article's text, with the article and its score.

    `article_id` is None for a summary of a text that is not stored. Reading it like the dict it
    used to be (`sentence["text"]`) still works, for code written before it was typed.
    """

    article_id: str | None = None
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __getitem__(self, name: str) -> Any:
        if name not in _SUMMARY_SENTENCE_FIELDS:
            raise KeyError(name)
        return getattr(self, name)


_SUMMARY_SENTENCE_FIELDS = frozenset(f.name for f in fields(SummarySentence))


@dataclass
class Summary:
    """An extractive summary: sentences taken verbatim from the articles, in article order.

    `article_ids` lists the stored articles summarized (empty for a text that is not stored);
    `sentence.text == article.text[sentence.start:sentence.end]` for each sentence.
    """

    text: str
    sentences: list[SummarySentence] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:  # the summarizer may hand sentences over as plain dicts
        self.sentences = [s if isinstance(s, SummarySentence) else SummarySentence(**s) for s in self.sentences]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Summary:
        """The inverse of `to_dict` (extra keys such as the API's `took_ms` are ignored)."""
        return cls(**_known_fields(cls, data))


def _known_fields(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}
