"""The shipped reader: exact offsets, windows over long contexts, probabilities, bad input."""

from __future__ import annotations

import random

import numpy as np

import pytest

from newsqa import InvalidInput
from newsqa.reader import Reader, length_batches, make_windows
from newsqa.scoring import SCORINGS

VENEZUELA = (
    "On Venezuela, Pompeo said he urged Russia to stand alongside Washington in support of opposition "
    "leader Juan Guaido. Lavrov responded tersely: “You can not establish a democracy by force.”"
)


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader()


def test_answers_the_seed_question_with_exact_offsets(reader):
    [answer] = reader.answer("What did Lavrov say on Venezuela?", VENEZUELA)
    assert "You can not establish a democracy by force" in answer.text
    assert VENEZUELA[answer.start : answer.end] == answer.text
    [who] = reader.answer("Who is the opposition leader?", VENEZUELA)
    assert who.text == "Juan Guaido" and VENEZUELA[who.start : who.end] == "Juan Guaido"


def test_top_k_spans_are_inside_the_context_and_ranked(reader):
    answers = reader.answer("Who urged Russia to support Guaido?", VENEZUELA, top_k=5)
    assert len(answers) == 5
    assert [a.score for a in answers] == sorted((a.score for a in answers), reverse=True)
    for a in answers:
        assert 0 <= a.start < a.end <= len(VENEZUELA)
        assert VENEZUELA[a.start : a.end] == a.text
        assert 0.0 <= a.score <= 1.0 and 0.0 <= a.no_answer_score <= 1.0
        assert "Who urged" not in a.text  # never a span of the question


def test_long_context_is_read_across_windows(reader, seed_text):
    rng = random.Random(7)
    filler = seed_text.split("\n\n")
    parts, words = [], 0
    while words < 10_000:
        part = rng.choice(filler)
        parts.append(part)
        words += len(part.split())
    fact = "The harbour master of Valletta is Maria Camilleri, who took the post in March."
    parts.insert(int(len(parts) * 0.85), fact)
    context = "\n\n".join(parts)
    assert len(context.split()) >= 10_000
    windows = make_windows(reader.tokenizer, ["Who is the harbour master of Valletta?"], [context], reader.max_length, reader.stride)
    assert len(windows.input_ids) > 40
    [answer] = reader.answer("Who is the harbour master of Valletta?", context)
    assert answer.text == "Maria Camilleri"
    assert answer.start == context.index("Maria Camilleri")


def test_windows_overlap_and_cover_the_context(reader):
    context = " ".join(f"word{i}" for i in range(1500))
    w = make_windows(reader.tokenizer, ["Which word?"], [context], reader.max_length, reader.stride)
    spans = [(w.offsets[i][m.argmax()][0], w.offsets[i][len(m) - 1 - m[::-1].argmax()][1]) for i, m in enumerate(w.context_mask)]
    assert spans[0][0] == 0 and spans[-1][1] == len(context)
    assert all(b[0] < a[1] for a, b in zip(spans, spans[1:]))  # consecutive windows overlap


def test_batch_answers_match_single_answers(reader):
    pairs = [("Who is the opposition leader?", VENEZUELA), ("What did Lavrov say?", VENEZUELA)]
    batched = reader.answer_batch(pairs)
    for (q, c), got in zip(pairs, batched):
        single = reader.answer(q, c)
        assert (got[0].start, got[0].end) == (single[0].start, single[0].end)
        assert got[0].score == pytest.approx(single[0].score, abs=1e-4)


@pytest.mark.parametrize("precision", ["bf16", "int8"])
def test_other_precisions_agree_on_the_seed_question(precision):
    [answer] = Reader(precision=precision).answer("What did Lavrov say on Venezuela?", VENEZUELA)
    assert "You can not establish a democracy by force" in answer.text


@pytest.mark.parametrize("question,context", [("", VENEZUELA), ("   ", VENEZUELA), ("Who?", ""), ("Who?", " \n ")])
def test_bad_input(reader, question, context):
    with pytest.raises(InvalidInput):
        reader.answer(question, context)


def test_very_long_question_is_clipped_not_rejected(reader):
    answers = reader.answer("What did Lavrov say? " * 60, VENEZUELA)
    assert answers and VENEZUELA[answers[0].start : answers[0].end] == answers[0].text


from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

random_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=400).filter(str.strip)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=random_text, context=random_text)
def test_answer_offsets_slice_back_for_random_text(reader, question, context):
    for a in reader.answer(question[:200], context, top_k=3):
        assert context[a.start : a.end] == a.text
        assert 0 <= a.start <= a.end <= len(context)


UNRELATED = ("On Monday, Pompeo detoured from a scheduled direct flight to Russia and stopped in Brussels, where European "
             "foreign ministers were meeting.")


@pytest.mark.parametrize("scoring", SCORINGS)
def test_every_scoring_gives_exact_offsets_and_scores_in_0_1(reader, scoring):
    answers = reader.answer("Who is the opposition leader?", VENEZUELA, top_k=3, scoring=scoring)
    assert answers[0].text == "Juan Guaido"
    assert [a.score for a in answers] == sorted((a.score for a in answers), reverse=True)
    for a in answers:
        assert VENEZUELA[a.start : a.end] == a.text and 0.0 <= a.score <= 1.0


def test_shared_scoring_normalizes_over_the_whole_group(reader):
    question = "Whom did Pompeo urge Russia to support?"
    pairs = [(question, VENEZUELA), (question, UNRELATED)]
    alone = reader.answer_batch(pairs, top_k=1, scoring="shared")
    together = reader.answer_batch(pairs, top_k=1, scoring="shared", groups=[0, 0])
    for a, b in zip(alone, together):
        assert (a[0].start, a[0].end) == (b[0].start, b[0].end)
        assert b[0].score < a[0].score  # one softmax over both passages' windows shares the mass
    assert together[0][0].text == "Juan Guaido" and together[0][0].score > together[1][0].score
    # the raw span logits decide the order within a group, whatever the scale: as "logits" does
    logits = reader.answer_batch(pairs, top_k=1, scoring="logits")
    assert (logits[0][0].score > logits[1][0].score) == (together[0][0].score > together[1][0].score)


def test_unknown_scoring_and_bad_groups_are_refused(reader):
    with pytest.raises(ValueError):
        reader.answer("Who?", VENEZUELA, scoring="softmax")
    with pytest.raises(InvalidInput):
        reader.answer_batch([("Who?", VENEZUELA)], groups=[0, 1])


@given(st.lists(st.integers(1, 256), max_size=40), st.integers(1, 8), st.sampled_from([None, 0.0, 0.15, 1.0]))
def test_length_batches_cover_every_window_once_within_the_slack(lengths, batch_size, slack):
    batches = length_batches(lengths, batch_size, slack)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert all(0 < len(b) <= batch_size for b in batches)
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(flat)  # shortest first
    if slack is not None:
        assert all(lengths[b[-1]] <= (1 + slack) * lengths[b[0]] for b in batches)


def test_batching_by_length_does_not_change_the_logits(seed_text):
    """Padding is masked: the same windows read in length batches, in fixed batches of 32 and one by
    one give the same logits (fp32, where the kernels' rounding is small)."""
    reader = Reader(precision="fp32")
    pairs = [("Who met Putin?", seed_text[i : i + n]) for i, n in ((0, 300), (500, 900), (1500, 620), (2300, 1400), (4000, 180))]
    windows = make_windows(reader.windows, [q for q, _ in pairs], [c for _, c in pairs], reader.max_length, reader.stride)
    results = {}
    for name, slack, batch_size in (("length", 0.15, 32), ("fixed", None, 32), ("single", None, 1)):
        reader.length_slack, reader.batch_size = slack, batch_size
        results[name] = reader._logits(windows)
    assert len(length_batches([len(w) for w in windows.input_ids], 32, 0.15)) > 1  # the windows really differ in length
    for name in ("fixed", "single"):
        for got, want in zip(results["length"][0] + results["length"][1], results[name][0] + results[name][1]):
            assert got.shape == want.shape and np.allclose(got, want, atol=1e-3)
