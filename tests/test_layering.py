"""Arrows point down: no import cycle, no import from a higher layer, stages talk only through files and the kernel.

Every import counts, function-local ones included. Modules are named as installed: `datamodules/`
is slm_recipes.datamodules and `modules/` is slm_recipes.modules. A new module must be given a layer
here, so where it sits is a decision, not an accident.

    python -m pytest tests/test_layering.py
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FOLDERS = {"slm_recipes": "slm_recipes", "datamodules": "slm_recipes.datamodules", "modules": "slm_recipes.modules",
           "recipes": "slm_recipes.recipes"}
KERNEL = {"slm_recipes", "errors", "atomic", "jsonl", "numbers", "run_paths", "zh_numerals", "headings", "gguf_types",
          "devices", "grouping", "progress", "text_keys", "generation_settings", "run_lock", "segmenter", "ui_settings", "addresses"}
STAGES = ("ingest", "distill", "curate", "evaluation", "export", "chat", "serve")
LAYERS = [  # bottom to top: (name, module prefixes relative to slm_recipes)
    ("kernel", sorted(KERNEL)),
    ("model and tokenizer lookup", ["model_source", "tokenizers"]),
    ("retrieval and grounded decoding", ["retrieval", "grounded_numbers"]),
    ("training components and shared generation", ["datamodules", "modules", "generation", "schedules"]),
    ("stages", list(STAGES)),
    ("orchestration: data preparation, callbacks, artefact loader", ["data_pipeline", "callbacks", "artefacts",
                                                                     "inspect_data"]),
    ("recipe", ["recipe", "recipe_files", "recipe_parser", "recipe_errors", "recipe_cli", "recipes"]),
    ("command line and web app", ["cli", "command_line", "commands", "ui"]),
]


def project_modules() -> dict[str, Path]:
    found = {}
    for folder, package in FOLDERS.items():
        for path in sorted((REPO / folder).rglob("*.py")):
            parts = path.relative_to(REPO / folder).with_suffix("").parts
            name = ".".join((package, *parts)).removesuffix(".__init__")
            found[name] = path
    return found


MODULES = project_modules()


def imports_of(path: Path) -> set[str]:
    """Every project module `path` imports (module-level or inside functions)."""
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name:
                targets.add(name)
    return targets


GRAPH = {name: imports_of(path) - {name} for name, path in MODULES.items()}


def layer_of(module: str) -> int:
    relative = module.removeprefix("slm_recipes").lstrip(".") or "slm_recipes"
    for index, (_, prefixes) in enumerate(LAYERS):
        if any(relative == p or relative.startswith(p + ".") for p in prefixes):
            return index
    raise AssertionError(f"{module} has no layer: add it to LAYERS in tests/test_layering.py")


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def test_every_module_has_a_layer():
    for module in MODULES:
        layer_of(module)


def test_no_import_cycle():
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in GRAPH[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in MODULES:
        if module not in index:
            visit(module)
    assert cycles == []


def test_no_arrow_points_up():
    upward = [f"{a} ({LAYERS[layer_of(a)][0]}) imports {b} ({LAYERS[layer_of(b)][0]})"
              for a, targets in GRAPH.items() for b in targets if layer_of(b) > layer_of(a)]
    assert upward == []


def test_stages_talk_to_each_other_only_through_files_and_the_kernel():
    crossing = [f"{a} imports {b}" for a, targets in GRAPH.items() for b in targets
                if stage_of(a) and stage_of(b) and stage_of(a) != stage_of(b)]
    assert crossing == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.removeprefix("slm_recipes.") in KERNEL | {"slm_recipes"}))
def test_the_kernel_imports_only_the_kernel(module):
    assert {t for t in GRAPH[module] if layer_of(t) > 0} == set()


def test_run_paths_imports_nothing_of_the_project():
    assert GRAPH["slm_recipes.run_paths"] == set()


def test_design_card_packages_are_only_imported_by_their_installed_names():
    bare = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = [node.module] if isinstance(node, ast.ImportFrom) and node.module else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            bare += [f"{name}: {m}" for m in modules if m.split(".")[0] in ("modules", "datamodules", "recipes")]
    assert bare == []


def test_no_folder_name_of_a_run_is_written_outside_run_paths():
    """`"exports"`, `"logs"`, `"checkpoints"`, `"adapter"` as path parts come from RunPaths only."""
    names = {"exports", "logs", "checkpoints", "adapter", "merged", "eval"}
    found = defaultdict(list)
    for module, path in MODULES.items():
        if module == "slm_recipes.run_paths":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            joined = isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and \
                isinstance(node.right, ast.Constant) and node.right.value in names
            called = isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Path" and node.args and \
                isinstance(node.args[0], ast.Constant) and str(node.args[0].value).split("/")[0] in names
            if joined or called:
                found[module].append(node.lineno)
    assert dict(found) == {}
