"""Who said what: attributed statements found at ingest with the shipped tagger, stored in both
backends, listed by speaker and query, and used by `ask` for "what did X say" questions."""

from __future__ import annotations

import pytest

from newsqa.errors import InvalidInput
from newsqa.quotes.questions import speaker_question
from newsqa.types import Quote, Span

LAVROV_QUOTES = ("“You can not establish a democracy by force.”", "“Considering that we have met twice",
                 "“We see that there are certain suspicions")


def exact(quote: Quote, text: str) -> bool:
    spans = [*quote.content, *(s for s in (quote.source, quote.cue) if s is not None)]
    return all(text[s.start : s.end] == s.text for s in spans)


def test_questions_about_what_someone_said_are_recognized():
    assert speaker_question("What did Lavrov say on Venezuela?") == ("Lavrov", "Venezuela")
    assert speaker_question("what does Jeremy Hunt think of Iran") == ("Jeremy Hunt", "Iran")
    assert speaker_question("How did Lavrov respond?") == ("Lavrov", None)
    assert speaker_question("What did Foreign Minister Sergei Lavrov say about trust?") == ("Sergei Lavrov", "trust")
    assert speaker_question("Who is Lavrov?") is None
    assert speaker_question("What did the talks achieve?") is None


def test_quote_round_trips_through_a_dict():
    q = Quote([Span(0, 4, "“Hi”")], Span(5, 7, "he"), Span(8, 12, "said"), "Sergei Lavrov", True, "a1", 0.5, "T")
    d = q.to_dict()
    assert d["text"] == "“Hi”" and d["content"] == [{"start": 0, "end": 4, "text": "“Hi”"}]
    assert Quote.from_dict(d) == q


def test_extract_quotes_finds_lavrovs_quote_with_exact_offsets(seeded_engine, seed_text):
    quotes = seeded_engine.extract_quotes(seed_text)
    assert quotes and all(exact(q, seed_text) and q.article_id is None for q in quotes)
    terse = [q for q in quotes if "You can not establish a democracy by force" in q.text]
    assert terse and terse[0].direct and "Lavrov" in (terse[0].speaker or "")
    assert terse[0].content[0].text == "“You can not establish a democracy by force.”"


def test_quotes_by_speaker_are_his_and_only_his(seeded_engine, seed_text):
    lavrov = seeded_engine.quotes(speaker="Lavrov", top_k=50)
    assert lavrov and all("lavrov" in q.speaker.lower() for q in lavrov)
    for opening in LAVROV_QUOTES:
        assert any(q.text.startswith(opening) for q in lavrov), opening
    assert all(exact(q, seed_text) for q in lavrov)
    assert all(q.speaker == "Sergei Lavrov" for q in lavrov)  # "he" and "Lavrov" resolve to the fullest name
    assert seeded_engine.quotes(speaker="sergei LAVROV", top_k=50) == lavrov  # any part, any case
    hunt = seeded_engine.quotes(speaker="Jeremy Hunt")
    assert any("We are very worried about the risk of a conflict" in q.text for q in hunt)


def test_a_query_ranks_a_speakers_statements(seeded_engine):
    pompeo = seeded_engine.quotes("Iran", speaker="Pompeo")
    assert "behave like a normal country" in pompeo[0].text
    assert all(0 <= q.score <= 1 for q in pompeo) and pompeo[0].score >= pompeo[-1].score


def test_what_did_lavrov_say_is_answered_with_the_whole_quote(seeded_engine, seed_text):
    answers = seeded_engine.ask("What did Lavrov say on Venezuela?")
    best = answers[0]
    assert best.text == "“You can not establish a democracy by force.”"
    assert "Lavrov" in best.speaker
    assert seed_text[best.start : best.end] == best.text


def test_answers_inside_a_statement_name_the_speaker(seeded_engine):
    answers = seeded_engine.ask("What does Hunt worry about?")
    inside = [a for a in answers if "conflict" in a.text]
    assert inside and inside[0].speaker == "Jeremy Hunt"


def test_quotes_are_deleted_with_their_article(engine, seed_text):
    article = engine.add_article(seed_text)
    assert engine.quotes(speaker="Lavrov")
    engine.delete_article(article.id)
    assert engine.quotes(speaker="Lavrov") == []
    assert engine.store.quotes() == []


@pytest.mark.parametrize("kwargs", [{"speaker": ""}, {"speaker": "   "}, {"speaker": "x" * 1000}, {"query": ""},
                                    {"query": "q" * 5000}, {"top_k": 0}, {"speaker": 3}])
def test_bad_quote_requests_are_invalid_input(seeded_engine, kwargs):
    with pytest.raises(InvalidInput):
        seeded_engine.quotes(**kwargs)


def test_extract_quotes_refuses_empty_text(seeded_engine):
    with pytest.raises(InvalidInput):
        seeded_engine.extract_quotes("  ")


def test_post_quotes_lists_a_speakers_statements_and_refuses_bad_input(seeded_engine):
    from newsqa.server.app import ServerSettings, create_app

    client = create_app(seeded_engine, ServerSettings(api_key=None, cors_origins=[])).test_client()
    response = client.post("/v1/quotes", json={"speaker": "Lavrov", "top_k": 20})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["quotes"] and all("Lavrov" in q["speaker"] for q in body["quotes"])
    assert [Quote.from_dict(q) for q in body["quotes"]] == seeded_engine.quotes(speaker="Lavrov", top_k=20)
    for bad in ({"speaker": ""}, {"speaker": "x" * 1000}, {"query": ""}, {"query": "q" * 5000}, {"speaker": 3},
                {"speaker": "Lavrov", "colour": "red"}, {"top_k": 0}):
        response = client.post("/v1/quotes", json=bad)
        assert response.status_code == 422 and response.content_type == "application/problem+json", bad
    assert seeded_engine.quotes(speaker="Lavrov")  # nothing stored was lost
    secured = create_app(seeded_engine, ServerSettings(api_key="s3cret-key-123")).test_client()
    assert secured.post("/v1/quotes", json={"speaker": "Lavrov"}).status_code == 401
    ok = secured.post("/v1/quotes", json={"speaker": "Lavrov"}, headers={"Authorization": "Bearer s3cret-key-123"})
    assert ok.status_code == 200
    assert "/v1/quotes" in client.get("/openapi.json").get_json()["paths"]


@pytest.mark.slow
def test_cli_quotes_by_speaker(seeded_engine, tmp_path):
    import json

    from .conftest import served
    from .test_cli import run

    with served(seeded_engine) as url:
        result = run("--server", url, "quotes", "Iran", "--speaker", "Pompeo", "--json", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        first = json.loads(result.stdout)[0]
        assert "behave like a normal country" in first["text"] and "Pompeo" in first["speaker"]
        text = run("--server", url, "quotes", "--speaker", "Jeremy Hunt", cwd=tmp_path)
        assert text.returncode == 0 and "Jeremy Hunt" in text.stdout and "very worried" in text.stdout
        bad = run("--server", url, "quotes", "--speaker", "", cwd=tmp_path)
        assert bad.returncode != 0


def test_reading_only_candidate_sentences_keeps_the_seed_articles_quotes(seed_text):
    from newsqa.config import Settings
    from newsqa.quotes import extract_quotes
    from newsqa.quotes.cues import candidate_sentences
    from newsqa.quotes.tagger import Tagger

    selective = Tagger(Settings().quotes_path)
    assert selective.cue_words and {"said", "told", "according"} <= selective.cue_words
    kept = candidate_sentences(seed_text, selective.cue_words)
    assert sum(b - a for a, b in kept) < len(seed_text.strip())  # something is skipped
    for opening in LAVROV_QUOTES:
        at = seed_text.index(opening)
        assert any(a <= at < b for a, b in kept), opening
    everything = Tagger(Settings().quotes_path, select=False)
    for tagger in (selective, everything):  # his three statements either way
        lavrov = [q.text for q in extract_quotes(seed_text, tagger) if q.speaker == "Sergei Lavrov"]
        assert all(any(t.startswith(o) for t in lavrov) for o in LAVROV_QUOTES)


def test_candidate_sentences_are_the_quoted_and_the_cued_ones():
    from newsqa.quotes.cues import candidate_sentences, sentences

    text = ("Mr. Bush spoke first. Prices rose 3% in May.\n“We will win. We always do,” he said. "
            "The weather was mild. Gupta noted the cost.")
    assert [text[a:b].strip() for a, b in sentences(text)][:2] == ["Mr. Bush spoke first.", "Prices rose 3% in May."]
    kept = [text[a:b].strip() for a, b in candidate_sentences(text, frozenset({"said", "noted"}))]
    assert kept == ["“We will win.", "We always do,” he said.", "Gupta noted the cost."]
    assert len(candidate_sentences(text, frozenset())) == len(sentences(text))  # no lexicon: every sentence


def test_reading_windows_are_even_and_cover_every_token():
    from newsqa.quotes.tagger import WINDOW, even_windows

    for n in (1, 254, 255, 392, 493, 1000, 5000):
        spans = even_windows(n)
        assert spans[0][0] == 0 and spans[-1][1] == n
        assert len({hi - lo for lo, hi in spans}) == 1 and spans[0][1] - spans[0][0] <= WINDOW - 2  # no padding
        assert all(spans[i + 1][0] < spans[i][1] for i in range(len(spans) - 1))  # overlapping, no gap


@pytest.mark.parametrize("text, cue, source", [
    ("Trump demands accountability.", "demands", "Trump"),
    ("Critics say it, and lawmakers have repeatedly warned against it.", "warned", "lawmakers"),
    ("“We support our schools,” said Mulgrew.", "said", "Mulgrew"),
    ("The bill was passed by Congress with wide support.", "passed", "Congress"),
    ("The bill, known as JASTA, passed.", "known", None),
    ("“It is wrong,” she said, referencing the bank's sales drive.", "referencing", "she"),
    ("He came to defend his adulation of diet pills.", "adulation of", "his"),
])
def test_a_cue_without_a_tagged_source_takes_the_subject_touching_it(text, cue, source):
    from newsqa.quotes.adjacent import adjacent_source
    from newsqa.quotes.tagger import Tagged

    at = text.index(cue)
    found = adjacent_source(text, Tagged("CUE", at, at + len(cue)))
    assert (text[found.start : found.end] if found else None) == source


def test_a_cue_inside_a_quote_is_not_the_cue_of_that_quote():
    from newsqa.quotes.extract import group
    from newsqa.quotes.tagger import Tagged

    text = "“Trump said it twice, and he means it,” Flynn said."
    flynn, outer = text.index("Flynn"), text.rindex("said")
    runs = [Tagged("CON", 0, text.index("”") + 1), Tagged("CUE", 7, 11), Tagged("SRC", flynn, flynn + 5), Tagged("CUE", outer, outer + 4)]
    [quote] = group(text, runs)
    assert quote.cue.start == outer and quote.source.text == "Flynn"


@pytest.mark.parametrize("written, name", [("In Sochi, Lavrov", "Lavrov"), ("Caddell, speaking of", "Caddell"),
                                           ("Donald Trump, her Republican opponent,", "Donald Trump"), ("Pompeo", "Pompeo"),
                                           (",", None)])
def test_a_source_run_with_a_comma_keeps_the_name(written, name):
    from newsqa.quotes.extract import _source_head
    from newsqa.quotes.tagger import Tagged

    text = f"{written} said it."
    head = _source_head(text, Tagged("SRC", 0, len(written)))
    assert (text[head.start : head.end] if head else None) == name


@pytest.mark.parametrize("text, cue, source", [
    ("The committee filed a complaint with the bar, claiming a conflict of interest.", "claiming", "The committee"),
    ("Clinton stressed her support of the raid by the Navy and said she was ready.", "said", "Clinton"),
])
def test_a_second_verb_takes_the_sentences_subject(text, cue, source):
    from newsqa.quotes.extract import group
    from newsqa.quotes.tagger import Tagged

    def run(role, words):
        at = text.index(words)
        return Tagged(role, at, at + len(words))

    content = text[text.index(cue) + len(cue) + 1 : -1]
    near = "the bar" if "bar" in text else "the Navy"
    runs = [run("SRC", source), run("SRC", near), run("CUE", cue), run("CON", content)]
    [quote] = group(text, runs)
    assert quote.source.text == source


def test_a_signed_quote_is_attributed_to_its_signature():
    from newsqa.quotes.extract import extract
    from newsqa.quotes.tagger import Tagged

    text = "Readers wrote in.\n“He represents our greatest shame.” ― Sonya Herridge\n“I’m so ashamed.”\xa0― Jacklyn Ashley\xa0\n"
    broken = [Tagged("SRC", text.index("Sonya"), text.index("“I’m") + 1)]  # what the tagger may make of it
    quotes = extract(text, broken)
    assert [(q.content[0].text, q.speaker, q.cue.text, q.direct) for q in quotes] == [
        ("“He represents our greatest shame.”", "Sonya Herridge", "―", True),
        ("“I’m so ashamed.”", "Jacklyn Ashley", "―", True)]
    assert all(exact(q, text) for q in quotes)


def test_choosing_the_sentences_of_a_huge_article_takes_linear_time():
    import time

    from newsqa.quotes.cues import candidate_sentences
    from newsqa.quotes.tagger import selected_tokens

    text = " ".join(f'Smith{i} said "hello there" today. The sky{i} is blue.' for i in range(30_000))  # 1.7M characters
    began = time.perf_counter()
    kept = candidate_sentences(text, frozenset({"said"}))
    chosen = selected_tokens([(at, at + 3) for at in range(0, len(text), 4)], kept)
    assert len(kept) == 30_000 and chosen
    assert time.perf_counter() - began < 15  # one pass each (it was quadratic: about 40 s)


def test_grouping_thousands_of_runs_in_one_paragraph_is_quick():
    import time

    from newsqa.quotes.extract import group
    from newsqa.quotes.tagger import Tagged

    unit = "officials said the harbour would reopen soon and "
    text = unit * 1500  # one paragraph, no full stop: 1,500 sources, cues and contents
    runs = []
    for k in range(1500):
        at = k * len(unit)
        runs += [Tagged("SRC", at, at + 9), Tagged("CUE", at + 10, at + 14), Tagged("CON", at + 15, at + len(unit) - 5)]
    began = time.perf_counter()
    quotes = group(text, runs)
    assert len(quotes) == 1500 and quotes[7].cue.start == 7 * len(unit) + 10 and quotes[7].source.start == 7 * len(unit)
    assert time.perf_counter() - began < 20  # the nearest-cue search was cubic in the runs of a paragraph (minutes)
