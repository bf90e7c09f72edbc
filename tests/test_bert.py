"""newsqa.bert and the tokenizers path compute what transformers and sentence-transformers compute.

The embedder and the reader run MiniLM with newsqa.bert (plain torch) and `tokenizers`, so that a
cold start never imports transformers' modeling code; these tests hold them to the libraries they
replace at run time.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from newsqa.embedder import Embedder
from newsqa.reader import make_windows
from newsqa.reader_io import base_encoder_dir, load_inference_reader, load_reader
from newsqa.text import split_sentences

from .conftest import ROOT, SEED

READER = ROOT / "models" / "reader"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def test_reader_logits_match_transformers(seed_text: str) -> None:
    reference, hf_tokenizer, _ = load_reader(READER)
    model, tokenizer, meta = load_inference_reader(READER, torch.float32)
    windows = make_windows(tokenizer, ["What did Lavrov say?", "Who met Putin in Sochi?"], [seed_text, seed_text[:600]])
    width = max(map(len, windows.input_ids))
    ids = torch.tensor([w + [0] * (width - len(w)) for w in windows.input_ids])
    types = torch.tensor([t + [0] * (width - len(t)) for t in windows.token_type_ids])
    mask = (torch.arange(width)[None] < torch.tensor([len(w) for w in windows.input_ids])[:, None]).long()
    with torch.inference_mode():
        want, got = reference(input_ids=ids, token_type_ids=types, attention_mask=mask), model(input_ids=ids, token_type_ids=types, attention_mask=mask)
    real = mask.bool()
    assert len(windows.input_ids) > 2  # the long context was cut into several windows, padded in the batch
    assert torch.allclose(got.start_logits[real], want.start_logits[real], atol=1e-4)
    assert torch.allclose(got.end_logits[real], want.end_logits[real], atol=1e-4)


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


def test_embedder_matches_sentence_transformers(seed_text: str) -> None:
    from sentence_transformers import SentenceTransformer

    texts = [s.text for s in split_sentences(seed_text)] + ["  spaces around  ", "", "word " * 400, "Ünïcödé — “quotes” 📰"]
    reference = SentenceTransformer(str(base_encoder_dir()), device="cpu", local_files_only=True)
    want = reference.encode(texts, normalize_embeddings=True, batch_size=16)
    got = Embedder(bf16=False).encode(texts)
    assert got.shape == want.shape and got.dtype == np.float32
    assert float((got * want).sum(axis=1).min()) > 0.9999
