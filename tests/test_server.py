"""The REST server through Flask's test client, over a real engine with the real shipped models,
on each backend (SQLite and PostgreSQL).

Covers every route and every error status the API promises (400, 401, 404, 405, 409, 413, 415,
422, plus 500 and 503 from the server side), and unicode, right-to-left text and emoji in ids and
questions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from newsqa import NewsQA, Settings
from newsqa.server.app import ServerSettings, create_app

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_6ad73c16a059aa65.txt"
LAVROV = "You can not establish a democracy by force"
PROBLEM = "application/problem+json"
UNICODE_ID = "خبر-שלום-📰-Zürich"  # Arabic and Hebrew (right to left), an emoji, a diacritic


@pytest.fixture(scope="module")
def engine(new_database) -> Iterator[NewsQA]:
    """One engine per backend (SQLite and PostgreSQL) holding the seed article."""
    engine = NewsQA(new_database())
    engine.add_article(SEED.read_text(encoding="utf-8"))
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def seed_id(engine: NewsQA) -> str:
    return engine.list_articles()[0].id


@pytest.fixture()
def client(engine: NewsQA):
    return create_app(engine, ServerSettings(api_key=None, cors_origins=[])).test_client()


def assert_problem(response, status: int) -> dict:
    """Every error is problem+json with type, title, status and detail, and no traceback."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    assert "Traceback" not in response.get_data(as_text=True)
    return body


# -- health and documents -------------------------------------------------------------------------


def test_healthz(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_once_models_are_loaded(client, engine: NewsQA) -> None:
    engine.warm_up()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["ready"] is True


def test_readyz_is_503_while_models_load() -> None:
    class Loading:  # an engine whose models are not loaded yet; readiness needs nothing else
        def ready(self) -> bool:
            return False

    response = create_app(Loading(), ServerSettings()).test_client().get("/readyz")  # type: ignore[arg-type]
    assert response.status_code == 503
    assert response.get_json() == {"ready": False, "status": "loading models"}


def test_openapi_document(client) -> None:
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/v1/articles", "/v1/articles/{article_id}", "/v1/ask", "/v1/search", "/v1/summarize",
            "/healthz", "/readyz"} <= spec["paths"].keys()
    ask = spec["paths"]["/v1/ask"]["post"]
    assert ask["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/AskIn"}
    assert ask["responses"]["422"]["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert spec["components"]["schemas"]["AskIn"]["additionalProperties"] is False


def test_docs_and_page_work_offline(client) -> None:
    for path in ("/docs", "/"):
        response = client.get(path)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "src=\"http" not in html and "href=\"http" not in html  # no CDN assets
    assert "/v1/ask" in client.get("/docs").get_data(as_text=True)
    for asset in ("/static/app.js", "/static/style.css"):
        assert client.get(asset).status_code == 200


# -- articles -------------------------------------------------------------------------------------


def test_add_article_is_idempotent(client, seed_id: str) -> None:
    text = SEED.read_text(encoding="utf-8")
    first = client.post("/v1/articles", json={"text": text})
    again = client.post("/v1/articles", json={"text": text})
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    article = first.get_json()
    assert article["id"] == seed_id
    assert article["text"] == text  # stored verbatim
    assert article["chars"] == len(text)
    assert article["title"].startswith("Pompeo meets Putin")
    assert first.headers["Location"] == f"/v1/articles/{seed_id}"


def test_add_html_article(client) -> None:
    html = ("<html><head><title>Harbour reopens</title></head><body><article><h1>Harbour reopens</h1>"
            "<p>The old harbour of Kiel reopened on Monday after two years of repairs, the city said.</p>"
            "<p>Ferries to Oslo will call there again from June, the operator announced.</p></article></body></html>")
    response = client.post("/v1/articles", json={"html": html, "url": "https://example.org/harbour"})
    assert response.status_code == 201, response.get_data(as_text=True)
    article = response.get_json()
    assert "reopened on Monday" in article["text"]
    assert "<p>" not in article["text"]
    assert client.delete(f"/v1/articles/{quote(article['id'], safe='')}").status_code == 204


def test_conflicting_id_is_409(client) -> None:
    assert client.post("/v1/articles", json={"text": "First text of the article.", "id": "clash"}).status_code == 201
    body = assert_problem(client.post("/v1/articles", json={"text": "A different text.", "id": "clash"}), 409)
    assert "clash" in body["detail"]
    assert client.delete("/v1/articles/clash").status_code == 204


def test_list_articles_pages(client, seed_id: str) -> None:
    page = client.get("/v1/articles?limit=1&offset=0").get_json()
    assert page["total"] >= 1 and page["limit"] == 1 and page["offset"] == 0
    assert len(page["items"]) == 1
    assert "text" not in page["items"][0]  # listing leaves out the (long) text
    assert seed_id in [a["id"] for a in client.get("/v1/articles").get_json()["items"]]
    beyond = client.get("/v1/articles?offset=100000").get_json()
    assert beyond["items"] == []


def test_get_article(client, seed_id: str) -> None:
    response = client.get(f"/v1/articles/{seed_id}")
    assert response.status_code == 200
    assert response.get_json()["text"] == SEED.read_text(encoding="utf-8")


def test_unicode_rtl_emoji_id_round_trip(client) -> None:
    text = "شركة الطيران أعلنت رحلات جديدة إلى بيروت. הודעה נמסרה ביום שני. Die Züge fahren wieder 🚆."
    created = client.post("/v1/articles", json={"text": text, "id": UNICODE_ID, "title": "חדשות 📰"})
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["id"] == UNICODE_ID
    url = "/v1/articles/" + quote(UNICODE_ID, safe="")
    assert created.headers["Location"] == url
    got = client.get(url)
    assert got.status_code == 200
    assert got.get_json()["text"] == text and got.get_json()["title"] == "חדשות 📰"
    assert UNICODE_ID in [a["id"] for a in client.get("/v1/articles?limit=200").get_json()["items"]]
    assert client.delete(url).status_code == 204
    assert_problem(client.get(url), 404)


def test_id_with_a_slash(client) -> None:
    assert client.post("/v1/articles", json={"text": "A short note about slashes.", "id": "2024/05/note"}).status_code == 201
    assert client.get("/v1/articles/2024/05/note").status_code == 200
    assert client.delete("/v1/articles/2024%2F05%2Fnote").status_code == 204


def test_unknown_article_is_404(client) -> None:
    body = assert_problem(client.get("/v1/articles/no-such-article"), 404)
    assert body["type"].endswith("article-not-found")
    assert_problem(client.delete("/v1/articles/no-such-article"), 404)


# -- ask, search, summarize -----------------------------------------------------------------------


def test_ask_lavrov(client, seed_id: str) -> None:
    response = client.post("/v1/ask", json={"question": "What did Lavrov say on Venezuela?"})
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.get_json()
    assert result["question"] == "What did Lavrov say on Venezuela?"
    assert result["took_ms"] > 0
    best = result["answers"][0]
    assert LAVROV in best["text"]
    assert best["article_id"] == seed_id
    assert best["title"].startswith("Pompeo meets Putin")
    assert 0 <= best["score"] <= 1 and 0 <= best["no_answer_score"] <= 1
    text = SEED.read_text(encoding="utf-8")
    assert text[best["start"]:best["end"]] == best["text"]
    sentence = best["sentence"]
    assert text[sentence["start"]:sentence["end"]] == sentence["text"]
    assert sentence["start"] <= best["start"] < best["end"] <= sentence["end"]


def test_ask_restricted_to_articles(client, seed_id: str) -> None:
    response = client.post("/v1/ask", json={"question": "What did Lavrov say on Venezuela?",
                                            "top_k": 1, "article_ids": [seed_id]})
    assert response.status_code == 200
    answers = response.get_json()["answers"]
    assert len(answers) <= 1 and all(a["article_id"] == seed_id for a in answers)
    assert_problem(client.post("/v1/ask", json={"question": "Who?", "article_ids": ["nope"]}), 404)


def test_ask_unicode_rtl_emoji_question(client) -> None:
    for question in ("מה אמר לברוב על ונצואלה? 🇻🇪", "ماذا قال لافروف عن فنزويلا؟", "Was sagte Lawrow über Venezuela 🤔?"):
        response = client.post("/v1/ask", json={"question": question})
        assert response.status_code == 200, response.get_data(as_text=True)
        result = response.get_json()
        assert result["question"] == question
        assert isinstance(result["answers"], list)


def test_search(client, seed_id: str) -> None:
    response = client.post("/v1/search", json={"query": "Lavrov Venezuela democracy", "top_k": 2})
    assert response.status_code == 200
    hits = response.get_json()["hits"]
    assert 1 <= len(hits) <= 2
    text = SEED.read_text(encoding="utf-8")
    assert any(LAVROV in h["text"] for h in hits)
    for hit in hits:
        assert hit["article_id"] == seed_id and text[hit["start"]:hit["end"]] == hit["text"]


def test_summarize_stored_article(client, seed_id: str) -> None:
    response = client.post("/v1/summarize", json={"article_id": seed_id, "max_sentences": 2})
    assert response.status_code == 200, response.get_data(as_text=True)
    summary = response.get_json()
    assert summary["article_ids"] == [seed_id] and summary["took_ms"] > 0
    assert 1 <= len(summary["sentences"]) <= 2
    text = SEED.read_text(encoding="utf-8")
    for sentence in summary["sentences"]:
        assert text[sentence["start"]:sentence["end"]] == sentence["text"]


def test_integers_may_be_written_as_json_floats(client) -> None:
    # JSON has one number type and JSON Schema counts 3.0 as an integer; 2.5 stays invalid (above).
    response = client.post("/v1/search", json={"query": "Lavrov", "top_k": 2.0})
    assert response.status_code == 200
    assert len(response.get_json()["hits"]) <= 2


def test_summarize_text_and_several_articles(client, seed_id: str) -> None:
    text = ("The city council approved the new budget on Tuesday. It raises spending on schools by ten percent. "
            "Critics said the plan ignores roads. The mayor will sign it next week.")
    response = client.post("/v1/summarize", json={"text": text, "max_words": 20, "query": "schools"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["text"]
    several = client.post("/v1/summarize", json={"article_ids": [seed_id], "max_sentences": 1})
    assert several.status_code == 200
    assert_problem(client.post("/v1/summarize", json={"article_id": "missing"}), 404)


# -- error statuses -------------------------------------------------------------------------------


@pytest.mark.parametrize("data", ["{bad json", "", "[" * 100_000, '{"question": "\\ud800 lone surrogate"}',
                                  b"\xff\xfe\x00garbage"])
def test_400_malformed_body(client, data) -> None:
    assert_problem(client.post("/v1/ask", data=data, content_type="application/json"), 400)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_415_wrong_content_type(client, content_type) -> None:
    kwargs = {"content_type": content_type} if content_type else {}
    assert_problem(client.post("/v1/ask", data='{"question": "Who?"}', **kwargs), 415)


def test_413_body_over_limit(engine: NewsQA) -> None:
    client = create_app(engine, ServerSettings(max_body=1024)).test_client()
    assert_problem(client.post("/v1/articles", json={"text": "word " * 1000}), 413)
    assert client.post("/v1/search", json={"query": "Lavrov"}).status_code == 200  # small bodies still pass


def test_413_default_limit_is_5_mb(client) -> None:
    assert_problem(client.post("/v1/articles", json={"text": "x" * (5 * 1024 * 1024 + 1)}), 413)


@pytest.mark.parametrize("body, field", [
    ({"question": ""}, "question"),
    ({"question": "   "}, "question"),
    ({}, "question"),
    ({"question": 42}, "question"),
    ({"question": "Who?", "top_k": "3"}, "top_k"),
    ({"question": "Who?", "top_k": 2.5}, "top_k"),
    ({"question": "Who?", "top_k": True}, "top_k"),
    ({"question": "Who?", "top_k": 0}, "top_k"),
    ({"question": "Who?", "top_k": 51}, "top_k"),
    ({"question": "Who?", "article_ids": "abc"}, "article_ids"),
    ({"question": "Who?", "colour": "blue"}, "colour"),
])
def test_422_invalid_fields(client, body: dict, field: str) -> None:
    problem = assert_problem(client.post("/v1/ask", json=body), 422)
    assert any(field in error["loc"] for error in problem["errors"]), problem


@pytest.mark.parametrize("path, body", [
    ("/v1/ask", [1, 2]),
    ("/v1/ask", "a string"),
    ("/v1/ask", {"question": "x" * 5000}),  # longer than the library allows
    ("/v1/articles", {"text": "  "}),
    ("/v1/articles", {"html": "<p>x</p>", "title": "titles come from the page"}),
    ("/v1/articles", {"text": "Some text.", "html": "<p>Some text.</p>"}),
    ("/v1/articles", {"text": "Some text.", "id": "bad\u0000id"}),
    ("/v1/summarize", {"article_id": "a", "text": "b"}),
    ("/v1/summarize", {"text": "Some text.", "max_sentences": 0}),
    ("/v1/search", {"query": "x", "top_k": -1}),
])
def test_422_invalid_bodies(client, path: str, body) -> None:
    assert_problem(client.post(path, json=body), 422)


def test_422_invalid_paging(client) -> None:
    for query in ("limit=0", "limit=abc", "offset=-1", "limit=201", "page=2"):
        assert_problem(client.get(f"/v1/articles?{query}"), 422)


def test_404_unknown_route(client) -> None:
    body = assert_problem(client.get("/v2/nothing-here"), 404)
    assert body["type"].endswith("not-found")


@pytest.mark.parametrize("method, path", [("get", "/v1/ask"), ("put", "/v1/articles"), ("patch", "/v1/summarize"),
                                          ("post", "/healthz"), ("delete", "/v1/articles")])
def test_405_wrong_method(client, method: str, path: str) -> None:
    response = getattr(client, method)(path)
    assert_problem(response, 405)
    assert response.headers["Allow"]


def test_500_is_a_problem_without_traceback(engine: NewsQA) -> None:
    app = create_app(engine)

    @app.get("/boom", doc_ui=False)
    def boom():
        raise RuntimeError("secret internals")

    body = assert_problem(app.test_client().get("/boom"), 500)
    assert "secret internals" not in json.dumps(body)


def test_503_when_a_model_is_missing(tmp_path: Path) -> None:
    engine = NewsQA(":memory:", Settings(db_path=":memory:", models_dir=tmp_path))
    client = create_app(engine).test_client()
    assert client.post("/v1/articles", json={"text": "The bridge opened on Monday. Traffic was light."}).status_code == 201
    body = assert_problem(client.post("/v1/ask", json={"question": "When did the bridge open?"}), 503)
    assert body["type"].endswith("model-unavailable")


# -- API key and CORS -----------------------------------------------------------------------------


def test_401_api_key_on_every_api_route(engine: NewsQA, seed_id: str) -> None:
    client = create_app(engine, ServerSettings(api_key="s3cret-key-123")).test_client()
    ask = {"question": "What did Lavrov say on Venezuela?"}
    missing = client.post("/v1/ask", json=ask)
    assert_problem(missing, 401)
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert_problem(client.post("/v1/ask", json=ask, headers={"Authorization": "Bearer wrong"}), 401)
    assert_problem(client.post("/v1/ask", json=ask, headers={"Authorization": "Basic czNjcmV0"}), 401)
    assert_problem(client.delete(f"/v1/articles/{seed_id}"), 401)
    assert_problem(client.post("/v1/ask", data="not even json", content_type="text/plain"), 401)  # auth first
    ok = client.post("/v1/search", json={"query": "Lavrov"}, headers={"Authorization": "Bearer s3cret-key-123"})
    assert ok.status_code == 200
    assert_problem(client.get(f"/v1/articles/{seed_id}"), 401)  # reads return whole articles: key too
    assert client.get(f"/v1/articles/{seed_id}", headers={"Authorization": "Bearer s3cret-key-123"}).status_code == 200
    assert client.get("/").status_code == 200


def test_cors_off_by_default(client) -> None:
    response = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_when_configured(engine: NewsQA) -> None:
    client = create_app(engine, ServerSettings(cors_origins=["https://news.example"])).test_client()
    allowed = client.get("/v1/articles", headers={"Origin": "https://news.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://news.example"
    other = client.get("/v1/articles", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options("/v1/ask", headers={"Origin": "https://news.example",
                                                   "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
