"""Hostile input and exposure (issue #12, items 10-12): the CLI never prints a control character
raw, reads need the API key when one is set, `source` is a file name, and `--debug` stays on
loopback. Real processes for the CLI, the real Flask app for the API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsqa import NewsQA
from newsqa.server.app import ServerSettings, create_app

from .conftest import ROOT

NEWSQA = [sys.executable, "-m", "newsqa.cli"]
HOSTILE = "\u001b]0;owned\u0007\u001b[2J\u009b31m\rRed alert\u007f"


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run([*NEWSQA, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)


def assert_no_controls(output: str) -> None:
    raw = [hex(ord(c)) for c in output if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F]
    assert not raw, f"raw control characters printed: {raw}"


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("hostile") / "db.sqlite3"
    NewsQA(db).add_article(f"The harbour of Lisbon reopened on Monday {HOSTILE} after the storm.",
                           title=f"Harbour {HOSTILE}", article_id="id-\u009b2J-harbour")  # C1 is allowed in ids
    return db


@pytest.mark.parametrize("args", [
    ["articles", "list"],
    ["articles", "list", "--json"],
    ["search", "harbour Lisbon"],
    ["search", "harbour Lisbon", "--json"],
    ["ask", "When did the harbour of Lisbon reopen?"],
])
def test_item10_cli_escapes_control_characters(hostile_db: Path, args: list[str]) -> None:
    result = run_cli(*args, "--db", str(hostile_db))
    assert result.returncode == 0, result.stderr[-2000:]
    assert_no_controls(result.stdout + result.stderr)
    assert "Harbour" in result.stdout and "\\u001b" in result.stdout  # shown, escaped
    if "--json" in args:
        json.loads(result.stdout)  # the escapes keep it valid JSON


def test_item10_show_and_errors_escape_too(hostile_db: Path, tmp_path: Path) -> None:
    listed = json.loads(run_cli("articles", "list", "--json", "--db", str(hostile_db)).stdout)
    shown = run_cli("articles", "show", listed[0]["id"], "--db", str(hostile_db))
    assert shown.returncode == 0 and "Red alert" in shown.stdout
    assert_no_controls(shown.stdout)
    missing = run_cli("articles", "show", "no\u001b[2Jsuch", "--db", str(hostile_db))
    assert missing.returncode == 2
    assert_no_controls(missing.stderr)
    named = tmp_path / "bad\u001b[2Jname.pdf"
    named.write_text("x")
    skipped = run_cli("ingest", str(named), "--db", str(tmp_path / "other.sqlite3"))
    assert skipped.returncode == 2 and "unsupported file type" in skipped.stderr
    assert_no_controls(skipped.stderr)


# -- the API key covers reads; source is a file name ---------------------------------------------


def test_item11_reads_need_the_key_and_source_is_a_file_name(tmp_path: Path) -> None:
    qa = NewsQA(tmp_path / "db.sqlite3")
    article_file = tmp_path / "secret-folder" / "story.txt"
    article_file.parent.mkdir()
    article_file.write_text("Harbour\n\nThe harbour reopened on Monday after the storm.", encoding="utf-8")
    [article] = qa.ingest([article_file])
    key = {"Authorization": "Bearer s3cret-key-123"}
    client = create_app(qa, ServerSettings(api_key="s3cret-key-123", cors_origins=[])).test_client()
    for path in ("/v1/articles", f"/v1/articles/{article.id}"):
        denied = client.get(path)
        assert denied.status_code == 401 and denied.mimetype == "application/problem+json"
        assert "harbour" not in denied.get_data(as_text=True).lower()
        assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    listed = client.get("/v1/articles", headers=key).get_json()
    shown = client.get(f"/v1/articles/{article.id}", headers=key).get_json()
    assert listed["items"][0]["source"] == shown["source"] == "story.txt"
    assert str(tmp_path) not in json.dumps([listed, shown])
    assert client.get("/healthz").status_code == 200 and client.get("/").status_code == 200


def test_item11_source_of_older_databases_is_shown_as_a_file_name(tmp_path: Path) -> None:
    """Rows written before the fix hold a full server path; the API shows only its name."""
    import sqlite3

    qa = NewsQA(tmp_path / "db.sqlite3")
    article = qa.add_article("The harbour reopened on Monday.")
    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
        conn.execute("UPDATE articles SET source = ? WHERE id = ?", ("/srv/private/feeds/story.txt", article.id))
    shown = create_app(qa, ServerSettings(api_key=None)).test_client().get(f"/v1/articles/{article.id}").get_json()
    assert shown["source"] == "story.txt"


# -- --debug only on loopback -----------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.7", "example.org"])
def test_item12_debug_refuses_a_non_loopback_host(host: str) -> None:
    try:
        result = run_cli("serve", "--debug", "--host", host, "--port", "8123", timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`serve --debug --host {host}` started a server with the Werkzeug debugger")
    assert result.returncode == 2
    assert "loopback" in result.stderr and "debugger" in result.stderr


def test_item12_loopback_test_is_exact() -> None:
    from newsqa.cli import is_loopback

    assert all(map(is_loopback, ["127.0.0.1", "127.8.0.1", "::1", "[::1]", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "10.0.0.1", "localhost.example.org", ""]))
