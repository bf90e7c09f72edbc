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
