"""Focused reading: lower-ranked passages are read only around their sentences closest to the question."""

from __future__ import annotations

import dataclasses

import numpy as np

from newsqa import NewsQA
from newsqa.focus import focus_hits, focus_passage, window
from newsqa.types import Passage, Span


def spans(*texts: str) -> list[Span]:
    out, at = [], 0
    for t in texts:
        out.append(Span(at, at + len(t), t))
        at += len(t) + 1
    return out


def test_window_keeps_the_best_sentence_and_grows_towards_the_better_neighbour():
    sentences = spans("one two three", "four five", "six seven eight nine", "ten")
    assert window(sentences, np.array([0.1, 0.9, 0.2, 0.8]), 2) == (1, 2)  # only the best fits
    assert window(sentences, np.array([0.1, 0.9, 0.5, 0.8]), 6) == (1, 3)  # the higher neighbour first
    assert window(sentences, np.array([0.1, 0.9, 0.2, 0.8]), 100) == (0, 4)  # everything fits
    assert window(sentences, np.array([0.1, 0.2, 0.3, 0.9]), 1) == (3, 4)
    assert window(sentences, np.array([0.1, 0.2, 0.9, 0.3]), 1) == (2, 3)  # longer than the budget, kept whole


def test_a_focused_passage_is_a_run_of_the_articles_sentences():
    text = "Alpha met Beta. The weather was cold. Gamma paid the bill in Paris. Nobody came."
    sentences = [Span(0, 15, "Alpha met Beta."), Span(16, 37, "The weather was cold."),
                 Span(38, 67, "Gamma paid the bill in Paris."), Span(68, 80, "Nobody came.")]
    assert all(text[s.start:s.end] == s.text for s in sentences)
    passage = Passage("a", 0, 16, 80, text[16:80])
    vectors = np.eye(4, dtype=np.float32)
    focused = focus_passage(passage, vectors[2], sentences, vectors, 6)
    assert (focused.start, focused.end) == (38, 67) and text[focused.start:focused.end] == focused.text
    assert focus_passage(passage, vectors[2], sentences, vectors, 100) is passage  # short enough already
    assert focus_passage(passage, vectors[2], [], np.zeros((0, 4)), 6) is passage  # nothing stored


def test_ask_reads_focused_passages_and_keeps_exact_offsets(seeded_engine):
    question = "Where did Pompeo and Putin meet?"  # not a "what did X say" question: the reader answers it
    hits = seeded_engine.search(question, top_k=14)
    vector = seeded_engine.embedder.encode([question])[0]
    focused = focus_hits(hits, vector, seeded_engine.store.sentences, 40)
    article = seeded_engine.get_article(hits[0].passage.article_id)
    assert any(len(f.passage.text) < len(h.passage.text) for f, h in zip(focused, hits))
    assert all(article.text[f.passage.start:f.passage.end] == f.passage.text for f in focused)
    assert all(h.passage.start <= f.passage.start and f.passage.end <= h.passage.end for f, h in zip(focused, hits))
    settings = dataclasses.replace(seeded_engine.settings, focus_words=40, focus_from=0, answer_threshold=0.0,
                                   confident_first=1.1, confident_answer=1.1, give_up_below=0.0)  # every passage read, all of them focused
    answers = NewsQA(settings=settings).ask(question, top_k=5)
    assert answers
    for a in answers:
        assert seeded_engine.get_article(a.article_id).text[a.start:a.end] == a.text
        assert any(f.passage.start <= a.start and a.end <= f.passage.end for f in focused)
