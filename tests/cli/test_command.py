"""Every command is declared one way: `--help` exits 0 and lists its own options and aliases; parsing is shared."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

from slm_recipes.cli.command import Command, run_command
from slm_recipes.cli.main import COMMANDS, TRAINING, cli_main
from slm_recipes.core.errors import RecipeError
from slm_recipes.recipe.arguments import Alias
from slm_recipes.recipe.recipe import SECTIONS

REPO = Path(__file__).resolve().parents[2]
OWN = {"fit": ["--ckpt_path", "--trainer.max_epochs", "--evaluation.every_n_epochs"], "validate": ["--ckpt_path"]}


@pytest.mark.parametrize("name", [*TRAINING, *COMMANDS])
def test_help_exits_0_and_names_the_commands_own_options(name, capsys):
    try:
        cli_main([*name.split(), "--help"])
    except SystemExit as stop:  # LightningCLI's help exits
        assert stop.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: slm {name}") or name in TRAINING
    command = COMMANDS.get(name)
    expected = OWN.get(name) or [option_flag(command, o) for o in command.options()] + list(command.aliases)
    assert [flag for flag in expected if flag not in out] == []
    if command is not None:
        assert command.summary.split(";")[0][:40] in " ".join(out.split())
        reads = set(SECTIONS) | {"data"} if "everything" in command.reads else set(command.reads)
        flags = re.findall(r"^  (?:-\w \w+, )?(--[\w.-]+)", out, flags=re.MULTILINE)
        listed = {f[2:].split(".")[0] for f in flags if "." in f}
        assert listed == {s for s in reads if s in SECTIONS} | ({"data"} if "data" in reads else set())
        spellings = [f.replace("-", "_") for f in flags]
        assert len(spellings) == len(set(spellings)), "a flag is listed twice"


def option_flag(command: Command, option: str) -> str:
    """`--option`, or the bare name of a positional (required) one."""
    parameter = inspect.signature(command.run).parameters[option]
    return option if parameter.default is inspect.Parameter.empty else f"--{option}"


def test_the_overview_lists_every_command(capsys):
    cli_main(["--help"])
    out = capsys.readouterr().out
    assert all(f"  {name} " in out for name in [*TRAINING, *COMMANDS])


def test_reading_a_recipe_or_asking_for_help_loads_neither_torch_nor_lightning():
    script = ("import sys; from slm_recipes.cli.main import cli_main; cli_main(['ingest', '--help']); cli_main(['keys']); "
              "from slm_recipes.recipe.parser import load_recipe; load_recipe(['--config', 'recipes/demo.yaml']); "
              "print(sorted(m for m in ('torch', 'lightning', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_aliases_set_their_recipe_key_and_a_wrong_option_is_one_line(tmp_path):
    seen = {}

    def probe(recipe, count: int = 3) -> None:
        """Probe the parse.

        Args:
            count: How many.
        """
        seen.update(skip_bad=recipe.ingest.skip_bad, gguf=recipe.export.gguf, count=count)

    command = Command(probe, aliases={"--skip-bad": Alias("ingest.skip_bad", "true"),
                                      "--gguf": Alias("export.gguf", convert=lambda v: f"[{v}]")})
    run_command("probe", command, ["--config", str(REPO / "recipes/demo.yaml"), "--skip-bad", "--gguf", "f16",
                                   "--count", "5"])
    assert seen == {"skip_bad": True, "gguf": ["f16"], "count": 5}
    with pytest.raises(RecipeError, match="count: expected an integer, got 'five'"):
        run_command("probe", command, ["--config", str(REPO / "recipes/demo.yaml"), "--count", "five"])
    with pytest.raises(RecipeError, match="needs a recipe"):
        run_command("probe", command, ["--count", "5"])


def test_an_unknown_command_names_the_known_ones(capsys):
    with pytest.raises(SystemExit) as stop:
        cli_main(["distil", "--config", "demo.yaml"])
    assert stop.value.code == 2 and "unknown command 'distil'; the commands are fit, validate, ingest, distill" in \
        capsys.readouterr().err


def test_a_group_lists_its_commands(capsys):
    cli_main(["review", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: slm review export|import") and "  review import " in out


def test_an_option_is_spelled_with_dashes_or_underscores_and_a_true_false_option_alone_is_true(tmp_path):
    seen = {}

    def probe(recipe, no_retrieval: bool = False, api_key: str | None = None) -> None:
        """Probe the options.

        Args:
            no_retrieval: Closed book.
            api_key: A key.
        """
        seen.update(no_retrieval=no_retrieval, api_key=api_key)

    run_command("probe", Command(probe), ["--config", str(REPO / "recipes/demo.yaml"), "--no-retrieval", "--api-key", "k"])
    assert seen == {"no_retrieval": True, "api_key": "k"}
    run_command("probe", Command(probe), ["--config", str(REPO / "recipes/demo.yaml"), "--no_retrieval", "false"])
    assert seen["no_retrieval"] is False
