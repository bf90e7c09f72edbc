"""Fit the cue lexicon (`quotes/cues.py`) on PolNeAR train (run by hand, never by CI).

    python -m newsqa.training.quote_cues --data ../shared/data/quotes/polnear_train.json \
        --out models/quotes/cue_words.txt [--min-ratio 0.3] [--min-count 10]

A word is a cue word when it occurs at least `min_count` times inside gold cues and at least
`min_ratio` of its occurrences in the articles are inside a gold cue. PolNeAR dev is never read.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from ..quotes.cues import WORD


def refuse_polnear_dev(path: str, verb: str) -> None:
    """Stop when `path` is PolNeAR dev: it is for measuring and choosing only, never for fitting."""
    if "dev" in Path(path).name:
        raise SystemExit(f"PolNeAR dev is for measuring only: {verb} on polnear_train.json")


def cue_lexicon(articles: list[dict], min_ratio: float, min_count: int) -> list[str]:
    """The cue words of `articles`, most frequent in cues first."""
    in_cues: Counter[str] = Counter()
    everywhere: Counter[str] = Counter()
    for article in articles:
        text = article["text"]
        everywhere.update(WORD.findall(text.lower()))
        for attribution in article["attributions"]:
            for piece in attribution["cue"]:
                in_cues.update(set(WORD.findall(text[piece["start"] : piece["end"]].lower())))
    return [w for w, n in in_cues.most_common() if n >= min_count and n / everywhere[w] >= min_ratio]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="../shared/data/quotes/polnear_train.json")
    ap.add_argument("--out", default="models/quotes/cue_words.txt")
    ap.add_argument("--min-ratio", type=float, default=0.3)
    ap.add_argument("--min-count", type=int, default=10)
    args = ap.parse_args(argv)
    refuse_polnear_dev(args.data, "fit")
    words = cue_lexicon(json.loads(Path(args.data).read_text())["articles"], args.min_ratio, args.min_count)
    header = (f"# cue words fitted on {Path(args.data).name} (min ratio {args.min_ratio}, min count {args.min_count}) "
              "by newsqa/training/quote_cues.py\n")
    Path(args.out).write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} cue words -> {args.out}")


if __name__ == "__main__":
    main()
