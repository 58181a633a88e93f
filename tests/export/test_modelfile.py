"""The Ollama Modelfile: a TEMPLATE with the training template's exact role wrappers, stops and settings."""

from __future__ import annotations

from builders import PLAIN_TEMPLATE, QWEN_STYLE_TEMPLATE
from transformers import AutoTokenizer

from slm_recipes.export.modelfile import go_template, modelfile_text, turn_format
from slm_recipes.generation.config import GenerationSettings

CONVERSATION = [{"role": "system", "content": "你是助手。"}, {"role": "user", "content": "住宿费上限？"},
                {"role": "assistant", "content": "每天 450 元。"}, {"role": "user", "content": "And taxis?"}]


def tokenizer_with(smollm2_dir, template: str):
    tokenizer = AutoTokenizer.from_pretrained(smollm2_dir)
    tokenizer.chat_template = template
    return tokenizer


def test_chatml_wrappers_and_default_system_prompt(smollm2_dir):
    tokenizer = tokenizer_with(smollm2_dir, QWEN_STYLE_TEMPLATE)
    found = turn_format(tokenizer)
    assert found.wrappers["user"] == ("<|im_start|>user\n", "<|im_end|>\n")
    assert found.generation_prompt == "<|im_start|>assistant\n"
    assert found.default_system == "<|im_start|>system\nYou are Qwen, a helpful assistant.<|im_end|>\n"
    for messages in (CONVERSATION, CONVERSATION[1:]):
        assert found.render(messages, True) == tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    template = go_template(found)
    assert '{{ else if eq .Role "user" }}<|im_start|>user\n{{ .Content }}<|im_end|>\n' in template
    assert template.startswith('{{ if or (not .Messages) (ne (index .Messages 0).Role "system") }}<|im_start|>system\nYou are Qwen')
    assert template.endswith("{{ end }}{{ end }}<|im_start|>assistant\n")


def test_a_plain_template_with_eos_after_answers(smollm2_dir):
    tokenizer = tokenizer_with(smollm2_dir, PLAIN_TEMPLATE)
    found = turn_format(tokenizer)
    assert found.wrappers["assistant"] == ("### Assistant:\n", tokenizer.eos_token + "\n\n")
    assert found.default_system == ""
    assert found.render(CONVERSATION, True) == tokenizer.apply_chat_template(CONVERSATION, tokenize=False, add_generation_prompt=True)


def test_a_template_that_is_not_per_role_gets_no_template_line(smollm2_dir):
    counting = "{% for m in messages %}{{ loop.index }}:{{ m['content'] }}\n{% endfor %}"
    tokenizer = tokenizer_with(smollm2_dir, counting)
    assert turn_format(tokenizer) is None
    text = modelfile_text("m-q8_0.gguf", tokenizer, GenerationSettings(), None)
    assert "TEMPLATE" not in text.replace("no TEMPLATE", "") and "FROM ./m-q8_0.gguf" in text


def test_parameters_stops_and_system_prompt(smollm2_dir):
    tokenizer = tokenizer_with(smollm2_dir, QWEN_STYLE_TEMPLATE)
    settings = GenerationSettings(max_new_tokens=200, temperature=0.3, top_p=0.9, repetition_penalty=1.1)
    lines = modelfile_text("demo-q8_0.gguf", tokenizer, settings, "你是星河科技的报销制度助手。").splitlines()
    assert 'SYSTEM """你是星河科技的报销制度助手。"""' in lines
    assert 'PARAMETER stop "<|im_end|>"' in lines
    assert {"PARAMETER temperature 0.3", "PARAMETER top_p 0.9", "PARAMETER repeat_penalty 1.1",
            "PARAMETER num_predict 200"} <= set(lines)
