"""Database faults say what happened and where (issue #12, items 8 and 9): a full disk, a file that
is not a database, a read-only file or filesystem, and a database deleted under a running server.
The CLI prints one line with the path and the cause; the server logs it, /readyz answers 503 with
the reason, API calls get a 503 problem; nothing already stored is lost.

Real files on real filesystems: a small tmpfs for the full disk and the read-only filesystem (these
tests need to be root, as CI is, and are skipped otherwise)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsqa import NewsQA, StorageError
from newsqa.server.app import ServerSettings, create_app

from .conftest import ROOT

PROBLEM = "application/problem+json"


def cli(*args: str, env: dict[str, str] | None = None, user: int | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "newsqa.cli", *args], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env=full_env, user=user)


def assert_one_line(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-3000:])
    progress = ("it/s", "ingesting", "embedding")  # tqdm bars
    lines = [line for line in result.stderr.splitlines() if line.strip() and not any(p in line for p in progress)]
    assert len(lines) == 1, result.stderr[-3000:]
    assert lines[0].startswith("error: ") and "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.fixture
def tmpfs(tmp_path: Path):
    """A 1 MB tmpfs mounted for the test (root only)."""
    mount = tmp_path / "mnt"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("needs root to mount a small tmpfs")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def story(n: int, words: int = 400) -> str:
    return f"Story {n}. " + " ".join(f"Harbour {n} word {i}." for i in range(words // 4))


def test_item8_disk_full(tmpfs: Path, tmp_path: Path) -> None:
    db = tmpfs / "news.sqlite3"
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"text": story(n)}) + "\n" for n in range(400)), encoding="utf-8")
    result = cli("ingest", str(feed), "--db", str(db))
    assert_one_line(result, str(db), "disk is full")
    stored = NewsQA(db).count_articles()
    assert stored > 0  # what was stored before the disk filled up is still there
    with pytest.raises(StorageError, match="disk is full"):
        for n in range(1000, 1400):
            NewsQA(db).add_article(story(n))


def test_item8_not_a_database(tmp_path: Path, caplog, monkeypatch) -> None:
    bogus = tmp_path / "newsqa.sqlite3"
    bogus.write_bytes(b"These are my notes, not a database.\n" * 200)
    assert_one_line(cli("articles", "list", "--db", str(bogus)), str(bogus), "not a newsqa database")
    assert bogus.read_bytes().startswith(b"These are my notes")  # not touched
    with pytest.raises(StorageError, match="not a newsqa database"):
        NewsQA(bogus)
    # The server (its engine made from the environment): readiness says why, API calls get a 503
    # problem, and the log has it.
    monkeypatch.setenv("NEWSQA_HOME", str(tmp_path))
    client = create_app(settings=ServerSettings(api_key=None)).test_client()
    with caplog.at_level(logging.ERROR, logger="newsqa.server"):
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "not a newsqa database" in ready.get_json()["status"]
        response = client.post("/v1/articles", json={"text": "The harbour reopened."})
        assert response.status_code == 503 and response.mimetype == PROBLEM
        assert "not a newsqa database" in response.get_json()["detail"] and str(bogus) in response.get_json()["detail"]
        assert client.get("/v1/articles").status_code == 503
    assert any("not a newsqa database" in r.getMessage() for r in caplog.records)


def test_item8_read_only_filesystem(tmpfs: Path) -> None:
    db = tmpfs / "news.sqlite3"
    qa = NewsQA(db)
    qa.add_article("The harbour reopened on Monday.")
    qa.store.close()  # no open file on the mount, or it cannot become read-only
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    result = cli("ingest", str(ROOT / "seeds"), "--db", str(db))
    assert_one_line(result, str(db), "read-only")


def test_item8_read_only_file(tmp_path: Path) -> None:
    db = tmp_path / "news.sqlite3"
    qa = NewsQA(db)
    qa.add_article("The harbour reopened on Monday.")
    qa.store.close()
    # Root writes through file modes: make the file immutable instead (chattr +i), as read-only to root.
    as_root = os.geteuid() == 0
    if as_root and subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here")
    if not as_root:
        db.chmod(0o444)
    try:
        assert_one_line(cli("ingest", str(ROOT / "seeds"), "--db", str(db)), str(db), "read-only")
        assert NewsQA(db).count_articles() == 1  # still readable, nothing lost
    finally:
        if as_root:
            subprocess.run(["chattr", "-i", str(db)], capture_output=True)


def test_item9_database_deleted_under_a_running_server(tmp_path: Path, caplog) -> None:
    db = tmp_path / "news.sqlite3"
    engine = NewsQA(db)
    engine.warm_up()
    client = create_app(engine, ServerSettings(api_key=None)).test_client()
    assert client.post("/v1/articles", json={"text": "The harbour reopened on Monday."}).status_code == 201
    assert client.get("/readyz").status_code == 200
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    with caplog.at_level(logging.ERROR, logger="newsqa.server"):
        response = client.post("/v1/articles", json={"text": "Confirmed, then lost on restart."})
    assert response.status_code == 503 and response.mimetype == PROBLEM
    assert str(db) in response.get_json()["detail"] and "deleted" in response.get_json()["detail"]
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "deleted" in ready.get_json()["status"]
    assert client.delete("/v1/articles/anything").status_code == 503
    assert any("deleted" in r.getMessage() for r in caplog.records)
