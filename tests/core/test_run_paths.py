"""RunPaths: every folder and file of a run from its name and model, and the recipe's own placements."""

from __future__ import annotations

from pathlib import Path

from slm_recipes.core.run_paths import RunPaths, checksum_file, staging_file, stamp_file


def test_defaults_put_training_shipping_and_data_under_the_run_name():
    paths = RunPaths("demo", "HuggingFaceTB/SmolLM2-135M-Instruct/")
    assert paths.run_dir == Path("logs/demo/SmolLM2-135M-Instruct")
    assert paths.adapter_dir == paths.run_dir / "adapter" and paths.checkpoint("last") == paths.run_dir / "checkpoints/last.ckpt"
    assert paths.merged_dir == Path("exports/demo/merged") and paths.eval.folder == Path("exports/demo/eval")
    assert paths.gguf_file("q8_0") == Path("exports/demo/demo-q8_0.gguf") and paths.modelfile() == Path("exports/demo/Modelfile")
    assert (paths.chunks, paths.distilled, paths.dataset_dir) == (
        Path("data/demo/chunks.jsonl"), Path("data/demo/distilled.jsonl"), Path("data/demo/dataset"))
    assert paths.review_dir == Path("data/demo/review") and paths.index.folder == Path("data/demo/index")
    assert paths.decisions == Path("data/demo/review/decisions.jsonl") and paths.split("val") == Path("data/demo/dataset/val.jsonl")
    assert paths.ui_dir == Path("logs/demo/ui") and paths.documents_dir == Path("data/demo/documents")


def test_an_export_folder_moves_the_reports_too_and_data_files_can_be_placed_one_by_one():
    paths = RunPaths("r", "/models/Qwen2.5-3B-Instruct", export_folder="/ship", chunks_file="/d/chunks.jsonl",
                     dataset_folder="/d/sets/v2")
    assert paths.eval.folder == Path("/ship/eval") and paths.merged_dir == Path("/ship/merged")
    assert paths.run_dir == Path("logs/r/Qwen2.5-3B-Instruct") and paths.checkpoint("/x.ckpt") == Path("/x.ckpt")
    assert paths.index.folder == Path("/d/index") and paths.review_dir == Path("/d/sets/review")
    assert paths.distilled == Path("data/r/distilled.jsonl") and isinstance(paths.chunks_file, Path)


def test_a_root_holds_every_default_folder():
    paths = RunPaths("r", "m", root=Path("/work"))
    assert {paths.run_dir.parts[:2], paths.export_dir.parts[:2], paths.data_dir.parts[:2]} == {("/", "work")}


def test_side_files_sit_beside_their_output():
    paths = RunPaths("r", "m", distilled_file="d/distilled.jsonl")
    assert stamp_file(Path("d/x.jsonl")) == Path("d/x.jsonl.stamp")
    assert paths.distill_failures == Path("d/distilled.failures.jsonl")
    assert paths.distill_journal == Path("d/distilled.jsonl.journal")
    assert checksum_file(Path("e/a.gguf")) == Path("e/a.gguf.sha256") and staging_file(Path("e/a.gguf")) == Path("e/.a.gguf.partial")
