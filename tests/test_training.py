"""The training loop runs on a tiny slice in seconds, its loss falls, and it resumes."""

from __future__ import annotations

import json

from newsqa.reader import Reader
from newsqa.training.train import TrainConfig, train

CONTEXT = (
    "Lavrov met Pompeo in Sochi on Tuesday. Lavrov responded tersely: You can not establish a democracy by force. "
    "The earlier session was during a conference of the Arctic Council in Finland."
)
QUESTIONS = [
    ("Where did Lavrov meet Pompeo?", "Sochi"),
    ("When did they meet?", "Tuesday"),
    ("Where was the Arctic Council conference?", "Finland"),
    ("Who met Pompeo?", "Lavrov"),
]


def tiny_squad(path):
    qas = [{"id": f"q{i}", "question": q, "answers": [{"text": a, "answer_start": CONTEXT.index(a)}]} for i, (q, a) in enumerate(QUESTIONS)]
    qas.append({"id": "none", "question": "What is the population of Sochi?", "answers": [], "is_impossible": True})
    path.write_text(json.dumps({"version": "v2.0", "data": [{"title": "t", "paragraphs": [{"context": CONTEXT, "qas": qas}]}]}))
    return path


def test_loss_falls_checkpoints_and_resumes(tmp_path):
    data = tiny_squad(tmp_path / "tiny.json")
    cfg = TrainConfig(data=[str(data)], out=str(tmp_path / "run"), epochs=8, batch_size=5, lr=2e-4, warmup=0.0,
                      held_out=0.0, eval_limit=0, max_steps=6, checkpoint_minutes=60, exclude=[])
    first = train(cfg)
    assert first["steps"] == 6
    losses = first["losses"]
    assert sum(losses[-2:]) / 2 < sum(losses[:2]) / 2 - 0.3, losses
    assert (tmp_path / "run" / "checkpoint.pt").exists()
    assert Reader(tmp_path / "run" / "best").answer("Where was the conference?", CONTEXT)  # the export loads

    cfg.max_steps, cfg.resume = 8, True
    again = train(cfg)
    assert again["steps"] == 8 and len(again["losses"]) == 2  # continued from step 6, not from 0


def test_held_out_slice_is_whole_paragraphs_and_eval_reader_scores_it(tmp_path):
    from typer.testing import CliRunner

    from newsqa.cli import app
    from newsqa.training.train import load_training_split

    paragraphs = [{"context": f"{CONTEXT} Item {i}.", "qas": [
        {"id": f"p{i}q{j}", "question": q, "answers": [{"text": a, "answer_start": CONTEXT.index(a)}]}
        for j, (q, a) in enumerate(QUESTIONS[:2])]} for i in range(300)]
    data = tmp_path / "many.json"
    data.write_text(json.dumps({"version": "1.1", "data": [{"title": "t", "paragraphs": paragraphs}]}))

    files, train_part, held = load_training_split(TrainConfig(data=[str(tmp_path)]))
    assert files == [data]
    assert 0 < len(held) < 0.1 * 600 and len(train_part) + len(held) == 600
    assert not {e.paragraph_key for e in held} & {e.paragraph_key for e in train_part}

    out = tmp_path / "metrics.json"
    result = CliRunner().invoke(app, ["eval-reader", "--squad", str(tmp_path), "--held-out", "--out", str(out)])
    assert result.exit_code == 0, result.output
    metrics = json.loads(out.read_text())
    assert metrics["questions"] == len(held) and metrics["f1"] > 50


def test_average_weights_is_the_elementwise_mean():
    import torch

    from newsqa.training.export import average_weights

    a, b = torch.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    weight = (a.weight.detach() + b.weight.detach()) / 2
    bias = (a.bias.detach() + b.bias.detach()) / 2
    assert not torch.allclose(a.weight, b.weight)
    soup = average_weights([a, b])
    assert torch.allclose(soup.weight, weight) and torch.allclose(soup.bias, bias)
