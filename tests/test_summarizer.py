"""The extractive summarizer with the shipped model and its own sentence vectors (no mocks)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from newsqa.config import shipped_models_dir  # noqa: E402
from newsqa.errors import InvalidInput  # noqa: E402
from newsqa.model_cache import shared  # noqa: E402
from newsqa.summarizer import MAX_CANDIDATES, prepare_article, summarize_articles  # noqa: E402
from newsqa.types import Article, Summary  # noqa: E402

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_6ad73c16a059aa65.txt"


@pytest.fixture(scope="module")
def summarize():
    scorer, embedder = shared().summarizer(shipped_models_dir() / "summarizer"), shared().summary_vectors(shipped_models_dir() / "summarizer")

    def run(articles: Article | list[Article], **kw) -> Summary:
        articles = articles if isinstance(articles, list) else [articles]
        return summarize_articles(articles, scorer=scorer, embedder=embedder, **kw)

    return run


@pytest.fixture(scope="module")
def seed() -> Article:
    return Article(id="seed", text=SEED.read_text(encoding="utf-8"))


def assert_exact(summary: Summary, articles: list[Article]) -> None:
    by_id = {a.id: a for a in articles}
    for s in summary.sentences:
        assert by_id[s["article_id"]].text[s["start"] : s["end"]] == s["text"]
    assert summary.text == " ".join(s["text"] for s in summary.sentences)


def test_shipped_model_has_no_pickle():
    folder = shipped_models_dir() / "summarizer"
    assert {p.suffix for p in folder.iterdir()} <= {".json", ".safetensors", ".md"}


def test_offsets_slice_back_in_article_order(summarize, seed):
    summary = summarize(seed, max_sentences=5)
    assert len(summary.sentences) == 5 and summary.article_ids == ["seed"]
    assert_exact(summary, [seed])
    starts = [s["start"] for s in summary.sentences]
    assert starts == sorted(starts)
    assert all(0.0 <= s["score"] <= 1.0 for s in summary.sentences)


def test_headline_caption_credit_and_footer_never_chosen(summarize, seed):
    chosen = {s["text"] for s in summarize(seed, max_sentences=100).sentences}
    lines = [line.strip() for line in seed.text.splitlines() if line.strip()]
    for line in lines[:3] + lines[-3:]:  # headline, caption, (credit); byline, Twitter, byline
        assert line not in chosen
    assert len(chosen) > 30  # every body sentence is still available


@pytest.mark.parametrize("n", [1, 4])
def test_sentence_budget(summarize, seed, n):
    assert len(summarize(seed, max_sentences=n).sentences) == n


@pytest.mark.parametrize("words", [30, 120])
def test_word_budget(summarize, seed, words):
    summary = summarize(seed, max_sentences=None, max_words=words)
    assert 1 <= len(summary.sentences)
    assert sum(len(s["text"].split()) for s in summary.sentences) <= words
    both = summarize(seed, max_sentences=1, max_words=words)
    assert len(both.sentences) == 1


@pytest.mark.parametrize("budget", [{"max_sentences": 0}, {"max_sentences": -2}, {"max_words": 0}, {"max_sentences": True}, {"max_sentences": 2.5}, {"max_sentences": None}])
def test_bad_budgets_are_invalid_input(summarize, seed, budget):
    with pytest.raises(InvalidInput):
        summarize(seed, **budget)


def test_no_articles_is_invalid_input(summarize):
    with pytest.raises(InvalidInput):
        summarize([])


def test_query_picks_the_venezuela_sentences(summarize, seed):
    summary = summarize(seed, max_sentences=2, query="Venezuela")
    assert [("Venezuela" in s["text"]) for s in summary.sentences] == [True, True]
    assert_exact(summary, [seed])
    generic = summarize(seed, max_sentences=2)
    assert generic.sentences != summary.sentences


def test_deterministic(summarize, seed):
    first = summarize(seed, max_sentences=3, query="what Lavrov said").to_dict()
    assert summarize(seed, max_sentences=3, query="what Lavrov said").to_dict() == first


def test_one_sentence_article_returned_as_is(summarize):
    article = Article(id="", text="  The council approved the new budget on Monday.\n")
    summary = summarize(article)
    assert summary.text == "The council approved the new budget on Monday."
    assert_exact(summary, [article])


def test_empty_article_gives_empty_summary(summarize):
    summary = summarize(Article(id="x", text="   \n\n "))
    assert summary.text == "" and summary.sentences == [] and summary.article_ids == ["x"]


def test_glued_sentences_are_split(summarize):
    text = (
        "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn.Its profits were buoyed by "
        "one-off gains which offset a profit dip at Warner Bros.Time Warner said on Friday that it now owns "
        "8% of search-engine Google."
    )
    article = Article(id="bbc", text=text)
    summary = summarize(article, max_sentences=3)
    assert len(summary.sentences) == 3
    assert_exact(summary, [article])
    assert summary.sentences[1]["text"].startswith("Its profits")
    assert not any(".Its" in s["text"] for s in summary.sentences)


def test_spaces_before_punctuation(summarize):
    text = (
        "Shares in the bank fell 5 % on Monday , traders said . The bank , based in London , blamed bad loans . "
        "Analysts expect a recovery next year ! Its chief executive did not comment ."
    )
    article = Article(id="tok", text=text)
    summary = summarize(article, max_sentences=2)
    assert len(summary.sentences) == 2
    assert_exact(summary, [article])
    assert all(s["text"].endswith((".", "!")) for s in summary.sentences)


def test_100000_word_article_in_bounded_time(summarize, seed):
    body = [p.strip() for p in seed.text.split("\n\n")[3:-3] if p.strip()]
    paragraphs, words, i = [], 0, 0
    while words < 100_000:
        paragraphs.append(f"{body[i % len(body)]} ({i})")
        words += len(paragraphs[-1].split())
        i += 1
    article = Article(id="long", text="\n\n".join(paragraphs))
    assert len(prepare_article(article).candidates) == MAX_CANDIDATES
    start = time.perf_counter()
    summary = summarize(article, max_sentences=5)
    elapsed = time.perf_counter() - start
    assert len(summary.sentences) == 5
    assert_exact(summary, [article])
    assert elapsed < 30, f"{elapsed:.1f} s"  # about 1 s on an idle 2-core machine; the cap bounds it


def test_multi_article_summary_drops_near_duplicates(summarize, seed):
    wire = Article(
        id="wire",
        text=(
            "Putin and Pompeo meet in Sochi\n\n"
            "Russian President Vladimir Putin told the United States' top diplomat on Tuesday that he was eager "
            "to repair relations between their two countries despite sharp differences over the escalating crisis in Iran.\n\n"
            "The talks in Sochi lasted three hours, officials said."
        ),
    )
    articles = [seed, wire]
    summary = summarize(articles, max_sentences=100)
    assert summary.article_ids == ["seed", "wire"]
    assert_exact(summary, articles)
    ids = [s["article_id"] for s in summary.sentences]
    assert ids == sorted(ids, key=["seed", "wire"].index)  # articles in the order given
    leads = [s for s in summary.sentences if "Vladimir Putin told the United States" in s["text"]]
    assert len(leads) == 1  # one of the two copies was dropped
    assert any(s["text"].startswith("The talks in Sochi") for s in summary.sentences)


def test_seed_generic_summary_starts_with_the_lead(summarize, seed):
    """Wire copy puts the news first: the seed's lead (Putin meets Pompeo in Sochi) must be kept."""
    lead = "Russian President Vladimir Putin told the United States’ top diplomat Tuesday"
    summary = summarize(seed, max_sentences=3)
    assert summary.sentences[0]["text"].startswith(lead)
    assert_exact(summary, [seed])


DAILY_MAIL = (
    "By . Daily Mail Reporter . PUBLISHED: . 01:15 EST, 30 November 2013 . | . UPDATED: . 01:23 EST, "
    "30 November 2013 . More than two decades after Magic Johnson announced that he had HIV, the basketball "
    "player says he is still surprised at the impact the news had. Scroll down for video The former Los Angeles "
    "Lakers player said he was convinced he was going to die. Read more: Magic Johnson's interview in full. "
    "Advances in drugs have kept him healthy, he said."
)


@pytest.mark.parametrize(
    "text, first",
    [
        (DAILY_MAIL, "More than two decades after Magic Johnson"),
        (
            "By Helen Pow PUBLISHED: 09:16 EST, 29 May 2013 | UPDATED: 10:51 EST, 29 May 2013 Miami Heat superstar "
            "LeBron James gave a touching tribute to a fan. She had fought cancer for six years.",
            "Miami Heat superstar LeBron James",
        ),
        ("By Graham Smith Last updated at 4:32 PM on 15th February 2012 Nato has voiced regret. It said so.", "Nato has voiced regret."),
        ("By Richard Spillett An electronic cigarette exploded in a car. No one was hurt.", "An electronic cigarette"),
        ("Los Angeles (CNN) -- A doctor said Thursday that the suspect was ill. He was arrested.", "A doctor said Thursday"),
        ("By 2010 the council had spent the whole budget. It asked for more.", "By 2010 the council"),  # not a byline
    ],
)
def test_page_furniture_is_cut_from_candidates(text, first):
    candidates = prepare_article(Article(id="dm", text=text)).candidates
    assert candidates[0].span.text.startswith(first)
    assert candidates[0].index == 0
    for c in candidates:
        assert text[c.span.start : c.span.end] == c.span.text
        assert not any(w in c.span.text for w in ("PUBLISHED", "UPDATED", "Daily Mail Reporter", "Scroll down", "Read more", "(CNN)"))


def test_daily_mail_summary_quotes_no_furniture(summarize):
    article = Article(id="dm", text=DAILY_MAIL)
    summary = summarize(article, max_sentences=3)
    assert_exact(summary, [article])
    assert summary.sentences[0]["text"].startswith("More than two decades")
    assert any(s["text"].startswith("The former Los Angeles Lakers player") for s in summary.sentences)
    assert "By ." not in summary.text and "Read more" not in summary.text


def test_length_prior_follows_the_layout(seed, tmp_path):
    """Wire copy and long-paragraph copy get their own length prior, and it survives save/load."""
    from dataclasses import replace

    from newsqa.summarizer import SentenceScorer
    from newsqa.summarizer.features import featurize

    shipped = shared().summarizer(shipped_models_dir() / "summarizer")
    scorer = replace(shipped, length_prior=0.5, wire_length_prior=0.0)
    scorer.save(tmp_path)
    loaded = SentenceScorer.load(tmp_path)
    assert (loaded.length_prior, loaded.wire_length_prior) == (0.5, 0.0)
    sentences = [s.strip() + "." for s in SEED.read_text(encoding="utf-8").replace("\n", " ").split(". ") if s.strip()][:12]
    long_paragraphs = Article(id="long", text="\n\n".join(" ".join(sentences[i : i + 4]) for i in range(0, 12, 4)))
    wire, bbc_like = featurize([seed, long_paragraphs], shared().summary_vectors(shipped_models_dir() / "summarizer"))
    assert loaded.length_prior_for(wire.features) == 0.0
    assert loaded.length_prior_for(bbc_like.features) == 0.5
    assert replace(loaded, wire_length_prior=None).length_prior_for(wire.features) == 0.5
