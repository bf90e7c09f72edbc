"""`precision="auto"`: bf16 only where the CPU has the instructions and a timed layer runs faster in it."""

from __future__ import annotations

from newsqa import onnx_reader, precision


def test_bf16_is_preferred_only_when_clearly_faster():
    assert precision.prefer_bf16(fp32_seconds=1.0, bf16_seconds=0.5)
    assert precision.prefer_bf16(1.0, precision.BF16_FASTER)
    assert not precision.prefer_bf16(1.0, 0.95)  # a few percent is not worth bf16's rounding
    assert not precision.prefer_bf16(1.0, 1.6)  # the instructions present, the kernels slower


def test_a_cpu_with_the_instructions_but_slow_bf16_runs_fp32_or_onnx(monkeypatch):
    monkeypatch.setattr(precision, "bf16_instructions", lambda: True)
    monkeypatch.setattr(precision, "layer_timings", lambda: (0.004, 0.007))  # measured on such a CPU: bf16 1.6x slower
    monkeypatch.setattr(onnx_reader, "available", lambda: True)
    assert not precision.native_bf16()
    assert precision.resolve("auto") == "onnx"
    monkeypatch.setattr(onnx_reader, "available", lambda: False)
    assert precision.resolve("auto") == "fp32"
    monkeypatch.setattr(precision, "layer_timings", lambda: (0.004, 0.0015))
    assert precision.resolve("auto") == "bf16"


def test_without_the_instructions_nothing_is_timed(monkeypatch):
    def never() -> tuple[float, float]:
        raise AssertionError("timed a format the CPU cannot run natively")

    monkeypatch.setattr(precision, "bf16_instructions", lambda: False)
    monkeypatch.setattr(precision, "layer_timings", never)
    assert not precision.native_bf16()


def test_the_layer_is_timed_once_per_process():
    first = precision.layer_timings()
    assert all(seconds > 0 for seconds in first)
    assert precision.layer_timings() is first
    assert precision.native_bf16() == (precision.bf16_instructions() and precision.prefer_bf16(*first))
