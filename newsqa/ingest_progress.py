"""What a long `ingest` shows while it works: a total and an ETA, the model load, and progress
inside one very long article (issue #22, item 12).

- `count_records` counts the articles ahead (a line of a `.jsonl` file is one, any other file
  one), reading `.jsonl` files as raw bytes (about a second for 200 MB), so the bar has a total and
  tqdm an ETA. A `.json` file holding an array counts as one; the total grows when the count was short.
- `ProgressEncoder` wraps the embedder: embedding a batch of more than LONG_SENTENCES sentences
  (one long article is thousands) shows a second bar over its sentences.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np

LONG_SENTENCES = 256  # fewer take a few seconds at most: no inner bar
CHUNK = 256  # sentences embedded between two updates of the inner bar
_READ = 1 << 20


def count_records(files: Sequence[Path]) -> int:
    """How many articles `files` hold, as far as can be told without parsing them."""
    total = 0
    for path in files:
        if path.suffix.lower() != ".jsonl":
            total += 1
            continue
        try:
            with open(path, "rb") as f:
                lines, last = 0, b"\n"
                while chunk := f.read(_READ):
                    lines += chunk.count(b"\n")
                    last = chunk[-1:]
                total += lines + (last != b"\n")
        except OSError:
            total += 1  # reported as bad when it is read
    return total


class ProgressEncoder:
    """An Encoder that shows a bar over the sentences of a long batch, in place of the ingest bar
    while it runs (no cursor movement, so logs stay plain); otherwise the wrapped encoder as is."""

    def __init__(self, encoder: Any) -> None:
        self.encoder = encoder

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) <= LONG_SENTENCES:
            return self.encoder.encode(texts)
        from tqdm import tqdm

        parts = []
        with tqdm(total=len(texts), desc="embedding", unit=" sentences", position=0, leave=False) as bar:
            for lo in range(0, len(texts), CHUNK):
                parts.append(self.encoder.encode(texts[lo : lo + CHUNK]))
                bar.update(len(parts[-1]))
        return np.concatenate(parts)
