"""The reader drives the `tokenizers` tokenizer behind transformers' fast tokenizer directly (it
is faster to load and to call); its windows must be exactly those transformers' own call makes."""

from __future__ import annotations

import pytest
import torch

from newsqa.reader import make_windows
from newsqa.reader_io import load_inference_reader, load_reader

from .conftest import ROOT, SEED

READER = ROOT / "models" / "reader"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def test_windows_match_transformers_tokenizer(seed_text: str) -> None:
    _, hf_tokenizer, _ = load_reader(READER)
    _, tokenizer, _ = load_inference_reader(READER, torch.float32)
    questions = ["What did Lavrov say?", "word " * 100]  # the second is clipped to 64 tokens
    ours = make_windows(tokenizer, questions, [seed_text, seed_text[:900]], 256, 96)
    theirs = make_windows(hf_tokenizer, questions, [seed_text, seed_text[:900]], 256, 96)
    assert ours.input_ids == theirs.input_ids and ours.offsets == theirs.offsets and ours.pair_index == theirs.pair_index
    enc = hf_tokenizer([questions[0]], [seed_text], truncation="only_second", max_length=256, stride=96,
                       return_overflowing_tokens=True, return_offsets_mapping=True)
    assert ours.input_ids[: len(enc["input_ids"])] == enc["input_ids"]  # transformers' own call, too
    assert [list(map(tuple, o)) for o in enc["offset_mapping"]] == [list(map(tuple, o)) for o in ours.offsets[: len(enc["input_ids"])]]
