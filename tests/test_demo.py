"""The offline demo on the real SmolLM2-135M-Instruct: a smoke run and the full recipe (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from slm_recipes.cli import cli_main

REPO = Path(__file__).resolve().parents[1]
DEMO = [
    "--config", str(REPO / "recipes/demo.yaml"),
    "--data.train_file", str(REPO / "recipes/demo/qa.jsonl"),
    "--data.eval_file", str(REPO / "recipes/demo/paraphrased_eval.jsonl"),
]


@pytest.fixture
def demo_folder(tmp_path, monkeypatch, smollm2_dir):
    """Run in an empty folder, with the dequantized model shared from the repository's models/."""
    monkeypatch.setenv("SLM_MODELS_DIR", str(smollm2_dir.parent))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scalars(run_dir: Path, tag: str) -> list[float]:
    events = EventAccumulator(str(run_dir))
    events.Reload()
    return [event.value for event in events.Scalars(tag)]


@pytest.mark.slow
def test_demo_smoke_run_writes_adapter_and_curves(demo_folder):
    cli_main(["fit", *DEMO, "--config", str(REPO / "recipes/debug/fast.yaml")])
    run_dir = demo_folder / "logs/demo/SmolLM2-135M-Instruct"
    assert (run_dir / "adapter/adapter_config.json").is_file()
    assert len(scalars(run_dir, "train/loss_step")) == 4
    assert scalars(run_dir, "val/loss")
    assert (demo_folder / "exports/demo/merged/model.safetensors").is_file()


@pytest.mark.slow
def test_full_demo_halves_the_training_loss_and_ships_a_verified_gguf(demo_folder, capsys):
    """The README's demo: the last epoch's mean loss is under half of the first 20 steps' mean; the merged
    model and its q8_0 GGUF (verified against it) and Ollama Modelfile are in exports/demo/."""
    cli_main(["fit", *DEMO])
    run_dir = demo_folder / "logs/demo/SmolLM2-135M-Instruct"
    first_20 = scalars(run_dir, "train/loss_step")[:20]
    final = scalars(run_dir, "train/loss_epoch")[-1]
    assert final < 0.5 * sum(first_20) / len(first_20)
    exports = demo_folder / "exports/demo"
    assert (exports / "merged/config.json").is_file() and (exports / "demo-q8_0.gguf").is_file()
    assert "verified demo-q8_0.gguf" in capsys.readouterr().out
    assert 'SYSTEM """你是星河科技的报销制度助手。"""' in (exports / "Modelfile").read_text()
