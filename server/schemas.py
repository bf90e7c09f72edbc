"""Request and response models of the REST API.

These pydantic models are the single source of truth for the HTTP contract: flask-openapi3 validates
every request body, path and query against them, and the OpenAPI document at `/openapi.json` is
generated from them. Nothing here knows about NLP; the models only describe the JSON going in and out.

Request models are strict (a string is not an integer) and closed (an unknown field is an error),
so that a client's typo is answered with a 422 instead of being silently ignored.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, RootModel, Strict, Tag
from pydantic_core import PydanticCustomError

# The limits are the library's (newsqa/limits.py): the API declares the same numbers and patterns, so
# that a request the schema accepts is one the engine accepts, and the other way round.
from newsqa import limits  # noqa: E402
from newsqa.limits import (MAX_BYLINE_CHARS, MAX_CAPTION_CHARS, MAX_PUBLISHED_CHARS, MAX_SOURCE_CHARS,  # noqa: E402
                           MAX_TITLE_CHARS, MAX_URL_CHARS)

def _json_integer(value: Any) -> Any:
    """JSON has one number type: 3.0 is an integer there (JSON Schema agrees), but "3" and true are not."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


def json_int(low: int, high: int) -> Any:
    """An integer in [low, high] as JSON means it: 3 and 3.0 pass; 2.5, "3" and true do not."""
    return Annotated[int, Strict(False), Field(ge=low, le=high), BeforeValidator(_json_integer)]


TopK = json_int(1, limits.MAX_TOP_K)
SentenceBudget = json_int(1, limits.MAX_SUMMARY_SENTENCES)
WordBudget = json_int(1, limits.MAX_SUMMARY_WORDS)
AnswerTokens = json_int(1, limits.MAX_ANSWER_TOKENS)

ArticleId = Annotated[str, Field(min_length=1, max_length=limits.MAX_ID_CHARS, pattern=limits.ARTICLE_ID_PATTERN,
                                 description=f"An article id: 1-{limits.MAX_ID_CHARS} characters, not all spaces, no control characters.")]
NonBlank = Annotated[str, Field(min_length=1, pattern=limits.VISIBLE, description="Text with at least one non-space character.")]
Question = Annotated[str, Field(min_length=1, max_length=limits.MAX_QUESTION_CHARS, pattern=limits.VISIBLE,
                                description="A question or query in plain words.")]
Since = Annotated[str | None, Field(None, max_length=limits.MAX_DATE_CHARS, description=(
    "Only articles published on or after this date or datetime (ISO 8601, e.g. 2024-05-01 or 2024-05-01T09:30:00+02:00)."))]
Until = Annotated[str | None, Field(None, max_length=limits.MAX_DATE_CHARS, description=(
    "Only articles published on or before this date (the whole day) or datetime."))]


class RequestModel(BaseModel):
    """Base of every request body: strict types, unknown fields rejected."""

    model_config = ConfigDict(extra="forbid", strict=True)


# -- requests -------------------------------------------------------------------------------------


class TextArticleIn(RequestModel):
    """An article given as plain text, stored verbatim."""

    text: NonBlank = Field(description="The article text, stored exactly as given.")
    title: str | None = Field(None, max_length=MAX_TITLE_CHARS, description="Headline; recognised from the text when omitted.")
    url: str | None = Field(None, max_length=MAX_URL_CHARS)
    published: str | None = Field(None, max_length=MAX_PUBLISHED_CHARS, description="Publication date, ISO 8601 preferred.")
    id: ArticleId | None = Field(None, description="Your id for the article; a hash of the text when omitted.")
    byline: str | None = Field(None, max_length=MAX_BYLINE_CHARS, description="Author line; recognised from the text when omitted.")
    caption: str | None = Field(None, max_length=MAX_CAPTION_CHARS, description="Photo caption; recognised from the text when omitted.")
    source: str | None = Field(None, max_length=MAX_SOURCE_CHARS, description="Where the article came from, e.g. its file name.")


class HtmlArticleIn(RequestModel):
    """An article given as an HTML page; its main text is extracted and stored."""

    html: NonBlank = Field(description="The HTML page.")
    url: str | None = Field(None, max_length=MAX_URL_CHARS)
    id: ArticleId | None = None


def _one_of(*keys: str) -> Any:
    """A discriminator picking the model by which one of `keys` the body has.

    Choosing the model up front makes validation errors talk about that model only; a body with
    none or several of the keys gets one clear error instead.
    """

    def kind(value: Any) -> str | None:
        present = [k for k in keys if isinstance(value, dict) and k in value]
        return present[0] if len(present) == 1 else None

    return Discriminator(kind, custom_error_type="one_of",
                         custom_error_message=f"give exactly one of {', '.join(keys)}")


class ArticleIn(RootModel[Annotated[Union[
    Annotated[TextArticleIn, Tag("text")],
    Annotated[HtmlArticleIn, Tag("html")],
], _one_of("text", "html")]]):
    """`{text, title?, url?, published?, id?}` or `{html, url?, id?}`."""


class AskIn(RequestModel):
    """A question about the stored articles."""

    question: Question
    top_k: TopK = Field(3, description="How many answers at most.")
    article_ids: list[ArticleId] | None = Field(None, max_length=limits.MAX_IDS, description="Only look in these articles.")
    max_answer_len: AnswerTokens = Field(40, description="Longest answer, in tokens.")
    since: Since = None
    until: Until = None
    prefer: Literal["recent"] | None = Field(None, description="`recent`: break near-ties between answers towards newer articles.")


class SearchIn(RequestModel):
    """A search over the stored passages."""

    query: Question
    top_k: TopK = Field(5, description="How many passages at most.")
    article_ids: list[ArticleId] | None = Field(None, max_length=limits.MAX_IDS)
    mode: Literal["hybrid", "bm25", "dense"] = Field("hybrid", description="BM25 and embeddings fused, or one of them.")
    since: Since = None
    until: Until = None


Speaker = Annotated[str, Field(min_length=1, max_length=limits.MAX_SPEAKER_CHARS, pattern=limits.VISIBLE,
                               description="Any part of the speaker's name, case-insensitive (\"Lavrov\", \"sergei lavrov\").")]


class QuotesIn(RequestModel):
    """Attributed statements in the stored articles: whose, and about what."""

    query: Question | None = Field(None, description="Rank statements by relevance to this (the statement and its paragraph).")
    speaker: Speaker | None = Field(None, description="Only statements of this speaker.")
    top_k: TopK = Field(10, description="How many statements at most.")
    article_ids: list[ArticleId] | None = Field(None, max_length=limits.MAX_IDS, description="Only look in these articles.")


class SummaryOptions(RequestModel):
    """The length budget and optional focus shared by every summarize request."""

    max_sentences: SentenceBudget = Field(3, description="Sentence budget; when only `max_words` is given, none.")
    max_words: WordBudget | None = Field(None, description="Word budget.")
    query: Question | None = Field(None, description="Focus the summary on this question or topic.")


class SummarizeArticleIn(SummaryOptions):
    """Summarize one stored article."""

    article_id: ArticleId


class SummarizeTextIn(SummaryOptions):
    """Summarize a text that is not stored."""

    text: NonBlank


class SummarizeArticlesIn(SummaryOptions):
    """Summarize several stored articles together."""

    article_ids: list[ArticleId] = Field(min_length=1, max_length=limits.MAX_IDS)
    since: Since = None
    until: Until = None


class SummarizeIn(RootModel[Annotated[Union[
    Annotated[SummarizeArticleIn, Tag("article_id")],
    Annotated[SummarizeTextIn, Tag("text")],
    Annotated[SummarizeArticlesIn, Tag("article_ids")],
], _one_of("article_id", "text", "article_ids")]]):
    """`{article_id | text | article_ids, max_sentences?, max_words?, query?}`."""


class ArticlePath(BaseModel):
    """The article id in `/v1/articles/<id>` (any unicode; percent-encode it in the URL)."""

    article_id: ArticleId


class PageQuery(BaseModel):
    """Paging of `GET /v1/articles`. Query strings are text, so numbers are parsed here (not strict)."""

    model_config = ConfigDict(extra="forbid")

    offset: int = Field(0, ge=0, le=10**9)
    limit: int = Field(50, ge=1, le=limits.MAX_API_PAGE)
    with_text: bool = Field(False, description="Include each article's text.")
    since: Since = None
    until: Until = None


# -- responses ------------------------------------------------------------------------------------


class ArticleMeta(BaseModel):
    """An article without its text, as listed."""

    id: str
    # Bounded by newsqa.limits when stored (articles stored before those limits may be longer).
    title: str | None = Field(None, description=f"At most {MAX_TITLE_CHARS:,} characters.")
    url: str | None = Field(None, description=f"At most {MAX_URL_CHARS:,} characters.")
    published: str | None = Field(None, description=f"At most {MAX_PUBLISHED_CHARS:,} characters.")
    byline: str | None = Field(None, description=f"At most {MAX_BYLINE_CHARS:,} characters.")
    caption: str | None = Field(None, description=f"At most {MAX_CAPTION_CHARS:,} characters.")
    source: str | None = Field(None, description=f"At most {MAX_SOURCE_CHARS:,} characters.")
    duplicate_of: str | None = Field(None, description="The first stored copy of this (syndicated) story; null for an original.")
    chars: int = Field(description="Length of the text in characters.")


class ArticleOut(ArticleMeta):
    """A stored article. Every offset the API returns indexes `text`."""

    text: str


class ArticleList(BaseModel):
    items: list[ArticleOut | ArticleMeta] = Field(description="With `text` when asked for (`with_text=true`).")
    total: int
    offset: int
    limit: int


class SpanOut(BaseModel):
    start: int
    end: int
    text: str


class CitationOut(BaseModel):
    """Another stored article saying the same: `article.text[start:end]` is the cited span."""

    article_id: str
    start: int
    end: int
    published: str | None = None
    title: str | None = None


class AnswerOut(BaseModel):
    """One extracted answer: `article.text[start:end] == text`."""

    text: str
    score: float = Field(description="The reader's probability for this span, 0 to 1.")
    start: int
    end: int
    no_answer_score: float = Field(description="The reader's probability that the passage holds no answer.")
    article_id: str | None = None
    title: str | None = None
    sentence: SpanOut | None = Field(None, description="The sentence around the answer.")
    speaker: str | None = Field(None, description="Who said it, when the answer lies inside an attributed statement.")
    published: str | None = Field(None, description="The article's publication date (ISO 8601).")
    also_in: list[CitationOut] = Field([], description="Every other stored article where the same answer is found "
                                                       "(syndicated copies and independent reports).")


class AskOut(BaseModel):
    question: str
    answers: list[AnswerOut] = Field(description="Best first (by score and by the retrieval rank of the passage each came from, "
                                                 "so scores need not fall); empty when the articles do not answer the question.")
    took_ms: float


class QuoteOut(BaseModel):
    """An attributed statement; every span's offsets index its article's text."""

    text: str = Field(description="The statement's pieces joined by ' … '.")
    content: list[SpanOut] = Field(description="The statement, in one or more pieces (a quote interrupted by 'he said' has two).")
    source: SpanOut | None = Field(None, description="The speaker as written there ('Lavrov', 'he', 'a source').")
    cue: SpanOut | None = Field(None, description="The reporting verb or phrase ('said', 'responded tersely').")
    speaker: str | None = Field(None, description="The speaker's fullest name in the article; null when unresolved.")
    direct: bool = Field(description="True for a statement in quotation marks.")
    article_id: str | None = None
    title: str | None = None
    score: float = Field(description="Relevance to the query, 0 to 1 (0 without a query).")


class QuotesOut(BaseModel):
    query: str | None
    speaker: str | None
    quotes: list[QuoteOut] = Field(description="Best first.")
    took_ms: float


class SearchHitOut(BaseModel):
    article_id: str
    index: int
    start: int
    end: int
    text: str
    score: float
    title: str | None = None
    published: str | None = None
    also_in: list[CitationOut] = Field([], description="Syndicated copies of the article (not searched again): where each holds the passage.")


class SearchOut(BaseModel):
    query: str
    hits: list[SearchHitOut]
    took_ms: float


class SummarySentenceOut(BaseModel):
    article_id: str | None = Field(description="The stored article it came from; null when a text was summarized.")
    start: int
    end: int
    text: str
    score: float


class SummaryOut(BaseModel):
    text: str
    sentences: list[SummarySentenceOut]
    article_ids: list[str] = Field(description="The stored articles summarized; empty when a text was summarized.")
    took_ms: float


class InfoOut(BaseModel):
    """What `newsqa info` prints: the database, its article count, the models and versions."""

    database: str
    articles: int
    models: dict[str, dict[str, Any]]
    versions: dict[str, str | None]


class Health(BaseModel):
    status: str = "ok"


class Readiness(BaseModel):
    ready: bool
    status: str


class FieldError(BaseModel):
    """One invalid field of a request: where it is and what is wrong with it."""

    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """An error, as RFC 9457 `application/problem+json`."""

    type: str = Field("about:blank", description="A URI naming the kind of problem.")
    title: str = Field(description="Short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str | None = Field(None, description="What went wrong with this request.")
    errors: list[FieldError] | None = Field(None, description="The invalid fields, for a 422.")


# -- OpenAPI helpers ------------------------------------------------------------------------------

PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem_responses(*statuses: int) -> dict[str, dict[str, Any]]:
    """OpenAPI response entries for error statuses, all answering a Problem document."""
    return {
        str(status): {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
