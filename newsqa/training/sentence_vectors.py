"""Fit the summarizer's static token vectors (newsqa/summarizer/sentence_vectors.py) to MiniLM.

    python -m newsqa.training.sentence_vectors --out models/summarizer    # about 13 minutes on 2 cores from scratch (MiniLM over the corpus, cached under runs/, then 3.5 min of fitting)

1. Start: every WordPiece token's MiniLM vector (the mean output over "[CLS] token [SEP]", as
   Model2Vec distills), scaled by its SIF weight a / (a + p(token)), p counted on the corpus below;
   frequent tokens ("the", ",") then weigh little in a sentence's mean.
2. Fit: with the table as an `EmbeddingBag` (mean) followed by one shared linear map (identity at
   the start; folded into the table at the end), minimize 1 - cosine between each corpus sentence's
   mean token vector and MiniLM's vector of that sentence (Adam, batches of 256), as Tokenlearn
   does. The shared map moves every row at once, so the fit converges in far fewer epochs. A random 5% of the sentences is kept aside and its cosine printed per epoch.

Corpus: the summarizer's own fitting articles (BBC News Summary and the CNN/DM sample, never its
validation slice or its held-out 20%), PolNeAR's training articles (US political news) and 30,000
sentences of SQuAD v1.1 train paragraphs, for breadth. MiniLM's vectors of them are cached under
`runs/` (`--cache`), so a second fit costs only the fit.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from pathlib import Path

import numpy as np

from .summarizer import DEFAULT_DATA, corpus_texts, is_held_out, is_validation, load_rows

DEFAULT_CACHE = Path("runs/sentence-vectors-cache")
POLNEAR = Path("../shared/data/quotes/polnear_train.json")
SQUAD = Path("../shared/data/qa/train/squad_v1.1_train.json")
SIF_A = 1e-4


class EmbeddingCache:
    """MiniLM vectors of sentences, by text, stored under a cache folder in chunks (resumable)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.vectors: dict[str, np.ndarray] = {}
        for part in sorted(self.folder.glob("part-*.npy")):
            texts = json.loads(part.with_suffix(".json").read_text(encoding="utf-8"))
            for text, vector in zip(texts, np.load(part)):
                self.vectors[text] = vector

    def ensure(self, texts: list[str], get_embedder, chunk: int = 2048) -> None:
        """Embed the texts not cached yet (loading the embedder only then), saving every `chunk`."""
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if not missing:
            return
        embedder = get_embedder()
        self.folder.mkdir(parents=True, exist_ok=True)
        for i in range(0, len(missing), chunk):
            batch = missing[i : i + chunk]
            vectors = embedder.encode(batch)
            name = self.folder / f"part-{len(list(self.folder.glob('part-*.npy'))):05d}"
            name.with_suffix(".json").write_text(json.dumps(batch), encoding="utf-8")
            np.save(name.with_suffix(".npy"), vectors)
            self.vectors.update(zip(batch, vectors))
            print(f"embedded {min(i + chunk, len(missing))}/{len(missing)}", flush=True)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Cached vectors for texts (all must have been `ensure`d): an embedder stand-in."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts]).astype(np.float32)


def corpus(summaries: list[str], polnear: Path, squad: Path, squad_sentences: int) -> list[str]:
    """The sentences (and titles) the table is fitted on, in a fixed order."""
    from ..text import split_sentences

    rows = [r for path in summaries for r in load_rows(path) if not is_held_out(r["id"]) and not is_validation(r["id"])]
    texts = corpus_texts(rows)
    for article in json.loads(polnear.read_text(encoding="utf-8"))["articles"]:
        texts += [article["title"]] if article.get("title") else []
        texts += [s.text for s in split_sentences(article["text"])]
    paragraphs = [p["context"] for a in json.loads(squad.read_text(encoding="utf-8"))["data"] for p in a["paragraphs"]]
    random.Random(0).shuffle(paragraphs)
    taken: list[str] = []
    for paragraph in paragraphs:
        if len(taken) >= squad_sentences:
            break
        taken += [s.text for s in split_sentences(paragraph)]
    return list(dict.fromkeys(t for t in texts + taken if t.strip()))


def distilled_table(model_dir: Path, token_counts: Counter) -> np.ndarray:
    """Each token's MiniLM vector on its own, times its SIF weight."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir)).eval()
    size = tokenizer.vocab_size
    table = np.zeros((size, model.config.hidden_size), np.float32)
    with torch.inference_mode():
        for lo in range(0, size, 1024):
            ids = torch.tensor([[tokenizer.cls_token_id, i, tokenizer.sep_token_id] for i in range(lo, min(size, lo + 1024))])
            table[lo : lo + len(ids)] = model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state.mean(1).numpy()
    total = sum(token_counts.values())
    p = np.zeros(size)
    for token, n in token_counts.items():
        p[token] = n / total
    return table * (SIF_A / (SIF_A + p))[:, None].astype(np.float32)


def fit(table: np.ndarray, token_ids: list[list[int]], targets: np.ndarray, epochs: int, lr: float, seed: int) -> tuple[np.ndarray, float]:
    """The table after `epochs` passes of 1 - cosine(mean of token vectors, MiniLM vector)."""
    import torch

    torch.manual_seed(seed)
    bag = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(table), freeze=False, mode="mean")
    head = torch.nn.Linear(table.shape[1], table.shape[1], bias=False)  # a shared map, folded into the table at the end
    torch.nn.init.eye_(head.weight)
    order = [i for i, ids in enumerate(token_ids) if ids]
    random.Random(seed).shuffle(order)
    aside, train = order[: len(order) // 20], order[len(order) // 20 :]
    target = torch.tensor(targets)

    def batch(idx: list[int]):
        flat = torch.tensor([t for i in idx for t in token_ids[i]])
        offsets = torch.tensor(np.cumsum([0] + [len(token_ids[i]) for i in idx[:-1]]))
        return torch.nn.functional.normalize(head(bag(flat, offsets)), dim=-1), target[idx]

    def aside_cosine() -> float:
        with torch.no_grad():
            predicted, wanted = batch(aside)
            return float((predicted * wanted).sum(-1).mean())

    optimizer = torch.optim.Adam([*bag.parameters(), *head.parameters()], lr=lr)
    print(f"{len(train)} sentences fitted, {len(aside)} aside; cosine aside at the start {aside_cosine():.4f}", flush=True)
    for epoch in range(epochs):
        started = time.time()
        random.Random(seed + epoch).shuffle(train)
        for lo in range(0, len(train), 256):
            predicted, wanted = batch(train[lo : lo + 256])
            loss = 1 - (predicted * wanted).sum(-1).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch + 1}: cosine aside {aside_cosine():.4f} ({time.time() - started:.0f} s)", flush=True)
    with torch.no_grad():  # mean then a linear map = the linear map of every row, then the mean
        return head(bag.weight).numpy(), aside_cosine()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="models/summarizer", help="folder the table is written to")
    parser.add_argument("--data", nargs="+", default=list(DEFAULT_DATA), help="summarization JSONL files (fitting slice only is used)")
    parser.add_argument("--polnear", type=Path, default=POLNEAR)
    parser.add_argument("--squad", type=Path, default=SQUAD)
    parser.add_argument("--squad-sentences", type=int, default=30_000)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="MiniLM vectors of the corpus (outside the repo)")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)

    from safetensors.numpy import save_file
    from transformers import AutoTokenizer

    from ..model_cache import shared, use_threads
    from ..reader_io import base_encoder_dir
    from ..summarizer.sentence_vectors import MAX_TOKENS, TABLE_FILE, TABLE_KEY

    use_threads(args.threads)
    texts = corpus(args.data, args.polnear, args.squad, args.squad_sentences)
    cache = EmbeddingCache(args.cache)
    cache.ensure(texts, shared().embedder)
    tokenizer = AutoTokenizer.from_pretrained(str(base_encoder_dir()))
    token_ids = tokenizer(texts, add_special_tokens=False, truncation=True, max_length=MAX_TOKENS)["input_ids"]
    counts = Counter(t for ids in token_ids for t in ids)
    table = distilled_table(base_encoder_dir(), counts)
    fitted, cosine = fit(table, token_ids, cache.encode(texts), args.epochs, args.lr, args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    meta = {"format": "newsqa-sentence-vectors/1", "base": "sentence-transformers/all-MiniLM-L6-v2", "sentences": len(texts),
            "epochs": args.epochs, "lr": args.lr, "sif_a": SIF_A, "cosine_aside": round(cosine, 4), "dtype": "float16"}
    save_file({TABLE_KEY: fitted.astype(np.float16)}, str(out / TABLE_FILE), metadata={k: str(v) for k, v in meta.items()})
    print(f"wrote {out / TABLE_FILE}: {fitted.shape[0]} tokens x {fitted.shape[1]}, cosine aside {cosine:.4f}")


if __name__ == "__main__":
    main()
