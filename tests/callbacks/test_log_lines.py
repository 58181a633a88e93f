"""Training off a terminal prints whole progress lines: step, loss, tokens/s, ETA, and the validation loss."""

from __future__ import annotations

import re

import lightning as L
import pytest
from builders import qa_records, write_jsonl
from slm_recipes.datamodules import DistilledQADataModule
from slm_recipes.modules import QLoRACausalLM

from slm_recipes.callbacks import LogLineProgress, TokenThroughput

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_a_fit_prints_a_line_per_interval_and_after_each_validation(tmp_path, tiny_qwen2, monkeypatch, capsys):
    monkeypatch.setenv("SLM_PROGRESS_INTERVAL", "0")
    train = write_jsonl(tmp_path / "train.jsonl", qa_records(12, chunks=6))
    model = QLoRACausalLM(str(tiny_qwen2), lora_r=4, lora_alpha=8, max_length=128)
    data = DistilledQADataModule(str(train), model_name=str(tiny_qwen2), max_length=128, batch_size=2)
    trainer = L.Trainer(accelerator="cpu", max_epochs=2, logger=False, enable_checkpointing=False, log_every_n_steps=1,
                        num_sanity_val_steps=0, callbacks=[TokenThroughput(), LogLineProgress()], enable_model_summary=False)
    trainer.fit(model, datamodule=data)
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("fit: ")]
    steps = trainer.global_step
    assert len(lines) >= steps
    assert re.fullmatch(rf"fit: epoch 2/2, step {steps}/{steps} \(100%\), loss \d+\.\d{{3}}, val loss \d+\.\d{{3}}, "
                        r"\d+ tokens/s; \d:\d\d:\d\d elapsed, ETA 0:00:00", lines[-1])
    assert re.match(r"fit: epoch 1/2, step 1/\d+ \(\d+%\), loss \d", lines[0])
