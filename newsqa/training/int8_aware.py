"""Quantization-aware fine-tuning for the `onnx-int8` reader: train through int8's rounding.

`onnx-int8` (newsqa/onnx_reader.py) rounds the inputs and weights of 30 weight products to int8
at inference. A reader trained in floating point then loses more F1 over many passages than on
one: the scores that compare passages shift with the rounding. Here those same products round
during training too: inputs to 8 bits with one scale and zero point per tensor (ONNX Runtime's
DynamicQuantizeLinear), weights to symmetric int8 with one scale per output channel (as
`onnx_reader.quantize` asks). Gradients pass the rounding unchanged (the straight-through
estimator), so the weights learn to sit where rounding costs the least.

Only in training mode: an evaluated or exported model runs its ordinary Linear layers, and the
state dict keeps its names, so the trained weights load, export and quantize like any reader's.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ..onnx_reader import INT8_LINEARS


def round_like_dynamic_uint8(x: torch.Tensor) -> torch.Tensor:
    """`x` rounded as ONNX Runtime's DynamicQuantizeLinear does (uint8, one scale and zero point for
    the whole tensor, its range stretched to hold 0), with the gradient of the identity."""
    value = x.float()
    low, high = value.detach().amin().clamp(max=0), value.detach().amax().clamp(min=0)
    scale = ((high - low) / 255).clamp(min=1e-12)
    zero = torch.round(-low / scale).clamp(0, 255)
    rounded = (torch.clamp(torch.round(value / scale) + zero, 0, 255) - zero) * scale
    return (value + (rounded - value).detach()).to(x.dtype)


def round_like_int8_channels(weight: torch.Tensor) -> torch.Tensor:
    """`weight` ([out, in]) rounded to symmetric int8 with one scale per output channel, with the
    gradient of the identity."""
    scale = (weight.detach().abs().amax(dim=1, keepdim=True) / 127).clamp(min=1e-12)
    rounded = torch.clamp(torch.round(weight / scale), -127, 127) * scale
    return weight + (rounded - weight).detach()


class Int8AwareLinear(nn.Linear):
    """A Linear layer that, in training mode, computes with int8-rounded input and weight."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return super().forward(x)
        return F.linear(round_like_dynamic_uint8(x), round_like_int8_channels(self.weight), self.bias)


def make_int8_aware(model: nn.Module) -> list[str]:
    """Turn the model's `INT8_LINEARS` into `Int8AwareLinear` in place; the names of those turned."""
    turned = []
    for name, module in model.named_modules():
        if type(module) is nn.Linear and name.endswith(INT8_LINEARS):
            module.__class__ = Int8AwareLinear
            turned.append(name)
    return turned


def distillation_loss(student: torch.Tensor, teacher: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
    """KL(teacher || student) of the start (or end) distributions over each window's tokens: the
    student learns the teacher's whole score profile, [CLS] (no answer) included, which is what
    compares passages in `ask`."""
    mask = attention == 0
    student_log = torch.log_softmax(student.float().masked_fill(mask, -1e4), dim=-1)
    teacher_log = torch.log_softmax(teacher.float().masked_fill(mask, -1e4), dim=-1)
    return (teacher_log.exp() * (teacher_log - student_log)).sum(-1).mean()
