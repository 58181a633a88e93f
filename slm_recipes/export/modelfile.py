"""An Ollama Modelfile whose TEMPLATE renders conversations exactly as the training chat template did.

The role wrappers are read off the tokenizer's own template by rendering marker strings, then
checked on several conversations; a template that cannot be written as per-role wrappers gets
no TEMPLATE line, and Ollama falls back to the chat template embedded in the GGUF.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from transformers import PreTrainedTokenizerBase

from slm_recipes.core.atomic import write_text_atomically
from slm_recipes.generation.answers import stop_token_ids
from slm_recipes.generation.config import GenerationSettings

MARK = "\u2063{}\u2063"  # invisible separators: never part of a real template


@dataclass(frozen=True)
class TurnFormat:
    """What a template writes around each role's content, after the last turn, and when no system message is given."""

    wrappers: dict[str, tuple[str, str]]
    generation_prompt: str
    default_system: str

    def render(self, messages: list[dict[str, str]], add_generation_prompt: bool) -> str:
        text = self.default_system if not messages or messages[0]["role"] != "system" else ""
        for m in messages:
            before, after = self.wrappers[m["role"]]
            text += before + m["content"] + after
        return text + (self.generation_prompt if add_generation_prompt else "")


def _render(tokenizer: PreTrainedTokenizerBase, messages: list[dict[str, str]], generation: bool = False) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=generation)


def turn_format(tokenizer: PreTrainedTokenizerBase) -> TurnFormat | None:
    """The template as per-role wrappers, or None when it is not that simple."""
    system = {"role": "system", "content": MARK.format("s")}
    user = {"role": "user", "content": MARK.format("u")}
    assistant = {"role": "assistant", "content": MARK.format("a")}
    try:
        steps = [_render(tokenizer, [system]), _render(tokenizer, [system, user]), _render(tokenizer, [system, user, assistant])]
        prompt = _render(tokenizer, [system, user], generation=True)
        alone = _render(tokenizer, [user])
    except Exception:  # noqa: BLE001 (a template may refuse a conversation it was not written for)
        return None
    parts = [steps[0], steps[1].removeprefix(steps[0]), steps[2].removeprefix(steps[1])]
    wrappers = {}
    for role, part, full in zip(("system", "user", "assistant"), parts, steps):
        marker = MARK.format(role[0])
        if not full.startswith(steps[0]) or part.count(marker) != 1:
            return None
        wrappers[role] = tuple(part.split(marker))
    user_text = wrappers["user"][0] + MARK.format("u") + wrappers["user"][1]
    if not prompt.startswith(steps[1]) or not alone.endswith(user_text):
        return None
    found = TurnFormat(wrappers, prompt.removeprefix(steps[1]), alone.removesuffix(user_text))
    return found if _reproduces(tokenizer, found) else None


def _reproduces(tokenizer: PreTrainedTokenizerBase, found: TurnFormat) -> bool:
    conversations = [
        [{"role": "system", "content": "系统提示"}, {"role": "user", "content": "问题一"}, {"role": "assistant", "content": "答案一"},
         {"role": "user", "content": "Question two?"}],
        [{"role": "user", "content": "Only a question, 42 yuan?"}],
        [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}, {"role": "user", "content": "Q2"}],
    ]
    return all(found.render(c, g) == _render(tokenizer, c, g) for c in conversations for g in (False, True))


def go_template(found: TurnFormat) -> str:
    """The same rendering in Ollama's Go template language (over .Messages, the system message included)."""
    branches = "".join(
        f'{{{{ {"if" if n == 0 else "else if"} eq .Role "{role}" }}}}{before}{{{{ .Content }}}}{after}'
        for n, (role, (before, after)) in enumerate(found.wrappers.items())
    )
    default = (f'{{{{ if or (not .Messages) (ne (index .Messages 0).Role "system") }}}}{found.default_system}{{{{ end }}}}'
               if found.default_system else "")
    return f"{default}{{{{ range .Messages }}}}{branches}{{{{ end }}}}{{{{ end }}}}{found.generation_prompt}"


def modelfile_text(gguf_name: str, tokenizer: PreTrainedTokenizerBase, settings: GenerationSettings,
                   system_prompt: str | None) -> str:
    found = turn_format(tokenizer)
    stops = [tokenizer.convert_ids_to_tokens(i) for i in stop_token_ids(tokenizer)]
    model = Path(gguf_name).stem
    lines = [f"# Ollama Modelfile for {gguf_name}, written by `slm export`. Run it with:",
             f"#   ollama create {model} -f <this file> && ollama run {model}",
             f"FROM ./{gguf_name}"]
    if found is not None:
        lines.append(f'TEMPLATE """{go_template(found)}"""')
    else:
        lines.append("# no TEMPLATE: this chat template is not per-role wrappers; Ollama uses the one inside the GGUF")
    if system_prompt:
        lines.append(f'SYSTEM """{system_prompt}"""')
    lines += [f'PARAMETER stop "{s}"' for s in dict.fromkeys(stops)]
    lines += [f"PARAMETER temperature {settings.temperature:g}", f"PARAMETER top_p {settings.top_p:g}",
              f"PARAMETER repeat_penalty {settings.repetition_penalty:g}", f"PARAMETER num_predict {settings.max_new_tokens}"]
    return "\n".join(lines) + "\n"


def write_modelfile(path: Path, gguf_name: str, tokenizer: PreTrainedTokenizerBase, settings: GenerationSettings,
                    system_prompt: str | None) -> Path:
    write_text_atomically(path, modelfile_text(gguf_name, tokenizer, settings, system_prompt))
    return path
