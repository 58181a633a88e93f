"""QAEvaluation on a tiny random model: every metric in a real TensorBoard event file, the report, base vs tuned."""

from __future__ import annotations

import json
from pathlib import Path

import lightning as L
import pytest
from builders import qa_records, write_jsonl
from lightning.pytorch.loggers import TensorBoardLogger
from slm_recipes.datamodules import DistilledQADataModule
from slm_recipes.modules import QLoRACausalLM
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from slm_recipes.callbacks import QAEvaluation
from slm_recipes.cli.training import load_training_cli
from slm_recipes.core.run_paths import EvalFiles
from slm_recipes.evaluation.config import EvaluationConfig
from slm_recipes.text.lexicon import load_lexicon

REPO = Path(__file__).resolve().parents[2]
METRICS = ["numeric_exact_match", "strict_accuracy", "format", "hallucinated_numbers", "number_consistency"]

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def make_run(tmp_path: Path, model_dir: Path) -> tuple[QLoRACausalLM, DistilledQADataModule, QAEvaluation]:
    """6 eval questions (5 numeric, 1 general) in the DataModule's eval_file; short answers."""
    train = write_jsonl(tmp_path / "train.jsonl", qa_records(12, chunks=6))
    general = {"id": "g1", "question": "报销款会以现金支付吗？", "answer": "不会，报销款只支付到银行账户。",
               "chunk_id": "c9", "stage": "general", "numbers": []}
    questions = write_jsonl(tmp_path / "eval.jsonl", qa_records(5, chunks=5) + [general])
    model = QLoRACausalLM(str(model_dir), lora_r=4, lora_alpha=8, max_length=128)
    data = DistilledQADataModule(str(train), eval_file=str(questions), model_name=str(model_dir), max_length=128,
                                 batch_size=2, system_prompt="你是报销助手。")
    settings = EvaluationConfig(max_new_tokens=6, batch_size=4, consistency_questions=2, consistency_samples=2)
    callback = QAEvaluation(settings, EvalFiles(tmp_path / "eval"), load_lexicon(), eval_file=str(questions), system_prompt="你是报销助手。")
    return model, data, callback


def trainer(tmp_path: Path, callback: QAEvaluation, limit_val_batches: float = 1.0) -> L.Trainer:
    return L.Trainer(accelerator="cpu", devices=1, max_steps=2, limit_val_batches=limit_val_batches, num_sanity_val_steps=0,
                     logger=TensorBoardLogger(tmp_path / "logs", name="tiny", version="v"), callbacks=[callback],
                     enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)


def test_fit_logs_every_metric_and_writes_the_report_then_validate_measures_the_base(tmp_path, tiny_qwen2):
    model, data, callback = make_run(tmp_path, tiny_qwen2)
    trainer(tmp_path, callback).fit(model, datamodule=data)

    events = EventAccumulator(str(tmp_path / "logs/tiny/v"), size_guidance={"tensors": 0})
    events.Reload()
    tags = set(events.Tags()["scalars"])
    for group in ("qa", "qa_numeric"):
        assert {f"{group}/{m}" for m in METRICS} <= tags
    assert {"qa/keyword_coverage", "qa_general/keyword_coverage", "qa_general/strict_accuracy"} <= tags
    assert "qa/answers/text_summary" in events.Tags()["tensors"]
    assert [e.step for e in events.Scalars("qa/format")] == [2]  # end of the epoch; not again at the end of fit

    tuned = [json.loads(line) for line in (tmp_path / "eval/tuned.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in tuned] == ["q0", "q1", "q2", "q3", "q4", "g1"]
    assert tuned[0]["chunk_id"] == "c0" and tuned[0]["numeric"] and not tuned[-1]["numeric"]
    assert sum(r["consistent"] is not None for r in tuned) == 2
    assert tuned[0]["question"] == "第0条规定的住宿费上限是多少元？"

    trainer(tmp_path, callback).validate(model, datamodule=data)  # no checkpoint: labelled as the base model
    report = (tmp_path / "eval/report.md").read_text(encoding="utf-8")
    assert "| metric | base | tuned | change |" in report and "| qa/strict_accuracy |" in report
    base = json.loads((tmp_path / "eval/base.metrics.json").read_text(encoding="utf-8"))
    assert set(base) == {k for k in base if k.startswith(("qa/", "qa_numeric/", "qa_general/"))} and "qa/format" in base


def test_a_debug_overlay_asks_only_as_many_batches_without_sampling(tmp_path, tiny_qwen2):
    model, data, callback = make_run(tmp_path, tiny_qwen2)
    trainer(tmp_path, callback, limit_val_batches=1).validate(model, datamodule=data)
    base = [json.loads(line) for line in (tmp_path / "eval/base.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(base) == 4 and all(r["consistent"] is None for r in base)


def test_every_recipe_runs_the_evaluation_with_its_section_and_the_demo_asks_the_paraphrases():
    cli = load_training_cli(["--config", str(REPO / "recipes/demo.yaml"), "--evaluation.max_questions", "5"])
    (evaluation,) = [c for c in cli.trainer.callbacks if isinstance(c, QAEvaluation)]
    assert evaluation.config.max_questions == 5 and evaluation.config.every_n_epochs == 0
    assert evaluation.files.folder == Path("exports/demo/eval") and evaluation.system_prompt == "你是星河科技的报销制度助手。"
    assert Path(evaluation.eval_file).resolve() == (REPO / "recipes/demo/paraphrased_eval.jsonl").resolve()
    assert Path(cli.datamodule.hparams.eval_file).resolve() == (REPO / "recipes/demo/paraphrased_eval.jsonl").resolve()


def test_an_export_folder_takes_the_reports_and_the_evaluation_can_be_switched_off():
    args = ["--config", str(REPO / "recipes/demo.yaml"), "--export.output_dir", "/tmp/ship"]
    (evaluation,) = [c for c in load_training_cli(args).trainer.callbacks if isinstance(c, QAEvaluation)]
    assert evaluation.files.folder == Path("/tmp/ship/eval")
    off = load_training_cli([*args, "--evaluation.enabled", "false"])
    assert not [c for c in off.trainer.callbacks if isinstance(c, QAEvaluation)]
