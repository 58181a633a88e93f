"""The `slm` CLI: every recipe parses, links hold, bad input gives one clear line, and fit runs end to end."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest
import torch
from builders import qa_records, write_jsonl
from slm_recipes.modules.sharding import wrap_decoder_layers_and_adapters
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from slm_recipes.cli.main import cli_main
from slm_recipes.cli.training import SLMCLI
from slm_recipes.recipe.parser import load_recipe

REPO = Path(__file__).resolve().parents[2]
RECIPES = REPO / "recipes"
DOMAIN = sorted(p for p in [*RECIPES.glob("*.yaml"), *RECIPES.glob("domains/*.yaml")] if p.name not in ("base.yaml", "demo.yaml"))
SIZES = sorted((RECIPES / "models").glob("*.yaml"))
OVERLAYS = sorted((RECIPES / "debug").glob("*.yaml"))
STRATEGIES = sorted((RECIPES / "strategies").glob("*.yaml"))


def combinations() -> list[list[Path]]:
    """Each recipe file in the company it is meant for: domain x size, the demo, the demo with each overlay."""
    combos = [[RECIPES / "demo.yaml"]] + [[d, s] for d in DOMAIN for s in SIZES]
    return combos + [[RECIPES / "demo.yaml", o] for o in OVERLAYS]


def test_every_recipe_file_is_covered():
    covered = {p for combo in combinations() for p in combo} | {RECIPES / "base.yaml", *STRATEGIES}
    assert covered == set(RECIPES.rglob("*.yaml"))


@pytest.mark.parametrize("files", combinations(), ids=lambda files: "+".join(f.stem for f in files))
def test_recipe_parses_through_the_real_cli_and_every_command_reads_the_same_recipe(files):
    args = [arg for f in files for arg in ("--config", str(f))]
    cli = SLMCLI(args=args, run=False)
    assert cli.datamodule.hparams.model_name == cli.model.hparams.model_name
    assert cli.model.hparams.max_length == cli.datamodule.hparams.max_length
    assert load_recipe(args) == cli.recipe


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda p: p.stem)
@pytest.mark.parametrize("size", ["qwen2.5-7b", "qwen2.5-14b"])
def test_a_domain_a_size_and_a_strategy_are_a_complete_command(strategy, size, capsys):
    """Parsed in full by `slm fit` itself (--print_config stops before building anything)."""
    files = [RECIPES / "reimbursement.yaml", RECIPES / f"models/{size}.yaml", strategy]
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["fit", *(a for f in files for a in ("--config", str(f))), "--print_config"])
    assert exit_info.value.code == 0
    printed = capsys.readouterr().out
    assert "class_path: lightning.pytorch.strategies." in printed and f"Qwen2.5-{size.split('-')[1].upper()}" in printed


def test_ddp_and_multinode_build_their_trainers_here():
    ddp = SLMCLI(args=["--config", str(RECIPES / "reimbursement.yaml"), "--config", str(RECIPES / "models/qwen2.5-0.5b.yaml"),
                       "--config", str(RECIPES / "strategies/ddp.yaml")], run=False)
    nodes = SLMCLI(args=["--config", str(RECIPES / "reimbursement.yaml"), "--config", str(RECIPES / "models/qwen2.5-7b.yaml"),
                         "--config", str(RECIPES / "strategies/multinode.yaml")], run=False)
    assert type(ddp.trainer.strategy).__name__ == "DDPStrategy"
    assert nodes.trainer.num_nodes == 2 and nodes.trainer.num_devices == 8


def test_fsdp_recipe_names_the_4bit_base_and_the_wrap_policy():
    recipe = (RECIPES / "strategies/fsdp.yaml").read_text(encoding="utf-8")
    assert f"{wrap_decoder_layers_and_adapters.__module__}.{wrap_decoder_layers_and_adapters.__name__}" in recipe
    assert "quantization: nf4" in recipe and "gradient_checkpointing: true" in recipe


@pytest.mark.skipif(torch.cuda.is_available(), reason="FSDP runs on this machine")
def test_fsdp_on_a_machine_without_gpus_is_one_line(capsys):
    err = run_cli(["fit", "--config", str(RECIPES / "reimbursement.yaml"), "--config", str(RECIPES / "models/qwen2.5-14b.yaml"),
                   "--config", str(RECIPES / "strategies/fsdp.yaml")], capsys)
    assert err.startswith("error: trainer: The strategy `fsdp` requires a GPU accelerator")


def test_deepspeed_without_its_package_is_one_line_naming_the_recipe(capsys):
    if importlib.util.find_spec("deepspeed"):
        pytest.skip("deepspeed is installed")
    err = run_cli(["fit", "--config", str(RECIPES / "reimbursement.yaml"), "--config", str(RECIPES / "models/qwen2.5-7b.yaml"),
                   "--config", str(RECIPES / "strategies/deepspeed.yaml")], capsys)
    assert "strategies/deepspeed.yaml:" in err and "pip install 'slm-recipes[deepspeed]'" in err


def test_size_is_one_config_and_values_override_on_the_command_line():
    base = ["--config", str(RECIPES / "reimbursement.yaml")]
    small = SLMCLI(args=base + ["--config", str(RECIPES / "models/qwen2.5-0.5b.yaml"), "--model.lora_r", "32"], run=False)
    large = SLMCLI(args=base + ["--config", str(RECIPES / "models/qwen2.5-14b.yaml")], run=False)
    assert small.model.hparams.lora_r == 32 and large.model.hparams.lora_r == 16
    assert small.model.hparams.quantization == "none" and large.model.hparams.quantization == "nf4"
    assert large.datamodule.hparams.model_name == "Qwen/Qwen2.5-14B-Instruct"
    assert large.trainer.accumulate_grad_batches == 8 and small.datamodule.hparams.batch_size == 4


def test_print_config_shows_the_resolved_recipe(capsys):
    with pytest.raises(SystemExit):
        cli_main(["fit", "--config", str(RECIPES / "demo.yaml"), "--print_config"])
    out = capsys.readouterr().out
    assert "model_name: HuggingFaceTB/SmolLM2-135M-Instruct" in out and "class_path: slm_recipes.callbacks.SaveAdapter" in out


def run_cli(args: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exit_info:
        cli_main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err
    return err


def test_unknown_key_names_file_and_line(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nmodel:\n  init_args:\n    lora_rank: 8\n", encoding="utf-8")
    err = run_cli(["fit", "--config", str(RECIPES / "demo.yaml"), "--config", str(bad)], capsys)
    assert f"{bad}:4: unknown key 'lora_rank'" in err


def test_a_misspelt_section_in_a_training_recipe_names_file_and_line(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ntraner:\n  max_epochs: 3\n", encoding="utf-8")
    err = run_cli(["fit", "--config", str(RECIPES / "demo.yaml"), "--config", str(bad)], capsys)
    assert f"{bad}:2: unknown key 'traner'" in err


@pytest.fixture
def tiny_run(tmp_path, tiny_qwen2, monkeypatch):
    """`slm fit` arguments for the demo recipe on a tiny model and small data, run in an empty folder."""
    monkeypatch.chdir(tmp_path)
    train = write_jsonl(tmp_path / "train.jsonl", qa_records(12, chunks=6))
    return ["--config", str(RECIPES / "demo.yaml"), "--config", str(RECIPES / "debug/fast.yaml"),
            "--model.model_name", str(tiny_qwen2), "--data.train_file", str(train), "--data.val_file", "null", "--data.context", "none",
            "--data.eval_file", "null",
            "--name", "tiny"]


@pytest.mark.parametrize("override, message", [
    (["--data.train_file", "missing.jsonl"], "data file missing.jsonl does not exist"),
    (["--model.model_name", "./no/such/model"], "model path ./no/such/model does not exist"),
    (["--data.max_length", "8"], "no training example left"),
])
def test_bad_input_stops_before_training_with_one_line(tiny_run, override, message, capsys):
    err = run_cli(["fit", *tiny_run, *override], capsys)
    assert message in err
    assert not list(Path("logs").rglob("*.ckpt"))


def test_invalid_jsonl_line_is_named(tiny_run, tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "Q", "answer": "A"}\n{"question": \n', encoding="utf-8")
    err = run_cli(["fit", *tiny_run, "--data.train_file", str(bad)], capsys)
    assert f"{bad}:2: not valid JSON" in err


def test_fit_then_validate_last_checkpoint(tiny_run, tiny_qwen2):
    cli_main(["fit", *tiny_run])
    run_dir = Path("logs/tiny") / tiny_qwen2.name
    assert (run_dir / "checkpoints/last.ckpt").is_file()
    assert (run_dir / "adapter/adapter_model.safetensors").is_file()
    events = EventAccumulator(str(run_dir))
    events.Reload()
    tags = set(events.Tags()["scalars"])
    assert {"train/loss_step", "val/loss", "lr-AdamW", "train/grad_norm", "train/tokens_per_sec",
            "train/trained_token_share"} <= tags
    assert len(events.Scalars("train/loss_step")) == 4
    fitted = len(events.Scalars("val/loss"))

    shutil.rmtree("exports/tiny/eval")
    cli_main(["validate", *tiny_run, "--ckpt_path", "last"])
    events.Reload()
    assert len(events.Scalars("val/loss")) == fitted + 1  # the checkpoint's validation loss
    tuned = Path("exports/tiny/eval/tuned.jsonl").read_text(encoding="utf-8").splitlines()  # the checkpoint, not base
    assert tuned and not Path("exports/tiny/eval/base.jsonl").exists()


def test_inspect_data_marks_exactly_the_answer_as_trained(tiny_run, capsys):
    cli_main(["inspect-data", *tiny_run, "--count", "2"])
    out = capsys.readouterr().out
    trained = [t for t in re.findall(r"\[\[(.*?)\]\]", out, flags=re.DOTALL) if t.strip()]  # not the legend's [[ ]]
    assert len(trained) == 2 and all(re.fullmatch(r"第(\d+)条规定住宿费每天不超过1\d\d元。<\|im_end\|>", t) for t in trained)
    questions = re.findall(r"第\d+条规定的住宿费上限是多少元？", out)
    assert len(questions) == 2 and not any(q in t for q in questions for t in trained)
    assert re.search(r"train_examples\s+│\s+\d+", out) and re.search(r"trained_share\s+│\s+\d+\.\d%", out)
