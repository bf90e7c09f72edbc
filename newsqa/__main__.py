"""`python -m newsqa ...`: the `newsqa` command (how the CLI starts its background worker)."""

from .cli import main

main()
