"""Start-up of the `slm` commands that do not train, against Python's own import of torch, in the same run.

Each command runs in a fresh process, alternating with the baseline (`python -c "import torch"`), several
times; medians of wall time and peak RSS (`wait4`). Printed per command: its time, its overhead above the
baseline (the issue's target: under a second), and the ratio. For reference it also times what every
command used to pay before it could read a recipe: LightningCLI building the Trainer, the model and the
callbacks (`slm_recipes.cli.training.load_training_cli`).

    python benchmarks/startup.py --repeats 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SLM = [sys.executable, "-m", "slm_recipes.cli"]
COMMANDS = {
    "python -c 'import torch' (baseline)": [sys.executable, "-c", "import torch"],
    "slm keys": [*SLM, "keys"],
    "slm ingest --help": [*SLM, "ingest", "--help"],
    "slm keys --config recipes/demo.yaml": [*SLM, "keys", "--config", "recipes/demo.yaml"],
    "read the demo recipe (load_recipe)": [sys.executable, "-c", "from slm_recipes.recipe.parser import load_recipe; "
                                           "load_recipe(['--config', 'recipes/demo.yaml'])"],
    "before: the recipe through LightningCLI": [sys.executable, "-c", "from slm_recipes.cli.training import load_training_cli; "
                                                "load_training_cli(['--config', 'recipes/demo.yaml'])"],
}


def run(command: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    for command in COMMANDS.values():  # warm the file cache
        run(command)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
    for _ in range(args.repeats):
        for name, command in COMMANDS.items():
            times[name].append(run(command))
    medians = {k: (statistics.median(t for t, _ in v), statistics.median(m for _, m in v)) for k, v in times.items()}
    base_time, base_memory = next(iter(medians.values()))
    print(f"{'command':<42} {'wall s':>7} {'over torch':>11} {'ratio':>6} {'peak MiB':>9}")
    for name, (seconds, memory) in medians.items():
        print(f"{name:<42} {seconds:7.2f} {seconds - base_time:+10.2f}s {seconds / base_time:5.2f}x {memory:9.1f}")
    print(f"(medians of {args.repeats}; baseline peak {base_memory:.1f} MiB)")


if __name__ == "__main__":
    main()
