"""How deep `ask` reads: the best few passages first, further down only while no answer is sure.

Reading is nearly all of an `ask`'s time (each 120-word passage is one pass of the reader), and a
question whose first passages already hold a near-certain answer rarely gains from more. The
stages come from Settings: the top `read_first` passages, stopping when an answer scores
`confident_first`; then down to `retrieve_candidates`, stopping when one scores
`confident_answer` or when none scores even `give_up_below` (the corpus most likely does not
answer the question); then down to `read_further`.

Chosen on NewsQA dev's first 822 questions, checked on all 1,092 (benchmarks/answer_ranking.py
dump/compare --stages, docs/results.md "Fewer passages for most questions"): with retrieval fused
at RRF k=10, a first bar of 0.98 (then 8 at 0.999, then 14) reads 6.1 passages a question and
stops after the first 2 for 62% of questions, where 0.999 throughout reads 8.0 and stops there for
44%. Replayed, that costs 0.33 F1 on the 822 (45.51 against 45.84; the same 45.51 for any first
bar from 0.98 to 0.99, 45.02 at 0.97) and 0.13 on all 1,092; end to end, with k=10, all 1,092
questions score 44.81 against 44.64 for the previous defaults (0.999 throughout, k=60).
The second bar was then lowered to 0.995 (docs/results.md, "Round 6"): replayed, 45.76 against
45.52 on the 822 and 5.90 passages a question against 6.08; end to end on all 1,092 (bf16), open
F1 44.88 against 44.65, the right story first 76.0% against 75.9%.
Round 8 (docs/results.md) made the second stage 6 passages and added a way out for questions the
corpus does not answer: after the second stage, a question none of whose answers read so far
scores `give_up_below` (0.1) stops there instead of reading down to 14.
"""

from __future__ import annotations

from typing import Callable, Sequence, TypeVar

Item = TypeVar("Item")
Stage = tuple[int, float | None]  # (read down to this many passages, stop if an answer scores this; None: last)


def reading_stages(read_first: int, retrieve_candidates: int, read_further: int, confident: float,
                   confident_first: float | None = None) -> list[Stage]:
    """The stages these settings ask for, depths strictly increasing; the last reads without condition.
    The first stage stops at `confident_first` (default: `confident`), the second at `confident`."""
    first_bar = confident if confident_first is None else confident_first
    wanted: list[Stage] = [(read_first, first_bar), (retrieve_candidates, confident), (max(read_further, retrieve_candidates), None)]
    stages: list[Stage] = []
    for depth, bar in wanted:
        while stages and stages[-1][0] >= depth:  # a later stage as deep or deeper takes its place
            stages.pop()
        if depth > 0:
            stages.append((depth, bar))
    if stages:
        stages[-1] = (stages[-1][0], None)
    return stages


def read_in_stages(read: Callable[[int, int], list[Item]], stages: Sequence[Stage], score: Callable[[Item], float],
                   give_up: tuple[int, float] | None = None) -> list[Item]:
    """Call `read(lo, hi)` for the passages of each stage in turn (ranks lo..hi-1), until a stage
    ends with an item whose `score` is at or above the stage's confident score; every item read.
    With `give_up` = (depth, bar), reading also stops after the stage ending at `depth` when no
    item read so far scores `bar` or more: the passages the retriever ranks best hold nothing like
    an answer, and those further down rarely do (`Settings.give_up_below`)."""
    items: list[Item] = []
    done = 0
    for depth, confident in stages:
        items += read(done, depth)
        done = depth
        if confident is None or any(score(item) >= confident for item in items):
            break
        if give_up is not None and depth == give_up[0] and not any(score(item) >= give_up[1] for item in items):
            break
    return items
