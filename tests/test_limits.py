"""Bounded cost whatever the input (issue #12, items 4 and 5): passages have a bounded length
whatever the punctuation, a request that runs past its time budget is a 503 problem (and stores
nothing), one POST may add a bounded article, and a chunked body over the limit is a 413."""

from __future__ import annotations

import io
import time

import pytest
from hypothesis import given, settings, strategies as st

from newsqa import NewsQA
from newsqa.budget import time_budget
from newsqa.errors import TimeBudgetExceeded
from newsqa.text import MAX_PASSAGE_CHARS, MAX_SENTENCE_CHARS, MAX_SENTENCE_WORDS, make_passages, split_sentences
from newsqa.server.app import ServerSettings, create_app

PROBLEM = "application/problem+json"
WORDS = ("harbour", "minister", "talks", "cargo", "Lisbon", "budget", "rain", "vote")


def unpunctuated(words: int) -> str:
    """News-like words with no sentence punctuation at all: one "sentence" to a segmenter."""
    return " ".join(WORDS[(i * 7 + i // 3) % len(WORDS)] for i in range(words))


def assert_bounded(text: str) -> None:
    sentences = split_sentences(text)
    for s in sentences:
        assert text[s.start : s.end] == s.text
        assert len(s.text.split()) <= MAX_SENTENCE_WORDS and len(s.text) <= MAX_SENTENCE_CHARS
    for p in make_passages(text, sentences, max_words=120):
        assert text[p.start : p.end] == p.text
        assert len(p.text.split()) <= 120 and len(p.text) <= MAX_PASSAGE_CHARS


def test_item4_passages_are_bounded_without_punctuation() -> None:
    assert_bounded(unpunctuated(50_000))  # ~340k characters, not one full stop
    assert_bounded("x" * 30_000 + " tail words here")  # a run with no spaces is cut hard
    assert_bounded(("word " * 90 + "\n") * 50 + "\u00e9" * 5000)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["a", "bb", "ccc " * 3, "d" * 700, " ", "\n", ". ", "\u00e9\u0301", "🙂"]), max_size=400).map("".join))
def test_item4_bounds_hold_for_any_text(text: str) -> None:
    assert_bounded(text)


def test_item4_ask_over_an_unpunctuated_article_reads_bounded_passages(tmp_path) -> None:
    qa = NewsQA(tmp_path / "db.sqlite3")
    article = qa.add_article(unpunctuated(20_000) + " The harbour minister resigned on Tuesday.")
    hits = qa.search("harbour minister resigned", top_k=8)
    assert hits and all(len(h.passage.text) <= MAX_PASSAGE_CHARS for h in hits)
    began = time.perf_counter()
    for a in qa.ask("When did the harbour minister resign?"):
        assert qa.get_article(a.article_id).text[a.start : a.end] == a.text
    assert time.perf_counter() - began < 30  # eight bounded passages, not one of 140k characters
    assert article.id


def test_item4_time_budget_stops_a_call_and_stores_nothing(tmp_path) -> None:
    qa = NewsQA(tmp_path / "db.sqlite3")
    qa.embedder  # loaded outside the budget
    with pytest.raises(TimeBudgetExceeded), time_budget(0.05):
        qa.add_article(unpunctuated(60_000))
    assert qa.count_articles() == 0
    with time_budget(60):  # a budget that is not exceeded changes nothing
        assert qa.add_article("The harbour reopened on Monday.").id


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> NewsQA:
    qa = NewsQA(tmp_path_factory.mktemp("limits") / "db.sqlite3")
    qa.warm_up()
    return qa


def test_item4_server_request_over_its_budget_is_a_503_problem(engine: NewsQA) -> None:
    client = create_app(engine, ServerSettings(api_key=None, request_timeout=0.2, max_article_chars=10_000_000)).test_client()
    before = engine.count_articles()
    response = client.post("/v1/articles", json={"text": unpunctuated(60_000)})
    assert response.status_code == 503 and response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["type"].endswith("time-budget-exceeded") and "budget" in body["detail"]
    assert response.headers["Retry-After"]
    assert engine.count_articles() == before  # a 503 stored nothing


def test_item4_one_post_adds_a_bounded_article(engine: NewsQA) -> None:
    client = create_app(engine, ServerSettings(api_key=None, max_article_chars=5_000)).test_client()
    response = client.post("/v1/articles", json={"text": unpunctuated(2_000)})
    assert response.status_code == 413 and response.mimetype == PROBLEM
    assert "5,000" in response.get_json(force=True)["detail"]
    assert client.post("/v1/articles", json={"html": "<p>" + unpunctuated(2_000) + "</p>"}).status_code == 413
    assert client.post("/v1/articles", json={"text": "The ferry sailed at noon."}).status_code == 201


def test_item5_chunked_body_over_the_limit_is_413(engine: NewsQA) -> None:
    client = create_app(engine, ServerSettings(api_key=None, max_body=2_000)).test_client()
    body = ('{"text": "' + "a" * 5_000 + '"}').encode()
    # A chunked request has no Content-Length; gunicorn decodes it and sets wsgi.input_terminated.
    chunked = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    response = client.post("/v1/articles", input_stream=io.BytesIO(body), headers=chunked,
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413 and response.mimetype == PROBLEM, response.get_data(as_text=True)
    small = client.post("/v1/articles", input_stream=io.BytesIO(b'{"text": "Rain fell in Oslo."}'), headers=chunked,
                        environ_overrides={"wsgi.input_terminated": True})
    assert small.status_code == 201


# -- issue 22, item 6: bounded metadata fields and list responses ----------------------------------


def test_issue22_item6_oversized_fields_are_refused_by_the_library_and_the_api(engine: NewsQA) -> None:
    from newsqa.errors import InvalidInput
    from newsqa.limits import FIELD_CHARS, MAX_API_PAGE as MAX_PAGE, MAX_TITLE_CHARS

    before = engine.count_articles()
    for name in ("title", "url", "published"):
        with pytest.raises(InvalidInput, match=f"{name} is longer than"):
            engine.add_article("The ferry sailed at noon.", **{name: "x" * (FIELD_CHARS[name] + 1)})
    client = create_app(engine, ServerSettings(api_key=None)).test_client()
    for name in ("title", "url", "published"):
        response = client.post("/v1/articles", json={"text": "The ferry sailed at noon.", name: "x" * 4_500_000})
        assert response.status_code == 422 and response.mimetype == PROBLEM, (name, response.status_code)
    assert engine.count_articles() == before  # nothing stored
    at_limit = engine.add_article("The ferry sailed at dawn.", title="t" * MAX_TITLE_CHARS)
    assert at_limit.title == "t" * MAX_TITLE_CHARS
    # A recognised caption (not given by the caller) is cut to its limit instead of refusing the text.
    long_caption = "Harbour workers unload cargo in Lisbon on Monday " * 200 + "\n(Reuters / Pool)"
    article = engine.add_article(f"Port reopens\n\nFirst paragraph of the story.\n\n{long_caption}\n\nThe port reopened on Monday.")
    assert article.caption is None or len(article.caption) <= FIELD_CHARS["caption"]
    # The listing page is bounded: at most MAX_PAGE items, each field within its limit.
    assert client.get(f"/v1/articles?limit={MAX_PAGE + 1}").status_code == 422
    page = client.get(f"/v1/articles?limit={MAX_PAGE}").get_json()
    assert all(len(item[k] or "") <= FIELD_CHARS[k] for item in page["items"] for k in FIELD_CHARS)
    assert "title" in client.get("/openapi.json").get_json()["components"]["schemas"]["TextArticleIn"]["properties"]
    assert client.get("/openapi.json").get_json()["components"]["schemas"]["TextArticleIn"]["properties"]["title"]["anyOf"][0]["maxLength"] == MAX_TITLE_CHARS


def test_issue22_item3_the_library_refuses_a_lone_surrogate_in_any_field(engine: NewsQA) -> None:
    from newsqa.errors import InvalidInput

    before = engine.count_articles()
    with pytest.raises(InvalidInput, match="text holds a lone surrogate"):
        engine.add_article("Broken \ud800 text about the ferry.")
    with pytest.raises(InvalidInput, match="url holds a lone surrogate"):
        engine.add_article("The ferry sailed at noon.", url="https://example.org/\udcff")
    assert engine.count_articles() == before
    client = create_app(engine, ServerSettings(api_key=None)).test_client()
    body = b'{"text": "Broken \\ud800 text about the ferry.", "title": "ok"}'
    response = client.post("/v1/articles", data=body, content_type="application/json")
    assert 400 <= response.status_code < 500 and response.mimetype == PROBLEM
