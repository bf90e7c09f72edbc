"""Distractor windows: a question paired with another paragraph of its own article, answer = none.

At inference the reader reads the 8 best passages of a corpus and most of them do not hold the
answer, so its span scores are only comparable across passages if it has learnt to put its mass on
the no-answer position ([CLS]) for a passage that merely looks relevant. Training on SQuAD alone
never shows it such a window. Following Clark & Gardner (2018), we add, for a share of the
answerable questions, the paragraph of the same article (or of the same file, for collections of
unrelated paragraphs such as Reddit posts or tweets) that shares the most words with the question
but does not contain any gold answer text, targeted at [CLS].
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from typing import Sequence

from .squad import QAExample

_WORD = re.compile(r"\w+")
_STOP = frozenset(
    "a an the of in on at to for from by with and or but is are was were be been being do does did what which who whom "
    "whose when where why how that this these those it its as into than then there their they he she his her him we you "
    "i not no yes can could would should will shall may might must have has had about after before over under".split()
)
CANDIDATES = 30  # other paragraphs looked at per question (random sample of its article's)


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1}


def article_key(example: QAExample) -> str:
    """The article a paragraph belongs to: its file and title (paragraph_key without the index)."""
    return example.paragraph_key.rsplit(":", 1)[0]


def add_distractors(examples: Sequence[QAExample], share: float, seed: int) -> list[QAExample]:
    """Unanswerable copies of about `share` of the answerable `examples`, each over the most
    question-like other paragraph of its article; deterministic for the same inputs and seed.

    Only paragraphs of `examples` are used, so held-out paragraphs never appear in training.
    """
    if share <= 0:
        return []
    rng = random.Random(seed)
    paragraphs: dict[str, dict[str, str]] = defaultdict(dict)  # article -> paragraph_key -> context
    for e in examples:
        paragraphs[article_key(e)].setdefault(e.paragraph_key, e.context)
    keys = {article: list(p) for article, p in paragraphs.items()}
    words: dict[str, set[str]] = {}
    out: list[QAExample] = []
    for e in examples:
        if e.is_impossible or rng.random() >= share:
            continue
        pool = [k for k in keys[article_key(e)] if k != e.paragraph_key]
        if not pool:
            continue
        pool = rng.sample(pool, min(CANDIDATES, len(pool)))
        question = content_words(e.question)
        best_key, best_overlap = None, -1
        for key in pool:
            context = paragraphs[article_key(e)][key]
            if any(text in context for _, text in e.answers):
                continue  # might answer the question after all
            if key not in words:
                words[key] = content_words(context)
            overlap = len(question & words[key])
            if overlap > best_overlap:
                best_key, best_overlap = key, overlap
        if best_key is None:
            continue
        out.append(QAExample(qid=f"{e.qid}#distractor", question=e.question, context=paragraphs[article_key(e)][best_key],
                             answers=[], is_impossible=True, source=e.source, paragraph_key=best_key))
    return out
