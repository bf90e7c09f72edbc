"""Int8-aware training (newsqa/training/int8_aware.py): in training mode the chosen layers round as
onnx-int8 does, and only there; gradients pass the rounding; the distillation loss is a divergence."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from newsqa.reader import Reader, make_windows
from newsqa.reader_io import load_reader
from newsqa.config import shipped_models_dir
from newsqa.training.int8_aware import (Int8AwareLinear, distillation_loss, make_int8_aware, round_like_dynamic_uint8,
                                        round_like_int8_channels)

from .seed_questions import ANSWERABLE


def test_weights_round_to_at_most_255_levels_a_row_and_keep_their_largest_value():
    weight = torch.randn(8, 64) * torch.logspace(-2, 1, 8)[:, None]  # rows of very different ranges
    rounded = round_like_int8_channels(weight)
    for row, original in zip(rounded, weight):
        scale = original.abs().max() / 127
        levels = torch.round(row / scale)
        assert torch.allclose(levels * scale, row, atol=1e-6)
        assert levels.abs().max() == 127
        assert (row - original).abs().max() <= scale / 2 + 1e-6  # a row's own scale, not the tensor's


def test_activations_round_to_256_levels_holding_zero_exactly():
    x = torch.cat([torch.linspace(-0.3, 5.0, 1000), torch.zeros(5)])
    rounded = round_like_dynamic_uint8(x)
    assert len(torch.unique(rounded)) <= 256
    assert (rounded[-5:] == 0).all()  # zero (padding, ReLU-like outputs) is kept exact, as DynamicQuantizeLinear does
    assert (rounded - x).abs().max() <= (5.3 / 255) / 2 + 1e-6


def test_gradients_pass_the_rounding_unchanged():
    weight = torch.randn(4, 16, requires_grad=True)
    x = torch.randn(3, 16, requires_grad=True)
    torch.nn.functional.linear(round_like_dynamic_uint8(x), round_like_int8_channels(weight)).sum().backward()
    assert weight.grad is not None and x.grad is not None
    assert torch.allclose(weight.grad, round_like_dynamic_uint8(x).detach().sum(0).expand(4, 16), atol=1e-5)


@pytest.fixture(scope="module")
def reader_model():
    return load_reader(shipped_models_dir() / "reader")


def test_the_thirty_onnx_int8_products_are_turned_and_nothing_else(reader_model):
    model = load_reader(shipped_models_dir() / "reader")[0]
    names = make_int8_aware(model)
    assert len(names) == 30  # 6 layers x (query, key, value, attention output, FFN input)
    assert not any(n.endswith(("output.dense", "qa_outputs")) and "attention" not in n for n in names)
    assert sum(isinstance(m, Int8AwareLinear) for m in model.modules()) == 30
    assert set(model.state_dict()) == set(reader_model[0].state_dict())  # the weights keep their names


def test_an_int8_aware_model_in_eval_mode_answers_exactly_as_before(reader_model, seed_text):
    plain, tokenizer, meta = reader_model
    aware = load_reader(shipped_models_dir() / "reader")[0]
    make_int8_aware(aware)
    aware.eval()
    pairs = [(q, seed_text) for q, _ in ANSWERABLE[:3]]
    mine = Reader(model=aware, tokenizer=tokenizer, meta=meta).answer_batch(pairs)
    theirs = Reader(model=plain, tokenizer=tokenizer, meta=meta).answer_batch(pairs)
    assert [(a[0].start, a[0].end, a[0].score) for a in mine] == [(a[0].start, a[0].end, a[0].score) for a in theirs]


def without_dropout(model: torch.nn.Module) -> torch.nn.Module:
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    return model


def test_in_training_mode_it_computes_what_onnx_int8_computes(reader_model, seed_text):
    """The simulation is only worth training through if it is close to the real int8 graph: its
    divergence from fp32 is about int8's own, and it is far closer to int8's logits than fp32 is."""
    if not os.environ.get("CI"):
        pytest.importorskip("onnxruntime")
    from newsqa.onnx_reader import OnnxLogits

    plain, tokenizer, meta = reader_model
    fast = Reader(model=plain, tokenizer=tokenizer, meta=meta)
    paragraphs = [p for p in seed_text.split("\n\n") if len(p.split()) > 20][:8]
    windows = make_windows(fast.windows, [q for q, _ in ANSWERABLE[:8]], paragraphs, fast.max_length, fast.stride)
    width = max(len(ids) for ids in windows.input_ids)
    ids = torch.zeros((len(paragraphs), width), dtype=torch.long)
    types, attention = torch.zeros_like(ids), torch.zeros_like(ids)
    for row, (i, t) in enumerate(zip(windows.input_ids, windows.token_type_ids)):
        ids[row, : len(i)], types[row, : len(t)], attention[row, : len(i)] = torch.tensor(i), torch.tensor(t), 1
    with torch.no_grad():
        fp32 = plain(input_ids=ids, token_type_ids=types, attention_mask=attention)
        int8 = [torch.as_tensor(x) for x in OnnxLogits(plain, 1, int8=True)(ids.numpy(), types.numpy(), attention.numpy())]
        aware = without_dropout(load_reader(shipped_models_dir() / "reader")[0])
        make_int8_aware(aware)
        simulated = aware.train()(input_ids=ids, token_type_ids=types, attention_mask=attention)

    def divergence(start: torch.Tensor, end: torch.Tensor, teacher_start: torch.Tensor, teacher_end: torch.Tensor) -> float:
        return float(distillation_loss(start, teacher_start, attention) + distillation_loss(end, teacher_end, attention)) / 2

    int8_vs_fp32 = divergence(*int8, fp32.start_logits, fp32.end_logits)
    simulated_vs_fp32 = divergence(simulated.start_logits, simulated.end_logits, fp32.start_logits, fp32.end_logits)
    simulated_vs_int8 = divergence(simulated.start_logits, simulated.end_logits, *int8)
    assert int8_vs_fp32 > 1e-4  # int8 does change the scores
    assert 0.5 * int8_vs_fp32 < simulated_vs_fp32 < 2 * int8_vs_fp32
    assert simulated_vs_int8 < 0.5 * int8_vs_fp32


def test_the_distillation_loss_is_zero_only_for_the_teachers_own_scores():
    attention = torch.tensor([[1, 1, 1, 1, 0, 0]])
    teacher = torch.tensor([[2.0, 0.5, -1.0, 3.0, 9.0, 9.0]])
    assert float(distillation_loss(teacher, teacher, attention)) == pytest.approx(0.0, abs=1e-6)
    assert float(distillation_loss(teacher + 5.0, teacher, attention)) == pytest.approx(0.0, abs=1e-6)  # a shift is the same distribution
    moved = teacher.clone()
    moved[0, 4:] = -50.0  # padding is not part of the distribution
    assert float(distillation_loss(moved, teacher, attention)) == pytest.approx(0.0, abs=1e-6)
    assert float(distillation_loss(teacher.flip(-1), teacher, attention)) > 0.1
    assert np.isfinite(float(distillation_loss(torch.zeros(1, 6), teacher, attention)))
