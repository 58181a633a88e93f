"""Each command's `reads` is what it uses: the recipe parts its function and the procedures it hands the recipe to
read, found by following the `recipe` argument through their source (a static check: nothing runs)."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import textwrap
from collections.abc import Callable

import pytest

from slm_recipes.cli.main import COMMANDS
from slm_recipes.recipe.recipe import SECTIONS, Recipe

FIELDS = {"name": {"paths"}, "model_name": {"model"}, "lexicon": {"lexicon"}, "paths": {"paths"}, "data": {"data"},
          "files": set(),
          **{key: {key} for key in SECTIONS}}


def recipe_attribute(attribute: str) -> set[str]:
    """The parts a Recipe attribute reads: a field's own part, or what its property's body reads of `self`."""
    if attribute in FIELDS:
        return FIELDS[attribute]
    member = inspect.getattr_static(Recipe, attribute)
    assert isinstance(member, property), f"Recipe.{attribute} is neither a field nor a property"
    return uses(member.fget, "self")


def _resolve(function: Callable, name: str, node: ast.AST) -> object | None:
    """The object a name in `function` refers to: a module-level name or one imported inside the function."""
    found = function.__globals__.get(name)
    if found is not None:
        return found
    for child in ast.walk(node):
        if isinstance(child, ast.ImportFrom) and child.module:
            for alias in child.names:
                if (alias.asname or alias.name) == name:
                    return getattr(importlib.import_module(child.module), alias.name)
    return None


def uses(function: Callable, parameter: str) -> set[str]:
    """The recipe parts `function` reads through its argument `parameter`, following calls that pass it on."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == parameter:
            found |= recipe_attribute(node.attr)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            passed = [i for i, a in enumerate(node.args) if isinstance(a, ast.Name) and a.id == parameter]
            passed_as = [k.arg for k in node.keywords if isinstance(k.value, ast.Name) and k.value.id == parameter]
            if not passed and not passed_as:
                continue
            callee = _resolve(function, node.func.id, tree)
            if inspect.isclass(callee):
                return {"everything"}  # an object that keeps the whole recipe (the page)
            assert callable(callee), f"{function.__name__} passes the recipe to {node.func.id}, which is not found"
            names = list(inspect.signature(callee).parameters)
            for target in [names[i] for i in passed] + passed_as:
                found |= uses(callee, target)
    return found


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_command_reads_what_it_uses(name):
    command = COMMANDS[name]
    assert set(command.reads) == uses(command.run, "recipe")


def test_every_recipe_field_has_a_part():
    assert {f.name for f in dataclasses.fields(Recipe)} == set(FIELDS)
