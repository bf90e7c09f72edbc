"""README.md's "Use it" Python snippet runs as written when pasted, from the repository root
(issue #22, item 10): no placeholder file, no step that is not on the page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


def use_it_snippet(readme: str) -> str:
    """The first ```python block under the "## Use it" heading."""
    section = readme.split("\n## Use it\n", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "no ```python block under ## Use it"
    return match.group(1)


@pytest.mark.slow
def test_use_it_snippet_runs_as_pasted(tmp_path: Path) -> None:
    code = use_it_snippet((ROOT / "README.md").read_text(encoding="utf-8"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env.update(NEWSQA_HOME=str(tmp_path / "home"), NEWSQA_DAEMON="0", NEWSQA_THREADS="1",
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert re.search(r"^stored [0-9a-f]+ Council$", out, re.M), out   # the streamed record was stored
    assert "big.jsonl" in out                                           # the bad line went to on_error
    assert "democracy by force" in out                                  # the seed article answered
    # it used the data folder it was given, and nothing else
    assert (tmp_path / "home" / "newsqa.sqlite3").exists()
