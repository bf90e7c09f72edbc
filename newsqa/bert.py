"""MiniLM (a BERT encoder) for inference in plain torch: the network under the embedder and the reader.

Why not transformers' BertModel: importing transformers' modeling code pulls in torch.distributed,
torch._dynamo, sympy and scipy, which cost a cold `newsqa ask` more time than everything else it
does (see benchmarks/cold_start.py). The network itself is small and fixed: embeddings, a stack of
post-LayerNorm encoder layers, and a head. This module builds it with the parameter names of
transformers' BERT, so it loads the same safetensors files (memory-mapped, straight into the
dtype asked for, with no random initialisation first), and computes the same outputs:
tests/test_bert.py checks it against transformers and the embedder against sentence-transformers.
Training (newsqa/training) still uses transformers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from .errors import ModelNotFound


@dataclass(frozen=True)
class BertConfig:
    """The parts of a transformers BERT `config.json` that shape the network."""

    vocab_size: int = 30522
    hidden_size: int = 384
    num_hidden_layers: int = 6
    num_attention_heads: int = 12
    intermediate_size: int = 1536
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12

    @classmethod
    def from_file(cls, path: str | Path) -> BertConfig:
        data = json.loads(Path(path).read_text())
        unsupported = {k: data.get(k) for k, ok in (("model_type", "bert"), ("hidden_act", "gelu"),
                                                    ("position_embedding_type", "absolute")) if data.get(k, ok) != ok}
        if unsupported:
            raise ModelNotFound(f"{path} is not a BERT encoder this module runs: {unsupported}")
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


def _embedding(count: int, dim: int) -> nn.Embedding:
    # An empty weight: the weights are loaded anyway, and initialising one at random on the meta
    # device (see `load`) makes torch import torch._dynamo, seconds of a cold start.
    return nn.Embedding(count, dim, _weight=torch.empty(count, dim))


def _linear_norm(in_features: int, out_features: int, eps: float) -> nn.ModuleDict:
    return nn.ModuleDict({"dense": nn.Linear(in_features, out_features), "LayerNorm": nn.LayerNorm(out_features, eps=eps)})


class Bert(nn.Module):
    """The encoder: token ids in, one hidden vector per token out. Parameter names follow transformers."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        h = config.hidden_size
        self.config = config
        self.embeddings = nn.ModuleDict({
            "word_embeddings": _embedding(config.vocab_size, h),
            "position_embeddings": _embedding(config.max_position_embeddings, h),
            "token_type_embeddings": _embedding(config.type_vocab_size, h),
            "LayerNorm": nn.LayerNorm(h, eps=config.layer_norm_eps),
        })
        self.encoder = nn.ModuleDict({"layer": nn.ModuleList(nn.ModuleDict({
            "attention": nn.ModuleDict({
                "self": nn.ModuleDict({name: nn.Linear(h, h) for name in ("query", "key", "value")}),
                "output": _linear_norm(h, h, config.layer_norm_eps),
            }),
            "intermediate": nn.ModuleDict({"dense": nn.Linear(h, config.intermediate_size)}),
            "output": _linear_norm(config.intermediate_size, h, config.layer_norm_eps),
        }) for _ in range(config.num_hidden_layers))})

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        batch, length = input_ids.shape
        heads = self.config.num_attention_heads
        emb = self.embeddings
        positions = torch.arange(length, device=input_ids.device)
        types = token_type_ids if token_type_ids is not None else torch.zeros_like(input_ids)
        words = emb["word_embeddings"](input_ids).to(emb["LayerNorm"].weight.dtype)  # the table may stay as stored
        x = emb["LayerNorm"](words + emb["position_embeddings"](positions)[None] + emb["token_type_embeddings"](types))
        mask = None if attention_mask is None else attention_mask.bool()[:, None, None, :]  # keys a token may attend to

        def split(t: torch.Tensor) -> torch.Tensor:  # (batch, length, hidden) -> (batch, heads, length, head size)
            return t.view(batch, length, heads, -1).transpose(1, 2)

        for layer in self.encoder["layer"]:
            attention = layer["attention"]
            q, k, v = (split(attention["self"][name](x)) for name in ("query", "key", "value"))
            context = F.scaled_dot_product_attention(q, k, v, attn_mask=mask).transpose(1, 2).reshape(batch, length, -1)
            x = attention["output"]["LayerNorm"](attention["output"]["dense"](context) + x)
            inner = F.gelu(layer["intermediate"]["dense"](x))
            x = layer["output"]["LayerNorm"](layer["output"]["dense"](inner) + x)
        return x


WORD_TABLE = "word_embeddings.weight"


class SpanLogits(NamedTuple):
    start_logits: torch.Tensor
    end_logits: torch.Tensor


class BertForQuestionAnswering(nn.Module):
    """The encoder with a span head: start and end logits per token (transformers' names and outputs)."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.bert = Bert(config)
        self.qa_outputs = nn.Linear(config.hidden_size, 2)

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None,
                attention_mask: torch.Tensor | None = None) -> SpanLogits:
        logits = self.qa_outputs(self.bert(input_ids, attention_mask, token_type_ids))
        start, end = logits.unbind(dim=-1)
        return SpanLogits(start, end)


def load(model: type[nn.Module], config: BertConfig, state: dict[str, torch.Tensor], dtype: torch.dtype) -> nn.Module:
    """Build `model` without initialising it and take its parameters from `state`, cast to `dtype`.

    The word-embedding table (half of MiniLM's weights) is kept as stored, memory-mapped from its
    file, and only the rows a batch looks up are cast: the same numbers as casting the whole table,
    without paying for it at every start. Keys the network does not have (a pooler,
    `position_ids`) are ignored; a missing one is an error.
    """
    with torch.device("meta"):
        network = model(config)
    wanted = network.state_dict().keys()
    missing = sorted(set(wanted) - state.keys())
    if missing:
        raise ModelNotFound(f"the weights lack {len(missing)} tensors the network needs, e.g. {missing[:3]}")
    network.load_state_dict({k: state[k] if k.endswith(WORD_TABLE) else state[k].to(dtype) for k in wanted}, assign=True)
    return network.eval().requires_grad_(False)
