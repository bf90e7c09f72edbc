"""Reading in stages: the best passages first, further down only while no answer is confident."""

from __future__ import annotations

import dataclasses

from newsqa import NewsQA, Settings, answering
from newsqa.cascade import read_in_stages, reading_stages
from newsqa.types import Answer


def test_stages_from_settings():
    s = Settings()
    assert reading_stages(s.read_first, s.retrieve_candidates, s.read_further, s.confident_answer, s.confident_first) == [(2, 0.98), (6, 0.995), (14, None)]
    assert reading_stages(2, 8, 14, 0.999) == [(2, 0.999), (8, 0.999), (14, None)]  # one bar for both stages
    assert reading_stages(0, 8, 16, 0.999) == [(8, 0.999), (16, None)]  # the two stages before
    assert reading_stages(2, 2, 12, 0.99) == [(2, 0.99), (12, None)]
    assert reading_stages(0, 8, 8, 0.99) == [(8, None)]
    assert reading_stages(8, 4, 16, 0.99) == [(4, 0.99), (16, None)]


def test_reading_stops_at_the_first_confident_stage():
    scores = [0.5, 0.7, 0.995, 0.2, 0.9, 0.3, 0.1, 0.1]
    calls = []

    def read(lo: int, hi: int) -> list[Answer]:
        calls.append((lo, hi))
        return [Answer(text="x", score=s, start=0, end=1) for s in scores[lo:hi]]

    score = lambda a: a.score
    assert len(read_in_stages(read, [(2, 0.99), (4, 0.99), (8, None)], score)) == 4 and calls == [(0, 2), (2, 4)]
    calls.clear()
    assert len(read_in_stages(read, [(2, 0.999), (4, 0.999), (8, None)], score)) == 8 and calls == [(0, 2), (2, 4), (4, 8)]


def test_reading_gives_up_after_the_second_stage_when_nothing_looks_like_an_answer():
    calls = []

    def read_scores(scores):
        def read(lo: int, hi: int) -> list[Answer]:
            calls.append((lo, hi))
            return [Answer(text="x", score=s, start=0, end=1) for s in scores[lo:hi]]
        return read

    stages, score = [(2, 0.98), (4, 0.995), (8, None)], lambda a: a.score
    weak = [0.01, 0.05, 0.02, 0.09, 0.9, 0.3, 0.1, 0.1]  # the best of the first 4 is under 0.1
    assert len(read_in_stages(read_scores(weak), stages, score, give_up=(4, 0.1))) == 4 and calls == [(0, 2), (2, 4)]
    calls.clear()
    assert len(read_in_stages(read_scores(weak), stages, score)) == 8  # without it: all 8 read
    calls.clear()
    some = [0.01, 0.05, 0.15, 0.09, 0.9, 0.3, 0.1, 0.1]  # one of the first 4 scores 0.15: read on
    assert len(read_in_stages(read_scores(some), stages, score, give_up=(4, 0.1))) == 8 and calls == [(0, 2), (2, 4), (4, 8)]
    calls.clear()
    # the give-up depth is the second stage's: nothing stops after the first
    assert len(read_in_stages(read_scores([0.0] * 8), stages, score, give_up=(4, 0.1))) == 4 and calls == [(0, 2), (2, 4)]


def test_ask_gives_up_on_a_question_the_corpus_does_not_answer(seeded_engine):
    """The real reader on the seed article: a question it does not answer reads the first 6
    passages and stops there (give_up_below), where it read all 12 before."""
    question = "Which film won the best picture Oscar?"
    hits = seeded_engine.search(question, top_k=14)
    assert len(hits) == 12  # every passage of the seed article
    read_ranks = []

    class CountingReader:  # the shipped reader, with the passages it is given counted
        def answer_batch(self, pairs, **kwargs):
            read_ranks.append(len(pairs))
            return seeded_engine.reader.answer_batch(pairs, **kwargs)

    def passages_read(give_up: float) -> int:
        read_ranks.clear()
        options = dataclasses.replace(seeded_engine.ask_options(), give_up_below=give_up)
        cands = answering.read_cascade(CountingReader(), question, hits, options, answering.ArticleTexts(seeded_engine.store))
        assert all(c.answer.score < 0.1 for c in cands)  # nothing like an answer in the article
        return sum(read_ranks)

    assert passages_read(0.1) == 6
    assert passages_read(0.0) == 12


def test_confident_answers_come_from_the_first_passages(seeded_engine):
    question = "Who did Pompeo meet?"
    hits = seeded_engine.search(question, top_k=12)
    ranks = lambda a: {r for r, h in enumerate(hits) if h.passage.article_id == a.article_id and h.passage.start <= a.start < h.passage.end}
    sure = NewsQA(settings=dataclasses.replace(seeded_engine.settings, answer_threshold=0.0, confident_first=0.0, confident_answer=0.0)).ask(question, top_k=20)
    assert sure and all(ranks(a) & {0, 1} for a in sure)  # stage 1 was confident: 2 passages read
    unsure = NewsQA(settings=dataclasses.replace(seeded_engine.settings, answer_threshold=0.0, confident_first=2.0, confident_answer=2.0,
                                                 give_up_below=0.0)).ask(question, top_k=20)
    assert any(min(ranks(a)) >= 4 for a in unsure if ranks(a))  # never confident: all 12 read
