"""Which sentences of an article can hold an attribution, so that the tagger reads only those.

A sentence is read when it has a quotation mark (or lies inside a quoted passage), a colon or a
dash that can introduce a statement, or a word of the cue lexicon: the words that are part of a
gold cue in at least `min_ratio` of their occurrences in PolNeAR train ("said", "told",
"according", "argued", ...), written to the tagger's folder by `newsqa/training/quote_cues.py`.
Reading a selection instead of the whole article is what keeps ingest with extraction on near
the speed without it (benchmarks/ingest_speed.py --quotes-compare).
"""

from __future__ import annotations

import re
from pathlib import Path

CUE_WORDS_FILE = "cue_words.txt"
WORD = re.compile(r"[a-z]+")
MARKS = re.compile(r"[“”\"]|''|``|:|―")
QUOTED = re.compile(r"“[^“”\n]*”|\"[^\"\n]*\"")
# A full stop, question or exclamation mark before a capital, except after a title or an initial ("Mr. Bush", "G.K. Butterfield").
# (The mark is matched first and the look-behinds, which include it, checked after: a scan stops
# only at marks.)
SENTENCE_END = re.compile(r"[.!?](?<!\bMr.)(?<!\bMrs.)(?<!\bMs.)(?<!\bDr.)(?<!\bSt.)(?<!\bSen.)(?<!\bRep.)(?<!\bGov.)"
                          r"(?<!\bGen.)(?<!\bLt.)(?<!\bJr.)(?<!\b[A-Z].)[”\"’]?\s+(?=[“\"]?[A-Z])")


def load_cue_words(model_dir: str | Path) -> frozenset[str]:
    """The cue lexicon shipped with a tagger (empty when it has none: every sentence is read)."""
    path = Path(model_dir) / CUE_WORDS_FILE
    if not path.exists():
        return frozenset()
    return frozenset(w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip() and not w.startswith("#"))


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, never across a line break."""
    out = []
    for line in re.finditer(r"[^\n]+", text):
        lo = line.start()
        for end in SENTENCE_END.finditer(text, line.start(), line.end()):
            out.append((lo, end.end()))
            lo = end.end()
        out.append((lo, line.end()))
    return [(a, b) for a, b in out if b > a]


def candidate_sentences(text: str, cue_words: frozenset[str]) -> list[tuple[int, int]]:
    """The sentences of `text` that can hold an attribution (all of them without a lexicon), in
    one pass over the sentences and the quoted passages (both in text order)."""
    units = sentences(text)
    if not cue_words:
        return units
    quoted = [(m.start(), m.end()) for m in QUOTED.finditer(text)]
    kept, q = [], 0
    for a, b in units:
        while q < len(quoted) and quoted[q][1] <= a:  # passages that end before this sentence
            q += 1
        in_quote = q < len(quoted) and quoted[q][0] < b
        if in_quote or MARKS.search(text, a, b) or not cue_words.isdisjoint(WORD.findall(text[a:b].lower())):
            kept.append((a, b))
    return kept
