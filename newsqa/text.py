"""Sentences and passages as (start, end) character offsets into the text they came from.

Sentence boundaries come from blingfire (a compiled, well-tested segmenter: 150k words in about
0.2 s), run line by line so that headlines, captions and paragraphs never merge, plus one repair
for text where sentences were glued without a space ("...bn.Its profits").

Every sentence and passage is bounded in length whatever the punctuation: a "sentence" longer than
MAX_SENTENCE_WORDS words or MAX_SENTENCE_CHARS characters (a text with no full stops, a run of
characters with no spaces) is cut at whitespace, or hard where there is none. Without the bound one
1 MB text without punctuation became one passage, and every question that retrieved it ran the reader
over thousands of windows.
"""

from __future__ import annotations

import re

import blingfire

from .types import Span

_GLUED = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z]+\b)")
_LINE = re.compile(r"[^\n]+")
_NON_SPACE = re.compile(r"\S+")
MAX_SENTENCE_WORDS = 100
MAX_SENTENCE_CHARS = 1000
MAX_PASSAGE_CHARS = 1500  # 120 words of news are about 750 characters; this only bites on odd text


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _segment_line(line: str) -> list[tuple[int, int]]:
    """Sentence ranges tiling the whole line: blingfire's starts are the cut points, so characters
    it skips (control characters) stay inside a sentence rather than falling out of every one."""
    try:
        _, offsets = blingfire.text_to_sentences_and_offsets(line)
    except Exception:  # blingfire refuses some odd inputs; the line is then one sentence
        offsets = []
    starts = sorted({start for start, _ in offsets if 0 < start < len(line)})
    spans = []
    for start, end in zip([0, *starts], [*starts, len(line)]):
        cuts = [start] + [start + m.start() for m in _GLUED.finditer(line[start:end])] + [end]
        spans.extend(zip(cuts, cuts[1:]))
    return spans


def _bounded(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut text[start:end] into pieces of at most MAX_SENTENCE_WORDS words and MAX_SENTENCE_CHARS
    characters, at whitespace where possible (a longer run without spaces is cut hard)."""
    if end - start < 2 * MAX_SENTENCE_WORDS:  # too short to hold too many words or characters
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    low, last, words = start, start, 0
    for word in _NON_SPACE.finditer(text, start, end):
        word_start, word_end = word.span()
        if words and (words >= MAX_SENTENCE_WORDS or word_end - low > MAX_SENTENCE_CHARS):
            pieces.append((low, last))
            low, words = word_start, 0
        while word_end - low > MAX_SENTENCE_CHARS:
            pieces.append((low, low + MAX_SENTENCE_CHARS))
            low += MAX_SENTENCE_CHARS
        words, last = words + 1, word_end
    if last > low:
        pieces.append((low, last))
    return pieces


def split_sentences(text: str) -> list[Span]:
    """Sentences of `text`, in order, each with `text[start:end] == span.text` and no edge whitespace,
    none longer than MAX_SENTENCE_WORDS words or MAX_SENTENCE_CHARS characters."""
    sentences = []
    for line in _LINE.finditer(text):
        for a, b in _segment_line(line.group()):
            for lo, hi in _bounded(text, line.start() + a, line.start() + b):
                start, end = _trim(text, lo, hi)
                if end > start:
                    sentences.append(Span(start, end, text[start:end]))
    return sentences


def make_passages(text: str, sentences: list[Span] | None = None, max_words: int = 120,
                  max_chars: int = MAX_PASSAGE_CHARS) -> list[Span]:
    """Consecutive sentences packed up to `max_words` words and `max_chars` characters, the last
    sentence of each repeated at the start of the next so that an answer near a boundary is seen
    with its context. A passage is never longer than its budget or its one (bounded) sentence."""
    sentences = split_sentences(text) if sentences is None else sentences
    passages: list[Span] = []
    i = 0
    while i < len(sentences):
        j, words = i, 0
        while j < len(sentences) and (
            j == i
            or (words + len(sentences[j].text.split()) <= max_words and sentences[j].end - sentences[i].start <= max_chars)
        ):
            words += len(sentences[j].text.split())
            j += 1
        start, end = sentences[i].start, sentences[j - 1].end
        passages.append(Span(start, end, text[start:end]))
        if j >= len(sentences):
            break
        i = j - 1 if j - 1 > i else j
    return passages


def sentence_at(sentences: list[Span], position: int) -> Span | None:
    """The sentence holding character `position`, if any."""
    for s in sentences:
        if s.start <= position < s.end:
            return s
    return None
