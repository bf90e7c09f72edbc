"""The SQuAD metric against hand-computed cases."""

import pytest

from newsqa.training.metric import exact_match, f1_score, normalize_answer, squad_v1, squad_v2


def test_normalization_follows_the_official_script():
    assert normalize_answer("The  Denver Broncos!") == "denver broncos"
    assert normalize_answer("an apple, a pear") == "apple pear"
    assert normalize_answer("Theater") == "theater"  # "the" only as a whole word


def test_exact_match_and_f1_by_hand():
    assert exact_match("the Broncos", "Broncos") == 1.0
    assert exact_match("Denver Broncos", "Broncos") == 0.0
    # pred {denver, broncos}, gold {broncos}: precision 1/2, recall 1 -> F1 2/3
    assert f1_score("Denver Broncos", "Broncos") == pytest.approx(2 / 3)
    # pred {in, 1990s}, gold {late, 1990s}: one shared token -> P = R = 1/2 -> F1 1/2
    assert f1_score("in the 1990s", "the late 1990s") == pytest.approx(0.5)
    assert f1_score("cat", "dog") == 0.0


def test_squad_v1_takes_the_max_over_gold_answers():
    gold = {"q1": ["Denver Broncos", "Broncos"], "q2": ["1990s"]}
    preds = {"q1": "Broncos", "q2": "late 1990s"}
    scores = squad_v1(preds, gold)
    assert scores["exact_match"] == pytest.approx(50.0)
    assert scores["f1"] == pytest.approx(100 * (1 + 2 / 3) / 2)


def test_squad_v2_has_and_no_answer_with_best_threshold():
    gold = {"a": ["Paris"], "b": []}
    preds = {"a": "Paris", "b": "London"}
    null = {"a": 0.2, "b": 0.9}
    fixed = squad_v2(preds, null, gold, threshold=0.5)
    assert fixed["HasAns_exact"] == 100.0 and fixed["NoAns_exact"] == 100.0 and fixed["overall_f1"] == 100.0
    always = squad_v2(preds, null, gold, threshold=1.0)
    assert always["NoAns_exact"] == 0.0 and always["overall_exact"] == 50.0
    best = squad_v2(preds, null, gold)
    assert best["overall_f1"] == 100.0 and 0.2 <= best["threshold"] < 0.9
