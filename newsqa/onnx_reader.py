"""The reader's forward pass in ONNX Runtime: an optional backend (`pip install -e '.[onnx]'`).

Same weights, same fp32 arithmetic, the same answers as torch fp32 (start/end logits agree to
about 1e-5; tests/test_onnx_reader.py), but ONNX Runtime fuses attention, GELU and layer norm into
fewer kernels, so a passage reads in about three quarters of torch fp32's time on one core
(docs/results.md; no faster than torch fp32 on one Sapphire Rapids VM). It is what
`precision="auto"` picks where bf16 does not pay (`precision.native_bf16`) and onnxruntime is
installed; where the CPU multiplies bf16 fast, torch's bf16 is faster still.

"onnx-int8" runs a copy of that graph with 30 of its 37 weight products in int8 (ONNX Runtime's
dynamic quantization, one scale per output channel): every layer's attention projections and FFN
input projections. The FFN output projections (their input, after GELU, has outliers one scale per
tensor cannot hold) and the span head stay fp32. On NewsQA dev's 1,092 questions over their own
stories the shipped reader scores F1 53.64 against 54.06 for fp32 in 0.74x the time (docs/results.md,
"Round 7"), but 1.1-1.3 F1 less over the open corpus. So onnx-int8 runs the reader's int8-aware twin,
models/reader-int8 (trained through this rounding: `training/int8_aware.py`), which loses 0.15 there
("Round 9"); `auto` takes it where bf16 does not pay and a timed int8 layer does (`time_layer`,
`precision.onnx_int8_pays`).

The ONNX graph is exported from the loaded torch model once per model and kept in the user's cache
folder, under a name that is the digest of the weights and of the torch version that exported it,
so a changed reader never runs a stale graph. Where that folder cannot be written, the graph is
kept in memory instead (exporting takes a couple of seconds).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import io
import logging
import tempfile
import warnings
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from .config import cache_home, write_cache_file

INPUTS = ("input_ids", "token_type_ids", "attention_mask")
OUTPUTS = ("start_logits", "end_logits")
OPSET = 17


def available() -> bool:
    """True where onnxruntime is installed."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def cache_dir() -> Path:
    """Where exported graphs are kept: in newsqa's cache folder (`config.cache_home`)."""
    return cache_home() / "onnx"


def model_digest(model: Any) -> str:
    """A digest of the model's weights, its config and the torch version that would export it."""
    import torch

    digest = hashlib.sha256(f"{torch.__version__} opset {OPSET} {model.config.to_json_string()}".encode())
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().to(torch.float32).contiguous().numpy().tobytes())
    return digest.hexdigest()[:24]


def export(model: Any) -> bytes:
    """The ONNX graph of a transformers question-answering model (batch and length dynamic)."""
    import torch

    class StartEnd(torch.nn.Module):
        def __init__(self, qa_model: Any) -> None:
            super().__init__()
            self.qa_model = qa_model

        def forward(self, input_ids, token_type_ids, attention_mask):
            out = self.qa_model(input_ids=input_ids, token_type_ids=token_type_ids, attention_mask=attention_mask)
            return out.start_logits, out.end_logits

    # Exporting traces the model and may switch its attention code path: a copy is traced, so the
    # caller's model is left exactly as it was.
    traced = StartEnd(copy.deepcopy(model).to(torch.float32).eval())
    ids = torch.ones((1, 16), dtype=torch.long)
    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's notes on tracing
        torch.onnx.export(traced, (ids, torch.zeros_like(ids), torch.ones_like(ids)), buffer,
                          input_names=list(INPUTS), output_names=list(OUTPUTS), opset_version=OPSET, dynamo=False,
                          dynamic_axes={name: {0: "batch", 1: "tokens"} for name in INPUTS + OUTPUTS})
    return buffer.getvalue()


def graph_for(model: Any, int8: bool = False) -> bytes | str:
    """The model's ONNX graph (with `int8`, its `quantize` copy): a path in the cache folder (made
    there on first use), or the graph itself where the folder cannot be written."""
    path = cache_dir() / f"reader-{model_digest(model)}{'-int8' if int8 else ''}.onnx"
    if path.exists():
        return str(path)
    graph = quantize(graph_for(model)) if int8 else export(model)
    return str(path) if write_cache_file(path, graph) else graph


# The torch modules whose weight products `quantize` makes int8, as the ends of their dotted names
# (the exporter names each product after its module: ".../attention/self/query/MatMul").
INT8_LINEARS = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                "intermediate.dense")


def int8_products(graph: Any) -> list[str]:
    """The weight products `quantize` makes int8: each layer's query, key, value, attention output
    and FFN input projections (`INT8_LINEARS`; not the FFN output projections, the span head, or the
    products of two activations)."""
    weights = tuple("/" + name.replace(".", "/") + "/" for name in INT8_LINEARS)
    return [n.name for n in graph.node if n.op_type == "MatMul" and any(w in n.name for w in weights)]


@contextlib.contextmanager
def quiet_root_logger() -> Iterator[None]:
    """Silence warnings logged on the root logger (onnxruntime.quantization writes there) meanwhile."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)


def quantize(graph: bytes | str) -> bytes:
    """The fp32 graph with `int8_products` in int8: dynamic quantization, per-channel weight scales."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    proto = onnx.load(graph) if isinstance(graph, str) else onnx.load_from_string(graph)
    keep = [n.name for n in proto.graph.node if n.op_type == "MatMul" and n.name not in set(int8_products(proto.graph))]
    with tempfile.TemporaryDirectory() as folder, quiet_root_logger():  # its advice to pre-process is for CNNs
        out = Path(folder) / "int8.onnx"
        quantize_dynamic(proto, out, weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"],
                         nodes_to_exclude=keep)
        return out.read_bytes()


def cpu_session(graph: bytes | str, threads: int) -> Any:
    """An ONNX Runtime session on the CPU with `threads` threads (the process's torch threads: set
    deliberately, never one per core) that do not spin when idle."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = max(threads, 1)
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle pool threads would otherwise spin for work after each call: cores a busy machine needs.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])


def time_layer(threads: int, rows: int = 512, repeats: int = 5) -> tuple[float, float]:
    """Seconds for one FFN input projection of the reader's shape (`rows` tokens, 384 -> 1536) in
    ONNX Runtime, fp32 and as `quantize` makes it int8, alternating, the best of `repeats` each;
    about 0.1-0.3 s with the quantization. `precision.onnx_int8_pays` decides on them."""
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    weight = numpy_helper.from_array((rng.standard_normal((384, 1536)) / 20).astype(np.float32), "weight")
    bias = numpy_helper.from_array(rng.standard_normal(1536).astype(np.float32), "bias")
    nodes = [helper.make_node("MatMul", ["x", "weight"], ["product"], name="/intermediate/dense/MatMul"),
             helper.make_node("Add", ["product", "bias"], ["y"], name="/intermediate/dense/Add")]
    graph = helper.make_graph(nodes, "layer", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 384])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1536])], [weight, bias])
    fp32 = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)]).SerializeToString()
    from .precision import best_of_alternating

    sessions = {"fp32": cpu_session(fp32, threads), "int8": cpu_session(quantize(fp32), threads)}
    feed = {"x": rng.standard_normal((rows, 384)).astype(np.float32)}
    best = best_of_alternating({name: functools.partial(session.run, None, feed) for name, session in sessions.items()}, repeats)
    return best["fp32"], best["int8"]


class OnnxLogits:
    """Start and end logits of padded batches, computed by ONNX Runtime on the CPU."""

    def __init__(self, model: Any, threads: int, int8: bool = False) -> None:
        graph = graph_for(model, int8)
        try:
            self.session = cpu_session(graph, threads)
        except Exception:  # noqa: BLE001 - a damaged cached file (onnxruntime raises its own types): export afresh
            if not isinstance(graph, str):
                raise
            Path(graph).unlink(missing_ok=True)
            self.session = cpu_session(graph_for(model, int8), threads)

    def __call__(self, input_ids: np.ndarray, token_type_ids: np.ndarray, attention_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        feed = {name: array.astype(np.int64, copy=False)  # the reader's batches are int64 already: no copy
                for name, array in zip(INPUTS, (input_ids, token_type_ids, attention_mask))}
        start, end = self.session.run(list(OUTPUTS), feed)
        return start, end
