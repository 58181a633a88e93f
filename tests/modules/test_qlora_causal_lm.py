"""The (Q)LoRA module on tiny random Qwen2 and Llama models, trained by a real Lightning Trainer."""

from __future__ import annotations

import functools

import lightning as L
import pytest
import torch
from builders import qa_records, write_jsonl
from lightning.pytorch.callbacks import ModelCheckpoint
from peft import PeftModel
from slm_recipes.datamodules import DistilledQADataModule
from slm_recipes.modules import QLoRACausalLM
from slm_recipes.modules.schedules import WarmupDecayLR
from transformers import AutoModelForCausalLM


def module(model_dir, **kwargs) -> QLoRACausalLM:
    return QLoRACausalLM(model_name=str(model_dir), optimizer=functools.partial(torch.optim.AdamW, lr=1e-2),
                         lr_scheduler=functools.partial(WarmupDecayLR, warmup_steps=2), **kwargs)


def datamodule(tmp_path, model_dir) -> DistilledQADataModule:
    train = write_jsonl(tmp_path / "train.jsonl", qa_records(12, chunks=6))
    return DistilledQADataModule(train_file=str(train), model_name=str(model_dir), batch_size=4, val_fraction=0.34)


def trainer(tmp_path, **kwargs) -> L.Trainer:
    kwargs.setdefault("max_steps", 6)
    return L.Trainer(default_root_dir=tmp_path, accelerator="cpu", logger=False, enable_progress_bar=False,
                     enable_model_summary=False, log_every_n_steps=1, **kwargs)


class LossRecorder(L.Callback):
    def __init__(self) -> None:
        self.losses: list[float] = []
        self.start_step: int | None = None
        self.start_lr: float | None = None

    def on_train_start(self, trainer, pl_module) -> None:
        self.start_step = trainer.global_step
        self.start_lr = trainer.optimizers[0].param_groups[0]["lr"]

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        self.losses.append(float(outputs["loss"]))


def test_answer_only_loss_equals_the_full_model_loss(tiny_qwen2, tmp_path):
    lm = module(tiny_qwen2)
    lm.configure_model()
    dm = datamodule(tmp_path, tiny_qwen2)
    dm.setup("fit")
    batch = next(iter(dm.train_dataloader()))
    reference = lm.model(**batch).loss
    assert torch.allclose(lm(**batch), reference, atol=1e-5)


@pytest.mark.parametrize("model_fixture", ["tiny_qwen2", "tiny_llama"])
def test_fit_lowers_loss_and_checkpoints_only_adapters(model_fixture, request, tmp_path):
    model_dir = request.getfixturevalue(model_fixture)
    lm, recorder = module(model_dir), LossRecorder()
    checkpoint = ModelCheckpoint(dirpath=tmp_path / "ckpt", save_last=True)
    trainer(tmp_path, max_steps=12, callbacks=[recorder, checkpoint]).fit(lm, datamodule(tmp_path, model_dir))
    assert sum(recorder.losses[-3:]) < 0.95 * sum(recorder.losses[:3])

    state = torch.load(tmp_path / "ckpt" / "last.ckpt", weights_only=False)["state_dict"]
    trainable = {n for n, p in lm.named_parameters() if p.requires_grad}
    assert set(state) == trainable and all("lora_" in k for k in state)

    lm.save_adapter(tmp_path / "adapter")
    base = AutoModelForCausalLM.from_pretrained(model_dir)
    reloaded = PeftModel.from_pretrained(base, tmp_path / "adapter").eval()
    ids = torch.tensor([[1, 2, 3, 4, 5]])
    lm.model.eval()
    assert torch.allclose(reloaded(input_ids=ids).logits, lm.model(input_ids=ids).logits, atol=1e-5)


def test_resume_continues_global_step_and_learning_rate(tiny_qwen2, tmp_path):
    checkpoint = ModelCheckpoint(dirpath=tmp_path / "ckpt", save_last=True)
    first = trainer(tmp_path, max_steps=3, callbacks=[checkpoint])
    first.fit(module(tiny_qwen2), datamodule(tmp_path, tiny_qwen2))
    lr_at_stop = first.optimizers[0].param_groups[0]["lr"]

    recorder = LossRecorder()
    second = trainer(tmp_path, max_steps=5, callbacks=[recorder, ModelCheckpoint(dirpath=tmp_path / "ckpt", save_last=True)])
    second.fit(module(tiny_qwen2), datamodule(tmp_path, tiny_qwen2), ckpt_path=str(tmp_path / "ckpt" / "last.ckpt"))
    assert recorder.start_step == 3 and second.global_step == 5
    assert recorder.start_lr == pytest.approx(lr_at_stop)


def test_qlora_nf4_validates_then_trains_on_cpu(tiny_qwen2, tmp_path):
    pytest.importorskip("bitsandbytes")
    import bitsandbytes as bnb

    lm, recorder = module(tiny_qwen2, quantization="nf4"), LossRecorder()
    trainer(tmp_path, max_steps=4, num_sanity_val_steps=1, val_check_interval=2,
            callbacks=[recorder]).fit(lm, datamodule(tmp_path, tiny_qwen2))
    assert any(isinstance(m, bnb.nn.Linear4bit) for m in lm.model.modules())
    assert len(recorder.losses) == 4 and all(torch.isfinite(torch.tensor(recorder.losses)))


def test_dora_with_gradient_checkpointing_trains(tiny_llama, tmp_path):
    lm, recorder = module(tiny_llama, use_dora=True, gradient_checkpointing=True), LossRecorder()
    trainer(tmp_path, max_steps=2, callbacks=[recorder]).fit(lm, datamodule(tmp_path, tiny_llama))
    assert lm.model.base_model.model.model.gradient_checkpointing
    assert any("lora_magnitude_vector" in n for n, p in lm.named_parameters() if p.requires_grad)
    assert len(recorder.losses) == 2
