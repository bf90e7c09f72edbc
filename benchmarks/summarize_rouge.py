"""ROUGE of newsqa's summarizer against Lead-3 and sumy's LexRank, TextRank, LSA and Luhn.

    python benchmarks/summarize_rouge.py [--data ../shared/data/summarization/bbc_news_summary.jsonl] [--limit N]

On the fixed held-out 20% of BBC News Summary (`is_held_out`, never trained on), every method picks
sentences from the same split (`newsqa.text.split_sentences`; sumy gets a tokenizer built on it),
at the same budget: 3 sentences, and 40% of the article's sentences. Scores are ROUGE-1/2/L F1
(`rouge-score`, Porter stemming) against the reference summary, averaged over articles.

Sentence vectors come from the training cache when present (the same MiniLM vectors, computed once);
missing ones are embedded and added to it.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsqa.summarizer import SentenceScorer, summarize_articles  # noqa: E402
from newsqa.text import split_sentences  # noqa: E402
from newsqa.training.train_summarizer import (  # noqa: E402
    DEFAULT_CACHE,
    EmbeddingCache,
    article_of,
    budget_for,
    corpus_texts,
    held_out_rows,
)

BUDGETS = ("3", "40%")
_WORDS = re.compile(r"\w+(?:['’-]\w+)*")


class SplitterTokenizer:
    """A sumy tokenizer on newsqa's sentence splitter, so that sumy sees our sentences (and needs no NLTK data)."""

    language = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(span.text for span in split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(_WORDS.findall(sentence))


def sumy_methods() -> dict:
    """sumy's classic unsupervised summarizers with English stemming and stop words."""
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    methods = {}
    for name, cls in (("LexRank", LexRankSummarizer), ("TextRank", TextRankSummarizer), ("LSA", LsaSummarizer), ("Luhn", LuhnSummarizer)):
        summarizer = cls(Stemmer("english"))
        summarizer.stop_words = get_stop_words("english")
        methods[name] = summarizer
    return methods


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared/data/summarization/bbc_news_summary.jsonl"))
    parser.add_argument("--model", default=str(ROOT / "models/summarizer"))
    parser.add_argument("--cache", default=str(DEFAULT_CACHE), help="sentence-embedding cache folder")
    parser.add_argument("--limit", type=int, default=0, help="only the first N held-out articles (quick run)")
    args = parser.parse_args(argv)

    from rouge_score import rouge_scorer
    from sumy.parsers.plaintext import PlaintextParser

    from newsqa.models import get_embedder

    rows = held_out_rows(args.data)
    if args.limit:
        rows = rows[: args.limit]
    scorer = SentenceScorer.load(args.model)
    cache = EmbeddingCache(Path(args.cache))
    cache.ensure(corpus_texts(rows), get_embedder)
    tokenizer = SplitterTokenizer()
    methods = sumy_methods()
    rouge = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    names = ["newsqa", "Lead-3", *methods]
    totals = {(n, b): [0.0, 0.0, 0.0] for n in names for b in BUDGETS}
    seconds = dict.fromkeys(names, 0.0)

    for row in rows:
        sentences = [s.text for s in split_sentences(row["article"])]
        document = PlaintextParser.from_string(row["article"], tokenizer).document
        for budget in BUDGETS:
            k = budget_for(len(sentences), budget)
            picks = {}
            t = time.perf_counter()
            summary = summarize_articles([article_of(row)], scorer=scorer, embedder=cache, max_sentences=k)
            seconds["newsqa"] += time.perf_counter() - t
            picks["newsqa"] = summary.text
            picks["Lead-3"] = " ".join(sentences[:k])  # "lead-k" at the 40% budget
            for name, method in methods.items():
                t = time.perf_counter()
                picks[name] = " ".join(str(s) for s in method(document, k))
                seconds[name] += time.perf_counter() - t
            for name, text in picks.items():
                scores = rouge.score(row["summary"], text)
                for i, key in enumerate(("rouge1", "rouge2", "rougeL")):
                    totals[(name, budget)][i] += scores[key].fmeasure

    n = len(rows)
    print(f"BBC News Summary, held-out 20% ({n} articles), ROUGE F1 x 100 (rouge-score, stemming)\n")
    print("| method | R-1 @3 | R-2 @3 | R-L @3 | R-1 @40% | R-2 @40% | R-L @40% |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        cells = [f"{100 * v / n:.2f}" for b in BUDGETS for v in totals[(name, b)]]
        print(f"| {name} | " + " | ".join(cells) + " |")
    wins = all(
        totals[("newsqa", b)][i] > totals[(other, b)][i] for other in names[1:] for b in BUDGETS for i in (0, 1)
    )
    print(f"\nnewsqa beats Lead-3 and every sumy method on ROUGE-1 and ROUGE-2 at both budgets: {'yes' if wins else 'NO'}")
    print("(Lead-3 row at the 40% budget is lead-k: the first k sentences.)")
    print("seconds per article, both budgets (newsqa with cached vectors): " + ", ".join(f"{k} {v / n:.3f}" for k, v in seconds.items()))


if __name__ == "__main__":
    main()
