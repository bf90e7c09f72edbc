"""The training loop runs on a tiny slice in seconds, its loss falls, and it resumes."""

from __future__ import annotations

import json
from pathlib import Path

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


def test_a_time_budget_shortens_the_schedule_to_fit(tmp_path):
    """On a lent GPU the run must end (LR decayed, model exported) inside the lease, whatever the speed."""
    import time

    data = tiny_squad(tmp_path / "tiny.json")
    cfg = TrainConfig(data=[str(data)], out=str(tmp_path / "run"), epochs=10_000, batch_size=5, lr=1e-4, warmup=0.0,
                      held_out=0.0, eval_limit=0, checkpoint_minutes=60, exclude=[], time_budget_minutes=0.05, budget_refit_steps=3)
    began = time.perf_counter()
    result = train(cfg)
    assert 3 < result["steps"] < 10_000  # cut to what fits in 3 seconds, not the 10,000 steps asked for
    assert time.perf_counter() - began < 60
    assert (tmp_path / "run" / "best" / "model.safetensors").exists()


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
    assert Path(metrics["model"]).name == "reader" and metrics["precision"] == "fp32"  # the shipped reader, as ask runs it

    result = CliRunner().invoke(app, ["eval-reader", "--squad", str(data), "--limit", "5", "--precision", "onnx-int8", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert Path(json.loads(out.read_text())["model"]).name == "reader-int8"  # in onnx-int8 ask runs the int8-aware twin


def test_average_weights_is_the_elementwise_mean():
    import torch

    from newsqa.training.export import average_weights

    a, b = torch.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    weight = (a.weight.detach() + b.weight.detach()) / 2
    bias = (a.bias.detach() + b.bias.detach()) / 2
    assert not torch.allclose(a.weight, b.weight)
    soup = average_weights([a, b])
    assert torch.allclose(soup.weight, weight) and torch.allclose(soup.bias, bias)


def test_distractors_are_other_paragraphs_of_the_article_without_the_answer():
    from newsqa.training.distractors import add_distractors
    from newsqa.training.squad import QAExample

    paragraphs = {
        "f:a:0": "Lavrov met Pompeo in Sochi on Tuesday.",
        "f:a:1": "Pompeo and Lavrov also talked about Venezuela and Iran on Tuesday.",  # the look-alike
        "f:a:2": "Grain prices rose in Chicago.",
        "f:a:3": "Lavrov met Pompeo in Sochi, the resort city.",  # holds the answer text: never a distractor
        "f:b:0": "Pompeo met Lavrov in Brussels in a different article.",
    }
    ex = lambda key, q, a: QAExample(qid=key, question=q, context=paragraphs[key], answers=[(paragraphs[key].index(a), a)], paragraph_key=key)
    examples = [ex("f:a:0", "Where did Lavrov meet Pompeo on Tuesday?", "Sochi"), ex("f:a:2", "Where did grain prices rise?", "Chicago"),
                ex("f:a:1", "What else did they talk about?", "Iran"), ex("f:a:3", "Which city?", "Sochi"),
                ex("f:b:0", "Where else did they meet?", "Brussels")]  # every paragraph has a question, as in SQuAD
    out = add_distractors(examples, share=1.0, seed=1)
    by_question = {d.question: d for d in out}
    first = by_question["Where did Lavrov meet Pompeo on Tuesday?"]
    assert first.context == paragraphs["f:a:1"] and first.answers == [] and first.is_impossible
    assert "Where else did they meet?" not in by_question  # article b has a single paragraph
    assert all(d.paragraph_key.split(":")[1] == "a" and "Sochi" not in d.context for d in out if "Sochi" in d.question or "Lavrov" in d.question)
    assert add_distractors(examples, share=1.0, seed=1) == out  # deterministic (training resumes on it)
    assert add_distractors(examples, share=0.0, seed=1) == []


def test_gpu_shards_round_trip_the_shipped_reader(tmp_path):
    """scripts/gpu/shards.py splits a trained reader under the device tool's 16 MiB file limit and
    joins it back into a reader folder with the same tensors."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from safetensors.torch import load_file

    root = Path(__file__).resolve().parents[1]
    run = tmp_path / "run"
    shutil.copytree(root / "models" / "reader", run / "best")
    (run / "history.jsonl").write_text('{"step": 1}\n')
    script = root / "scripts" / "gpu" / "shards.py"
    subprocess.run([sys.executable, str(script), "pack", str(run), str(tmp_path / "out"), "a"], check=True)
    parts = sorted((tmp_path / "out").glob("a.part*.safetensors"))
    assert len(parts) == 2 and all(p.stat().st_size < 16 * 2**20 for p in parts)
    subprocess.run([sys.executable, str(script), "unpack", str(tmp_path / "out"), "a", str(tmp_path / "back")], check=True)
    before, after = load_file(str(run / "best" / "model.safetensors")), load_file(str(tmp_path / "back" / "best" / "model.safetensors"))
    assert before.keys() == after.keys() and all((before[k] == after[k]).all() for k in before)
    assert (tmp_path / "back" / "history.jsonl").read_text() == '{"step": 1}\n'
    assert Reader(tmp_path / "back" / "best").answer("Where did Lavrov meet Pompeo?", CONTEXT)


def test_the_quote_taggers_time_schedule_reaches_zero_by_the_budget():
    from newsqa.training.quotes import time_schedule

    assert time_schedule(0, 100, 0, 60) == 0.0 and time_schedule(6, 100, 1, 60) == 1.0  # warm-up over 6% of the steps
    assert time_schedule(50, 100, 10, 60) == (1 - 0.5) / 0.94  # the steps run out first
    assert time_schedule(20, 100, 45, 60) == (1 - 0.75) / 0.94  # the minutes run out first
    assert time_schedule(30, 100, 60, 60) == 0.0


def test_the_quote_taggers_label_weights_weigh_both_tags_of_a_role():
    from newsqa.quotes.tagger import LABELS
    from newsqa.training.quotes import label_weights

    weights = dict(zip(LABELS, label_weights("SRC=2,CUE=1.5").tolist()))
    assert weights == {"O": 1, "B-SRC": 2, "I-SRC": 2, "B-CUE": 1.5, "I-CUE": 1.5, "B-CON": 1, "I-CON": 1}
    assert label_weights("").tolist() == [1.0] * len(LABELS)
