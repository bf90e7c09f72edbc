"""What the REST API tells a client that got something wrong, and `GET /v1/info`."""

from __future__ import annotations

import pytest

from newsqa import NewsQA
from newsqa.server.app import ServerSettings, create_app

from .conftest import SEED


@pytest.fixture(scope="module")
def engine() -> NewsQA:
    engine = NewsQA(":memory:")
    engine.add_article(SEED.read_text(encoding="utf-8"), article_id="seed")
    return engine


def client(engine: NewsQA, **settings):
    return create_app(engine, ServerSettings(api_key=None, cors_origins=[], **settings)).test_client()


@pytest.mark.parametrize("body", [{"article_id": "seed", "max_sentences": -2}, {"text": "Some text.", "max_sentences": -2},
                                  {"article_ids": ["seed"], "max_sentences": -2}])
def test_422_names_the_field_the_client_sent(engine: NewsQA, body: dict) -> None:
    problem = client(engine).post("/v1/summarize", json=body).get_json()
    assert problem["status"] == 422
    assert [e["loc"] for e in problem["errors"]] == [["max_sentences"]]
    assert problem["detail"].startswith("invalid request: max_sentences: ")


def test_413_states_the_limit(engine: NewsQA) -> None:
    response = client(engine, max_body=2048).post("/v1/articles", json={"text": "word " * 1000})
    problem = response.get_json()
    assert response.status_code == 413 and problem["limit"] == 2048
    assert "limit of 2,048 bytes" in problem["detail"]


def test_info(engine: NewsQA) -> None:
    info = client(engine).get("/v1/info").get_json()
    assert info["database"] == ":memory:" and info["articles"] == 1
    assert set(info["models"]) == {"reader", "summarizer", "embedder"} and info["versions"]["newsqa"]
    reader = info["models"]["reader"]  # what ask uses, read without loading the reader
    assert (reader["answer_scoring"], reader["answer_threshold"]) == (engine.answer_scoring, engine.answer_threshold)


def test_search_modes(engine: NewsQA) -> None:
    for mode in ("bm25", "dense", "hybrid"):
        hits = client(engine).post("/v1/search", json={"query": "Venezuela", "mode": mode}).get_json()["hits"]
        assert hits and all(h["article_id"] == "seed" for h in hits)
    assert client(engine).post("/v1/search", json={"query": "Venezuela", "mode": "fuzzy"}).status_code == 422


def test_summary_of_a_text_has_no_article_ids(engine: NewsQA) -> None:
    summary = client(engine).post("/v1/summarize", json={"text": SEED.read_text(encoding="utf-8"), "max_sentences": 2}).get_json()
    assert summary["article_ids"] == [] and [s["article_id"] for s in summary["sentences"]] == [None, None]
