"""Answer-only masking, checked against an independent expectation on three templates."""

from __future__ import annotations

import pytest
from builders import PLAIN_TEMPLATE, QWEN_STYLE_TEMPLATE
from slm_recipes.datamodules.chat_encoding import IGNORE_INDEX, encode_chat, encode_prompt, with_system_prompt
from transformers import AutoTokenizer

SINGLE = [{"role": "user", "content": "住宿费每天的上限是多少？"},
          {"role": "assistant", "content": "省会城市住宿费每天不超过500元。"}]
MULTI = [{"role": "system", "content": "You answer questions about travel rules."},
         {"role": "user", "content": "How many days to file a claim?"},
         {"role": "assistant", "content": "Within 10 working days after the trip."},
         {"role": "user", "content": "出租车呢？"},
         {"role": "assistant", "content": "出租车费凭发票实报实销，单次不超过200元。"}]


@pytest.fixture(params=["smollm2", "qwen-style", "plain"])
def tokenizer(request, smollm2_dir):
    tok = AutoTokenizer.from_pretrained(smollm2_dir)
    tok.chat_template = {"smollm2": tok.chat_template, "qwen-style": QWEN_STYLE_TEMPLATE, "plain": PLAIN_TEMPLATE}[request.param]
    return tok


def trained_runs(input_ids: list[int], labels: list[int]) -> list[list[int]]:
    runs, current = [], []
    for token, label in zip(input_ids, labels):
        if label != IGNORE_INDEX:
            assert label == token
            current.append(token)
        elif current:
            runs.append(current)
            current = []
    return runs + ([current] if current else [])


@pytest.mark.parametrize("messages", [SINGLE, MULTI], ids=["single-turn", "multi-turn"])
def test_trained_tokens_are_exactly_each_answer_and_its_end_of_turn_token(tokenizer, messages):
    encoded = encode_chat(tokenizer, messages)
    answers = [m["content"] for m in messages if m["role"] == "assistant"]
    runs = trained_runs(encoded.input_ids, encoded.labels)
    assert [tokenizer.decode(run) for run in runs] == [a + tokenizer.eos_token for a in answers]


def test_prompt_and_template_text_are_masked(smollm2_tokenizer):
    encoded = encode_chat(smollm2_tokenizer, SINGLE)
    masked = [t for t, label in zip(encoded.input_ids, encoded.labels) if label == IGNORE_INDEX]
    text = smollm2_tokenizer.decode(masked)
    assert "住宿费每天的上限是多少？" in text and "<|im_start|>assistant\n" in text
    assert "500元" not in text


def test_generation_prompt_is_the_training_prefix(smollm2_tokenizer):
    encoded = encode_chat(smollm2_tokenizer, SINGLE)
    prompt = encode_prompt(smollm2_tokenizer, SINGLE[:1])
    assert encoded.input_ids[: len(prompt)] == prompt
    assert encoded.labels[len(prompt) - 1] == IGNORE_INDEX and encoded.labels[len(prompt)] != IGNORE_INDEX


def test_system_prompt_is_added_only_when_missing():
    assert with_system_prompt(SINGLE, "S")[0] == {"role": "system", "content": "S"}
    assert with_system_prompt(MULTI, "S") == MULTI
    assert with_system_prompt(SINGLE, None) == SINGLE
