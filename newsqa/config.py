"""Settings: paths, limits and defaults, each overridable from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from . import limits

PACKAGE_DIR = Path(__file__).resolve().parent


def shipped_models_dir() -> Path:
    """Folder holding the shipped models: `models/` of a checkout, or the copy installed with the wheel."""
    override = os.environ.get("NEWSQA_MODELS")
    if override:
        return Path(override)
    installed = PACKAGE_DIR / "_models"
    if (installed / "reader").is_dir():
        return installed
    return PACKAGE_DIR.parent / "models"


def shipped_seeds_dir() -> Path:
    """The seed article(s) `newsqa demo` uses: `seeds/` of a checkout, or the copy in the wheel."""
    installed = PACKAGE_DIR / "_seeds"
    return installed if installed.is_dir() else PACKAGE_DIR.parent / "seeds"


def cache_home() -> Path:
    """Where newsqa keeps what it can always make again (exported graphs, timings): $NEWSQA_CACHE,
    else the per-user cache folder."""
    override = os.environ.get("NEWSQA_CACHE")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("newsqa"))


def write_cache_file(path: Path, data: bytes) -> bool:
    """Write `data` to `path` in newsqa's cache whole or not at all (a temporary file beside it, then
    an atomic rename, so another process never reads half of it); False where it cannot be written."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".part", delete=False) as part:
            part.write(data)
    except OSError:
        return False
    try:
        os.replace(part.name, path)
    except OSError:
        Path(part.name).unlink(missing_ok=True)
        return False
    return True


def default_home() -> Path:
    """Where newsqa keeps its database: $NEWSQA_HOME, else the per-user data folder."""
    override = os.environ.get("NEWSQA_HOME")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("newsqa", appauthor=False))


DEFAULT_THREADS = 1  # chosen with benchmarks/ask_latency.py --threads-study: see the README


def env_threads() -> int:
    """Torch threads: $NEWSQA_THREADS (0: torch's default, one per core), else DEFAULT_THREADS."""
    value = os.environ.get("NEWSQA_THREADS", "").strip()
    return int(value) if value.isdigit() else DEFAULT_THREADS


def env_int(name: str, default: int) -> int:
    """A positive integer setting from the environment, else `default`."""
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default


def default_db() -> str:
    """The database: $NEWSQA_DB (a SQLite path, sqlite:///path or postgresql://...), else a SQLite
    file in the data folder."""
    return os.environ.get("NEWSQA_DB") or str(default_home() / "newsqa.sqlite3")


# How deep the BM25 and dense rankings fused by `search` are at least: a passage deep in one list and
# high in the other still gets credit. NewsQA dev, `ask` over the 162 stories as one corpus: open F1
# 42.27 at depth 50, 42.81 at 200 (benchmarks/answer_ranking.py).
FUSION_DEPTH = 200

# Reciprocal rank fusion's constant: score(d) = sum of 1 / (k + rank) over the rankings. The usual 60
# flattens the top; `ask` reads only the first few passages, so the top counts. NewsQA dev open
# corpus, first 822 questions (benchmarks/ask_open.py --set rrf_k=K): F1 45.72 / 45.85 / 45.86 /
# 45.68 and right story first 75.7 / 76.8 / 76.8 / 77.3% at k = 60 / 20 / 10 / 5.
RRF_K = 10


@dataclass
class Settings:
    """Plain configuration data for a NewsQA engine."""

    db_path: str = field(default_factory=default_db)  # a SQLite path or URL, or a postgresql:// URL
    db_pool_size: int = field(default_factory=lambda: int(os.environ.get("NEWSQA_DB_POOL") or 4))  # Postgres connections per process
    models_dir: Path = field(default_factory=shipped_models_dir)
    reader_dir: Path | None = None  # None: models_dir/reader (reader-int8 in onnx-int8: reader_choice); any reader folder (a benchmark comparing readers)
    max_question_chars: int = limits.MAX_QUESTION_CHARS
    max_article_chars: int = field(default_factory=lambda: env_int("NEWSQA_MAX_ARTICLE_CHARS", limits.MAX_ARTICLE_CHARS))  # `newsqa --max-article-chars`
    max_file_bytes: int = limits.MAX_FILE_BYTES  # one .txt/.json/.html file; .jsonl is streamed, any size
    passage_max_words: int = 120
    # How `ask` reads and ranks, chosen on NewsQA dev (benchmarks/answer_ranking.py):
    fusion_depth: int = FUSION_DEPTH
    rrf_k: int = RRF_K  # reciprocal rank fusion's k (retriever.reciprocal_rank_fusion): lower trusts the top ranks more
    # `ask` reads in stages (newsqa/cascade.py): the top `read_first` passages (fused retrieval
    # order), stopping if an answer scores `confident_first`; then down to `retrieve_candidates`,
    # stopping if one scores `confident_answer`; then down to `read_further`. read_first=0 drops
    # the first stage.
    read_first: int = 2
    confident_first: float = 0.98
    retrieve_candidates: int = 6
    read_further: int = 14
    confident_answer: float = 0.995
    # After the second stage, a question whose answers read so far all score under this stops
    # there: the corpus most likely does not answer it (0 turns it off; docs/results.md "Round 8").
    give_up_below: float = 0.1
    passage_rank_weight: float = 1.0  # how much a passage's retrieval rank counts in ranking answers (scoring.ranking_key)
    # A question with at most this many content words ("When did they meet?") is answered from the
    # best-retrieved article first (answering.article_first); 0 turns that off.
    context_poor_words: int = 1
    # Passages from rank `focus_from` on are read only around their sentences closest to the
    # question, at most `focus_words` words (newsqa/focus.py); 0 reads them whole.
    focus_words: int = 0
    focus_from: int = 2
    answer_threshold: float | None = None  # None: the threshold calibrated with the shipped reader
    answer_scoring: str | None = None  # None: the reader's own (reader.json); see newsqa.scoring
    reader_precision: str = "auto"  # auto: bf16 where the CPU runs it faster (timed: newsqa/precision.py), else onnx-int8 with models/reader-int8 where int8 pays (reader_choice), else onnx (fp32 in ONNX Runtime) where installed, else fp32
    threads: int = field(default_factory=env_threads)  # torch threads for this process; 0: one per core
    # Find attributed statements at ingest (newsqa.quotes); NEWSQA_QUOTES=0 turns it off.
    extract_quotes: bool = field(default_factory=lambda: os.environ.get("NEWSQA_QUOTES", "1").strip() not in {"0", "false", "no", "off"})

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from the environment (NEWSQA_DB, NEWSQA_HOME, NEWSQA_MODELS, NEWSQA_THREADS,
        NEWSQA_DB_POOL), with `overrides` on top: what an entry point (the CLI, the server, a
        benchmark) reads once and passes down. A plain `Settings()` reads the same defaults."""
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
        return cls(**overrides)  # type: ignore[arg-type]

    @property
    def reader_path(self) -> Path:
        """The reader's folder as set, `auto` not yet resolved (`reader_choice` resolves it)."""
        return self.reader_choice(resolve_auto=False)[0]

    def reader_choice(self, resolve_auto: bool = True) -> tuple[Path, str]:
        """The reader folder and precision `ask` loads: `reader_dir` as given, in the precision set (a
        reader of one's own is never made int8 unasked); else the shipped reader, or its int8-aware twin
        (models/reader-int8: trained through onnx-int8's rounding, so int8 costs it next to nothing)
        where onnx-int8 is set, or where `auto` finds bf16 does not pay and int8 does
        (`precision.onnx_int8_pays`, timed once per machine). `resolve_auto=False` leaves `auto` as it
        is (no torch import, no timing)."""
        if self.reader_dir:
            return Path(self.reader_dir), self.reader_precision
        twin = Path(self.models_dir) / "reader-int8"
        if (twin / "model.safetensors").exists():
            if self.reader_precision == "onnx-int8":
                return twin, "onnx-int8"
            if resolve_auto and self.reader_precision == "auto":
                from .precision import onnx_int8_pays

                if onnx_int8_pays():
                    return twin, "onnx-int8"
        return Path(self.models_dir) / "reader", self.reader_precision

    @property
    def summarizer_path(self) -> Path:
        return Path(self.models_dir) / "summarizer"

    @property
    def quotes_path(self) -> Path:
        return Path(self.models_dir) / "quotes"


def without_password(db: str) -> str:
    """A database setting fit to show: a PostgreSQL URL's password is masked, whether it is given
    as `user:pass@` or as a `password=` parameter (the one masker: messages, `info`, the daemon)."""
    import re
    from urllib.parse import urlsplit

    text = str(db)
    parts = urlsplit(text)
    if not parts.scheme.startswith("postgres"):  # a SQLite path, or a key=value connection string
        return re.sub(r"(password\s*=\s*)('[^']*'|\S+)", r"\1***", text) if "password" in text else text
    if parts.password:
        text = text.replace(f":{parts.password}@", ":***@", 1)
    return re.sub(r"([?&]password=)[^&#]*", r"\1***", text)
