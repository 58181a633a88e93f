"""Batched left-padded generation: the same greedy answers as one question at a time, stopping at end-of-turn."""

from __future__ import annotations

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, RepetitionPenaltyLogitsProcessor

from slm_recipes.generation.answers import ByRow, _decode, answer_processors, generate_answers, left_pad, stop_token_ids
from slm_recipes.generation.config import GenerationSettings

QUESTIONS = ["住宿费上限是多少？", "出差超过15天由谁审批？请说明。", "报销款会以现金支付吗？", "hi",
             "长期驻外期间，每日饭补发多少钱？需要什么材料才能报销？"]

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def tiny(tiny_qwen2):
    model = AutoModelForCausalLM.from_pretrained(tiny_qwen2, dtype=torch.float32)
    return model, AutoTokenizer.from_pretrained(tiny_qwen2)


def prompts() -> list[list[dict[str, str]]]:
    return [[{"role": "system", "content": "你是报销助手。"}, {"role": "user", "content": q}] for q in QUESTIONS]


def test_batched_greedy_answers_equal_one_at_a_time(tiny):
    model, tokenizer = tiny
    one = generate_answers(model, tokenizer, prompts(), GenerationSettings(max_new_tokens=12, batch_size=1))
    batched = generate_answers(model, tokenizer, prompts(), GenerationSettings(max_new_tokens=12, batch_size=4))
    assert [a.text for a in batched] == [a.text for a in one]
    assert all(a.new_tokens <= 12 for a in one)


def test_the_repetition_penalty_counts_a_rows_own_tokens_not_its_left_padding(tiny):
    """SmolLM2 pads with its end-of-turn token: penalising padding would make a padded row less likely to end."""
    model, tokenizer = tiny
    pad = tokenizer.pad_token_id
    assert pad in stop_token_ids(tokenizer)
    settings = GenerationSettings(repetition_penalty=3.0)
    rows = [answer_processors(tokenizer, settings, None, 2), answer_processors(tokenizer, settings, None, 4)]
    ids = torch.tensor([[pad, pad, 11, 12], [13, 14, 15, 16]])
    scores = torch.full((2, 40), 2.0)
    out = ByRow(rows, [2, 0])(ids, scores)
    assert out[0, pad] == 2.0 and out[0, 11] == out[0, 12] == 2.0 / 3  # row 0: only its own two tokens
    assert out[1, 13] == out[1, 16] == 2.0 / 3 and out[1, pad] == 2.0
    padded = RepetitionPenaltyLogitsProcessor(3.0)(ids, scores.clone())  # what `generate` alone would do
    assert padded[0, pad] == 2.0 / 3


def test_generation_restores_training_mode_and_random_state(tiny):
    model, tokenizer = tiny
    model.train()
    torch.manual_seed(7)
    expected = torch.rand(1)
    torch.manual_seed(7)
    generate_answers(model, tokenizer, prompts()[:2], GenerationSettings(max_new_tokens=4, temperature=0.8))
    assert model.training and torch.equal(torch.rand(1), expected)


def test_sampling_is_seeded(tiny):
    model, tokenizer = tiny
    settings = GenerationSettings(max_new_tokens=6, temperature=1.0, batch_size=8)
    first = generate_answers(model, tokenizer, prompts() * 2, settings, seed=3)
    again = generate_answers(model, tokenizer, prompts() * 2, settings, seed=3)
    assert [a.text for a in first] == [a.text for a in again]


def test_stops_at_the_templates_end_of_turn(tiny):
    _, tokenizer = tiny
    end_of_turn = tokenizer.convert_tokens_to_ids("<|im_end|>")
    stops = stop_token_ids(tokenizer)
    assert end_of_turn in stops
    answer = tokenizer("65元", add_special_tokens=False)["input_ids"]
    done = _decode(tokenizer, answer + [end_of_turn, 11, 12], stops)
    assert done.text == "65元" and done.ended and done.new_tokens == len(answer)
    cut = _decode(tokenizer, answer, stops)
    assert not cut.ended


def test_left_pad_puts_padding_first():
    ids, mask = left_pad([[5, 6, 7], [8]], pad_id=0, device=torch.device("cpu"))
    assert ids.tolist() == [[5, 6, 7], [0, 0, 8]] and mask.tolist() == [[1, 1, 1], [0, 0, 1]]
