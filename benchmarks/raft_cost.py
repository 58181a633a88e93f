"""What open-book (RAFT) training costs per example against closed-book, on the demo's own pipeline data.

Both runs use the demo recipe (SmolLM2-135M-Instruct, the dataset made from its PDF) and differ only in
`data.init_args.context` (none vs raft). Printed: tokens per example (mean), the trained share, and
seconds per training example measured over `--steps` optimizer steps after one warm-up step, same run.

    python benchmarks/raft_cost.py [--steps 4]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def measure(context: str, steps: int) -> dict[str, float]:
    import lightning as L

    from slm_recipes.cli.training import load_training_cli

    cli = load_training_cli(["--config", str(REPO / "recipes/demo.yaml"), "--data.context", context,
                             "--trainer.max_steps", str(steps + 1), "--trainer.limit_val_batches", "0",
                             "--evaluation.enabled", "false", "--export.merge_after_fit", "false"])
    seen: list[float] = []

    class Timing(L.Callback):
        def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
            seen.append(time.perf_counter())

        def on_train_end(self, trainer, pl_module):
            seen.append(time.perf_counter())

    cli.trainer.callbacks.append(Timing())
    cli.trainer.fit(cli.model, datamodule=cli.datamodule)
    stats = cli.datamodule.stats
    lengths = cli.datamodule.train_data.lengths
    per_step = (seen[-1] - seen[1]) / steps  # after the warm-up step
    return {"tokens": sum(lengths) / len(lengths), "trained_share": stats["trained_share"],
            "seconds": per_step / cli.datamodule.hparams.batch_size}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4)
    args = parser.parse_args()
    os.environ.setdefault("SLM_MODELS_DIR", str(REPO / "models"))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        closed = measure("none", args.steps)
        raft = measure("raft", args.steps)
    for name, m in (("closed-book", closed), ("raft", raft)):
        print(f"{name}: {m['tokens']:.0f} tokens per example, {m['trained_share']:.0%} trained, "
              f"{m['seconds']:.2f} s per example")
    print(f"raft / closed-book: {raft['tokens'] / closed['tokens']:.2f}x tokens, "
          f"{raft['seconds'] / closed['seconds']:.2f}x seconds per example")
    return 0


if __name__ == "__main__":
    sys.exit(main())
