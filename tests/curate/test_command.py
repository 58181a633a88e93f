"""`slm curate` and `slm review` through the real CLI, on a small recipe written in tmp_path."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from slm_recipes.cli import cli_main

from .conftest import read_jsonl


def recipe(tmp_path: Path, config) -> Path:
    path = tmp_path / "recipe.yaml"
    path.write_text(
        "model:\n  init_args:\n    model_name: HuggingFaceTB/SmolLM2-135M-Instruct\n"
        f"data:\n  init_args:\n    train_file: {tmp_path / 'x.jsonl'}\n"
        f"ingest:\n  output: {config.chunks}\ndistill:\n  output: {config.distilled}\n"
        f"curate:\n  output_dir: {config.output_dir}\n"
        "  review_fraction: 1.0\n", encoding="utf-8")
    return path


def test_curate_and_review_commands(tmp_path, curate_files, capsys):
    args = ["--config", str(recipe(tmp_path, curate_files))]
    cli_main(["curate", *args, "--curate.min_score", "50"])
    out = capsys.readouterr().out
    assert "curate →" in out and "numeric_grounding" in out and "report.md" in out
    assert len(read_jsonl(tmp_path / "dataset" / "rejected.jsonl")) == 6

    cli_main(["review", "export", *args])
    sample = tmp_path / "review" / "sample.csv"
    assert sample.is_file() and (tmp_path / "review" / "sample.html").is_file()
    rows = list(csv.DictReader(sample.open(encoding="utf-8-sig")))
    for row in rows:
        row["decision"] = "accept" if row["id"] == "refusal" else ""
    with sample.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    cli_main(["review", "import", str(sample), *args])
    assert "imported 1 accepted" in capsys.readouterr().out

    cli_main(["curate", *args])
    assert len(read_jsonl(tmp_path / "dataset" / "rejected.jsonl")) == 5


def test_review_needs_an_action(capsys):
    with pytest.raises(SystemExit):
        cli_main(["review", "--config", "x.yaml"])
    assert "usage: slm review export" in capsys.readouterr().err
