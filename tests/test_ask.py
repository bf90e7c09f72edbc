"""Asking over the seed article with the shipped reader: right answers, exact offsets, no answer
when the article does not say."""

from __future__ import annotations

import dataclasses

import pytest

from newsqa import NewsQA
from newsqa.scoring import ranking_key
from newsqa.training.metric import normalize_answer

from .seed_questions import ANSWERABLE, LAVROV, REWORDINGS, UNANSWERABLE


def is_correct(answer_text: str, expected: str) -> bool:
    """The answer holds the expected span and is not a whole paragraph around it."""
    got, want = normalize_answer(answer_text), normalize_answer(expected)
    return want in got and len(got.split()) <= len(want.split()) + 12


def test_lavrov_on_venezuela(seeded_engine, seed_text):
    question, expected = LAVROV
    answers = seeded_engine.ask(question)
    assert answers, "no answer"
    best = answers[0]
    assert expected in best.text
    assert seed_text[best.start : best.end] == best.text
    assert best.title == "Pompeo meets Putin amid sharp differences, agreement on better ties"
    assert best.sentence.text == "Lavrov responded tersely: “You can not establish a democracy by force.”"
    assert seed_text[best.sentence.start : best.sentence.end] == best.sentence.text
    assert 0.0 < best.score <= 1.0


@pytest.fixture(scope="module")
def seed_answers(seeded_engine):
    return {q: seeded_engine.ask(q, top_k=3) for q, _ in ANSWERABLE}


def test_most_seed_questions_are_answered_correctly(seed_answers):
    results = {q: bool(seed_answers[q]) and is_correct(seed_answers[q][0].text, want) for q, want in ANSWERABLE}
    wrong = {q: (seed_answers[q][0].text if seed_answers[q] else None) for q, ok in results.items() if not ok}
    assert len(ANSWERABLE) >= 25
    # The shipped reader (GPU-trained soup, "margin" scoring) gets 29 of these 34 right; the reader
    # before it got 22-23. One question of slack for arithmetic differences between CPUs.
    assert sum(results.values()) >= 28, f"{sum(results.values())}/{len(ANSWERABLE)} right; wrong: {wrong}"


def test_the_same_question_reworded_gets_the_same_answer(seeded_engine):
    """Each group asks one thing three ways; the answer must hold the expected span every time."""
    consistent, got = 0, {}
    for questions, expected in REWORDINGS:
        tops = [seeded_engine.ask(q, top_k=1) for q in questions]
        got[questions[0]] = [t[0].text if t else None for t in tops]
        consistent += all(t is not None and is_correct(t, expected) for t in got[questions[0]])
    assert len(REWORDINGS) >= 3 and all(len(g) == 3 for g, _ in REWORDINGS)
    # The shipped reader is right all three ways for all 4 groups (the reader before it for 2: it
    # answered "Brussels" to the Sochi questions and "Nicolas Maduro" to "Who leads the opposition
    # in Venezuela?").
    assert consistent == len(REWORDINGS), got


def test_every_answer_slices_back_to_its_article(seeded_engine, seed_answers, seed_text):
    for answers in seed_answers.values():
        for a in answers:
            assert seed_text[a.start : a.end] == a.text
            assert a.sentence is None or a.sentence.start <= a.start < a.sentence.end
            assert 0.0 <= a.score <= 1.0


def ranks_of(hits, answer) -> list[int]:
    """The fused retrieval ranks of the passages an answer could have been read from (passages
    overlap, so a span can lie in two)."""
    return [r for r, h in enumerate(hits) if h.passage.article_id == answer.article_id
            and h.passage.start <= answer.start and answer.end <= h.passage.end]


def test_answers_are_ranked_by_score_and_passage_rank(seeded_engine):
    """`ask` orders answers by the reader's log-odds plus the passage's retrieval rank
    (`scoring.ranking_key`); with the rank's weight at 0, by the reader's score alone."""
    by_score = NewsQA(settings=dataclasses.replace(seeded_engine.settings, passage_rank_weight=0.0, answer_threshold=0.0))
    by_both = NewsQA(settings=dataclasses.replace(seeded_engine.settings, passage_rank_weight=3.0, answer_threshold=0.0))
    moved = 0
    for question, _ in ANSWERABLE[:8]:
        scores = [a.score for a in by_score.ask(question, top_k=10)]
        assert scores == sorted(scores, reverse=True)
        hits = by_both.search(question, top_k=by_both.settings.read_further)
        answers = by_both.ask(question, top_k=10)
        keys = [[ranking_key(a.score, r, 3.0) for r in ranks_of(hits, a)] for a in answers]
        assert all(max(better) >= min(worse) for better, worse in zip(keys, keys[1:])), keys
        moved += [a.score for a in answers] != sorted((a.score for a in answers), reverse=True)
    assert moved, "the passage rank never changed the order: the weight is not applied"


def test_reads_further_passages_only_when_no_answer_is_confident(seeded_engine):
    question = "Who did Pompeo meet?"
    def engine(confident: float) -> NewsQA:
        return NewsQA(settings=dataclasses.replace(seeded_engine.settings, answer_threshold=0.0, retrieve_candidates=2,
                                                   read_further=12, confident_first=confident, confident_answer=confident,
                                                   give_up_below=0.0))
    hits = seeded_engine.search(question, top_k=12)
    assert len(hits) == 12
    sure = engine(0.0).ask(question, top_k=20)  # any answer is confident: the first 2 passages only
    assert sure and all(set(ranks_of(hits, a)) & {0, 1} for a in sure)
    unsure = engine(2.0).ask(question, top_k=20)  # never confident: all 12
    assert any(min(ranks_of(hits, a)) >= 2 for a in unsure)


def test_questions_the_article_does_not_answer_get_no_answer(seeded_engine):
    answered = {q: [a.text for a in seeded_engine.ask(q)] for q in UNANSWERABLE}
    assert len(UNANSWERABLE) >= 4
    # The shipped reader leaves all 6 unanswered (the reader before it answered "What is the name of
    # Pompeo's wife?" with "Michael R. Pompeo", a confident wrong name).
    assert all(not a for a in answered.values()), {q: a for q, a in answered.items() if a}


def test_article_filter(seeded_engine):
    other = seeded_engine.add_article("Kenya's central bank kept its main rate at 10.75 percent on Tuesday, said governor Kamau Thugge.",
                                      title="Rates", article_id="kenya-rates")
    try:
        [answer] = seeded_engine.ask("Who is the central bank governor?", top_k=1, article_ids=[other.id])
        assert answer.article_id == "kenya-rates" and answer.text == "Kamau Thugge"
        assert all(a.article_id != "kenya-rates" for a in seeded_engine.ask(LAVROV[0], article_ids=[seeded_engine.list_articles()[0].id]))
    finally:
        seeded_engine.delete_article(other.id)


FAMILY_FEUD = (
    "The public spat between the two heirs of India's biggest conglomerate has spilled over to one of its companies. "
    "The younger brother, vice-chairman of the petrochemicals arm, stayed away from a gathering of senior managers on "
    "Thursday, weeks after offering to resign from his post. His resignation was not accepted by his brother, who also "
    "chairs the petrochemicals company.\n\n"
    "He has accused a board member, a confidant of his brother, of creating a rift in the family, and demanded that he "
    "be thrown out. The energy arm of the group reaffirmed its faith in him on Wednesday. The family controls 48% of "
    "the group, which was founded by their father, who died two years ago.\n\n"
    "Meanwhile, the flagship company has its board meeting on Friday to consider its results, and it is expected that "
    "both brothers will come face to face there.")
OTHER_STORIES = [
    "Kenya's central bank kept its main rate at 10.75 percent on Tuesday, said governor Kamau Thugge, citing easing inflation.",
    "Heavy rain flooded roads across the north of the country on Sunday and forecasters warned of more storms this week.",
    "The club confirmed that its captain will miss the final after injuring his knee in training on Monday.",
]


def test_a_question_with_no_context_is_answered_from_the_article_it_matches_best(engine):
    """Issue 22, item 14: over a mixed corpus, "When did they meet?" took "Friday" from an unrelated
    story, where the reader was surer, over "May 14" from the story about the meeting."""
    from .conftest import SEED

    engine.ingest([SEED])
    engine.add_article(FAMILY_FEUD, title="Family feud heats up", article_id="board-meeting")
    for number, text in enumerate(OTHER_STORIES):
        engine.add_article(text, article_id=f"other-{number}")
    question = "When did they meet?"
    [answer] = engine.ask(question, top_k=1)
    assert answer.text == "May 14" and answer.article_id != "board-meeting"
    # The reader alone prefers the other story's answer: without the rule, it comes first.
    plain = NewsQA(settings=dataclasses.replace(engine.settings, context_poor_words=0))
    assert plain.ask(question, top_k=1)[0].article_id == "board-meeting"
    # A question that names its subject is ranked as before, by the reader and the passage rank.
    assert engine.ask("When does the flagship company hold its board meeting?", top_k=1)[0].text == "Friday"
