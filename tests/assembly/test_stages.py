"""A full run makes its own dataset: ingest → distill → curate in prepare_data, reused when unchanged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from slm_recipes.cli.main import cli_main
from slm_recipes.cli.training import load_training_cli

REPO = Path(__file__).resolve().parents[2]


def recipe(tmp_path: Path, model_dir: Path) -> list[str]:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "name: rules\n"
        f"model:\n  init_args:\n    model_name: {model_dir}\n"
        f"data:\n  init_args:\n    train_file: {tmp_path}/dataset/train.jsonl\n    val_file: {tmp_path}/dataset/val.jsonl\n"
        f"ingest:\n  sources: [{REPO}/recipes/demo/reimbursement_rules.txt]\n  output: {tmp_path}/chunks.jsonl\n"
        f"distill:\n  teachers: [extractive]\n  output: {tmp_path}/distilled.jsonl\n  cache_dir: {tmp_path}/cache\n"
        f"curate:\n  output_dir: {tmp_path}/dataset\n", encoding="utf-8")
    return ["--config", str(path)]


def test_missing_dataset_is_made_then_reused_until_a_setting_changes(tmp_path, tiny_qwen2):
    args = recipe(tmp_path, tiny_qwen2)
    load_training_cli(args).datamodule.prepare_data()
    outputs = [tmp_path / "chunks.jsonl", tmp_path / "distilled.jsonl", tmp_path / "dataset/train.jsonl"]
    train = [json.loads(line) for line in outputs[2].read_text(encoding="utf-8").splitlines()]
    assert len(train) > 50 and all(r["teacher"] == "extractive" for r in train)
    assert all(r["numbers"] for r in train if r["stage"] == "numeric") and any(r["stage"] == "general" for r in train)
    made = [p.stat().st_mtime_ns for p in outputs]

    load_training_cli(args).datamodule.prepare_data()
    assert [p.stat().st_mtime_ns for p in outputs] == made

    load_training_cli([*args, "--curate.min_score", "70"]).datamodule.prepare_data()
    after = [p.stat().st_mtime_ns for p in outputs]
    assert after[:2] == made[:2] and after[2] != made[2]


def test_fit_from_documents_alone(tmp_path, tiny_qwen2, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cli_main(["fit", *recipe(tmp_path, tiny_qwen2), "--config", str(REPO / "recipes/debug/fast.yaml")])
    assert (tmp_path / "dataset/train.jsonl").is_file()
    assert (tmp_path / "logs/rules" / tiny_qwen2.name / "adapter/adapter_model.safetensors").is_file()


def test_a_changed_tokenizer_or_prompt_file_counts_as_a_change(tmp_path, tiny_qwen2):
    model = tmp_path / "model"
    shutil.copytree(tiny_qwen2, model)
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / "system.txt").write_text("你是出题老师。", encoding="utf-8")
    args = [*recipe(tmp_path, model), "--distill.prompts_dir", str(prompts)]
    load_training_cli(args).datamodule.prepare_data()
    outputs = [tmp_path / "chunks.jsonl", tmp_path / "distilled.jsonl"]
    made = [p.stat().st_mtime_ns for p in outputs]

    config = json.loads((model / "tokenizer_config.json").read_text(encoding="utf-8"))
    (model / "tokenizer_config.json").write_text(json.dumps({**config, "model_max_length": 4096}), encoding="utf-8")
    load_training_cli(args).datamodule.prepare_data()
    after_tokenizer = [p.stat().st_mtime_ns for p in outputs]
    assert after_tokenizer[0] != made[0]

    (prompts / "system.txt").write_text("你是严谨的出题老师。", encoding="utf-8")
    load_training_cli(args).datamodule.prepare_data()
    after_prompt = [p.stat().st_mtime_ns for p in outputs]
    assert after_prompt[0] == after_tokenizer[0] and after_prompt[1] != after_tokenizer[1]


def test_a_distillation_with_failed_chunks_is_never_up_to_date_and_the_rerun_asks_only_for_those(tmp_path, tiny_qwen2):
    from distill.loopback import OPENAI, Loopback, Reply, chat_error

    from slm_recipes.core.errors import RunFailed

    answered = {"n": 0}

    def first_fails(seen) -> Reply:
        answered["n"] += 1
        return chat_error(400, "this request is refused") if answered["n"] == 1 else OPENAI.ok(
            json.dumps({"pairs": [{"question": f"第{answered['n']}问？", "answer": f"答{answered['n']}。"}]}))

    with Loopback(default=first_fails) as server:
        args = [*recipe(tmp_path, tiny_qwen2), "--distill.teachers", "[openai_compatible]", "--distill.model", "m",
                "--distill.base_url", server.url + "/v1", "--distill.stages", "[numeric]", "--distill.concurrency", "1"]
        with pytest.raises(RunFailed, match=r"distill: 1 of \d+ chunk stage\(s\) failed: .*HTTP 400.*run again to retry only"):
            load_training_cli(args).datamodule.prepare_data()
        assert not (tmp_path / "distilled.jsonl.stamp").exists() and (tmp_path / "distilled.failures.jsonl").is_file()
        first = len(server.seen)
        load_training_cli(args).datamodule.prepare_data()
        assert len(server.seen) == first + 1  # the failed chunk only: the others come from the cache
    assert (tmp_path / "distilled.jsonl.stamp").is_file() and not (tmp_path / "distilled.failures.jsonl").exists()
    assert (tmp_path / "dataset/train.jsonl").is_file()


def test_new_rules_of_the_extractive_teacher_make_new_pairs(tmp_path, tiny_qwen2, monkeypatch):
    from slm_recipes.distill.extractive import ExtractiveTeacher
    from slm_recipes.text.lexicon import load_lexicon

    args = recipe(tmp_path, tiny_qwen2)
    load_training_cli(args).datamodule.prepare_data()
    distilled = tmp_path / "distilled.jsonl"
    made = distilled.stat().st_mtime_ns
    load_training_cli(args).datamodule.prepare_data()
    assert distilled.stat().st_mtime_ns == made
    monkeypatch.setattr(ExtractiveTeacher, "rules", ExtractiveTeacher.rules + "-next")
    load_training_cli(args).datamodule.prepare_data()
    assert distilled.stat().st_mtime_ns != made
    assert {json.loads(line)["teacher_model"] for line in distilled.read_text(encoding="utf-8").splitlines()} == \
        {ExtractiveTeacher.version(load_lexicon())}
