"""Load SQuAD v1.1 / v2.0 files into flat examples, and split off a held-out slice for model selection."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable


@dataclass
class QAExample:
    """One question over one context; `answers` holds every gold (char start, text)."""

    qid: str
    question: str
    context: str
    answers: list[tuple[int, str]] = field(default_factory=list)
    is_impossible: bool = False
    source: str = ""
    paragraph_key: str = ""


def load_squad(path: str | Path) -> list[QAExample]:
    """Read a SQuAD-format JSON file (v1.1 or v2.0); v2 `is_impossible` questions get no answers."""
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    examples = []
    seen: dict[str, int] = {}
    for article in data:
        for p_index, paragraph in enumerate(article["paragraphs"]):
            context = paragraph["context"]
            key = f"{path.name}:{article.get('title', '')}:{p_index}"
            for qa in paragraph["qas"]:
                impossible = bool(qa.get("is_impossible", False))
                answers = [] if impossible else [(int(a["answer_start"]), a["text"]) for a in qa["answers"]]
                qid = str(qa["id"])
                seen[qid] = seen.get(qid, 0) + 1
                if seen[qid] > 1:  # SubjQA repeats ids across paragraphs; scores are per question
                    qid = f"{qid}#{seen[qid]}"
                examples.append(
                    QAExample(
                        qid=qid,
                        question=qa["question"],
                        context=context,
                        answers=answers,
                        is_impossible=impossible or not answers,
                        source=path.name,
                        paragraph_key=key,
                    )
                )
    return examples


def gold_answers(examples: Iterable[QAExample]) -> dict[str, list[str]]:
    """Every gold answer text per question id (empty for unanswerable questions), as the metrics take them."""
    return {e.qid: [text for _, text in e.answers] for e in examples}


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, folders as every *.json inside them, sorted for a stable order."""
    out: list[Path] = []
    for p in map(Path, paths):
        out.extend(sorted(p.glob("*.json")) if p.is_dir() else [p])
    return out


def is_held_out(example: QAExample, fraction: float) -> bool:
    """Deterministic paragraph-level split: the same paragraph always lands on the same side."""
    digest = hashlib.sha1(example.paragraph_key.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < fraction


def split_held_out(examples: list[QAExample], fraction: float) -> tuple[list[QAExample], list[QAExample]]:
    train = [e for e in examples if not is_held_out(e, fraction)]
    held = [e for e in examples if is_held_out(e, fraction)]
    return train, held
