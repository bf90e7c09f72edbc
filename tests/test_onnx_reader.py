"""The reader in ONNX Runtime (precision "onnx"): the same answers as torch fp32, a graph exported
once per model into the cache folder, and a clear error where onnxruntime is missing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from newsqa import NewsQA, Settings
from newsqa.errors import InvalidInput
from newsqa.model_cache import ModelCache
from newsqa.reader import Reader, make_windows

from .seed_questions import ANSWERABLE

if not os.environ.get("CI"):  # in CI a missing onnxruntime must fail the run, not skip the tests
    pytest.importorskip("onnxruntime", reason="pip install -e '.[test]' (or '.[onnx]') brings onnxruntime")

from newsqa import onnx_reader  # noqa: E402


def one_window(logits: onnx_reader.OnnxLogits) -> tuple[np.ndarray, np.ndarray]:
    """Start and end logits of a single five-token window ([CLS] who [SEP] is [SEP])."""
    return logits(np.array([[101, 2040, 102, 2003, 102]]), np.array([[0, 0, 0, 1, 1]]), np.ones((1, 5), dtype=np.int64))


@pytest.fixture(scope="module")
def readers() -> tuple[Reader, Reader]:
    return Reader(precision="fp32"), Reader(precision="onnx")


def test_onnx_logits_equal_torch_fp32_on_the_seed_passages(readers, seed_text):
    fp32, onnx = readers
    paragraphs = [p for p in seed_text.split("\n\n") if len(p.split()) > 20][:8]
    windows = make_windows(fp32.windows, [q for q, _ in ANSWERABLE[:8]], paragraphs, fp32.max_length, fp32.stride)
    (starts32, ends32), (starts, ends) = fp32._logits(windows), onnx._logits(windows)
    for a, b in zip(starts32 + ends32, starts + ends):
        assert a.shape == b.shape
        assert np.abs(a - b).max() < 1e-3


def test_onnx_answers_every_seed_question_as_fp32_does(readers, seed_text):
    fp32, onnx = readers
    pairs = [(question, seed_text) for question, _ in ANSWERABLE[:6]]
    for (question, _), mine, theirs in zip(pairs, onnx.answer_batch(pairs, top_k=3), fp32.answer_batch(pairs, top_k=3)):
        assert [(a.start, a.end) for a in mine] == [(a.start, a.end) for a in theirs], question
        assert [a.score for a in mine] == pytest.approx([a.score for a in theirs], abs=1e-4)
        assert all(seed_text[a.start : a.end] == a.text for a in mine)


def test_the_graph_is_exported_once_and_the_torch_model_left_as_it_was(readers, tmp_path, monkeypatch):
    fp32, _ = readers
    monkeypatch.setenv("NEWSQA_CACHE", str(tmp_path))
    question = "What did Lavrov say on Venezuela?"
    before = fp32.answer(question, "Lavrov said: “You can not establish a democracy by force.”")[0]
    first = onnx_reader.graph_for(fp32.model)
    [graph] = (tmp_path / "onnx").glob("reader-*.onnx")
    assert first == str(graph)
    written = graph.stat().st_mtime_ns
    assert onnx_reader.graph_for(fp32.model) == first and graph.stat().st_mtime_ns == written  # reused, not exported again
    assert fp32.answer(question, "Lavrov said: “You can not establish a democracy by force.”")[0] == before


def test_a_damaged_cached_graph_is_exported_again(readers, tmp_path, monkeypatch):
    fp32, _ = readers
    monkeypatch.setenv("NEWSQA_CACHE", str(tmp_path))
    path = onnx_reader.graph_for(fp32.model)
    with open(path, "r+b") as damaged:
        damaged.truncate(1000)  # as a full disk or a killed copy might leave it
    logits = onnx_reader.OnnxLogits(fp32.model, threads=1)
    start, _ = one_window(logits)
    assert start.shape == (1, 5)
    assert os.path.getsize(path) > 1_000_000


def test_a_changed_model_gets_a_graph_of_its_own(readers):
    import copy

    import torch

    fp32, _ = readers
    changed = copy.deepcopy(fp32.model)
    with torch.no_grad():
        changed.qa_outputs.bias += 1.0
    assert onnx_reader.model_digest(changed) != onnx_reader.model_digest(fp32.model)


def test_an_unwritable_cache_keeps_the_graph_in_memory(readers, tmp_path, monkeypatch):
    fp32, _ = readers
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")  # the cache folder cannot be made below a file
    monkeypatch.setenv("NEWSQA_CACHE", str(blocked))
    graph = onnx_reader.graph_for(fp32.model)
    assert isinstance(graph, bytes) and len(graph) > 1_000_000
    logits = onnx_reader.OnnxLogits(fp32.model, threads=1)
    start, end = one_window(logits)
    assert start.shape == end.shape == (1, 5)


def test_an_engine_with_the_onnx_reader_answers_with_exact_offsets(readers, tmp_path):
    from .conftest import SEED

    qa = NewsQA(tmp_path / "onnx.sqlite3", Settings(reader_precision="onnx"), models=ModelCache())
    [article] = qa.ingest([SEED])
    answer = qa.ask("Where did Putin and Pompeo meet?")[0]
    assert answer.text == "Sochi"
    assert article.text[answer.start : answer.end] == answer.text
    assert qa.reader.onnx is not None and qa.reader.model is None  # the torch copy is let go
    qa.close()


def test_without_onnxruntime_the_onnx_precision_is_a_clear_error_and_auto_falls_back(monkeypatch):
    from newsqa import precision

    monkeypatch.setattr(onnx_reader, "available", lambda: False)
    monkeypatch.setattr("newsqa.reader.onnx_available", lambda: False)
    with pytest.raises(InvalidInput, match="onnxruntime"):
        Reader(precision="onnx")
    monkeypatch.setattr(precision, "native_bf16", lambda: False)
    assert precision.resolve("auto") == "fp32"
    monkeypatch.setattr(onnx_reader, "available", lambda: True)
    assert precision.resolve("auto") == "onnx"
    monkeypatch.setattr(precision, "native_bf16", lambda: True)
    assert precision.resolve("auto") == "bf16"


def test_onnx_int8_quantizes_the_chosen_products_and_keeps_the_rest_fp32(readers, tmp_path, monkeypatch):
    import onnx

    fp32, _ = readers
    monkeypatch.setenv("NEWSQA_CACHE", str(tmp_path))
    path = onnx_reader.graph_for(fp32.model, int8=True)
    assert path.endswith("-int8.onnx") and sorted(p.name for p in (tmp_path / "onnx").iterdir()) == sorted([
        os.path.basename(path).replace("-int8", ""), os.path.basename(path)])  # the fp32 graph it came from is kept too
    graph = onnx.load(path).graph
    quantized = [n for n in graph.node if n.op_type in ("DynamicQuantizeMatMul", "MatMulInteger")]
    fp32_weights = [n.name for n in graph.node if n.op_type == "MatMul" and ("/output/dense/" in n.name or "qa_outputs" in n.name)
                    and "/attention/" not in n.name]
    assert len(quantized) == 5 * 6  # query, key, value, attention output, FFN input in each of the 6 layers
    assert len(fp32_weights) == 6 + 1  # the FFN output projections and the span head
    assert onnx_reader.graph_for(fp32.model, int8=True) == path  # made once


def test_onnx_int8_answers_the_seed_questions_close_to_fp32(readers, seed_text):
    fp32, _ = readers
    int8 = Reader(precision="onnx-int8")
    pairs = [(question, seed_text) for question, _ in ANSWERABLE]
    mine, theirs = int8.answer_batch(pairs), fp32.answer_batch(pairs)
    same = sum((a[0].start, a[0].end) == (b[0].start, b[0].end) for a, b in zip(mine, theirs) if a and b)
    assert same >= len(pairs) - 2, f"{same} of {len(pairs)} top spans as fp32's"
    assert all(seed_text[a.start : a.end] == a.text for answers in mine for a in answers)


def test_onnx_int8_runs_the_int8_aware_twin_which_answers_the_seed_questions_as_fp32_does(readers, seed_text, tmp_path):
    """models/reader-int8 was trained through onnx-int8's rounding: in int8 it answers the seed
    questions as well as the shipped reader does in fp32 (not always with the same span)."""
    from .conftest import SEED
    from .test_ask import is_correct

    fp32, _ = readers
    qa = NewsQA(tmp_path / "int8.sqlite3", Settings(reader_precision="onnx-int8"), models=ModelCache())
    assert qa.settings.reader_choice() == (qa.settings.models_dir / "reader-int8", "onnx-int8")
    assert qa.reader.meta["train_config"]["int8_aware"] and qa.reader.precision == "onnx-int8"
    pairs = [(question, seed_text) for question, _ in ANSWERABLE]
    mine, theirs = qa.reader.answer_batch(pairs), fp32.answer_batch(pairs)
    right = [sum(bool(got) and is_correct(got[0].text, want) for got, (_, want) in zip(answers, ANSWERABLE))
             for answers in (mine, theirs)]
    assert right[0] >= right[1] - 1, f"{right[0]} right in int8, {right[1]} by the shipped reader in fp32"
    assert all(seed_text[a.start : a.end] == a.text for answers in mine for a in answers)
    [article] = qa.ingest([SEED])
    answer = qa.ask("Where did Putin and Pompeo meet?")[0]
    assert is_correct(answer.text, "Sochi") and article.text[answer.start : answer.end] == answer.text
    qa.close()


def test_auto_takes_the_int8_aware_twin_only_where_int8_pays_and_only_for_the_shipped_reader(monkeypatch, tmp_path):
    from newsqa import precision
    from newsqa.info import engine_info

    shipped = Settings()
    monkeypatch.setattr(precision, "onnx_int8_pays", lambda: True)
    assert shipped.reader_choice() == (shipped.models_dir / "reader-int8", "onnx-int8")
    info = engine_info(shipped, articles=0)["models"]["reader"]  # info names the reader ask would run, and its threshold
    twin_meta = json.loads((shipped.models_dir / "reader-int8" / "reader.json").read_text())
    assert Path(info["path"]).name == "reader-int8" and info["precision"] == "onnx-int8"
    assert info["answer_threshold"] == twin_meta["answer_threshold"]
    own = Settings(reader_dir=shipped.models_dir / "reader")  # a reader of one's own is never made int8 unasked
    assert own.reader_choice() == (shipped.models_dir / "reader", "auto")
    assert Settings(reader_precision="fp32").reader_choice() == (shipped.models_dir / "reader", "fp32")
    without_twin = Settings(models_dir=tmp_path)  # a models folder without reader-int8
    assert without_twin.reader_choice() == (tmp_path / "reader", "auto")
    monkeypatch.setattr(precision, "onnx_int8_pays", lambda: False)
    assert shipped.reader_choice() == (shipped.models_dir / "reader", "auto")


def test_the_int8_layer_is_timed_in_onnx_runtime():
    fp32_seconds, int8_seconds = onnx_reader.time_layer(threads=1, rows=64, repeats=2)
    assert 0 < fp32_seconds < 5 and 0 < int8_seconds < 5
