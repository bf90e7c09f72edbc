"""What every benchmark shares: where the repository and the data are, percentiles, the load.

Benchmarks run as `python benchmarks/NAME.py` from the repository root with newsqa installed
(`make setup`); this folder is then first on sys.path, so `from _common import ...` works as is.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"  # ../shared/data beside the checkout
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank `pct`-th percentile (0-100) of `values`; 0.0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def load_average() -> str:
    """The 1, 5 and 15-minute load averages, for the report (the machine is shared)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
