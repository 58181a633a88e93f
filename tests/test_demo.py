"""The offline demo on the real SmolLM2-135M-Instruct: a smoke run and the full recipe (slow).

The demo makes its data from its PDF (ingest → extractive distill → curate), indexes it, trains open-book
(RAFT) and evaluates closed- and open-book on the person-written paraphrases.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from slm_recipes.cli.main import cli_main

REPO = Path(__file__).resolve().parents[1]
DEMO = ["--config", str(REPO / "recipes/demo.yaml")]


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
    assert (demo_folder / "data/demo/dataset/train.jsonl").is_file() and (demo_folder / "data/demo/index").is_dir()


@pytest.mark.slow
def test_full_demo_reads_its_numbers_open_book_and_ships_a_verified_gguf(demo_folder, capsys):
    """The README's demo: open-book answers beat closed-book ones on strict numbers and invent (almost) none;
    the merged model and its q8_0 GGUF (verified against it) and Ollama Modelfile are in exports/demo/."""
    cli_main(["fit", *DEMO])
    exports = demo_folder / "exports/demo"
    open_book = json.loads((exports / "eval/tuned.metrics.json").read_text())
    closed = json.loads((exports / "eval/tuned-closed.metrics.json").read_text())
    assert open_book["qa/numeric_strict"] >= closed["qa/numeric_strict"] + 0.1
    assert open_book["qa/numeric_exact_match"] > closed["qa/numeric_exact_match"]
    assert open_book["qa/hallucinated_numbers"] <= 0.1
    assert open_book["retrieval/recall@5"] >= 0.6
    assert (exports / "merged/config.json").is_file() and (exports / "demo-q8_0.gguf").is_file()
    assert "verified demo-q8_0.gguf" in capsys.readouterr().out
    assert 'SYSTEM """你是星河科技的报销制度助手。"""' in (exports / "Modelfile").read_text()
