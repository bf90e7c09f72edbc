"""Which number format the models run in on this CPU.

bfloat16 is about 3x faster than fp32 for MiniLM on CPUs that multiply it in hardware
(AVX512-BF16 or AMX) and loses next to nothing; elsewhere it is emulated and slow, so fp32 stays.
Dynamic int8 quantization is also available for the reader, but costs it several F1 points
(see models/reader/MODEL_CARD.md). "onnx" runs the reader in fp32 in ONNX Runtime (an optional
extra, newsqa/onnx_reader.py): the same answers as fp32, in less time; "auto" takes it where there
is no native bf16 and onnxruntime is installed.
"""

from __future__ import annotations

PRECISIONS = ("auto", "fp32", "bf16", "int8", "onnx")


def native_bf16() -> bool:
    """True where the CPU multiplies bfloat16 in hardware (so bf16 is faster, not slower)."""
    import torch

    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def resolve(precision: str) -> str:
    """"auto" becomes bf16 where the CPU has it, else onnx where onnxruntime is installed, else
    fp32; anything else must be a known name."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}")
    if precision == "auto":
        from .onnx_reader import available

        return "bf16" if native_bf16() else "onnx" if available() else "fp32"
    return precision
