"""Arrows point down: no import cycle, no import from a higher layer, stages talk only through files and the kernel.

Every import counts, function-local ones included. Modules are named as installed: `datamodules/`
is slm_recipes.datamodules and `modules/` is slm_recipes.modules. The layer map is `LAYERS`, written
here once; the README's table is checked against it, and the folders of `slm_recipes/` are its layers,
so a new module's place is a decision, not an accident.

    python -m pytest tests/test_layering.py
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FOLDERS = {"slm_recipes": "slm_recipes", "datamodules": "slm_recipes.datamodules", "modules": "slm_recipes.modules",
           "recipes": "slm_recipes.recipes"}
#: Bottom to top: (name, packages of slm_recipes). A package's `config` module (its recipe section's settings) is
#: in the settings layer whatever its package: every layer may read the settings, and they read only what is below.
LAYERS = [
    ("kernel", ["core"]),
    ("text rules", ["text"]),
    ("settings", ["*.config"]),
    ("model and tokenizer lookup", ["hub"]),
    ("retrieval", ["retrieval"]),
    ("training components", ["datamodules", "modules"]),
    ("generation", ["generation"]),
    ("stages", ["ingest", "distill", "curate", "evaluation", "export", "chat", "serve"]),
    ("callbacks", ["callbacks"]),
    ("recipe", ["recipe", "recipes"]),
    ("assembly", ["assembly"]),
    ("command line and web app", ["cli", "ui"]),
]
STAGES = next(packages for name, packages in LAYERS if name == "stages")
#: The packages of the pipeline's steps (DESIGN.md): the stages, the index and the page.
STAGE_PACKAGES = (*STAGES, "retrieval", "ui")
MAX_TOP_LEVEL = 10  # entries of slm_recipes/ besides the stage packages


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
    relative = module.removeprefix("slm_recipes").lstrip(".")
    if relative.split(".")[-1] == "config" and "." in relative:
        return next(i for i, (_, packages) in enumerate(LAYERS) if packages == ["*.config"])
    if relative in ("", "cli.__main__"):
        return len(LAYERS) - 1 if relative else 0  # the package's own __init__ holds only its version
    for index, (_, packages) in enumerate(LAYERS):
        if relative.split(".")[0] in packages:
            return index
    raise AssertionError(f"{module} has no layer: put it in a package of LAYERS in tests/test_layering.py")


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[1] not in STAGES or parts[-1] == "config":
        return None
    return parts[1]


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


def test_only_the_command_line_imports_the_commands():
    outside = [f"{a} imports {b}" for a, targets in GRAPH.items() for b in targets
               if b.startswith("slm_recipes.cli.commands") and not a.startswith("slm_recipes.cli")]
    assert outside == []


def test_no_stage_imports_a_callback():
    found = [f"{a} imports {b}" for a, targets in GRAPH.items() for b in targets
             if b.startswith("slm_recipes.callbacks") and a.split(".")[1:2] in [[p] for p in STAGE_PACKAGES]]
    assert found == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer_of(m) == 0))
def test_the_kernel_imports_only_the_kernel(module):
    assert {t for t in GRAPH[module] if layer_of(t) > 0} == set()


def test_run_paths_imports_nothing_of_the_project():
    assert GRAPH["slm_recipes.core.run_paths"] == set()


def test_the_top_of_the_package_shows_the_layers():
    entries = sorted(p.name for p in (REPO / "slm_recipes").iterdir() if p.name != "__pycache__")
    packaged = {p for _, packages in LAYERS for p in packages} | {"__init__.py"}
    assert [e for e in entries if e not in packaged] == []
    assert len([e for e in entries if e not in STAGE_PACKAGES]) <= MAX_TOP_LEVEL


def test_the_readme_describes_this_layer_map():
    """The README's layer table lists LAYERS, bottom to top, with the same packages."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Project layout and layering", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \| ([^|]+) \| ([^|]+) \|", section, flags=re.MULTILINE)
    described = [(name.strip(), sorted(re.findall(r"`([\w.*]+)/?`", packages))) for _, name, packages in rows]
    assert described == [(name, sorted(packages)) for name, packages in LAYERS]


def test_design_card_packages_are_only_imported_by_their_installed_names():
    bare = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = [node.module] if isinstance(node, ast.ImportFrom) and node.module else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            bare += [f"{name}: {m}" for m in modules if m.split(".")[0] in ("modules", "datamodules", "recipes")]
    assert bare == []


def test_no_folder_name_of_a_run_is_written_outside_run_paths():
    """The run's folders (`"exports"`, `"logs"`, `"data"`, `"review"`, `"index"`, ...) as path parts come from RunPaths only."""
    names = {"exports", "logs", "checkpoints", "adapter", "merged", "eval", "data", "dataset", "review", "index", "cache",
             "documents", "ui"}
    found = defaultdict(list)
    for module, path in MODULES.items():
        if module == "slm_recipes.core.run_paths":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            joined = isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and \
                isinstance(node.right, ast.Constant) and node.right.value in names
            called = isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Path" and node.args and \
                isinstance(node.args[0], ast.Constant) and str(node.args[0].value).split("/")[0] in names
            if joined or called:
                found[module].append(node.lineno)
    assert dict(found) == {}


#: Names the formats themselves fix (Hugging Face, PEFT, the bundled prompts, recipes and lexicons), not the run.
FORMAT_FILES = {"config.json", "adapter_config.json", "model.safetensors", "model.safetensors.index.json",
                "tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt", "special_tokens_map.json",
                "added_tokens.json", "system.txt", "numeric.txt", "general.txt", "good_examples.txt", "bad_examples.txt",
                "base.yaml", "{}.yaml", "*.yaml"}
RUN_FILE = re.compile(r"[\w{}.*-]*[\w}*]\.(jsonl|json|md|csv|html|ckpt|gguf|safetensors|log|npy|stamp|lock|partial|"
                      r"journal|sha256|rejected|staging|old|probe|txt|yaml)")


def _string_literals(tree: ast.AST):
    """(line, text) of every string constant and f-string (its fields as `{}`), docstrings left out."""
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    inside_fstrings = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            yield node.lineno, "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings | inside_fstrings:
            yield node.lineno, node.value


def test_no_file_name_of_a_run_is_written_outside_run_paths():
    """A literal that is a whole file name (`train.jsonl`, f"{label}.metrics.json") is RunPaths' to name."""
    found = defaultdict(list)
    for module, path in MODULES.items():
        if module == "slm_recipes.core.run_paths" or module.startswith("slm_recipes.recipes"):  # the demo's builder
            continue
        for line, text in _string_literals(ast.parse(path.read_text(encoding="utf-8"))):
            recipe_key = text.lstrip("-").split(".")[0] in ("export",)  # --export.gguf is a key, not a file
            if RUN_FILE.fullmatch(text) and text not in FORMAT_FILES and not recipe_key:
                found[module].append(f"{line}: {text}")
    assert dict(found) == {}
