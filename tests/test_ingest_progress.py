"""`newsqa ingest` shows a total and an ETA, says when it loads the models, and shows progress
inside one very long article (issue #22, item 12)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from newsqa.ingest_progress import LONG_SENTENCES, count_records


def test_count_records_counts_jsonl_lines_and_files(tmp_path: Path) -> None:
    lines = tmp_path / "a.jsonl"
    lines.write_text("".join(json.dumps({"text": f"Story {i}."}) + "\n" for i in range(5)) + '{"text": "no newline"}')
    (tmp_path / "b.txt").write_text("One story.")
    assert count_records([lines, tmp_path / "b.txt", tmp_path / "missing.jsonl"]) == 6 + 1 + 1


@pytest.mark.slow
def test_cli_ingest_shows_total_model_load_and_long_article_progress(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "news.jsonl").write_text("".join(
        json.dumps({"title": f"T{i}", "text": f"The harbour of town {i} reopened on Monday after the storm."}) + "\n"
        for i in range(4)) + "not json\n")
    long_text = " ".join(f"Sentence number {i} tells of ship {i} in the harbour." for i in range(LONG_SENTENCES + 40))
    (folder / "long.txt").write_text(long_text)
    env = dict(os.environ, NEWSQA_HOME=str(tmp_path / "home"), NEWSQA_DAEMON="0", NEWSQA_THREADS="1")
    env.pop("NEWSQA_DB", None)
    done = subprocess.run([sys.executable, "-m", "newsqa", "ingest", str(folder)], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    err = done.stderr
    assert "5 article(s) stored, 1 skipped" in done.stdout, done.stdout + err
    assert "loading the models" in err, err                          # feedback while the models load
    assert re.search(r"ingesting: .*\b6/6 \[", err), err              # a total: 5 lines + 1 file
    assert re.search(r"\d+/6 \[\d\d:\d\d<\d\d:\d\d", err), err        # and an ETA
    inner = re.findall(r"embedding: .*?\d+/(\d+) \[", err)               # a bar over the long article's sentences
    assert inner and int(inner[-1]) > LONG_SENTENCES, err
