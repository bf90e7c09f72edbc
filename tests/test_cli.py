"""The `newsqa` command as a user runs it: each test starts the real console script in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import served
from .seed_questions import LAVROV

NEWSQA = Path(sys.executable).with_name("newsqa")
SLOW = 600  # seconds: a command that loads the models can take long on a busy two-core machine


def run(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    """Run `newsqa ARGS` in `cwd` with a private NEWSQA_HOME (and no server) unless `env` says otherwise."""
    base = {k: v for k, v in os.environ.items() if k not in ("NEWSQA_URL", "NEWSQA_DB", "NEWSQA_HOME")}
    base.update({"NEWSQA_HOME": str(cwd / "home"), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    return subprocess.run([str(NEWSQA), *args], cwd=cwd, env={**base, **(env or {})}, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def server_url(seeded_engine) -> Iterator[str]:
    """The real app over the seeded engine, served from a thread on a free port."""
    with served(seeded_engine) as url:
        yield url


@pytest.mark.slow
def test_demo_runs_from_any_folder_in_a_temporary_database(tmp_path: Path) -> None:
    result = run("demo", cwd=tmp_path, timeout=SLOW)
    assert result.returncode == 0, result.stderr
    assert "Q: What did Lavrov say on Venezuela?" in result.stdout
    assert "You can not establish a democracy by force" in result.stdout  # the answer
    assert "Summary of \"Pompeo meets Putin" in result.stdout and "\n- " in result.stdout
    assert not (tmp_path / "home").exists(), "the demo wrote into the user's data folder"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_demo_of_a_path_with_its_own_question(tmp_path: Path) -> None:
    article = tmp_path / "rates.txt"
    article.write_text("Kenya's central bank kept its main rate at 10.75 percent on Tuesday, said governor Kamau Thugge. "
                       "It was the third hold in a row.\n", encoding="utf-8")
    result = run("demo", str(article), "--question", "Who is the central bank governor?", cwd=tmp_path, timeout=SLOW)
    assert result.returncode == 0, result.stderr
    assert "Q: Who is the central bank governor?" in result.stdout and "Lavrov" not in result.stdout
    assert "1. Kamau Thugge" in result.stdout
    assert "- It was the third hold in a row." in result.stdout


def test_empty_database_says_so_and_how_to_add_articles(tmp_path: Path) -> None:
    db = tmp_path / "empty.sqlite3"
    for args, status in ((["ask", "Who won?"], 1), (["search", "election"], 1), (["articles", "list"], 0)):
        result = run(*args, "--db", str(db), cwd=tmp_path)
        assert result.returncode == status, (args, result.stderr)
        assert f"No articles in the database {db} yet" in result.stderr, args
        assert "newsqa ingest" in result.stderr


def test_info_names_database_count_models_and_versions(seeded_engine, tmp_path: Path) -> None:
    result = run("info", "--json", "--db", seeded_engine.settings.db_path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["database"] == seeded_engine.settings.db_path and info["articles"] == seeded_engine.count_articles()
    assert Path(info["models"]["reader"]["path"], "model.safetensors").is_file()
    assert info["versions"]["newsqa"] and info["versions"]["torch"]
    text = run("info", cwd=tmp_path)
    assert f"database:   {tmp_path / 'home' / 'newsqa.sqlite3'}" in text.stdout  # the default: $NEWSQA_HOME
    assert "articles:   0" in text.stdout


def test_commands_that_need_no_model_do_not_import_torch(tmp_path: Path) -> None:
    probe = ("import sys\nfrom newsqa.cli import main\nsys.argv = ['newsqa', 'info']\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\nprint('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env={**os.environ, "NEWSQA_HOME": str(tmp_path)},
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "False", result.stdout + result.stderr


def test_summarize_a_missing_name_says_no_file_or_article(tmp_path: Path) -> None:
    result = run("summarize", str(tmp_path / "nope.txt"), cwd=tmp_path)
    assert result.returncode == 2
    assert f"no file or stored article named '{tmp_path / 'nope.txt'}'" in result.stderr


def test_ask_through_a_running_server(server_url: str, seeded_engine, tmp_path: Path) -> None:
    # The local database is empty: the answer can only have come from the server.
    local = ["--db", str(tmp_path / "empty.sqlite3")]
    result = run("--server", server_url, "ask", LAVROV[0], "--json", *local, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [best, *_] = json.loads(result.stdout)
    assert LAVROV[1] in best["text"] and best == seeded_engine.ask(LAVROV[0])[0].to_dict()
    summary = run("summarize", best["article_id"], "--sentences", "2", *local, cwd=tmp_path, env={"NEWSQA_URL": server_url})
    assert summary.returncode == 0, summary.stderr
    assert summary.stdout.count("\n- ") + summary.stdout.startswith("- ") == 2
    info = json.loads(run("info", "--json", *local, cwd=tmp_path, env={"NEWSQA_URL": server_url}).stdout)
    assert info["server"] == server_url and info["articles"] == seeded_engine.count_articles()
    missing = run("--server", server_url, "articles", "show", "no-such-id", *local, cwd=tmp_path)
    assert missing.returncode == 2 and "no article with id 'no-such-id'" in missing.stderr


def test_without_a_server_the_command_runs_in_process(tmp_path: Path) -> None:
    result = run("--server", "http://127.0.0.1:9", "ask", "Who?", "--db", str(tmp_path / "empty.sqlite3"), cwd=tmp_path)
    assert "no newsqa server answers at http://127.0.0.1:9" in result.stderr and "running in this process" in result.stderr
    assert f"No articles in the database {tmp_path / 'empty.sqlite3'} yet" in result.stderr and result.returncode == 1
