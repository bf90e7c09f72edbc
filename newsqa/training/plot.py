"""Plot training history (loss and held-out F1 per checkpoint) to a small PNG; several runs that
continue one another (`--init-from`) are drawn end to end, with a line where each one starts.

    python -m newsqa.training.plot runs/reader/history.jsonl [runs/reader-2/history.jsonl ...] models/reader/training.png
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def plot_history(history_files: list[Path], out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps, losses, f1_steps, f1s, starts, offset = [], [], [], [], [], 0
    for history_file in history_files:
        rows = [json.loads(line) for line in history_file.read_text().splitlines() if line.strip()]
        if offset:
            starts.append(offset)
        steps += [offset + r["step"] for r in rows]
        losses += [r["loss"] for r in rows]
        f1_steps += [offset + r["step"] for r in rows if "heldout_f1" in r]  # not every checkpoint is evaluated
        f1s += [r["heldout_f1"] for r in rows if "heldout_f1" in r]
        offset += rows[-1]["step"] if rows else 0
    fig, loss_ax = plt.subplots(figsize=(6, 3.2), dpi=100)
    loss_ax.plot(steps, losses, "o-", color="tab:blue", label="training loss")
    loss_ax.set_xlabel("step (batch of 16 windows)")
    loss_ax.set_ylabel("mean training loss", color="tab:blue")
    for start in starts:
        loss_ax.axvline(start, color="grey", linestyle=":", linewidth=1)
    f1_ax = loss_ax.twinx()
    f1_ax.plot(f1_steps, f1s, "s-", color="tab:red", label="held-out F1")
    f1_ax.set_ylabel("held-out F1", color="tab:red")
    loss_ax.set_title("newsqa reader training (dotted: next epoch's run starts)" if starts else "newsqa reader training")
    fig.tight_layout()
    fig.savefig(out)
    return out


if __name__ == "__main__":
    print(plot_history([Path(p) for p in sys.argv[1:-1]], Path(sys.argv[-1])))
