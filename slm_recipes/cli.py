"""The `slm` command: LightningCLI for `fit` / `validate`, and the other stages on the same recipe."""

from __future__ import annotations

import os
import sys
from argparse import ArgumentError
from collections.abc import Callable, Sequence

from slm_recipes.chat.command import chat_command
from slm_recipes.chat.predict import predict_command
from slm_recipes.curate.command import curate_command, review_command
from slm_recipes.distill.command import distill_command
from slm_recipes.distill.keys_command import keys_command
from slm_recipes.errors import RecipeError
from slm_recipes.evaluation.command import eval_command
from slm_recipes.export.command import export_command
from slm_recipes.ingest.command import ingest_command
from slm_recipes.inspect_data import inspect_data_command
from slm_recipes.recipe_cli import SLMCLI
from slm_recipes.recipe_errors import config_files_in, explain_parse_error

COMMANDS: dict[str, tuple[Callable[[list[str]], None], str]] = {
    "ingest": (ingest_command, "read the recipe's documents (PDF, TXT, MD) into chunks.jsonl; --skip-bad to go on past bad files"),
    "distill": (distill_command, "turn chunks.jsonl into QA pairs (distilled.jsonl) with the recipe's teachers; cached, resumable"),
    "curate": (curate_command, "check, score, de-duplicate and split distilled.jsonl into dataset/{train,val,test}.jsonl + report"),
    "review": (review_command, "human review: `review export` writes a sample (CSV + HTML); `review import FILE.csv` reads it back"),
    "inspect-data": (inspect_data_command, "print rendered examples (trained vs masked tokens) and data statistics"),
    "keys": (keys_command, "list the teachers' API keys, masked, with their state (from the environment and distill.keys_file)"),
    "chat": (chat_command, "talk to the trained model in the terminal, streamed, with the recipe's system prompt and generation"),
    "predict": (predict_command, "answer a JSONL of questions into a JSONL of answers: --input Q.jsonl --output A.jsonl"),
    "export": (export_command, "merge the adapter (16/32-bit base) and write verified GGUF files + Ollama Modelfile to exports/<name>/"),
    "eval": (eval_command, "QA metrics of an artefact: --adapter DIR | --merged DIR | --gguf FILE (report in exports/<name>/eval/)"),
}

OVERVIEW = """usage: slm COMMAND --config RECIPE.yaml [--config MORE.yaml] [--section.key value ...]

Turn your documents into a small local domain-expert chat model. Every command reads the same recipe.

commands:
  fit            fine-tune (LoRA / QLoRA) on the recipe's data; TensorBoard under logs/<name>/
  validate       validation loss and QA metrics of the base model, or of a checkpoint with --ckpt_path
{extra}
Run `slm COMMAND --help` for a command's options; `slm fit --config R --print_config` shows the resolved recipe.
"""


def cli_main(args: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if args is None else args)
    if not argv or argv[0] in ("-h", "--help"):
        extra = "".join(f"  {name:<14} {text}\n" for name, (_, text) in COMMANDS.items())
        print(OVERVIEW.format(extra=extra))
        return
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        if argv[0] in COMMANDS:
            COMMANDS[argv[0]][0](argv[1:])
        else:
            SLMCLI(args=argv)
    except ArgumentError as err:
        print(f"error: {explain_parse_error(str(err), config_files_in(argv))}", file=sys.stderr)
        raise SystemExit(2) from None
    except RecipeError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    cli_main()
