"""`slm fit` with recipes/strategies/ddp.yaml on 2 CPU processes (gloo) is the single-process training, only split.

Each run is the real command in a subprocess (Lightning starts the second rank itself, as on a GPU
machine). The single run uses micro-batch 1 x accumulation 4, the DDP run micro-batch 1 x 2 ranks x
accumulation 2: the same global batch over the same examples, so the adapters must agree to float
tolerance; LoRA dropout is off so nothing random differs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from builders import qa_records, write_jsonl
from safetensors.torch import load_file
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

REPO = Path(__file__).resolve().parents[2]
RECIPES = REPO / "recipes"
SLM = str(Path(sys.executable).with_name("slm"))
pytestmark = pytest.mark.slow
TOLERANCE = 1e-5


def fit(folder: Path, name: str, model: Path, *extra: str) -> subprocess.CompletedProcess:
    args = [SLM, "fit", "--config", str(RECIPES / "demo.yaml"), "--model.model_name", str(model), "--name", name,
            "--data.train_file", "train.jsonl", "--data.val_file", "val.jsonl", "--data.context", "none",
            "--data.eval_file", "null", "--data.batch_size", "1", "--data.eval_batch_size", "2",
            "--model.lora_dropout", "0", "--trainer.accelerator", "cpu", "--trainer.max_epochs", "1",
            "--trainer.num_sanity_val_steps", "0", "--export.gguf", "[]", "--evaluation.max_questions", "4",
            "--evaluation.max_new_tokens", "8", "--evaluation.consistency_questions", "0", *extra]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(args, cwd=folder, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def adapter(folder: Path, name: str, model: Path) -> dict[str, torch.Tensor]:
    return load_file(folder / "logs" / name / model.name / "adapter" / "adapter_model.safetensors")


def written(folder: Path, name: str) -> list[str]:
    """Every file the run wrote, event files by kind (their names carry host and pid)."""
    paths = [p.relative_to(folder).as_posix().replace(f"/{name}/", "/RUN/") for top in ("logs", "exports")
             for p in (folder / top / name).rglob("*") if p.is_file()]
    return sorted(re.sub(r"events\.out\.tfevents\..*", "events.out.tfevents", p) for p in paths)


@pytest.fixture(scope="module")
def runs(tmp_path_factory, tiny_qwen2):
    folder = tmp_path_factory.mktemp("ddp")
    write_jsonl(folder / "train.jsonl", qa_records(16, chunks=8))
    val = qa_records(20, chunks=8)[16:]
    write_jsonl(folder / "val.jsonl", val)
    one = fit(folder, "one", tiny_qwen2, "--trainer.devices", "1", "--trainer.accumulate_grad_batches", "4")
    two = fit(folder, "two", tiny_qwen2, "--config", str(RECIPES / "strategies/ddp.yaml"), "--trainer.devices", "2",
              "--trainer.accumulate_grad_batches", "2")
    return folder, one, two


def test_ddp_adapter_equals_the_single_process_adapter(runs, tiny_qwen2):
    folder, _, _ = runs
    one, two = adapter(folder, "one", tiny_qwen2), adapter(folder, "two", tiny_qwen2)
    assert one.keys() == two.keys() and one
    difference = max(float((one[k] - two[k]).abs().max()) for k in one)
    moved = max(float(one[k].abs().max()) for k in one if "lora_B" in k)  # B starts at zero: training moved it
    print(f"largest adapter difference DDP vs one process: {difference:.2e} (largest lora_B weight {moved:.2e})")
    assert moved > 100 * TOLERANCE and difference < TOLERANCE, difference


def test_only_rank_zero_writes_and_ddp_writes_what_one_process_writes(runs, tiny_qwen2):
    folder, _, _ = runs
    one, two = written(folder, "one"), written(folder, "two")
    assert one == two
    assert two.count(f"logs/RUN/{tiny_qwen2.name}/events.out.tfevents") == 1
    assert "logs/RUN/" + tiny_qwen2.name + "/checkpoints/last.ckpt" in two and any(p.startswith("exports/RUN/merged/") for p in two)


def test_qa_metrics_over_both_ranks_equal_one_process(runs):
    folder, _, _ = runs
    one = (folder / "exports/one/eval/tuned.metrics.json").read_text()
    two = (folder / "exports/two/eval/tuned.metrics.json").read_text()
    assert one == two
    rows = (folder / "exports/two/eval/tuned.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 4  # both ranks' questions, gathered


def test_ckpt_path_last_resumes_the_ddp_run_at_its_step(runs, tiny_qwen2):
    folder, _, _ = runs
    run_dir = folder / "logs/two" / tiny_qwen2.name
    assert torch.load(run_dir / "checkpoints/last.ckpt", weights_only=False)["global_step"] == 4
    fit(folder, "two", tiny_qwen2, "--config", str(RECIPES / "strategies/ddp.yaml"), "--trainer.devices", "2",
        "--trainer.accumulate_grad_batches", "2", "--trainer.max_epochs", "2", "--ckpt_path", "last")
    resumed = torch.load(run_dir / "checkpoints/last.ckpt", weights_only=False)
    assert resumed["global_step"] == 8 and resumed["epoch"] == 1
    events = EventAccumulator(str(run_dir))
    events.Reload()
    steps = [e.step for e in events.Scalars("train/loss_step")]
    assert sorted(steps) == list(range(8))  # 4 steps, then 4 more: none done twice
