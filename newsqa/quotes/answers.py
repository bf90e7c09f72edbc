"""Quotes in `ask`: questions such as "What did Lavrov say on Venezuela?" are answered with the
whole statements of that speaker, and every answer says who said it when it lies inside an
attributed statement."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from ..text import sentence_at, split_sentences
from ..types import Answer, Quote
from .questions import speaker_question

if TYPE_CHECKING:
    from ..engine import NewsQA
    from ..store import Store


def as_answer(quote: Quote, text: str) -> Answer:
    """The statement as an answer: from its first piece's start to its last piece's end (an
    interrupting "he said" stays in, so the offsets index the article exactly)."""
    answer = Answer(text[quote.start : quote.end], quote.score, quote.start, quote.end, 0.0, quote.article_id, quote.title,
                    speaker=quote.speaker)
    answer.sentence = sentence_at(split_sentences(text), quote.start)
    return answer


def from_statements(engine: NewsQA, question: str, top_k: int, article_ids: Sequence[str] | None) -> list[Answer]:
    """Answers from the asked speaker's statements, best first; [] when the question is not of that
    form or no stored statement is theirs (then `ask` reads passages as usual)."""
    asked = speaker_question(question)
    if asked is None:
        return []
    who, topic = asked
    quotes = []
    for name in dict.fromkeys([who, who.split()[-1]]):
        quotes = engine.quotes(topic, speaker=name, article_ids=article_ids, top_k=top_k)
        if quotes:
            break
    answers = []
    for quote in quotes:
        article = engine.store.get_article(quote.article_id)  # type: ignore[arg-type]
        if article is not None:
            answers.append(as_answer(quote, article.text))
    return answers


def set_speakers(store: Store, answers: list[Answer]) -> list[Answer]:
    """Set `speaker` on each answer lying inside a stored statement's content."""
    ids = list({a.article_id for a in answers if a.article_id})
    if not ids:
        return answers
    by_article: dict[str, list[Quote]] = {}
    for quote in store.quotes(article_ids=ids):
        by_article.setdefault(quote.article_id, []).append(quote)  # type: ignore[arg-type]
    for answer in answers:
        for quote in by_article.get(answer.article_id or "", []):
            if quote.speaker and any(p.start <= answer.start and answer.end <= p.end for p in quote.content):
                answer.speaker = quote.speaker
                break
    return answers
