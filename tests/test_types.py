"""The library's types, as a user of `from newsqa import ...` meets them: typed objects throughout,
`to_dict()` for JSON and `from_dict()` back (what the CLI's server client relies on)."""

from __future__ import annotations

import json

from newsqa import Answer, SearchHit, Summary, SummarySentence

from .seed_questions import LAVROV


def test_summary_sentences_are_typed_spans_of_their_article(seeded_engine, seed_text) -> None:
    article_id = seeded_engine.list_articles()[0].id
    summary = seeded_engine.summarize(article_id=article_id, max_sentences=3)
    assert len(summary.sentences) == 3
    for s in summary.sentences:
        assert isinstance(s, SummarySentence)
        assert s.article_id == article_id and seed_text[s.start : s.end] == s.text and 0.0 <= s.score <= 1.0
    as_json = json.loads(json.dumps(summary.to_dict()))
    assert as_json["sentences"][0] == {"start": summary.sentences[0].start, "end": summary.sentences[0].end,
                                       "text": summary.sentences[0].text, "article_id": article_id,
                                       "score": summary.sentences[0].score}
    assert Summary.from_dict({**as_json, "took_ms": 1.0}) == summary


def test_summary_of_a_text_names_no_article(seeded_engine, seed_text) -> None:
    summary = seeded_engine.summarize(text=seed_text, max_sentences=2)
    assert summary.article_ids == []
    assert [s.article_id for s in summary.sentences] == [None, None]
    assert all(seed_text[s.start : s.end] == s.text for s in summary.sentences)


def test_answers_and_hits_survive_a_json_round_trip(seeded_engine) -> None:
    [answer, *_] = seeded_engine.ask(LAVROV[0])
    assert Answer.from_dict(json.loads(json.dumps(answer.to_dict()))) == answer
    assert answer.sentence.text.startswith("Lavrov responded")  # typed, like a summary sentence
    hits = seeded_engine.search("Venezuela", top_k=2)
    assert [SearchHit.from_dict(json.loads(json.dumps(h.to_dict()))) for h in hits] == hits
