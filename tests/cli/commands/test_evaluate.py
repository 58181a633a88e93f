"""`slm eval` scores an adapter and a merged model with the recipe's questions, into the same report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import qa_records, write_jsonl
from peft import PeftModel
from transformers import AutoModelForCausalLM

from slm_recipes.cli.main import cli_main

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_adapter_and_merged_give_the_same_answers(tmp_path, tiny_qwen2, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    train = write_jsonl(tmp_path / "train.jsonl", qa_records(12, chunks=6))
    args = ["--config", str(REPO / "recipes/demo.yaml"), "--config", str(REPO / "recipes/debug/fast.yaml"),
            "--model.model_name", str(tiny_qwen2), "--data.train_file", str(train), "--data.val_file", "null", "--data.context", "none",
            "--data.eval_file", "null",
            "--name", "tiny"]
    cli_main(["fit", *args])
    adapter = tmp_path / "logs/tiny" / tiny_qwen2.name / "adapter"
    merged = tmp_path / "merged"
    PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_qwen2), str(adapter)).merge_and_unload() \
        .save_pretrained(merged)

    cli_main(["eval", *args, "--adapter", str(adapter)])
    cli_main(["eval", *args, "--merged", str(merged)])
    assert "qa/strict_accuracy" in capsys.readouterr().out
    eval_dir = tmp_path / "exports/tiny/eval"
    answers = {label: [json.loads(line)["answer"] for line in (eval_dir / f"{label}.jsonl").read_text().splitlines()]
               for label in ("adapter", "merged")}
    assert answers["adapter"] and answers["adapter"] == answers["merged"]
    assert "adapter" in (eval_dir / "report.md").read_text() and "merged" in (eval_dir / "report.md").read_text()


def test_exactly_one_artefact(capsys):
    with pytest.raises(SystemExit):
        cli_main(["eval", "--config", str(REPO / "recipes/demo.yaml")])
    assert "name exactly one artefact" in capsys.readouterr().err
