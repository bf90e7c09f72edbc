"""The torch thread setting (issue #12, item 13): NEWSQA_THREADS and `newsqa --threads` decide how
many intra-op threads a process uses; the default is one (measured: see the README)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from .conftest import ROOT

PROBE = textwrap.dedent("""
    import atexit, sys, torch
    sys.path.insert(0, {root!r})
    atexit.register(lambda: print("THREADS", torch.get_num_threads()))
    {body}
""")


def threads_in(body: str, env: dict[str, str]) -> int:
    full_env = {k: v for k, v in os.environ.items() if k != "NEWSQA_THREADS"} | env
    out = subprocess.run([sys.executable, "-c", PROBE.format(root=str(ROOT), body=body)], env=full_env,
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    line = next((l for l in out.stdout.splitlines() if l.startswith("THREADS")), None)
    assert line, out.stderr[-2000:]
    return int(line.split()[1])


ENGINE = "from newsqa import NewsQA; NewsQA(':memory:')"


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores to tell one thread from torch's default")
def test_item13_default_is_one_thread_and_env_overrides() -> None:
    assert threads_in(ENGINE, {}) == 1
    assert threads_in(ENGINE, {"NEWSQA_THREADS": "2"}) == 2
    assert threads_in(ENGINE, {"NEWSQA_THREADS": "0"}) == threads_in("import torch", {})  # 0: torch's own choice


def test_item13_cli_flag(tmp_path) -> None:
    cli = ("import sys; from newsqa.cli import main; "
           f"sys.argv = ['newsqa', '--threads', '1', 'articles', 'list', '--db', {str(tmp_path / 'db.sqlite3')!r}]\n"
           "try:\n    main()\nexcept SystemExit:\n    pass")
    assert threads_in(cli, {"NEWSQA_THREADS": "2"}) == 1  # the flag beats the environment
