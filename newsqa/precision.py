"""Which number format the models run in on this CPU.

bfloat16 is about 3x faster than fp32 for MiniLM on CPUs that multiply it in hardware
(AVX512-BF16 or AMX) and loses next to nothing; elsewhere it is emulated and slow, so fp32 stays.
Having the instructions is not enough: a Sapphire Rapids virtual machine that reports
AVX512-BF16 but not AMX multiplies a reader-sized layer at 86 GFLOPS in bf16 against 138 in fp32
(1 thread), and `ask` ran 1.5x slower in bf16 there (docs/results.md, "Round 7"). So bf16 is
taken only where the CPU has the instructions *and* a timed layer says it is faster.
Dynamic int8 quantization is also available for the reader, but costs it several F1 points
(see models/reader/MODEL_CARD.md). "onnx" runs the reader in fp32 in ONNX Runtime (an optional
extra, newsqa/onnx_reader.py): the same answers as fp32, in less time; "auto" takes it where bf16
does not pay and onnxruntime is installed.
"""

from __future__ import annotations

import functools
import time

PRECISIONS = ("auto", "fp32", "bf16", "int8", "onnx")
BF16_FASTER = 0.85  # bf16 must take at most this share of fp32's time: it also rounds more


def native_bf16() -> bool:
    """True where bfloat16 is faster than fp32 on this CPU: it has the instructions (AVX512-BF16 or
    AMX) and a reader-sized linear layer, timed once per process, runs faster in bf16."""
    return bf16_instructions() and bf16_measured_faster()


def bf16_instructions() -> bool:
    """True where the CPU has bfloat16 multiply instructions (AVX512-BF16 or AMX)."""
    import torch

    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def prefer_bf16(fp32_seconds: float, bf16_seconds: float) -> bool:
    """The decision on two timings of the same work: bf16 only if clearly faster."""
    return bf16_seconds <= BF16_FASTER * fp32_seconds


def bf16_measured_faster() -> bool:
    """True where the timed layer (`layer_timings`) runs clearly faster in bf16."""
    return prefer_bf16(*layer_timings())


@functools.lru_cache(maxsize=1)
def layer_timings(rows: int = 512, repeats: int = 5) -> tuple[float, float]:
    """Seconds for one feed-forward layer of the reader's shape (`rows` tokens, 384 -> 1536) in
    fp32 and in bf16, alternating, the best of `repeats` each (the best is what load disturbs
    least), with the process's torch threads; about 60-90 ms, once per process."""
    import torch

    x = torch.randn(rows, 384)
    weight, bias = torch.randn(1536, 384) / 20, torch.randn(1536)
    formats = {torch.float32: (x, weight, bias), torch.bfloat16: (x.bfloat16(), weight.bfloat16(), bias.bfloat16())}
    best = {dtype: float("inf") for dtype in formats}
    with torch.inference_mode():
        for round_ in range(repeats + 1):
            for dtype, args in formats.items():
                began = time.perf_counter()
                torch.nn.functional.linear(*args)
                if round_:  # the first round warms the kernels up
                    best[dtype] = min(best[dtype], time.perf_counter() - began)
    return best[torch.float32], best[torch.bfloat16]


def resolve(precision: str) -> str:
    """"auto" becomes bf16 where the CPU runs it faster (`native_bf16`), else onnx where onnxruntime is installed, else
    fp32; anything else must be a known name."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}")
    if precision == "auto":
        from .onnx_reader import available

        return "bf16" if native_bf16() else "onnx" if available() else "fp32"
    return precision
