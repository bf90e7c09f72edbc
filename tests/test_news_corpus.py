"""A news-aware corpus on both backends: publication dates, date filters inside retrieval,
syndicated copies recognised at ingest, answers merged across sources, recency."""

from __future__ import annotations

import json
import random
import sqlite3

import pytest

from newsqa import NewsQA, dates, dedupe
from newsqa.errors import InvalidInput, UnreadableFile

STORY = ("The harbour of Lisbon reopened on Monday after the storm, said port chief Ana Costa. "
         "Ships had waited for three days outside the port while crews cleared the channel. "
         "The storm damaged two cranes and a warehouse near the fish market. "
         "Insurers expect claims of about four million euros, the port authority said.")
COPY = ("Lisbon port back in business\n\nLISBON (Reuters) - The harbour of Lisbon reopened on Monday after the storm, "
        "said port chief Ana Costa. Ships had waited for three days outside the port while crews cleared the channel. "
        "The storm damaged two cranes and a warehouse near the fish market.\n\n(Reporting by Staff; Editing by Desk)")
SAME_TOPIC = ("Storm damage in Lisbon: the fish market stays closed on Tuesday while engineers inspect the roof, "
              "market director Rui Lopes said. Traders moved their stalls to a car park. "
              "Ana Costa, who runs the port, told reporters she expected the market to reopen within a week.")
OSLO = "Oslo's new opera house opened on Friday with a concert, said mayor Lars Berg."


# -- dates ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("given, expected", [
    ("2024-05-01", "2024-05-01"),
    ("May 1, 2024", "2024-05-01"),
    ("1 May 2024", "2024-05-01"),
    ("2024/05/01", "2024-05-01"),
    ("2024-05-01T09:30:00+02:00", "2024-05-01T09:30:00+02:00"),
    ("2024-05-01T07:30:00Z", "2024-05-01T07:30:00+00:00"),
    ("Wed, 01 May 2024 07:30:00 GMT", "2024-05-01T07:30:00+00:00"),
    ("2024-05-01 10:00", "2024-05-01T10:00:00+00:00"),
    (None, None),
])
def test_publication_dates_are_normalised_to_iso_8601(given, expected):
    assert dates.normalize(given) == expected


@pytest.mark.parametrize("bad", ["May 2024", "2024", "yesterday", "banana", "31 February 2024", "x" * 500])
def test_what_is_not_a_whole_date_is_refused(bad):
    with pytest.raises(InvalidInput):
        dates.normalize(bad)


def test_html_dates_come_from_the_markup_never_from_the_text():
    meta = '<html><head><meta property="article:published_time" content="2024-05-01T09:30:00+02:00"></head><body><p>x</p></body></html>'
    ld = '<html><head><script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2023-11-05"}</script></head><body></body></html>'
    tag = '<html><body><article><time datetime="2022-02-03">Feb 3</time><p>text</p></article></body></html>'
    text_only = "<html><body><p>On 3 March 2020 the harbour of Lisbon reopened after the storm.</p></body></html>"
    assert dates.from_html(meta) == "2024-05-01T09:30:00+02:00"
    assert dates.from_html(ld) == "2023-11-05"
    assert dates.from_html(tag) == "2022-02-03"
    assert dates.from_html(text_only) is None


def test_filter_bounds_are_inclusive_and_checked():
    lo, hi = dates.date_range("2024-05-01", "2024-05-01")
    assert lo == dates.timestamp("2024-05-01") and hi > dates.timestamp("2024-05-01T23:59:59+00:00")
    with pytest.raises(InvalidInput, match="since is after until"):
        dates.date_range("2024-05-02", "2024-05-01")
    with pytest.raises(InvalidInput, match="until"):
        dates.date_range(None, "soon")


def test_ingest_reports_and_skips_a_record_with_a_bad_date(engine, tmp_path):
    path = tmp_path / "news.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"id": "good", "text": STORY, "published": "May 1, 2024"},
        {"id": "bad", "text": OSLO, "published": "next Tuesday"},
        {"id": "none", "text": SAME_TOPIC},
    ]) + "\n")
    problems = []
    stored = engine.ingest([path], on_error=lambda p, exc: problems.append(str(exc)))
    assert [(a.id, a.published) for a in stored] == [("good", "2024-05-01"), ("none", None)]
    assert len(problems) == 1 and ":2" in problems[0] and "next Tuesday" in problems[0]
    with pytest.raises(InvalidInput):
        engine.add_article(OSLO, published="soon")


# -- filters inside retrieval -------------------------------------------------------------------------

def test_a_narrow_date_filter_still_finds_the_best_match_inside_it(engine):
    """60 articles about the harbour fill every ranking's top 50; the one in range must still come back."""
    words = "crane ferry tide pier dock quay berth cargo tug buoy anchor sail mast hull keel deck".split()
    for n in range(60):  # different stories (not near copies of each other) on one topic
        detail = " ".join(random.Random(n).sample(words, 10))
        engine.add_article(f"The harbour of Lisbon reopened after the storm, said port chief number {n}. Seen there: {detail}.",
                           article_id=f"old-{n}", published=f"2024-01-{1 + n % 28:02d}")
    assert all(a.duplicate_of is None for a in engine.list_articles(limit=100))
    engine.add_article("A cargo ship docked in Porto; the harbour there was never closed.", article_id="june", published="2024-06-10T08:00:00+01:00")
    engine.add_article(OSLO, article_id="undated")
    hits = engine.search("When did the harbour of Lisbon reopen?", top_k=3, since="2024-06-01", until="2024-06-30")
    assert [h.passage.article_id for h in hits] == ["june"] and hits[0].published == "2024-06-10T08:00:00+01:00"
    assert engine.search("harbour", since="2024-06-10", until="2024-06-10")[0].passage.article_id == "june"
    assert engine.search("harbour", since="2024-06-11") == []
    for mode in ("bm25", "dense"):
        assert {h.passage.article_id for h in engine.search("harbour reopened", top_k=50, mode=mode, until="2024-01-02")} == \
            {"old-0", "old-1", "old-28", "old-29", "old-56", "old-57"}
    listed = engine.list_articles(limit=1000, since="2024-01-03T00:00:00Z", until="2024-01-03")
    assert sorted(a.id for a in listed) == ["old-2", "old-30", "old-58"]
    assert all(a.published is not None for a in engine.list_articles(limit=1000, since="2000-01-01"))
    answers = engine.ask("Where did a cargo ship dock?", since="2024-06-01")
    assert answers and all(a.article_id == "june" and a.published for a in answers)
    summary = engine.summarize(since="2024-06-01", max_sentences=1)
    assert summary.article_ids == ["june"]
    assert engine.summarize(article_ids=["old-0", "june"], since="2024-06-01", max_sentences=1).article_ids == ["june"]
    with pytest.raises(InvalidInput):
        engine.summarize(since="2030-01-01")
    with pytest.raises(InvalidInput):
        engine.search("harbour", since="not a date")


# -- syndicated copies and merged answers ---------------------------------------------------------------

def test_a_syndicated_copy_is_recognised_stored_whole_and_not_read_twice(engine):
    original = engine.add_article(STORY, title="Lisbon harbour reopens", published="2024-05-01")
    copy = engine.add_article(COPY, published="2024-05-02T10:00:00+01:00")
    other = engine.add_article(SAME_TOPIC, published="2024-05-02")
    assert original.duplicate_of is None and other.duplicate_of is None
    assert copy.duplicate_of == original.id and engine.get_article(copy.id).duplicate_of == original.id
    assert engine.get_article(copy.id).text == COPY  # stored whole, its own offsets

    hits = engine.search("When did the harbour of Lisbon reopen?", top_k=10)
    assert copy.id not in {h.passage.article_id for h in hits}
    first = next(h for h in hits if h.passage.article_id == original.id)
    cited = [c for c in first.also_in if c.article_id == copy.id]
    assert cited and first.passage.text.startswith(COPY[cited[0].start : cited[0].end])  # the copy trims the last sentence
    assert COPY[cited[0].start : cited[0].end].endswith("near the fish market.")

    answers = engine.ask("Who is the port chief of Lisbon?", top_k=3)
    texts = [a.text for a in answers]
    assert answers[0].text == "Ana Costa" and len(texts) == len(set(texts))
    assert answers[0].article_id == original.id and answers[0].published == "2024-05-01"
    cited = {c.article_id: c for c in answers[0].also_in}
    assert copy.id in cited and other.id in cited  # the copy and the independent report agree
    for c in answers[0].also_in:
        assert engine.get_article(c.article_id).text[c.start : c.end] == "Ana Costa"
    assert cited[copy.id].published == "2024-05-02T10:00:00+01:00"


def test_a_copy_is_searched_when_its_original_is_outside_the_dates_or_deleted(engine):
    original = engine.add_article(STORY, published="2024-05-01")
    copy = engine.add_article(COPY, published="2024-05-03")
    hits = engine.search("harbour of Lisbon reopened", since="2024-05-03", until="2024-05-03")
    assert {h.passage.article_id for h in hits} == {copy.id} and all(not h.also_in for h in hits)
    answers = engine.ask("Who is the port chief of Lisbon?", since="2024-05-02")
    assert answers and answers[0].article_id == copy.id and answers[0].also_in == []
    engine.delete_article(original.id)
    assert {h.passage.article_id for h in engine.search("harbour of Lisbon reopened")} == {copy.id}


def test_copies_within_one_ingest_batch_point_to_the_first(engine, tmp_path):
    path = tmp_path / "wire.jsonl"
    path.write_text("\n".join(json.dumps({"id": i, "text": t}) for i, t in [("a", STORY), ("b", COPY), ("c", COPY + " Updated."), ("d", OSLO)]) + "\n")
    stored = {a.id: a.duplicate_of for a in engine.ingest([path])}
    assert stored == {"a": None, "b": "a", "c": "a", "d": None}


def test_signature_keys_find_near_copies_and_not_other_stories():
    story, copy, other = dedupe.signature(STORY), dedupe.signature(COPY), dedupe.signature(SAME_TOPIC)
    assert len(story.keys) == dedupe.BANDS and set(story.keys) & set(copy.keys)
    assert dedupe.similarity(story.values, copy.to_bytes()) >= dedupe.COPY_THRESHOLD
    assert dedupe.find_original(other, [("a", None, story.to_bytes())]) is None
    assert dedupe.find_original(copy, [("b", "a", story.to_bytes())]) == "a"


# -- recency ------------------------------------------------------------------------------------

def test_prefer_recent_breaks_a_near_tie_towards_the_newer_article(engine):
    engine.add_article("The harbour master of Faro is Rui Alves, the town council said.", article_id="old", published="2019-03-01")
    engine.add_article("The harbour master of Faro is Joana Reis, the town council said.", article_id="new", published="2024-03-01")
    plain = engine.ask("Who is the harbour master of Faro?", top_k=2)
    recent = engine.ask("Who is the harbour master of Faro?", top_k=2, prefer="recent")
    assert {a.article_id for a in plain} == {"old", "new"}
    assert recent[0].article_id == "new" and recent[0].published == "2024-03-01"
    with pytest.raises(InvalidInput):
        engine.ask("Who is the harbour master of Faro?", prefer="oldest")


# -- databases made before this feature ------------------------------------------------------------------

def test_an_sqlite_database_from_before_dates_and_copies_keeps_working(tmp_path):
    db = str(tmp_path / "old.sqlite3")
    with NewsQA(db) as qa:
        qa.add_article(STORY, article_id="story", published="2024-05-01")
    with sqlite3.connect(db) as conn:  # back to the old schema: no columns, no indexes on them
        conn.execute("DROP INDEX articles_published")
        conn.execute("DROP INDEX articles_duplicate")
        conn.execute("ALTER TABLE articles DROP COLUMN published_ts")
        conn.execute("ALTER TABLE articles DROP COLUMN duplicate_of")
    for _ in range(2):  # the migration runs once and is then a no-op
        with NewsQA(db) as qa:
            assert [a.id for a in qa.list_articles(since="2024-05-01", until="2024-05-01")] == ["story"]
            assert qa.get_article("story").duplicate_of is None


def test_a_postgres_database_of_schema_version_1_is_migrated(backend, new_database):
    if backend != "postgres":
        pytest.skip("PostgreSQL schema versions")
    import psycopg

    db = new_database()
    with NewsQA(db) as qa:
        qa.add_article(STORY, article_id="story", published="2024-05-01")
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute("ALTER TABLE articles DROP COLUMN published_ts")
        conn.execute("ALTER TABLE articles DROP COLUMN duplicate_of")
        conn.execute("UPDATE newsqa_schema SET version = 1")
    for _ in range(2):
        with NewsQA(db) as qa:
            assert [a.id for a in qa.list_articles(since="2024-05-01", until="2024-05-01")] == ["story"]
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT version FROM newsqa_schema").fetchone()[0] == 2


def test_unreadable_date_in_a_single_json_file_is_reported(engine, tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"text": STORY, "published": "31/31/2024"}))
    with pytest.raises(UnreadableFile, match="31/31/2024"):
        engine.ingest([path])


# -- the REST API and the CLI ---------------------------------------------------------------------

def test_the_api_filters_by_date_and_shows_sources(engine):
    from newsqa.server.app import ServerSettings, create_app

    original = engine.add_article(STORY, title="Lisbon harbour reopens", published="2024-05-01")
    copy = engine.add_article(COPY, published="2024-05-02")
    client = create_app(engine, ServerSettings(api_key=None, cors_origins=[])).test_client()
    asked = client.post("/v1/ask", json={"question": "Who is the port chief of Lisbon?", "prefer": "recent"}).get_json()
    top = asked["answers"][0]
    assert top["article_id"] == original.id and top["published"] == "2024-05-01"
    assert [c["article_id"] for c in top["also_in"]] == [copy.id]
    found = client.post("/v1/search", json={"query": "harbour reopened", "since": "2024-05-02", "until": "2024-05-02"}).get_json()
    assert {h["article_id"] for h in found["hits"]} == {copy.id}
    listed = client.get("/v1/articles?since=2024-05-02").get_json()["items"]
    assert [(a["id"], a["duplicate_of"]) for a in listed] == [(copy.id, original.id)]
    for bad in ({"question": "Who?", "since": "soon"}, {"question": "Who?", "since": "2024-05-02", "until": "2024-05-01"},
                {"question": "Who?", "prefer": "oldest"}):
        response = client.post("/v1/ask", json=bad)
        assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert client.get("/v1/articles?until=never").status_code == 422


def test_the_cli_shows_dates_and_sources(tmp_path):
    from tests.test_cli import run

    db = str(tmp_path / "cli.sqlite3")
    with NewsQA(db) as qa:
        qa.add_article(STORY, title="Lisbon harbour reopens", published="2024-05-01")
        qa.add_article(COPY, title="Port back in business", published="2024-05-02")
    asked = run("ask", "Who is the port chief of Lisbon?", "--db", db, "--recent", cwd=tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert "published 2024-05-01" in asked.stdout and "also in 1 source(s): Port back in business" in asked.stdout
    listed = run("articles", "list", "--db", db, "--since", "2024-05-02", cwd=tmp_path)
    assert listed.returncode == 0 and "copy of" in listed.stdout and "Lisbon harbour reopens" not in listed.stdout
    bad = run("search", "harbour", "--db", db, "--until", "someday", cwd=tmp_path)
    assert bad.returncode == 2 and "someday" in bad.stderr
