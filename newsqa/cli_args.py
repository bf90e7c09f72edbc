"""The command line before typer sees it: checks and rewrites that make `newsqa` forgiving.

- An argument that is not valid UTF-8 (Python keeps its bytes as surrogate escapes) is refused with
  one `error:` line, instead of a UnicodeEncodeError wherever it is first printed or stored, unless
  it names an existing file (ingest stores such a name with U+FFFD for the bytes it cannot read).
- The global options (`--no-daemon`, `--server URL`, `--threads N`) may come after the command too
  (`newsqa ask "..." --no-daemon`): they are moved in front of it, where typer expects them.
- `newsqa ingest -` reads the articles from standard input (`stdin_file`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .errors import InvalidInput

# Global options of `newsqa` (cli.options) and whether each takes a value.
GLOBAL_OPTIONS = {"--daemon": False, "--no-daemon": False, "--server": True, "--threads": True}


def check_encoding(argv: list[str]) -> None:
    """InvalidInput naming the first argument that is not valid UTF-8 and not an existing file's
    name (a file name in another encoding is the operating system's own: ingest reads it)."""
    for n, arg in enumerate(argv, 1):
        try:
            if os.path.lexists(arg):
                continue
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise InvalidInput(f"argument {n} is not valid UTF-8: '{shown}' (set a UTF-8 locale, or rename the file)") from None


def hoist_global_options(argv: list[str]) -> list[str]:
    """`argv` (without the program name) with global options found after the command moved before it.

    Only options spelled exactly as above are moved, and nothing after a `--`."""
    command = next((i for i, a in enumerate(argv) if not a.startswith("-")), None)
    if command is None:
        return argv
    head, rest, moved = argv[:command], [], []
    tail = argv[command:]
    i = 0
    while i < len(tail):
        arg = tail[i]
        if arg == "--":
            rest.extend(tail[i:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS and i > 0:
            takes_value = GLOBAL_OPTIONS[name] and "=" not in arg
            moved.extend(tail[i : i + 1 + takes_value])
            i += 1 + takes_value
            continue
        rest.append(arg)
        i += 1
    return head + moved + rest


def stdin_file(folder: str) -> Path:
    """Standard input saved into `folder` as one file ingest can read: JSON Lines when its first
    character is `{`, else one plain-text article. Streamed to disk: a long feed is not held in memory."""
    data = sys.stdin.buffer
    head = data.read(65536)
    suffix = ".jsonl" if head.lstrip()[:1] == b"{" else ".txt"
    path = Path(folder) / f"stdin{suffix}"
    with path.open("wb") as out:
        while head:
            out.write(head)
            head = data.read(1 << 20)
    return path
