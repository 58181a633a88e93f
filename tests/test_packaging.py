"""Installable anywhere: the wheel carries the bundled recipes and the design-card packages under slm_recipes,
and a run from another folder, beside a user's own `modules/` folder, uses them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tomllib

REPO = Path(__file__).resolve().parents[1]
MAPPED = {"datamodules": "slm_recipes.datamodules", "modules": "slm_recipes.modules", "recipes": "slm_recipes.recipes"}


def test_the_package_list_names_every_package_folder():
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    folders = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "slm_recipes").rglob("__init__.py")}
    folders |= {MAPPED[p.parent.name] for p in REPO.glob("*/__init__.py") if p.parent.name in MAPPED}
    assert set(setuptools["packages"]) == folders
    assert {k: v for k, v in setuptools["package-dir"].items()} == {v: k for k, v in MAPPED.items()}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(out)], check=True, capture_output=True)
    return next(out.glob("slm_recipes-*.whl"))


def test_the_wheel_holds_the_recipes_and_no_top_level_modules(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"slm_recipes"}
    for member in ("base.yaml", "demo.yaml", "models/qwen2.5-3b.yaml", "debug/fast.yaml", "demo/qa.jsonl",
                   "demo/paraphrased_eval.jsonl", "demo/reimbursement_rules.pdf"):
        assert f"slm_recipes/recipes/{member}" in names
    assert "slm_recipes/modules/qlora_causal_lm.py" in names and "slm_recipes/datamodules/distilled_qa.py" in names


def test_a_run_from_another_folder_uses_the_installed_package_not_a_users_modules_folder(wheel, tmp_path, tiny_qwen2):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    work = tmp_path / "work"
    for name in ("modules", "datamodules"):  # a user's own folders of the design card's names
        (work / name).mkdir(parents=True)
        (work / name / "__init__.py").write_text(f"raise ImportError('the user folder {name}/ was imported')\n")
    env = {**os.environ, "PYTHONPATH": str(site), "HF_HUB_OFFLINE": "1"}

    def slm(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "slm_recipes.cli", *args], cwd=work, env=env, capture_output=True,
                              text=True, timeout=900)

    where = subprocess.run([sys.executable, "-c", "import slm_recipes; print(slm_recipes.__file__)"], cwd=work, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(site))
    run = slm("fit", "--config", "demo.yaml", "--config", "debug/fast.yaml", "--model.model_name", str(tiny_qwen2),
              "--name", "wheel", "--export.merge_after_fit", "false")
    assert run.returncode == 0, run.stderr[-3000:]
    assert (work / "logs/wheel" / tiny_qwen2.name / "adapter/adapter_model.safetensors").is_file()
    assert (work / "exports/wheel/eval/tuned.jsonl").is_file()
    ingest = slm("ingest", "--config", "demo.yaml", "--model.model_name", str(tiny_qwen2), "--name", "wheel")
    assert ingest.returncode == 0, ingest.stderr[-3000:]
    assert (work / "data/wheel/chunks.jsonl").is_file()
