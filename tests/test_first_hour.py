"""Issue 22, items 7, 8 and 13: the command line and the page as a new user meets them.

Each test runs the real console script (or the real Flask app): `--version`, global options after
the command, `ingest -`, an argument that is not UTF-8, a busy port, the maximum article size from
the CLI and the environment, `serve` from a folder whose `newsqa/` shadows the installed package,
the API's words for a blank question, and the page's security headers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from newsqa import NewsQA, __version__
from newsqa.server.app import ServerSettings, create_app

from .test_cli import NEWSQA, SLOW, run

PROBLEM = "application/problem+json"


def test_version_and_global_options_after_the_command(tmp_path: Path) -> None:
    version = run("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == f"newsqa {__version__}"
    # --no-daemon and --threads after the command work as they do before it (an empty database says so).
    after = run("ask", "Who won?", "--no-daemon", "--threads", "1", "--db", str(tmp_path / "x.sqlite3"), cwd=tmp_path)
    assert after.returncode == 1 and "No articles in the database" in after.stderr, after.stderr
    assert "No such option" not in after.stderr


def test_an_argument_that_is_not_utf8_is_one_error_line(tmp_path: Path) -> None:
    result = subprocess.run([str(NEWSQA), "ingest", os.fsdecode(b"caf\xe9.txt")], cwd=tmp_path, capture_output=True,
                            env={**os.environ, "NEWSQA_HOME": str(tmp_path / "home"), "NEWSQA_DAEMON": "0"})
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2 and "Traceback" not in err
    assert err.strip().splitlines() == ["error: argument 2 is not valid UTF-8: 'caf\\xe9.txt' (set a UTF-8 locale, or rename the file)"]


def test_ingest_reads_standard_input_and_the_article_size_limit_is_settable(tmp_path: Path) -> None:
    db = str(tmp_path / "db.sqlite3")
    lines = '{"id": "a", "text": "Rain hit Lisbon on Monday."}\n{"id": "b", "text": "' + "word " * 300 + '"}\n'
    base = {k: v for k, v in os.environ.items() if k not in ("NEWSQA_DB", "NEWSQA_MAX_ARTICLE_CHARS")}
    env = {**base, "NEWSQA_HOME": str(tmp_path / "home"), "NEWSQA_DAEMON": "0"}
    fed = subprocess.run([str(NEWSQA), "--max-article-chars", "1000", "ingest", "-", "--db", db], input=lines, text=True,
                         capture_output=True, cwd=tmp_path, env=env, timeout=SLOW)
    assert fed.returncode == 0, fed.stderr[-2000:]
    assert "1 article(s) stored, 1 skipped" in fed.stdout and "longer than 1000 characters" in fed.stderr
    plain = subprocess.run([str(NEWSQA), "ingest", "-", "--db", db], input="Snow closed roads in Oslo on Tuesday.", text=True,
                           capture_output=True, cwd=tmp_path, env={**env, "NEWSQA_MAX_ARTICLE_CHARS": "30"}, timeout=SLOW)
    assert plain.returncode == 2 and "longer than 30 characters" in plain.stderr, plain.stderr
    with NewsQA(db) as qa:
        assert [a.id for a in qa.list_articles()] == ["a"]


def test_serve_on_a_busy_port_is_one_error_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "--port", str(port), cwd=tmp_path, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"error: port {port} on 127.0.0.1 is in use (another `newsqa serve`?): pick another with --port"]


@pytest.mark.slow
def test_serve_from_a_folder_whose_newsqa_shadows_the_package(tmp_path: Path) -> None:
    """A checkout's root after a non-editable install: its `newsqa/` has no `server` package."""
    (tmp_path / "newsqa").mkdir()
    (tmp_path / "newsqa" / "__init__.py").write_text("raise ImportError('the shadowing source folder was imported')\n")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = {k: v for k, v in os.environ.items() if k not in ("NEWSQA_URL", "NEWSQA_HOME")}
    proc = subprocess.Popen([str(NEWSQA), "serve", "--port", str(port), "--workers", "1"], cwd=tmp_path,
                            env={**base, "NEWSQA_DB": "rel.sqlite3", "NEWSQA_HOME": str(tmp_path / "home")},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + SLOW
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/info", timeout=5) as response:
                    info = response.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the server did not start: " + (proc.stdout.read() if proc.poll() is not None else "timeout"))
        assert str(tmp_path / "rel.sqlite3") in info  # the relative database path still names this folder's file
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def test_api_says_question_is_empty_and_the_page_sends_security_headers(tmp_path: Path) -> None:
    client = create_app(NewsQA(tmp_path / "db.sqlite3"), ServerSettings(api_key=None)).test_client()
    for route, field in (("/v1/ask", "question"), ("/v1/search", "query")):
        for blank in ("", "   "):
            response = client.post(route, json={field: blank})
            assert response.status_code == 422 and response.mimetype == PROBLEM
            assert response.get_json(force=True)["detail"] == f"{field} is empty"
    page = client.get("/")
    assert page.status_code == 200
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["X-Frame-Options"] == "DENY"
    assert client.get("/docs").headers["X-Frame-Options"] == "DENY"


def test_an_sqlite_uri_creates_no_folder_named_file(tmp_path: Path, monkeypatch) -> None:
    from newsqa.errors import StorageError

    monkeypatch.chdir(tmp_path)
    with pytest.raises(StorageError):
        NewsQA(f"file:{tmp_path}/sub/missing.sqlite3?mode=ro").count_articles()
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no `file:` folder, no `sub` folder


def test_the_readme_says_how_to_reach_the_command_after_make() -> None:
    """Item 9: `make demo` does not activate `.venv`; the README must say how to run `newsqa` then."""
    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme[readme.index("## Two commands"):readme.index("## Use it")]
    assert ".venv/bin/newsqa" in setup and "source .venv/bin/activate" in setup
