"""Two `newsqa serve` replicas (gunicorn, one worker each) on different loopback ports, both on one
PostgreSQL: what one stores the other answers from at once, and articles ingested through both at
the same time are each stored exactly once, with all their passages, vectors and lexical rows."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .conftest import ROOT, SEED, row_counts

HOST = "127.0.0.1"
READY_TIMEOUT_S = 300
LAVROV = "You can not establish a democracy by force"

pytestmark = pytest.mark.slow

CITIES = ["Lisbon", "Oslo", "Nairobi", "Lima", "Hanoi", "Quito", "Accra", "Riga"]


def article_about(city: str, n: int) -> str:
    return (f"{city} council report {n}\n\nThe city council of {city} approved a new harbour budget on Monday, "
            f"officials said. The plan for {city} adds {n + 2} ferry lines and a tram depot. "
            f"Opposition members in {city} called the cost too high and asked for an audit by the national court.")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def call(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        conn.request(method, path, body=json.dumps(body).encode() if body is not None else None,
                     headers={"Content-Type": "application/json"} if body is not None else {})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def start_replica(db: str, home: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "NEWSQA_DB": db, "NEWSQA_HOME": str(home), "NEWSQA_DB_POOL": "2",
           "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    env.pop("NEWSQA_API_KEY", None)
    log = open(home / f"replica-{port}.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([sys.executable, "-m", "newsqa.cli", "serve", "--host", HOST, "--port", str(port), "--workers", "1"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return proc, port


def wait_ready(proc: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            if call(port, "GET", "/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"replica on port {port} not ready in {READY_TIMEOUT_S} s")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="module")
def replicas(postgres_database, tmp_path_factory):
    """Two replicas on one new Postgres database; yields (database URL, port A, port B)."""
    db = postgres_database()
    home = tmp_path_factory.mktemp("replicas")
    started = [start_replica(db, home) for _ in range(2)]
    try:
        for proc, port in started:
            wait_ready(proc, port, home / f"replica-{port}.log")
        yield db, started[0][1], started[1][1]
    finally:
        for proc, _ in started:
            stop(proc)


def test_add_through_one_ask_through_the_other(replicas, seed_text):
    db, a, b = replicas
    status, article = call(a, "POST", "/v1/articles", {"text": seed_text})
    assert status == 201, article
    status, body = call(b, "POST", "/v1/ask", {"question": "What did Lavrov say on Venezuela?"})
    assert status == 200 and LAVROV in body["answers"][0]["text"]
    assert body["answers"][0]["article_id"] == article["id"]
    assert call(b, "GET", f"/v1/articles/{article['id']}")[1]["text"] == seed_text
    assert call(b, "DELETE", f"/v1/articles/{article['id']}")[0] == 204
    assert call(a, "GET", f"/v1/articles/{article['id']}")[0] == 404
    status, body = call(a, "POST", "/v1/search", {"query": "Lavrov Venezuela democracy"})
    assert status == 200 and body["hits"] == []


def test_concurrent_ingest_through_both_stores_each_article_once(replicas):
    db, a, b = replicas
    texts = {f"{city}-{n}": article_about(city, n) for city in CITIES for n in range(2)}
    # every article goes to both replicas at once, plus articles that only one of them gets
    jobs = [(port, {"text": text, "id": key}) for key, text in texts.items() for port in (a, b)]
    jobs += [(a if i % 2 else b, {"text": article_about(f"Town{i}", i), "id": f"only-{i}"}) for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda job: call(job[0], "POST", "/v1/articles", job[1]), jobs))
    assert all(status in (200, 201) for status, _ in results), [r for r in results if r[0] not in (200, 201)]
    expected = set(texts) | {f"only-{i}" for i in range(8)}
    listed = call(b, "GET", "/v1/articles?limit=100")[1]
    assert sorted(x["id"] for x in listed["items"]) == sorted(expected)  # each exactly once
    for article_id in expected:
        counts = row_counts(db, article_id)
        assert counts["articles"] == 1
        assert counts["passages"] == counts["vectors"] == counts["lexical"] >= 1, (article_id, counts)
        assert counts["sentences"] >= 3, (article_id, counts)
    status, body = call(a, "POST", "/v1/ask", {"question": "How many ferry lines does the plan add?", "article_ids": ["Riga-1"]})
    assert status == 200 and body["answers"][0]["article_id"] == "Riga-1" and "3" in body["answers"][0]["text"]
