"""The page's review is `slm review import`'s: decisions edited in the table apply on the next curate."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from slm_recipes.cli.main import cli_main
from slm_recipes.recipe.parser import load_recipe
from slm_recipes.ui.app import REVIEW_COLUMNS, Page

REPO = Path(__file__).resolve().parents[2]
RULES = "第一条 住宿费每人每晚不超过380元。\n第二条 机票应至少提前7天预订。\n第三条 市内交通费每天不超过60元。\n"


@pytest.fixture
def curated(tmp_path, monkeypatch, tiny_qwen2):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules.txt").write_text(RULES, encoding="utf-8")
    args = ["--config", str(REPO / "recipes/demo.yaml"), "--model.model_name", str(tiny_qwen2), "--name", "tiny",
            "--ingest.sources", f"[{tmp_path / 'rules.txt'}]", "--curate.review_fraction", "1.0"]
    for command in ("ingest", "distill", "curate"):
        cli_main([command, *args])
    return Page(load_recipe(args), args)


def train_answers(page: Page) -> dict[str, str]:
    path = page.recipe.paths.split("train")
    return {r["id"]: r["answer"] for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def test_decisions_saved_from_the_table_apply_on_the_next_curate(curated, capsys):
    from slm_recipes.curate.review import export_sample

    export_sample(curated.recipe.curate, curated.recipe.paths)
    rows = curated.review_rows()
    table = pd.DataFrame(rows, columns=REVIEW_COLUMNS)
    kept = set(train_answers(curated))
    rejected, corrected = [i for i in table["id"] if i in kept][:2]
    table.loc[table["id"] == rejected, "decision"] = "reject"
    table.loc[table["id"] == corrected, "corrected_answer"] = "每晚不超过380元（已核对）。"
    said = curated.save_review(table)
    assert said.startswith("saved ") and "1 accepted (1 corrected), 1 rejected" in said
    cli_main(["curate", *curated.jobs.arguments])
    answers = train_answers(curated)
    assert rejected not in answers and answers.get(corrected) == "每晚不超过380元（已核对）。"


def test_a_bad_decision_is_one_line_naming_the_row(curated):
    from slm_recipes.curate.review import export_sample

    export_sample(curated.recipe.curate, curated.recipe.paths)
    table = pd.DataFrame(curated.review_rows(), columns=REVIEW_COLUMNS)
    table.loc[0, "decision"] = "maybe"
    assert curated.save_review(table).startswith("error: ") and "sample.csv:2: decision 'maybe'" in \
        curated.save_review(table)


def test_the_page_refuses_another_address_without_a_password(monkeypatch, capsys):
    monkeypatch.delenv("SLM_UI_PASSWORD", raising=False)
    with pytest.raises(SystemExit):
        cli_main(["ui", "--config", str(REPO / "recipes/demo.yaml"), "--host", "0.0.0.0"])
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ui.host 0.0.0.0 is reachable from other machines: set a password first") \
        and "\n" not in err
