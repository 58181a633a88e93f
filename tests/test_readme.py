"""The README's quick-start test command is what CI runs, unchanged."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```bash\n(python3\.11 -m venv .+?)\n```", readme)
    assert len(commands) == 2, "the quick start has two commands: demo and tests"
    demo, tests = commands
    assert demo.endswith("slm fit --config recipes/demo.yaml")
    assert tests.endswith("python -m pytest")
    assert tests in (REPO / ".ci/run").read_text(encoding="utf-8").splitlines()
