"""README.md's example outputs are what the commands print today (scripts/readme_examples.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT


@pytest.mark.slow
def test_readme_examples_match_real_output() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "readme_examples.py")], capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout + done.stderr


def test_scores_may_differ_in_their_last_decimal_only() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("readme_examples", ROOT / "scripts" / "readme_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    same = module.same_up_to_rounding
    assert same("1. Lavrov    (score 0.20)\n", "1. Lavrov    (score 0.21)\n")  # bf16 against fp32 rounding
    assert not same("1. Lavrov    (score 0.20)\n", "1. Lavrov    (score 0.23)\n")
    assert not same("1. Lavrov    (score 0.20)\n", "1. Putin    (score 0.20)\n")
    assert not same("(score 0.20)\n", "(score 0.20) (score 0.20)\n")
