"""`slm inspect-data`: see exactly what the model will be trained on before paying for a run."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table
from rich.text import Text

from slm_recipes.datamodules.chat_encoding import IGNORE_INDEX, EncodedChat


def mark_trained(encoded: EncodedChat, tokenizer, colour: bool) -> Text:
    """Trained tokens in green (colour) or inside [[ ]] (plain); masked tokens dim."""
    text = Text()
    runs: list[tuple[bool, list[int]]] = []
    for token, label in zip(encoded.input_ids, encoded.labels):
        trained = label != IGNORE_INDEX
        if runs and runs[-1][0] == trained:
            runs[-1][1].append(token)
        else:
            runs.append((trained, [token]))
    for trained, ids in runs:
        piece = tokenizer.decode(ids)
        if colour:
            text.append(piece, style="bold green" if trained else "dim")
        else:
            text.append(f"[[{piece}]]" if trained else piece)
    return text


def print_inspection(datamodule, count: int = 3, console: Console | None = None) -> None:
    console = console or Console()
    colour = console.is_terminal and console.color_system is not None and sys.stdout.isatty()
    datamodule.setup("fit")
    legend = "trained tokens in green, masked tokens dim" if colour else "trained tokens inside [[ ]], masked tokens plain"
    console.print(f"[bold]{count} rendered training examples[/bold] ({legend})", markup=True)
    for item in datamodule.train_data.items[:count]:
        console.rule(item.example.source)
        console.print(mark_trained(item.encoded, datamodule.tokenizer, colour), markup=False, highlight=False)
    stats = datamodule.stats
    table = Table(title="dataset statistics")
    table.add_column("statistic")
    table.add_column("value", justify="right")
    for key, value in stats.items():
        table.add_row(key, f"{value:.1%}" if key == "trained_share" else f"{value:g}")
    console.print(table)
