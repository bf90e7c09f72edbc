"""What `ask`'s who-said-what routing does on news: the NewsQA dev questions of the form "what did X
say" (newsqa/quotes/questions.py), asked through `NewsQA.ask` (routed to X's stored statements)
and through the answering stages alone (retrieval -> reader, as before the routing), official
SQuAD EM/F1 of the top answer, over the 162 stories as one corpus.

    python benchmarks/quote_routing.py [--work DIR]   # DIR: a corpus folder made by ask_open.py

`benchmarks/ask_open.py` measures the answering stages only, so this is the figure for the rest.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from _common import SHARED_DATA, load_average
from ask_open import corpus_db, load_corpus

from newsqa import NewsQA, answering, retriever
from newsqa.quotes.questions import speaker_question
from newsqa.training.metric import exact_match, f1_score, max_over_truths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--newsqa", type=Path, default=SHARED_DATA / "qa" / "dev" / "newsqa_dev.json")
    parser.add_argument("--work", type=Path, required=True, help="folder holding (or to hold) the corpus database")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    articles, questions = load_corpus("newsqa", args.newsqa, 0, 0)
    db, _ = corpus_db(args.work, "newsqa", articles)
    qa = NewsQA(db)
    asked = [q for q in questions if speaker_question(q["question"])]
    began, load = time.perf_counter(), load_average()
    sums = {"routed": [0.0, 0.0], "reader": [0.0, 0.0]}
    routed_count = 0
    for q in asked:
        top = qa.ask(q["question"], top_k=1)
        options = qa.ask_options()
        hits = retriever.find(qa.store, qa.embedder, q["question"], options.depth, fusion=qa.fusion)
        plain = answering.answer(qa.reader, q["question"], hits, options, answering.ArticleTexts(qa.store), 1)
        routed_count += bool(top) and top[0].speaker is not None and (not plain or top[0].text != plain[0].text)
        for name, found in (("routed", top), ("reader", plain)):
            text = found[0].text if found else ""
            sums[name][0] += max_over_truths(exact_match, text, q["answers"])
            sums[name][1] += max_over_truths(f1_score, text, q["answers"])
    n = max(len(asked), 1)
    print(f"{len(asked)} of {len(questions)} NewsQA dev questions are 'what did X say' questions; "
          f"{routed_count} got a different top answer from X's statements ({time.perf_counter() - began:.0f} s, load {load})")
    print("| path | EM | F1 |\n|---|---|---|")
    for name, label in (("reader", "answering stages (no routing)"), ("routed", "`ask` (routed to statements)")):
        print(f"| {label} | {100 * sums[name][0] / n:.2f} | {100 * sums[name][1] / n:.2f} |")


if __name__ == "__main__":
    main()
