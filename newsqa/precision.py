"""Which number format the models run in on this CPU.

bfloat16 is about 3x faster than fp32 for MiniLM on CPUs that multiply it in hardware
(AVX512-BF16 or AMX) and loses next to nothing; elsewhere it is emulated and slow, so fp32 stays.
Having the instructions is not enough: a Sapphire Rapids virtual machine that reports
AVX512-BF16 but not AMX multiplies a reader-sized layer at 86 GFLOPS in bf16 against 138 in fp32
(1 thread), and `ask` ran 1.5x slower in bf16 there (docs/results.md, "Round 7"). So bf16 is
taken only where the CPU has the instructions *and* a timed layer says it is faster.
Dynamic int8 quantization is also available for the reader, but costs it several F1 points
(see models/reader/MODEL_CARD.md). "onnx" runs the reader in fp32 in ONNX Runtime (an optional
extra, newsqa/onnx_reader.py): the same answers as fp32, in less time. "onnx-int8" runs most of
its weight products in int8, in about 0.74x the time; the shipped reader loses 1.1 open-corpus F1
that way, so int8 runs a twin trained through int8's rounding (models/reader-int8: 0.15 F1 from fp32).
Where bf16 does not pay, "auto" takes onnx-int8 with that twin where a timed int8 layer is clearly
faster than ONNX Runtime's fp32 one (`onnx_int8_pays`, `config.Settings.reader_choice`), else onnx
where onnxruntime is installed, else fp32.
"""

from __future__ import annotations

import contextlib
import functools
import json
import platform
import time
from pathlib import Path
from typing import Any, Callable, Iterator

PRECISIONS = ("auto", "fp32", "bf16", "int8", "onnx", "onnx-int8")
BF16_FASTER = 0.85  # bf16 must take at most this share of fp32's time: it also rounds more
INT8_FASTER = 0.85  # likewise int8 against ONNX Runtime's fp32, for the int8-aware reader


def native_bf16() -> bool:
    """True where bfloat16 is faster than fp32 on this CPU: it has the instructions (AVX512-BF16 or
    AMX) and a reader-sized linear layer, timed once per machine (`layer_timings`), runs faster in bf16."""
    return bf16_instructions() and bf16_measured_faster()


def bf16_instructions() -> bool:
    """True where the CPU has bfloat16 multiply instructions (AVX512-BF16 or AMX)."""
    return cpu_has("avx512_bf16") or cpu_has("amx_tile")


def cpu_has(feature: str) -> bool:
    """torch's answer to `torch.cpu._is_<feature>_supported()` ("avx512_bf16", "amx_tile"); False
    where this torch cannot tell."""
    import torch

    return getattr(torch.cpu, f"_is_{feature}_supported", lambda: False)()


def prefer_bf16(fp32_seconds: float, bf16_seconds: float) -> bool:
    """The decision on two timings of the same work: bf16 only if clearly faster."""
    return bf16_seconds <= BF16_FASTER * fp32_seconds


def bf16_measured_faster() -> bool:
    """True where the timed layer (`layer_timings`) runs clearly faster in bf16."""
    return prefer_bf16(*layer_timings())


@functools.lru_cache(maxsize=1)
def layer_timings() -> tuple[float, float]:
    """`time_layer`'s seconds for this machine (fp32, bf16), measured by the first process that
    needs them and kept in newsqa's cache folder: every process here (both server workers, the CLI)
    then makes the same choice, and gives the same answers, without timing again."""
    return kept_timings(machine_key(), time_layer)


@functools.lru_cache(maxsize=1)
def int8_layer_timings() -> tuple[float, float]:
    """`onnx_reader.time_layer`'s seconds for this machine (ONNX Runtime fp32, int8), kept as
    `layer_timings` are."""
    import onnxruntime
    import torch

    from . import onnx_reader

    key = f"onnx-int8 | onnxruntime {onnxruntime.__version__} | {machine_key()}"
    return kept_timings(key, lambda: onnx_reader.time_layer(torch.get_num_threads()))


def kept_timings(key: str, measure: Callable[[], tuple[float, float]]) -> tuple[float, float]:
    """The two timings kept under `key` in the timings file, measured (and kept) where missing."""
    path = timings_file()
    with machine_lock(path):  # two workers starting together: one times, the other reads its result
        known = read_timings(path)
        if key not in known:
            known[key] = list(measure())
            write_timings(path, known)
    first, second = known[key]
    return float(first), float(second)


def onnx_int8_pays() -> bool:
    """True where bf16 does not pay (`native_bf16`), ONNX Runtime is installed and a reader-sized
    layer, timed once per machine (`int8_layer_timings`), runs clearly faster in its int8 than in
    its fp32: where `auto` runs the shipped int8-aware reader in "onnx-int8" (`Settings.reader_choice`)."""
    from .onnx_reader import available

    return not native_bf16() and available() and prefer_int8(*int8_layer_timings())


def prefer_int8(fp32_seconds: float, int8_seconds: float) -> bool:
    """The decision on two timings of the same ONNX Runtime product: int8 only if clearly faster."""
    return int8_seconds <= INT8_FASTER * fp32_seconds


def timings_file() -> Path:
    from .config import cache_home

    return cache_home() / "precision.json"


@contextlib.contextmanager
def machine_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path`'s lock file while inside; no lock where none can be taken
    (no fcntl, or a folder that cannot be written), as the timings are then not kept either."""
    try:
        import fcntl

        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path.with_suffix(".lock"), "a")
    except (ImportError, OSError):
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def machine_key() -> str:
    """What the timings depend on: the CPU, its torch kernels and the process's torch threads."""
    import torch

    model = next((line.split(":", 1)[1].strip() for line in _cpuinfo() if line.startswith("model name")), platform.processor())
    flags = f"avx512_bf16={cpu_has('avx512_bf16')} amx={cpu_has('amx_tile')}"
    return f"{model} | {torch.backends.cpu.get_cpu_capability()} | {flags} | torch {torch.__version__} | threads {torch.get_num_threads()}"


def _cpuinfo() -> list[str]:
    try:
        return Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def read_timings(path: Path) -> dict[str, list[float]]:
    """The timings kept so far ({} when none, or the file is unreadable: it is only a cache)."""
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
        return {k: v for k, v in known.items() if isinstance(v, list) and len(v) == 2} if isinstance(known, dict) else {}
    except (OSError, ValueError):
        return {}


def write_timings(path: Path, known: dict[str, list[float]]) -> None:
    """Replace the file whole; where it cannot be written, the next process simply times again."""
    from .config import write_cache_file

    write_cache_file(path, json.dumps(known, indent=1).encode("utf-8"))


def time_layer(rows: int = 512, repeats: int = 5) -> tuple[float, float]:
    """Seconds for one feed-forward layer of the reader's shape (`rows` tokens, 384 -> 1536) in
    fp32 and in bf16, alternating, the best of `repeats` each (the best is what load disturbs
    least), with the process's torch threads; about 60-90 ms."""
    import torch

    x = torch.randn(rows, 384)
    weight, bias = torch.randn(1536, 384) / 20, torch.randn(1536)
    formats = {dtype: (x.to(dtype), weight.to(dtype), bias.to(dtype)) for dtype in (torch.float32, torch.bfloat16)}
    with torch.inference_mode():
        best = best_of_alternating({dtype: functools.partial(torch.nn.functional.linear, *args) for dtype, args in formats.items()},
                                   repeats)
    return best[torch.float32], best[torch.bfloat16]


def best_of_alternating(calls: dict[Any, Callable[[], object]], repeats: int) -> dict[Any, float]:
    """Seconds of each call, run in turn `repeats` times after one warm-up round, the best of each
    (the best is what load disturbs least; alternating spreads the load over all alike)."""
    best = {name: float("inf") for name in calls}
    for round_ in range(repeats + 1):
        for name, call in calls.items():
            began = time.perf_counter()
            call()
            if round_:  # the first round warms the kernels up
                best[name] = min(best[name], time.perf_counter() - began)
    return best


def resolve(precision: str) -> str:
    """"auto" becomes bf16 where the CPU runs it faster (`native_bf16`), else onnx where onnxruntime is installed, else
    fp32; anything else must be a known name."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}")
    if precision == "auto":
        from .onnx_reader import available

        return "bf16" if native_bf16() else "onnx" if available() else "fp32"
    return precision
