"""Sentence and passage offsets always slice back to their text."""

from hypothesis import given, settings, strategies as st

from newsqa.text import make_passages, sentence_at, split_sentences

words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=12)
texts = st.lists(st.one_of(words, st.sampled_from([". ", "! ", "?", "\n", "\n\n", " ", "Mr. ", "U.S.", "“", "”", "bn.Its", "  ", "\t", "é", "🙂", "עברית"])), max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_sentence_offsets_slice_back(text):
    sentences = split_sentences(text)
    for s in sentences:
        assert text[s.start : s.end] == s.text
        assert s.text and s.text == s.text.strip()
    assert all(a.end <= b.start for a, b in zip(sentences, sentences[1:]))
    # nothing but whitespace is left out
    covered = set()
    for s in sentences:
        covered.update(range(s.start, s.end))
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


@settings(max_examples=200, deadline=None)
@given(texts, st.integers(min_value=1, max_value=40))
def test_passage_offsets_slice_back_and_cover_every_sentence(text, max_words):
    sentences = split_sentences(text)
    passages = make_passages(text, sentences, max_words=max_words)
    for p in passages:
        assert text[p.start : p.end] == p.text
    for s in sentences:
        assert any(p.start <= s.start and s.end <= p.end for p in passages)


def test_seed_article_sentences(seed_text):
    sentences = split_sentences(seed_text)
    texts = [s.text for s in sentences]
    assert texts[0] == "Pompeo meets Putin amid sharp differences, agreement on better ties"
    assert "Lavrov responded tersely: “You can not establish a democracy by force.”" in texts
    assert "Michael R. Pompeo" in texts[4]  # "R." is not a sentence end


def test_glued_sentences_are_split():
    text = "Profits rose to £3bn.Its shares fell. Mr.Smith left the U.S.Army."
    assert [s.text for s in split_sentences(text)] == ["Profits rose to £3bn.", "Its shares fell.", "Mr.Smith left the U.S.Army."]


def test_sentence_at():
    text = "One two. Three four."
    sentences = split_sentences(text)
    assert sentence_at(sentences, text.index("Three")).text == "Three four."
    assert sentence_at(sentences, len(text) + 5) is None
