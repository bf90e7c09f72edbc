"""Who said what on PolNeAR dev (84 political news articles, 2,192 gold attributions).

    python benchmarks/quotes.py [--data ../shared/data/quotes/polnear_dev.json] [--model models/quotes] [--threads 1] [--limit N]

Methods, each over the same articles in the same run: `regex` (every passage in quotation marks,
no source: the floor), `tagger` (the shipped tagger alone), `shipped, every sentence read` (the
tagger reading every sentence, not only those with a quotation mark or a cue word: what the
sentence selection costs) and `shipped` (what ingest runs: tagger + quoted passages next to a cue
+ grouping). Measures, micro-averaged over articles:
- content char F1: characters inside predicted statements vs inside gold contents;
- found: gold attributions with >= 50% of their content characters inside one predicted statement;
- direct found: the same, over gold contents that open with a quotation mark;
- source right: of found attributions with a gold source, those whose predicted source overlaps it;
- articles/s: extraction only (median of 3 passes' totals).
Dev is for measuring and choosing only; nothing here trains.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from _common import ROOT, load_average  # noqa: E402
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from newsqa.quotes import extract_quotes  # noqa: E402
from newsqa.quotes.extract import OPEN, QUOTED, group  # noqa: E402
from newsqa.quotes.tagger import Tagger  # noqa: E402
from newsqa.types import Quote, Span  # noqa: E402


def regex_quotes(text: str) -> list[Quote]:
    return [Quote([Span(m.start(), m.end(), m.group())], direct=True) for m in QUOTED.finditer(text)]


def chars(spans) -> set[int]:
    return {i for s in spans for i in range(s["start"] if isinstance(s, dict) else s.start, s["end"] if isinstance(s, dict) else s.end)}


def score(articles: list[dict], predicted: list[list[Quote]]) -> dict[str, float]:
    tp = n_pred = n_gold = 0
    found = total = direct_found = direct_total = src_right = src_total = 0
    for article, quotes in zip(articles, predicted):
        gold_chars = chars(p for a in article["attributions"] for p in a["content"])
        pred_sets = [chars(q.content) for q in quotes]
        pred_chars = set().union(*pred_sets) if pred_sets else set()
        tp += len(gold_chars & pred_chars)
        n_pred += len(pred_chars)
        n_gold += len(gold_chars)
        for a in article["attributions"]:
            g = chars(a["content"])
            if not g:
                continue
            direct = a["content"][0]["text"].lstrip()[:1] in OPEN
            total += 1
            direct_total += direct
            best = max(range(len(quotes)), key=lambda i: len(g & pred_sets[i]), default=None)
            if best is None or len(g & pred_sets[best]) < 0.5 * len(g):
                continue
            found += 1
            direct_found += direct
            if a["source"]:
                src_total += 1
                src = quotes[best].source
                src_right += bool(src and chars(a["source"]) & chars([src]))
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"content_f1": 2 * p * r / (p + r) if p + r else 0.0, "precision": p, "recall": r,
            "found": found / total, "direct_found": direct_found / direct_total,
            "source_right": src_right / src_total if src_total else 0.0, "gold": total, "direct_gold": direct_total}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared/data/quotes/polnear_dev.json"))
    ap.add_argument("--model", default=str(ROOT / "models/quotes"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--precision", default="int8", choices=["int8", "bf16", "fp32"])
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    articles = json.loads(Path(args.data).read_text())["articles"]
    articles = articles[: args.limit] if args.limit else articles
    tagger = Tagger(args.model, precision=args.precision)
    tagger.tag("Warm up, he said.")
    reads_all = Tagger(args.model, precision=args.precision, select=False)
    methods = {
        "regex": regex_quotes,
        "tagger": lambda text: group(text, tagger.tag(text)),
        "shipped, every sentence read": lambda text: extract_quotes(text, reads_all),
        "shipped": lambda text: extract_quotes(text, tagger),
    }
    print(f"{len(articles)} articles, model {args.model}, torch threads {torch.get_num_threads()}, "
          f"tagger in {tagger.precision}; load avg at start {load_average()}")
    print("| method | content char F1 (P / R) | found | direct found | source right | articles/s |")
    print("|---|---|---|---|---|---|")
    for name, run in methods.items():
        totals = []
        for _ in range(args.passes if name != "regex" else 1):
            began = time.perf_counter()
            predicted = [run(a["text"]) for a in articles]
            totals.append(time.perf_counter() - began)
        m = score(articles, predicted)
        print(f"| {name} | {m['content_f1']:.3f} ({m['precision']:.3f} / {m['recall']:.3f}) | {m['found']:.3f} | "
              f"{m['direct_found']:.3f} | {m['source_right']:.3f} | {len(articles) / statistics.median(totals):.1f} |", flush=True)
    print(f"gold: {m['gold']} attributions, {m['direct_gold']} direct; load avg at end {load_average()}")


if __name__ == "__main__":
    main()
