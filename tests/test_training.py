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
