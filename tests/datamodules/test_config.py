"""The data section and the DataModule take the same arguments, with the same types, defaults and documentation."""

from __future__ import annotations

import dataclasses
import inspect

import docstring_parser
import pytest
from slm_recipes.datamodules.config import DataConfig
from slm_recipes.datamodules.distilled_qa import DistilledQADataModule

from slm_recipes.core.errors import RecipeError

LINKED = ("model_name", "stages")


def test_the_datamodule_takes_exactly_the_data_section_and_what_the_cli_links():
    parameters = {n: p for n, p in inspect.signature(DistilledQADataModule).parameters.items() if n not in LINKED}
    fields = {f.name: f for f in dataclasses.fields(DataConfig)}
    assert list(parameters) == list(fields)
    assert {n: p.default for n, p in parameters.items()} == {n: f.default for n, f in fields.items()}
    assert {n: str(p.annotation) for n, p in parameters.items()} == {n: str(f.type) for n, f in fields.items()}
    documented = [p.arg_name for p in docstring_parser.parse(inspect.getdoc(DistilledQADataModule.__init__)).params]
    assert documented == [*fields, *LINKED]


def test_its_checks_run_for_every_command_and_for_the_datamodule():
    with pytest.raises(RecipeError, match="context must be none, gold or raft"):
        DataConfig(context="open")
    with pytest.raises(RecipeError, match="no_gold_share must be in"):
        DistilledQADataModule(no_gold_share=1.0)
    assert DataConfig(context="raft").open_book and not DataConfig().open_book
