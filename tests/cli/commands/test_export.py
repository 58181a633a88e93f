"""`slm fit` ships a merged folder and a verified GGUF; `slm export` does it again from a checkpoint or an adapter."""

from __future__ import annotations

import sys
from pathlib import Path

import gguf
import pytest
import torch
from builders import qa_records, write_jsonl
from transformers import AutoModelForCausalLM

from slm_recipes.cli.main import cli_main
from slm_recipes.export.verify import llama_cpp_available

REPO = Path(__file__).resolve().parents[3]


def recipe(tmp_path: Path, model: Path) -> list[str]:
    train = write_jsonl(tmp_path / "train.jsonl", qa_records(8, chunks=4))
    return ["--config", str(REPO / "recipes/demo.yaml"), "--config", str(REPO / "recipes/debug/fast.yaml"),
            "--model.model_name", str(model), "--data.train_file", str(train), "--data.val_file", "null", "--data.context", "none",
            "--data.eval_file", "null",
            "--name", "tiny"]


@pytest.mark.slow
def test_fit_then_export_from_checkpoint_and_merged(tmp_path, tiny_qwen2, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    args = recipe(tmp_path, tiny_qwen2)
    cli_main(["fit", *args, "--export.gguf", "[q8_0]"])
    out = tmp_path / "exports/tiny"
    assert {"merged", "tiny-q8_0.gguf", "tiny-q8_0.gguf.sha256", "Modelfile", "Modelfile.q8_0"} <= {p.name for p in out.iterdir()}
    assert "FROM ./tiny-q8_0.gguf" in (out / "Modelfile").read_text()
    fitted = AutoModelForCausalLM.from_pretrained(out / "merged").state_dict()

    cli_main(["export", *args, "--ckpt_path", "last", "--gguf", "f16"])
    again = AutoModelForCausalLM.from_pretrained(out / "merged").state_dict()
    assert all(torch.allclose(fitted[k], again[k], atol=1e-6) for k in fitted)
    printed = capsys.readouterr().out
    assert "verified tiny-f16.gguf" in printed and "transformers greedy tokens: ok" in printed
    reader = gguf.GGUFReader(out / "tiny-f16.gguf")
    assert reader.get_field("general.name").contents() == "tiny"

    if llama_cpp_available():
        cli_main(["export", *args, "--merged", str(out / "merged"), "--gguf", "q6_k"])
        assert "verified tiny-q6_k.gguf" in capsys.readouterr().out
        assert (out / "Modelfile.q6_k").is_file()


def test_unknown_type_and_conflicting_sources_are_errors(tmp_path, tiny_qwen2, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    args = recipe(tmp_path, tiny_qwen2)
    with pytest.raises(SystemExit):
        cli_main(["export", *args, "--gguf", "q3_x"])
    assert "unknown GGUF type q3_x" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli_main(["export", *args, "--adapter", "a", "--merged", "b"])
    assert "at most one of" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli_main(["export", *args])
    assert "run `slm fit` first" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli_main(["export", *args, "--ckpt_path", "last"])
    assert "checkpoint logs/tiny" in capsys.readouterr().err


def test_predict_answers_the_same_from_the_gguf_as_from_the_merged_folder(tmp_path, tiny_qwen2, monkeypatch):
    """`--gguf` loads our file through transformers: an f32 export answers exactly as the folder it came from."""
    from slm_recipes.export.write_gguf import write_gguf

    monkeypatch.chdir(tmp_path)
    args = [*recipe(tmp_path, tiny_qwen2), "--generation.max_new_tokens", "6", "--generation.repetition_penalty", "3.0"]
    gguf_file = write_gguf(tiny_qwen2, tmp_path / "tiny-f32.gguf", "f32", "tiny", progress=False)
    questions = write_jsonl(tmp_path / "q.jsonl", [{"question": "住宿费上限是多少元？"}, {"question": "Taxi after 22:00?"}])
    answers = {}
    for flag, artefact in (("--merged", tiny_qwen2), ("--gguf", gguf_file)):
        output = tmp_path / f"{flag.strip('-')}.jsonl"
        cli_main(["predict", *args, flag, str(artefact), "--input", str(questions), "--output", str(output)])
        answers[flag] = [line for line in output.read_text().splitlines()]
    assert len(answers["--gguf"]) == 2 and answers["--gguf"] == answers["--merged"]


def test_a_k_quant_without_llama_cpp_stops_fit_before_training(tmp_path, tiny_qwen2, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # as if llama-cpp-python were not installed
    with pytest.raises(SystemExit):
        cli_main(["fit", *recipe(tmp_path, tiny_qwen2), "--export.gguf", "[q4_k_m]"])
    assert "needs llama.cpp's quantizer" in capsys.readouterr().err
    assert not (tmp_path / "logs").exists()
