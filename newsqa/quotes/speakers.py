"""Resolve the source of a statement as written ("Lavrov", "he", "a source") to the fullest name of
that person or organisation in the article ("Sergei Lavrov"), or None when it cannot be resolved.

Rules, not a model: a written name is looked up among the article's capitalized name mentions
(longest mention ending with the same surname, job titles dropped); a personal pronoun takes the
closest name before it in its paragraph (outside quotation marks: "Pompeo detoured to Brussels.
He hoped ..."), else the speaker of the closest earlier statement ("“...,” he said" after
"Lavrov said ..."), else the closest earlier full name.
"""

from __future__ import annotations

import re

PRONOUNS = {"he", "she", "him", "her", "his", "i", "we", "they", "who", "it", "you", "which", "that", "one"}
PERSON_PRONOUNS = {"he", "she", "him", "his", "her", "i"}
# Capitalized words that are titles, roles or adjectives before a name, not part of it.
TITLES = {
    "president", "secretary", "minister", "foreign", "state", "sen", "senator", "rep", "representative", "gov",
    "governor", "mr", "mrs", "ms", "dr", "prime", "vice", "chief", "general", "gen", "director", "spokesman",
    "spokeswoman", "spokesperson", "ambassador", "former", "judge", "justice", "speaker", "leader", "attorney",
    "candidate", "pope", "king", "queen", "prince", "chairman", "chairwoman", "commissioner", "mayor", "adviser",
    "advisor", "national", "security", "defense", "deputy", "house", "white", "senate", "majority", "minority",
    "press", "lt", "col", "sgt", "capt", "adm", "sir", "lord", "democrat", "republican", "democratic", "gop",
    "special", "counsel", "correspondent", "of", "the", "u.s", "us", "russian", "american", "british", "french",
    "german", "chinese", "iranian", "israeli", "venezuelan", "ukrainian", "european", "saudi", "opposition",
    "first", "lady", "sec", "ex", "then", "candidate", "nominee", "hopeful", "rev", "st", "cardinal", "bishop",
    "on", "in", "at", "and", "but", "said", "says", "while", "when", "after", "before", "still", "meanwhile",
}
WORD = r"[A-Z][\w'’.\-]*"
QUOTED = re.compile(r"“[^“”]*”|\"[^\"\n]*\"")
NAME = re.compile(rf"{WORD}(?:\s+(?:(?:de|van|von|al|bin|da|du|la|le)\s+)?{WORD})*")


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"\s+", name.strip()) if w]


def _key(word: str) -> str:
    return word.lower().strip(".,’'\"“”").removesuffix("’s").removesuffix("'s")


def strip_titles(name: str) -> str:
    """"Russian Foreign Minister Sergei Lavrov" -> "Sergei Lavrov"; "The New York Post" -> "New York Post"."""
    words = [w.rstrip(",") for w in _words(name)]
    while words and _key(words[-1]) in {"s"}:
        words.pop()
    words = [w.removesuffix("’s").removesuffix("'s") for w in words]
    lo = 0
    while lo < len(words) - 1 and _key(words[lo]) in TITLES:
        lo += 1
    return " ".join(words[lo:])


def _ends_sentence(word: str) -> bool:
    """A word ending with a full stop that is not an initial ("R."), a title ("Mr.") or an acronym ("U.S.")."""
    body = word[:-1]
    return word.endswith(".") and len(body) > 1 and "." not in body and not body.isupper() and _key(body) not in TITLES


def _sentence_parts(match: re.Match) -> list[tuple[int, int]]:
    """A capitalized run cut where a sentence ends inside it ("Juan Guaido. Lavrov" -> two names)."""
    parts, lo = [], match.start()
    for w in re.finditer(r"\S+", match.group()):
        if _ends_sentence(w.group()):
            parts.append((lo, match.start() + w.end() - 1))
            lo = match.start() + w.end() + 1
    if lo < match.end():
        parts.append((lo, match.end()))
    return [(a, b) for a, b in parts if b > a]


def names_in(text: str) -> list[str]:
    """Capitalized names in `text` (a source as written), titles dropped."""
    return [strip_titles(text[a:b]) for m in NAME.finditer(text) for a, b in _sentence_parts(m)]


class Resolver:
    """Speaker resolution for one article, fed its statements in text order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.mentions = [(a, b, strip_titles(text[a:b])) for m in NAME.finditer(text) for a, b in _sentence_parts(m)]
        self.mentions = [m for m in self.mentions if m[2] and _key(m[2].split()[-1]) not in TITLES | PRONOUNS]
        quoted = [(q.start(), q.end()) for q in QUOTED.finditer(text)]
        self.unquoted = [m for m in self.mentions if not any(a <= m[0] < b for a, b in quoted)]
        self.last_speaker: str | None = None
        self.speakers: set[str] = set()  # resolved so far: a pronoun refers to a person who speaks, not to "Brussels"

    def fullest(self, name: str) -> str | None:
        """The longest mention in the article that ends with `name`'s last word (case-insensitive)."""
        words = _words(strip_titles(name))
        if not words:
            return None
        last = _key(words[-1])
        best = " ".join(words)
        for _, _, mention in self.mentions:
            mw = _words(mention)
            if _key(mw[-1]) == last and len(mw) > len(_words(best)) and len(mw) <= 4:
                best = mention
        return best

    def resolve(self, source: str | None, start: int) -> str | None:
        """The speaker behind `source` (as written at offset `start`), remembered for later pronouns."""
        if not source:
            return None
        words = _words(source)
        head = _key(words[-1]) if words else ""
        if len(words) == 1 and head in PRONOUNS:
            if head == "who":  # "Lavrov, who said ...": the name just before
                return self._name_before(start)
            if head not in PERSON_PRONOUNS:
                return None
            speaker = self._in_paragraph(start) or self.last_speaker or self._previous_name(start)
        else:
            names = [n for n in names_in(source) if n and _key(n.split()[-1]) not in TITLES | PRONOUNS]
            if not names:
                return None
            speaker = self.fullest(max(names, key=len))
        if speaker:
            self.last_speaker = speaker
            self.speakers.add(speaker)
        return speaker

    def _in_paragraph(self, start: int) -> str | None:
        paragraph = self.text.rfind("\n", 0, start) + 1
        before = [self.fullest(m[2]) for m in self.unquoted if paragraph <= m[0] and m[1] <= start]
        before = [name for name in before if name in self.speakers]
        return before[-1] if before else None

    def _name_before(self, start: int) -> str | None:
        close = [m for m in self.mentions if 0 <= start - m[1] <= 3]
        return self.fullest(close[-1][2]) if close else None

    def _previous_name(self, start: int) -> str | None:
        before = [m for m in self.mentions if m[1] <= start and " " in m[2]]
        return self.fullest(before[-1][2]) if before else None
