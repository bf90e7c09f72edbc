"""A read-only database (a `file:...?mode=ro` URI, a file or folder on a read-only mount): reads
(ask, search, list, get, summarize) keep working, writes are refused with a clear StorageError /
503 problem, and nothing stored changes (issue #22, item 7).

The tests run as root, and root ignores file permissions, so a chmod'ed folder proves nothing
here. A real read-only filesystem does: the folder is bind-mounted read-only in a private mount
namespace (`unshare -rm`, no privileges needed beyond user namespaces), and the script runs there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from newsqa import NewsQA
from newsqa.errors import StorageError

from .conftest import SEED

QUESTION = "What did Lavrov say on Venezuela?"


@pytest.fixture(scope="module")
def seeded_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ro")
    qa = NewsQA(str(folder / "newsqa.sqlite3"))
    qa.ingest([SEED])
    qa.close()
    return folder


def test_mode_ro_uri_reads_and_refuses_writes(seeded_folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.sqlite3"
    shutil.copy(seeded_folder / "newsqa.sqlite3", db)
    before = db.read_bytes()
    qa = NewsQA(f"file:{db}?mode=ro")
    try:
        [article] = qa.list_articles()
        assert qa.get_article(article.id).text == article.text
        answers = qa.ask(QUESTION)
        assert answers and "democracy by force" in answers[0].text
        assert qa.search("Venezuela", top_k=3)
        assert qa.summarize(article_id=article.id, max_sentences=2).sentences
        with pytest.raises(StorageError, match="read-only"):
            qa.delete_article(article.id)
        new = tmp_path / "new.txt"
        new.write_text("A new article about the harbour.", encoding="utf-8")
        with pytest.raises(StorageError, match="read-only"):
            qa.ingest([new])
        assert [a.id for a in qa.list_articles()] == [article.id]
    finally:
        qa.close()
    assert db.read_bytes() == before
    assert not Path("file:").exists()


SCRIPT = textwrap.dedent("""
    import json, os, sys
    from newsqa import NewsQA
    from newsqa.errors import StorageError
    from newsqa.server import create_app

    out = {}
    qa = NewsQA(os.environ["NEWSQA_DB"])
    out["articles"] = [a.id for a in qa.list_articles()]
    out["answer"] = qa.ask(sys.argv[1])[0].text
    try:
        qa.delete_article(out["articles"][0])
        out["delete"] = "deleted"
    except StorageError as exc:
        out["delete"] = str(exc)
    client = create_app().test_client()
    aid = out["articles"][0]
    calls = [("get", "/v1/articles", None), ("get", f"/v1/articles/{aid}", None),
             ("post", "/v1/ask", {"question": sys.argv[1]}), ("post", "/v1/search", {"query": "Venezuela"}),
             ("post", "/v1/summarize", {"article_id": aid}), ("get", "/readyz", None), ("get", "/v1/info", None),
             ("post", "/v1/articles", {"text": "A new article about the harbour."}),
             ("delete", f"/v1/articles/{aid}", None)]
    out["http"] = {}
    for method, url, body in calls:
        r = getattr(client, method)(url, json=body)
        out["http"][f"{method.upper()} {url}"] = [r.status_code, r.get_json(silent=True)]
    print(json.dumps(out))
""")


def run_on_read_only_mount(folder: Path, script: str, *args: str) -> subprocess.CompletedProcess:
    command = f"mount --bind -o ro {folder} {folder} && exec {sys.executable} -c \"$0\" \"$@\""
    env = dict(os.environ, NEWSQA_DB=str(folder / "newsqa.sqlite3"), NEWSQA_DAEMON="0")
    return subprocess.run(["unshare", "-rm", "sh", "-c", command, script, *args], capture_output=True, text=True,
                          env=env, timeout=600)


def read_only_mounts_work(folder: Path) -> bool:
    if not shutil.which("unshare"):
        return False
    probe = run_on_read_only_mount(folder, "import pathlib, sys; pathlib.Path(sys.argv[1], 'x').touch()", str(folder))
    return probe.returncode != 0 and "Read-only file system" in probe.stderr


@pytest.mark.slow
def test_read_only_mount_serves_reads_and_refuses_writes(seeded_folder: Path) -> None:
    if not read_only_mounts_work(seeded_folder):
        pytest.skip("no user namespaces here (unshare -rm) to bind-mount a folder read-only")
    db = seeded_folder / "newsqa.sqlite3"
    before = db.read_bytes()
    done = run_on_read_only_mount(seeded_folder, SCRIPT, QUESTION)
    assert done.returncode == 0, done.stdout + done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(out["articles"]) == 1 and "democracy by force" in out["answer"]
    assert "read-only" in out["delete"]
    aid = out["articles"][0]
    http = out["http"]
    for read in ("GET /v1/articles", f"GET /v1/articles/{aid}", "POST /v1/ask", "POST /v1/search",
                 "POST /v1/summarize", "GET /readyz", "GET /v1/info"):
        assert http[read][0] == 200, (read, http[read])
    for write in ("POST /v1/articles", f"DELETE /v1/articles/{aid}"):
        status, problem = http[write]
        assert status == 503, (write, http[write])
        assert "read-only" in problem["detail"]
    assert db.read_bytes() == before  # nothing stored changed
