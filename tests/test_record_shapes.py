"""The article and result records exist in three layers: the library's dataclasses (newsqa/types.py),
what a source yields before storage (newsqa/articles.py) and the REST API's schemas
(server/schemas.py). A field added to one layer and not the others fails here, not in production."""

from __future__ import annotations

from dataclasses import fields

from newsqa.articles import ArticleInput
from newsqa.server import schemas
from newsqa.types import Answer, Article, Passage, Summary, SummarySentence


def names(record) -> set[str]:
    if hasattr(record, "model_fields"):
        return set(record.model_fields)
    return {f.name for f in fields(record)}


def test_article_fields_are_the_same_in_every_layer() -> None:
    article = names(Article)
    derived = {"duplicate_of"}  # found at ingest (newsqa/dedupe.py), never given
    assert names(ArticleInput) == article - derived | {"where"}  # where: the file and line, for error reports only
    assert names(schemas.TextArticleIn) == article - derived
    assert names(schemas.ArticleOut) == article | {"chars"}
    assert names(schemas.ArticleMeta) == article - {"text"} | {"chars"}


def test_result_schemas_match_the_dataclasses() -> None:
    assert names(schemas.AnswerOut) == names(Answer)
    assert names(schemas.SearchHitOut) == names(Passage) | {"score", "title", "published", "also_in"}
    assert names(schemas.SummarySentenceOut) == names(SummarySentence)
    assert names(schemas.SummaryOut) == names(Summary) | {"took_ms"}
