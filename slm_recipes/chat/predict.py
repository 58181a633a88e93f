"""`slm predict`: answer a JSONL of questions in batches into a JSONL of answers.

A record is a QA pair (`question`, optionally `answer`), or any chat record the DataModule reads
(`messages`, `conversations`, alpaca `instruction`) whose last turn is the user's question or an
answer to compare with. An answer the record brings is kept as `reference`; every other field of
the record is kept too. Prompts get the recipe's system prompt and generation settings.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from datamodules.chat_encoding import with_system_prompt
from datamodules.formats import SHAREGPT_ROLES, read_records, to_example
from slm_recipes.artefacts import open_recipe_model
from slm_recipes.atomic import write_text_atomically
from slm_recipes.errors import RecipeError
from slm_recipes.evaluation.dataset import EvalQuestion, from_examples
from slm_recipes.evaluation.generation import generate_answers

USAGE = """usage: slm predict --config R --input Q.jsonl --output A.jsonl [--adapter DIR | --merged DIR | --gguf FILE]

Answer every record of Q.jsonl (`question`, or chat `messages` / `conversations` / `instruction`
records ending with the question) and write one JSON line per record to A.jsonl: `id` (if given),
`question`, `answer`, `ended` (false: cut at max_new_tokens), `reference` (the record's own
answer, if any) and the record's other fields.
Without an artefact flag: exports/<name>/merged if it exists, else the run's adapter.
Prompts get the recipe's system prompt; generation the recipe's `generation:` section (batch_size
questions at a time); override a value for one run with e.g. --generation.max_new_tokens 512."""
_SLOT = "(the answer to predict)"  # stands in for a missing answer while a record is read as a chat example


def predict_command(argv: list[str]) -> None:
    if any(arg in ("-h", "--help") for arg in argv):
        print(USAGE)
        return
    source, argv = _take(argv, "--input")
    target, argv = _take(argv, "--output")
    if source.resolve() == target.resolve():
        raise RecipeError(f"--output {target} would overwrite the input; name another file")
    questions = read_questions(source)  # before loading the model: a bad line fails fast
    session = open_recipe_model(argv)
    settings = session.settings
    print(session.describe())
    prompts = [with_system_prompt(q.prompt, session.system_prompt) for _, q in questions]
    console = Console(stderr=True)  # stdout stays the summary
    with Progress(TextColumn("answering"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as progress:
        task = progress.add_task("answering", total=len(prompts))
        answers = generate_answers(session.model, session.tokenizer, prompts, settings,
                                   on_batch=lambda n: progress.advance(task, n))
    lines = [json.dumps(answer_record(record, q, a.text, a.ended), ensure_ascii=False)
             for (record, q), a in zip(questions, answers)]
    write_text_atomically(target, "".join(line + "\n" for line in lines))
    cut = sum(not a.ended for a in answers)
    print(f"wrote {len(lines)} answers to {target}"
          + (f" ({cut} cut at max_new_tokens {settings.max_new_tokens})" if cut else ""))


def read_questions(path: Path) -> list[tuple[dict[str, Any], EvalQuestion]]:
    """(record, question) per record of `path`, in file order; a bad record is an error naming its line."""
    if not path.is_file():
        raise RecipeError(f"{path} does not exist; pass --input a JSONL of questions")
    out = []
    for where, record in read_records(path):
        slotted, has_answer = _with_answer_slot(record, where)
        question = from_examples([to_example(slotted, where)])[0]
        if not question.question.strip():
            raise RecipeError(f"{where}: no user question to answer; fix or remove the record")
        out.append((record, question if has_answer else replace(question, reference="")))
    if not out:
        raise RecipeError(f"{path} holds no questions; write one JSON record per line")
    return out


def answer_record(record: dict[str, Any], question: EvalQuestion, answer: str, ended: bool) -> dict[str, Any]:
    """The output line: id, question, answer, ended, reference, then the record's other fields."""
    head = {"id": record["id"]} if "id" in record else {}
    head.update(question=question.question, answer=answer, ended=ended)
    if question.reference:
        head["reference"] = question.reference
    return {**head, **{k: v for k, v in record.items() if k not in head and k not in ("question", "answer")}}


def _with_answer_slot(record: dict[str, Any], where: str) -> tuple[dict[str, Any], bool]:
    """The record with a stand-in last answer where it has none (so the chat reader takes it), and whether it had one."""
    for key, role, text, answerer in (("messages", "role", "content", "assistant"),
                                      ("conversations", "from", "value", "gpt")):
        if key not in record:
            continue
        turns = record[key]
        if not isinstance(turns, list) or not turns:
            raise RecipeError(f"{where}: '{key}' must be a non-empty list of turns")
        last = turns[-1]
        if isinstance(last, dict) and SHAREGPT_ROLES.get(last.get(role)) == "assistant":
            if isinstance(last.get(text), str) and last[text].strip():
                return record, True
            turns = turns[:-1]  # an empty last answer is the one to predict
        return {**record, key: [*turns, {role: answerer, text: _SLOT}]}, False
    key = "output" if "instruction" in record else "answer"
    if isinstance(record.get(key), str) and record[key].strip():
        return record, True
    return {**record, key: _SLOT}, False


def _take(argv: list[str], flag: str) -> tuple[Path, list[str]]:
    """The path after `flag` (or in `flag=PATH`) and the other arguments; the flag is required."""
    for i, arg in enumerate(argv):
        name, eq, value = arg.partition("=")
        if name != flag:
            continue
        if eq:
            return Path(value), argv[:i] + argv[i + 1:]
        if i + 1 < len(argv) and not argv[i + 1].startswith("--"):
            return Path(argv[i + 1]), argv[:i] + argv[i + 2:]
        break
    raise RecipeError(f"{flag} needs a file; {USAGE.splitlines()[0]}")
