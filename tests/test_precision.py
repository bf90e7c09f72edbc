"""`precision="auto"`: bf16 only where the CPU has the instructions and a timed layer runs faster in it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

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


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    """A cache folder of this test's own, and no timings remembered by this process."""
    monkeypatch.setenv("NEWSQA_CACHE", str(tmp_path))
    precision.layer_timings.cache_clear()
    yield tmp_path
    precision.layer_timings.cache_clear()


def test_the_timings_are_kept_per_machine_so_every_process_chooses_alike(own_cache, monkeypatch):
    monkeypatch.setattr(precision, "time_layer", lambda: (0.004, 0.007))
    assert precision.layer_timings() == (0.004, 0.007)
    kept = json.loads((own_cache / "precision.json").read_text())
    assert kept == {precision.machine_key(): [0.004, 0.007]}

    def never() -> tuple[float, float]:
        raise AssertionError("timed again although this machine's timings are kept")

    precision.layer_timings.cache_clear()  # as a second process would start
    monkeypatch.setattr(precision, "time_layer", never)
    assert precision.layer_timings() == (0.004, 0.007)
    assert not list(own_cache.glob("*.part"))  # write_cache_file's temporary file


def test_a_damaged_or_unwritable_timings_file_only_means_timing_again(own_cache, monkeypatch):
    (own_cache / "precision.json").write_text("{not json")
    monkeypatch.setattr(precision, "time_layer", lambda: (0.004, 0.002))
    assert precision.layer_timings() == (0.004, 0.002)
    assert json.loads((own_cache / "precision.json").read_text())[precision.machine_key()] == [0.004, 0.002]

    blocked = own_cache / "a file where the folder would be"
    blocked.write_text("")
    monkeypatch.setenv("NEWSQA_CACHE", str(blocked / "cache"))
    precision.layer_timings.cache_clear()
    assert precision.layer_timings() == (0.004, 0.002)  # measured, not kept, no error


def test_the_machine_key_names_the_cpu_torch_and_threads():
    key = precision.machine_key()
    assert "torch" in key and "threads" in key and "avx512_bf16=" in key


def test_two_processes_starting_together_time_once_and_agree(tmp_path):
    """As gunicorn's two workers start: one times the layer, the other waits and reads its result."""
    script = (
        "import sys, time\n"
        "from newsqa import precision\n"
        "def slow():\n"
        f"    open({str(tmp_path / 'timed.log')!r}, 'a').write('timed\\n')\n"
        "    time.sleep(1.0)\n"
        "    return (0.004, time.time() % 1)\n"  # a value each process would draw differently
        "precision.time_layer = slow\n"
        "print(precision.layer_timings())\n"
    )
    env = {**os.environ, "NEWSQA_CACHE": str(tmp_path / "cache")}
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert outputs[0] == outputs[1]
    assert (tmp_path / "timed.log").read_text().count("timed") == 1


def test_int8_is_preferred_only_when_clearly_faster():
    assert precision.prefer_int8(fp32_seconds=1.0, int8_seconds=0.3)
    assert not precision.prefer_int8(1.0, 0.95)
    assert not precision.prefer_int8(1.0, 1.2)


def test_int8_is_timed_only_where_bf16_does_not_pay(monkeypatch):
    def never() -> tuple[float, float]:
        raise AssertionError("timed int8 where bf16 pays")

    monkeypatch.setattr(precision, "int8_layer_timings", never)
    monkeypatch.setattr(precision, "native_bf16", lambda: True)
    assert not precision.onnx_int8_pays()
    monkeypatch.setattr(precision, "native_bf16", lambda: False)
    monkeypatch.setattr(onnx_reader, "available", lambda: True)
    monkeypatch.setattr(precision, "int8_layer_timings", lambda: (0.0055, 0.0016))  # this AMD host, 1 thread
    assert precision.onnx_int8_pays()
    monkeypatch.setattr(precision, "int8_layer_timings", lambda: (0.0055, 0.0052))  # int8 kernels no faster
    assert not precision.onnx_int8_pays()


def test_the_int8_timings_are_kept_per_machine_beside_the_bf16_ones(own_cache, monkeypatch):
    pytest.importorskip("onnxruntime")
    precision.int8_layer_timings.cache_clear()
    monkeypatch.setattr(precision, "time_layer", lambda: (0.004, 0.007))
    monkeypatch.setattr(onnx_reader, "time_layer", lambda threads: (0.005, 0.002))
    assert precision.layer_timings() == (0.004, 0.007)
    assert precision.int8_layer_timings() == (0.005, 0.002)
    kept = json.loads((own_cache / "precision.json").read_text())
    assert len(kept) == 2 and kept[precision.machine_key()] == [0.004, 0.007]
    [int8_key] = [key for key in kept if key != precision.machine_key()]
    assert int8_key.startswith("onnx-int8 | onnxruntime ") and kept[int8_key] == [0.005, 0.002]
    precision.int8_layer_timings.cache_clear()
