"""Run the commands shown in README.md and check (or write) the output printed under each one.

    .venv/bin/python scripts/readme_examples.py           # check: exit 1 with a diff where README.md differs
    .venv/bin/python scripts/readme_examples.py --write   # put the real output into README.md (`make readme`)

An example is a fenced block that follows a line `<!-- example: real output, checked by
scripts/readme_examples.py -->`; its first line is `$ newsqa ...` and the rest is that command's
output. The commands run the installed `newsqa` in a fresh, temporary NEWSQA_HOME holding the seed
article, i.e. what a new user sees after `newsqa ingest seeds/`. tests/test_readme.py runs the
check in CI, so the README's examples cannot drift from what the command prints. Scores printed
with two decimals may differ by one in the last digit: MiniLM and the reader run in bf16 on CPUs
that have it and in fp32 elsewhere (newsqa/precision.py), which moves a score's rounding.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MARKER = "<!-- example: real output, checked by scripts/readme_examples.py -->"
BLOCK = re.compile(re.escape(MARKER) + r"\n```\n(\$ newsqa [^\n]*)\n(.*?)```", re.DOTALL)
NEWSQA = Path(sys.executable).with_name("newsqa")
DECIMAL = re.compile(r"\d+\.\d+")
ROUNDING = 0.011  # one unit in the last of two decimals, with float slack


def same_up_to_rounding(expected: str, actual: str) -> bool:
    """The texts are equal but for decimal numbers that differ by at most one unit in the last place."""
    if DECIMAL.split(expected) != DECIMAL.split(actual):
        return False
    pairs = zip(DECIMAL.findall(expected), DECIMAL.findall(actual))
    return all(a == b or abs(float(a) - float(b)) <= ROUNDING for a, b in pairs)


def run(command: str, home: Path) -> str:
    """The stdout of one `$ newsqa ...` line, run in `home` as a user would type it."""
    env = {k: v for k, v in os.environ.items() if k not in ("NEWSQA_URL", "NEWSQA_DB")}
    env.update({"NEWSQA_HOME": str(home), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "COLUMNS": "100",
                "NEWSQA_DAEMON": "0"})  # no background worker left running in a deleted folder
    args = shlex.split(command.removeprefix("$ "))
    done = subprocess.run([str(NEWSQA), *args[1:]], cwd=home, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"`{command}` failed ({done.returncode}):\n{done.stderr}")
    return "\n".join(line.rstrip() for line in done.stdout.rstrip().splitlines()) + "\n"


def render(readme: str) -> str:
    """README text with every example's output replaced by what its command prints now."""
    with tempfile.TemporaryDirectory(prefix="newsqa-readme-") as tmp:
        home = Path(tmp)
        run(f"$ newsqa ingest {shlex.quote(str(ROOT / 'seeds'))}", home)
        return BLOCK.sub(lambda m: f"{MARKER}\n```\n{m.group(1)}\n{run(m.group(1), home)}```", readme)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite README.md instead of checking it")
    args = parser.parse_args()
    current = README.read_text(encoding="utf-8")
    if not BLOCK.search(current):
        raise SystemExit(f"no example blocks in {README} (each follows the line {MARKER!r})")
    fresh = render(current)
    if args.write:
        README.write_text(fresh, encoding="utf-8")
        return 0
    if not same_up_to_rounding(current, fresh):
        sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), fresh.splitlines(True), "README.md", "real output"))
        print("\nREADME.md examples differ from what the commands print; run `make readme` to update them.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
