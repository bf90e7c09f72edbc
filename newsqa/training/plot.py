"""Plot a training run's history (loss and held-out F1 per checkpoint) to a small PNG.

    python -m newsqa.training.plot runs/reader/history.jsonl models/reader/training.png
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def plot_history(history_file: Path, out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [json.loads(line) for line in history_file.read_text().splitlines() if line.strip()]
    steps = [r["step"] for r in rows]
    fig, loss_ax = plt.subplots(figsize=(6, 3.2), dpi=100)
    loss_ax.plot(steps, [r["loss"] for r in rows], "o-", color="tab:blue", label="training loss")
    loss_ax.set_xlabel("step (batch of 16 windows)")
    loss_ax.set_ylabel("mean training loss", color="tab:blue")
    f1_ax = loss_ax.twinx()
    f1_ax.plot(steps, [r["heldout_f1"] for r in rows], "s-", color="tab:red", label="held-out F1")
    f1_ax.set_ylabel("held-out F1", color="tab:red")
    loss_ax.set_title("newsqa reader training")
    fig.tight_layout()
    fig.savefig(out)
    return out


if __name__ == "__main__":
    print(plot_history(Path(sys.argv[1]), Path(sys.argv[2])))
