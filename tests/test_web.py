"""The web page end to end: Playwright for Python drives Debian's headless Chromium against the
real app (real engine, real models) served on a loopback port.

A person's path through the page: add the seed article, ask the Lavrov question and see the answer
highlighted in the article, summarize, upload a file; and an article holding `<script>` must show
as text and never run. Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsqa import NewsQA

from .conftest import served

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_6ad73c16a059aa65.txt"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LAVROV = "You can not establish a democracy by force"
TIMEOUT_MS = 120_000  # a question on a busy two-core machine can take a while

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """The real app on 127.0.0.1 and a free port, served from a thread for this module."""
    engine = NewsQA(":memory:")
    engine.warm_up()
    with served(engine) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, base_url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(base_url + "/")
    yield page
    context.close()
    assert errors == [], f"the page logged errors: {errors}"


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def expect_added(page) -> None:
    """Wait for the add to finish; a locator assertion, not wait_for_function (the page's CSP forbids
    the eval that Playwright's string predicates use)."""
    from playwright.sync_api import expect

    expect(page.locator("#add-status")).to_have_text(re.compile(r"^Added"))


def add_text(page, text: str, title: str = "") -> None:
    page.fill("#add-title", title)
    page.fill("#add-text", text)
    page.click("#add-button")
    expect_added(page)


def test_ask_highlights_the_answer_then_summarize(page) -> None:
    from playwright.sync_api import expect

    add_text(page, SEED.read_text(encoding="utf-8"))
    expect(page.locator("#article-list li")).to_have_count(1)
    expect(page.locator("#article-list li button.link")).to_contain_text("Pompeo meets Putin")

    page.fill("#question", "What did Lavrov say on Venezuela?")
    page.click("#ask-button")
    answer = page.locator("#article-view mark.answer")
    expect(answer).to_contain_text(LAVROV, timeout=TIMEOUT_MS)
    expect(page.locator("#answers li").first.locator(".answer-text")).to_contain_text(LAVROV)
    expect(page.locator("#answers li").first.locator(".score")).to_have_text(re.compile(r"^\d+%$"))
    expect(page.locator("#article-view .sentence").first).to_be_visible()
    assert shot(page, "web-answer.png").stat().st_size > 0

    page.click("#summarize-button")
    expect(page.locator("#summary")).to_be_visible(timeout=TIMEOUT_MS)
    summary = page.locator("#summary-text").inner_text()
    assert summary.strip()
    highlighted = page.locator("#article-view mark.summary")
    assert highlighted.count() >= 1
    assert highlighted.first.inner_text() in SEED.read_text(encoding="utf-8")
    shot(page, "web-summary.png")


def test_script_in_an_article_shows_as_text(page) -> None:
    from playwright.sync_api import expect

    hostile = ('Council budget <b>approved</b>\n\n<script>window.__pwned = 1</script>'
               '<img src=x onerror="window.__pwned = 2"> The council approved the budget on Monday.')
    add_text(page, hostile, title="<i>Budget</i> & <script>alert(1)</script>")
    view = page.locator("#article-view")
    expect(view).to_contain_text("<script>window.__pwned = 1</script>")
    expect(view).to_contain_text('<img src=x onerror="window.__pwned = 2">')
    assert view.locator("script, img, b").count() == 0
    assert page.locator("#article-list script, #article-list i").count() == 0
    expect(page.locator("#article-list")).to_contain_text("<i>Budget</i> & <script>alert(1)</script>")
    assert page.evaluate("window.__pwned") is None
    shot(page, "web-script-as-text.png")


def test_upload_a_file(page, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page_html = ("<html><head><title>Harbour reopens</title></head><body><article><h1>Harbour reopens</h1>"
                 "<p>The old harbour of Kiel reopened on Monday after two years of repairs, the city said.</p>"
                 "<p>Ferries to Oslo will call there again from June, the operator announced.</p></article></body></html>")
    upload = tmp_path / "harbour.html"
    upload.write_text(page_html, encoding="utf-8")
    page.set_input_files("#add-file", str(upload))
    page.click("#add-button")
    expect_added(page)
    expect(page.locator("#article-view")).to_contain_text("reopened on Monday")
    expect(page.locator("#article-view")).not_to_contain_text("<p>")


def test_who_said_what_lists_a_speakers_statements(page) -> None:
    from playwright.sync_api import expect

    if page.locator("#article-list li").count() == 0:
        add_text(page, SEED.read_text(encoding="utf-8"))
    page.fill("#question", "What did Lavrov say on Venezuela?")
    page.click("#ask-button")
    expect(page.locator("#answers li").first.locator(".speaker")).to_contain_text("Lavrov", timeout=TIMEOUT_MS)

    page.fill("#quote-speaker", "Lavrov")
    page.click("#quotes-button")
    quotes = page.locator("#quotes li")
    expect(quotes.first).to_be_visible(timeout=TIMEOUT_MS)
    assert quotes.count() >= 3
    for i in range(quotes.count()):
        expect(quotes.nth(i).locator(".quote-speaker")).to_contain_text("Lavrov")
    expect(page.locator("#quotes")).to_contain_text(LAVROV)
    expect(page.locator("#article-view mark.answer").first).to_be_visible()
    shot(page, "web-quotes.png")
