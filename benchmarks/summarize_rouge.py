"""ROUGE of newsqa's summarizer against Lead-3, sumy's LexRank, TextRank, LSA and Luhn, and the
extractive oracle, on held-out CNN/Daily Mail stories and held-out BBC News Summary articles.

    python benchmarks/summarize_rouge.py [--data BBC.jsonl CNNDM.jsonl] [--limit N]

On the fixed held-out 20% of each data set (`is_held_out`, never trained or chosen on), every
method picks sentences from the same split (`newsqa.text.split_sentences`; sumy gets a tokenizer
built on it), at the same budget: 3 sentences, and for BBC also 40% of the article's sentences.
Scores are ROUGE-1/2/L F1 (`rouge-score`, Porter stemming) against the reference (BBC: the
extractive reference summary; CNN/DM: the human highlights), averaged over articles.

- Lead-3 is the first k sentences of the text as split; "Lead-3, cleaned" the first k of newsqa's
  candidates (page furniture such as a Daily Mail byline removed, the stronger baseline).
- The oracle is the greedy extractive oracle (`newsqa.training.summarizer.Oracle`): sentences added
  one by one while ROUGE-1 + ROUGE-2 F1 against the reference rises, at most k; an upper bound for
  any method that extracts k sentences.

Sentence vectors come from the model's own table (`sentence_vectors.safetensors`); a model folder
without one (a summarizer from before the table, e.g. `git show 42fb1fb:models/summarizer/...`) is
run on MiniLM vectors, as it was trained, so the two can be compared.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from _common import ROOT  # noqa: E402

from newsqa.summarizer import SentenceScorer, prepare_article, summarize_articles  # noqa: E402
from newsqa.summarizer.sentence_vectors import TABLE_FILE, SentenceVectors  # noqa: E402
from newsqa.training.summarizer import DEFAULT_DATA, Oracle, article_of, budget_for, dataset_of, held_out_rows  # noqa: E402
from newsqa.text import split_sentences  # noqa: E402

BUDGETS = {"cnndm": ("3",), "bbc": ("3", "40%")}
NAMES = {"cnndm": "CNN/Daily Mail sample", "bbc": "BBC News Summary"}
KEYS = ("rouge1", "rouge2", "rougeL")
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


def evaluate(rows: list[dict], budgets: tuple[str, ...], scorer: SentenceScorer, encoder) -> tuple[dict, dict]:
    """Mean ROUGE F1 per (method, budget) as [R-1, R-2, R-L], and seconds per method."""
    from rouge_score import rouge_scorer
    from sumy.parsers.plaintext import PlaintextParser

    tokenizer = SplitterTokenizer()
    methods = sumy_methods()
    oracle = Oracle()
    rouge = rouge_scorer.RougeScorer(list(KEYS), use_stemmer=True)
    names = ["newsqa", "Lead-3", "Lead-3, cleaned", *methods, "oracle"]
    totals = {(n, b): [0.0, 0.0, 0.0] for n in names for b in budgets}
    seconds = dict.fromkeys(names, 0.0)
    for row in rows:
        sentences = [s.text for s in split_sentences(row["article"])]
        candidates = [c.span.text for c in prepare_article(article_of(row)).candidates]
        document = PlaintextParser.from_string(row["article"], tokenizer).document
        for budget in budgets:
            k = budget_for(len(sentences), budget)
            picks = {}
            t = time.perf_counter()
            picks["newsqa"] = summarize_articles([article_of(row)], scorer=scorer, embedder=encoder, max_sentences=k).text
            seconds["newsqa"] += time.perf_counter() - t
            picks["Lead-3"] = " ".join(sentences[:k])  # "lead-k" at the 40% budget
            picks["Lead-3, cleaned"] = " ".join(candidates[:k])
            for name, method in methods.items():
                t = time.perf_counter()
                picks[name] = " ".join(str(s) for s in method(document, k))
                seconds[name] += time.perf_counter() - t
            picks["oracle"] = " ".join(sentences[i] for i in oracle.choose(sentences, row["summary"], k))
            for name, text in picks.items():
                scores = rouge.score(row["summary"], text)
                for i, key in enumerate(KEYS):
                    totals[(name, budget)][i] += scores[key].fmeasure
    n = max(len(rows), 1)
    return {key: [100 * v / n for v in values] for key, values in totals.items()}, {k: v / n for k, v in seconds.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", nargs="+", default=list(DEFAULT_DATA), help="BBC News Summary and/or CNN/DM JSONL files")
    parser.add_argument("--model", default=str(ROOT / "models/summarizer"))
    parser.add_argument("--limit", type=int, default=0, help="only the first N held-out articles of each set (quick run)")
    args = parser.parse_args(argv)

    from newsqa.model_cache import shared

    scorer = SentenceScorer.load(args.model)
    own_table = (Path(args.model) / TABLE_FILE).is_file()
    encoder = SentenceVectors.load(args.model) if own_table else shared().embedder()
    print(f"sentence vectors: {'the model table' if own_table else 'MiniLM (no table in the model folder)'}")
    by_dataset: dict[str, list[dict]] = {}
    for path in args.data:
        for row in held_out_rows(path):
            by_dataset.setdefault(dataset_of(row), []).append(row)
    verdicts = []
    for dataset in ("cnndm", "bbc"):
        rows = by_dataset.get(dataset, [])[: args.limit or None]
        if not rows:
            continue
        budgets = BUDGETS[dataset]
        table, seconds = evaluate(rows, budgets, scorer, encoder)
        print(f"\n{NAMES[dataset]}, held-out 20% ({len(rows)} articles), ROUGE F1 x 100 (rouge-score, stemming)\n")
        header = [f"{key} @{b}" for b in budgets for key in ("R-1", "R-2", "R-L")]
        print("| method | " + " | ".join(header) + " |")
        print("|---" * (len(header) + 1) + "|")
        names = list(dict.fromkeys(name for name, _ in table))
        for name in names:
            print(f"| {name} | " + " | ".join(f"{v:.2f}" for b in budgets for v in table[(name, b)]) + " |")
        others = [n for n in names if n not in ("newsqa", "oracle")]
        wins = all(table[("newsqa", b)][i] > table[(o, b)][i] for o in others for b in budgets for i in (0, 1))
        verdicts.append(f"{NAMES[dataset]}: newsqa beats every other method on ROUGE-1 and ROUGE-2 at every budget: {'yes' if wins else 'NO'}")
        lead = [table[("newsqa", "3")][i] - table[("Lead-3", "3")][i] for i in (0, 1)]
        verdicts.append(f"{NAMES[dataset]}: newsqa minus Lead-3 at 3 sentences: R-1 {lead[0]:+.2f}, R-2 {lead[1]:+.2f}")
        print("\nseconds per article, all budgets (newsqa: its sentence vectors included): " + ", ".join(f"{k} {v:.3f}" for k, v in seconds.items()))
    print()
    print("\n".join(verdicts))
    print("(At the 40% budget the Lead-3 rows are lead-k, the first k sentences.)")


if __name__ == "__main__":
    main()
