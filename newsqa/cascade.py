"""How deep `ask` reads: the best few passages first, further down only while no answer is sure.

Reading is nearly all of an `ask`'s time (each 120-word passage is one pass of the reader), and a
question whose first passages already hold a near-certain answer rarely gains from more. The
stages come from Settings: the top `read_first` passages, stopping when an answer scores
`confident_answer`; then down to `retrieve_candidates`, stopping likewise; then down to
`read_further`. Chosen on NewsQA dev (benchmarks/answer_ranking.py compare --stages, on the first
822 questions, checked on all 1,092): the defaults (2, then 8, then 14, going on below 0.999) read
8.2 passages a question where the two stages before (8, then 16 below 0.999) read 11.7, open F1
44.68 against 44.76 and the right story first 75.8% against 75.4% (docs/results.md). Stopping
sooner (2, 4, 12 below 0.99: 5.7 passages) cost 0.53-0.76 F1, more than the 0.5 allowed.
"""

from __future__ import annotations

from typing import Callable, Sequence, TypeVar

Item = TypeVar("Item")
Stage = tuple[int, float | None]  # (read down to this many passages, stop if an answer scores this; None: last)


def reading_stages(read_first: int, retrieve_candidates: int, read_further: int, confident: float) -> list[Stage]:
    """The stages these settings ask for, depths strictly increasing; the last reads without condition."""
    wanted: list[Stage] = [(read_first, confident), (retrieve_candidates, confident), (max(read_further, retrieve_candidates), None)]
    stages: list[Stage] = []
    for depth, bar in wanted:
        while stages and stages[-1][0] >= depth:  # a later stage as deep or deeper takes its place
            stages.pop()
        if depth > 0:
            stages.append((depth, bar))
    if stages:
        stages[-1] = (stages[-1][0], None)
    return stages


def read_in_stages(read: Callable[[int, int], list[Item]], stages: Sequence[Stage], score: Callable[[Item], float]) -> list[Item]:
    """Call `read(lo, hi)` for the passages of each stage in turn (ranks lo..hi-1), until a stage
    ends with an item whose `score` is at or above the stage's confident score; every item read."""
    items: list[Item] = []
    done = 0
    for depth, confident in stages:
        items += read(done, depth)
        done = depth
        if confident is None or any(score(item) >= confident for item in items):
            break
    return items
