"""One contract for both engines: `NewsQA` in this process, and `Client` talking to the real app
served over HTTP (over an engine of its own). The CLI holds either and never asks which, so they
must take the same arguments, return the same shapes and fail with the same errors.

Fails when a public signature differs from `newsqa.protocol.Engine` on either side, or when one
side returns a result the other does not (fields, types, offsets, values).
"""

from __future__ import annotations

import dataclasses
import inspect
import json
from pathlib import Path

import pytest

from newsqa import NewsQA
from newsqa.client import Client
from newsqa.errors import ArticleNotFound, InvalidInput, UnreadableFile
from newsqa.protocol import ENGINE_METHODS, Engine
from newsqa.types import Answer, Article, SearchHit, Summary

from .conftest import SEED, served

QUESTION = "What did Lavrov say on Venezuela?"


@pytest.mark.parametrize("name", ENGINE_METHODS)
def test_both_engines_have_the_protocols_signature(name: str) -> None:
    wanted = inspect.signature(getattr(Engine, name))
    for cls in (NewsQA, Client):
        assert inspect.signature(getattr(cls, name)) == wanted, f"{cls.__name__}.{name} differs from Engine.{name}"
    assert isinstance(inspect.getattr_static(Client, "location"), property)
    assert isinstance(inspect.getattr_static(NewsQA, "location"), property)


@pytest.fixture(scope="module")
def engines(tmp_path_factory) -> dict[str, Engine]:
    """The two engines, each over its own new SQLite database, both filled the same way through
    their own `ingest`: the seed article and a .jsonl with one good and one bad record."""
    folder = tmp_path_factory.mktemp("contract")
    feed = folder / "feed.jsonl"
    feed.write_text(json.dumps({"id": "wire-1", "title": "Wire", "text": "Talks resumed in Geneva on Monday. Both sides said "
                                "the mood was constructive.", "published": "2019-05-15"}) + "\n" + "not json\n", encoding="utf-8")
    local = NewsQA(folder / "local.sqlite3")
    behind = NewsQA(folder / "served.sqlite3")
    with served(behind) as url:
        both: dict[str, Engine] = {"local": local, "client": Client(url)}
        for qa in both.values():
            errors: list[str] = []
            qa.ingest([SEED, feed], on_error=lambda path, exc, errors=errors: errors.append(type(exc).__name__))
            assert errors == ["UnreadableFile"]  # the bad line, reported and skipped, on both sides
        yield both
    local.close()
    behind.close()


def shape(value: object) -> object:
    """The JSON shape of a result: field names and value types, recursively (values left out)."""
    if dataclasses.is_dataclass(value):
        value = value.to_dict()  # type: ignore[union-attr]
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(v) for v in value[:1]]
    return type(value).__name__ if value is not None else "None"


def without_scores(summary: Summary) -> dict:
    return {**summary.to_dict(), "sentences": [{k: v for k, v in s.to_dict().items() if k != "score"} for s in summary.sentences]}


def same_on_both(engines: dict[str, Engine], call) -> tuple[object, object]:
    local, remote = call(engines["local"]), call(engines["client"])
    assert shape(local) == shape(remote)
    return local, remote


def test_articles_are_the_same_on_both(engines) -> None:
    local, remote = same_on_both(engines, lambda qa: qa.list_articles())
    assert [a.to_dict() for a in local] == [a.to_dict() for a in remote]
    assert all(isinstance(a, Article) and a.text for a in remote)  # with their text, as NewsQA gives them
    assert same_on_both(engines, lambda qa: qa.count_articles()) == (2, 2)
    one, other = same_on_both(engines, lambda qa: qa.get_article("wire-1"))
    assert one == other and one.published == "2019-05-15"


def test_ask_search_and_summarize_agree(engines) -> None:
    local, remote = same_on_both(engines, lambda qa: qa.ask(QUESTION, top_k=2, max_answer_len=30))
    assert local and all(isinstance(a, Answer) for a in remote)
    assert [(a.text, a.start, a.end, a.article_id) for a in local] == [(a.text, a.start, a.end, a.article_id) for a in remote]
    article = engines["client"].get_article(remote[0].article_id)
    assert article.text[remote[0].start : remote[0].end] == remote[0].text
    local, remote = same_on_both(engines, lambda qa: qa.search("Venezuela democracy", top_k=3, mode="bm25"))
    assert all(isinstance(h, SearchHit) for h in remote)
    assert [h.passage for h in local] == [h.passage for h in remote]
    local, remote = same_on_both(engines, lambda qa: qa.summarize(article_ids=["wire-1"], max_words=30, max_sentences=None))
    # The same sentences; not the same scores to the last digit: each side embedded its articles in
    # other batches (bf16 MiniLM), and two near-equal sentences' normalized scores move with that.
    assert isinstance(remote, Summary) and without_scores(local) == without_scores(remote)
    local, remote = same_on_both(engines, lambda qa: qa.summarize(text=SEED.read_text(encoding="utf-8"), max_sentences=2))
    assert local.to_dict() == remote.to_dict() and all(s.article_id is None for s in remote.sentences)


def test_adding_and_deleting_agree(engines) -> None:
    text = "The council approved the budget on Tuesday. The mayor said it would fund two new schools."
    local, remote = same_on_both(engines, lambda qa: qa.add_article(text, title="Budget", article_id="budget-1", byline="By A. Writer"))
    assert local.to_dict() == remote.to_dict() and remote.byline == "By A. Writer"
    html = "<html><head><title>Port</title></head><body><article><p>" + "The port reopened after the storm passed. " * 6 + "</p></article></body></html>"
    local, remote = same_on_both(engines, lambda qa: qa.add_html(html, article_id="port-1"))
    assert local.text == remote.text
    for qa in engines.values():
        qa.delete_article("budget-1")
        qa.delete_article("port-1")
        with pytest.raises(ArticleNotFound):
            qa.get_article("budget-1")


@pytest.mark.parametrize("call, error", [
    (lambda qa: qa.ask("   "), InvalidInput),
    (lambda qa: qa.ask(QUESTION, top_k=0), InvalidInput),
    (lambda qa: qa.ask(QUESTION, article_ids=["no-such-article"]), ArticleNotFound),
    (lambda qa: qa.search("x", mode="fuzzy"), InvalidInput),
    (lambda qa: qa.summarize(article_id="wire-1", text="also a text"), InvalidInput),
    (lambda qa: qa.summarize(article_id="wire-1", max_sentences=0), InvalidInput),
    (lambda qa: qa.get_article("no-such-article"), ArticleNotFound),
    (lambda qa: qa.delete_article("no-such-article"), ArticleNotFound),
    (lambda qa: qa.ingest([Path("/no/such/file.jsonl")]), UnreadableFile),
])
def test_bad_input_fails_the_same_way(engines, call, error) -> None:
    for name, qa in engines.items():
        with pytest.raises(error):
            call(qa)


def test_info_has_the_same_facts(engines) -> None:
    local, remote = engines["local"].info(), engines["client"].info()
    assert remote.pop("server").startswith("http://127.0.0.1:")  # the client says which server answered
    assert shape(local) == shape(remote)
    assert remote["articles"] == local["articles"] == 2
