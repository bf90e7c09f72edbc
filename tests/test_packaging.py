"""`pip install .` (not only editable) carries the shipped models, the seed article, the server (as
`newsqa.server`, never a top-level `server` package) with its page, and the CLI."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from .conftest import ROOT


def test_wheel_contains_models_server_and_entry_point(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, timeout=600,
    )
    [wheel] = list(tmp_path.glob("newsqa-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "newsqa/_models/reader/model.safetensors",
        "newsqa/_models/reader/config.json",
        "newsqa/_models/reader/tokenizer.json",
        "newsqa/_models/reader/MODEL_CARD.md",
        "newsqa/_models/reader-int8/model.safetensors",  # what `auto` runs in onnx-int8 where int8 pays
        "newsqa/_models/reader-int8/reader.json",
        "newsqa/_models/reader-int8/MODEL_CARD.md",
        "newsqa/_models/quotes/model.safetensors",
        "newsqa/_models/quotes/config.json",
        "newsqa/_models/quotes/tokenizer.json",
        "newsqa/_models/quotes/MODEL_CARD.md",
        "newsqa/_models/quotes/cue_words.txt",  # without it the tagger reads every sentence (slower ingest)
        "newsqa/quotes/cues.py",
        "newsqa/quotes/tagger.py",
        "newsqa/engine.py",
        "newsqa/store/sqlite.py",
        "newsqa/training/train.py",
        "newsqa/server/app.py",
        "newsqa/server/gunicorn_conf.py",
        "newsqa/_seeds/000_6ad73c16a059aa65.txt",
    ):
        assert required in names, required
    assert any(n.startswith("newsqa/_models/summarizer/") for n in names)
    assert any(n.startswith("newsqa/server/static/") for n in names)
    assert any(n.startswith("newsqa/server/templates/") for n in names)
    # Nothing but the newsqa package and its metadata at the top of site-packages (no `server`).
    assert {n.split("/")[0] for n in names} == {"newsqa", next(n.split("/")[0] for n in names if ".dist-info/" in n)}
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "newsqa = newsqa.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
