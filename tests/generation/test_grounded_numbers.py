"""GroundedNumbers: a digit-loving random model states only its row's source numbers; the rules, piece by piece."""

from __future__ import annotations

import pytest
import torch
from transformers import AutoModelForCausalLM, GenerationConfig, LogitsProcessor, LogitsProcessorList

from slm_recipes.generation import grounded_numbers
from slm_recipes.generation.grounded_numbers import GroundedNumbers, allowed_numbers

SOURCES = ["报销上限为 4725 元", "期限 18 天和 960 元"]
PROMPTS = ["资料：报销上限为 4725 元。\n问题：报销上限是多少？\n回答：", "期限多久？"]
ARABIC = "0123456789０１２３４５６７８９"
FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


class PreferDigits(LogitsProcessor):
    """+20 on every token with an ASCII digit: a random model that keeps stating figures."""

    def __init__(self, tokenizer) -> None:
        self.ids = torch.tensor([i for i in range(len(tokenizer)) if any(c in "0123456789" for c in tokenizer.decode([i]))])

    def __call__(self, input_ids, scores):
        scores = scores.clone()
        scores[:, self.ids] += 20
        return scores


class FiniteScores(LogitsProcessor):
    """Records whether every row kept a finite score and no NaN (placed after GroundedNumbers)."""

    def __init__(self) -> None:
        self.steps: list[bool] = []

    def __call__(self, input_ids, scores):
        self.steps.append(bool((scores > float("-inf")).any(dim=-1).all()) and not bool(scores.isnan().any()))
        return scores


def generate(path, tokenizer, sources: list[str] | None, prompts: list[str], seed: int | None) -> list[str]:
    """40 new tokens per left-padded prompt, greedy (seed None) or sampled at temperature 1, digits pushed."""
    model = AutoModelForCausalLM.from_pretrained(path)
    rows = [tokenizer.encode(p, add_special_tokens=False) for p in prompts]
    width = max(len(r) for r in rows)
    input_ids = torch.tensor([[tokenizer.pad_token_id] * (width - len(r)) + r for r in rows])
    attention_mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows])
    finite = FiniteScores()
    processors = [PreferDigits(tokenizer)] + ([GroundedNumbers(tokenizer, sources, width), finite] if sources else [])
    config = GenerationConfig(max_new_tokens=40, do_sample=seed is not None, temperature=1.0,
                              pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id)
    if seed is not None:
        torch.manual_seed(seed)
    out = model.generate(input_ids=input_ids, attention_mask=attention_mask, generation_config=config,
                         logits_processor=LogitsProcessorList(processors))
    assert all(finite.steps)
    return [tokenizer.decode(row, skip_special_tokens=True) for row in out[:, width:].tolist()]


def stray_numbers(text: str, source: str) -> list[str]:
    """Arabic-digit runs of `text` its source does not state; a run the 40-token limit cut short may be a prefix."""
    allowed = {run.translate(FULLWIDTH) for run in allowed_numbers(source)}
    stray = []
    for run in allowed_numbers(text):
        written = run.translate(FULLWIDTH)
        cut_short = text.endswith(run) and any(a.startswith(written) for a in allowed)
        if any(c in ARABIC for c in run) and written not in allowed and not cut_short:
            stray.append(run)
    return stray


def can_write(tokenizer, source: str, text: str, then_eos: bool = False) -> bool:
    """Whether GroundedNumbers lets each token of `text` (then EOS) be generated after the ones before it."""
    ids = tokenizer.encode(text, add_special_tokens=False) + ([tokenizer.eos_token_id] if then_eos else [])
    processor = GroundedNumbers(tokenizer, [source], 0)
    for n, token in enumerate(ids):
        scores = processor(torch.tensor([ids[:n]], dtype=torch.long), torch.zeros(1, len(tokenizer)))
        if scores[0, token] == float("-inf"):
            return False
    return True


def test_allowed_numbers_are_the_runs_as_written():
    assert allowed_numbers("住宿费每晚不超过1,200元，补助3.5万元，提前3个工作日，50%") == {"1,200", "3.5万", "3", "50"}
    assert "二十" in allowed_numbers("依据第二十条，共１２００元。")
    assert "１２００" in allowed_numbers("依据第二十条，共１２００元。")
    assert allowed_numbers("没有数字") == frozenset()


@pytest.mark.parametrize("seed", [None, 0, 1, 2], ids=["greedy", "seed0", "seed1", "seed2"])
def test_a_digit_loving_model_states_only_its_rows_numbers(tiny_qwen2, smollm2_tokenizer, one_torch_thread, seed):
    free = generate(tiny_qwen2, smollm2_tokenizer, None, PROMPTS, seed)
    assert any(stray_numbers(text, source) for text, source in zip(free, SOURCES))  # the bias does invent numbers
    grounded = generate(tiny_qwen2, smollm2_tokenizer, SOURCES, PROMPTS, seed)
    for text, source in zip(grounded, SOURCES):
        assert stray_numbers(text, source) == [], text
        assert any(c in ARABIC for c in text), text  # it still states numbers: the model picks which


def test_llama_without_numbers_in_its_source_writes_no_digit(tiny_llama, smollm2_tokenizer, one_torch_thread):
    free = generate(tiny_llama, smollm2_tokenizer, None, PROMPTS, None)
    assert all(any(c in ARABIC for c in text) for text in free)
    for seed in (None, 0):
        for text in generate(tiny_llama, smollm2_tokenizer, ["没有任何数字的资料", "nothing numeric here"], PROMPTS, seed):
            assert not any(c in ARABIC for c in text), text


def test_chinese_numerals_are_judged_by_the_unit_after_them(smollm2_tokenizer):
    assert not can_write(smollm2_tokenizer, "出差五天", "需要三天")
    assert can_write(smollm2_tokenizer, "出差三天", "需要三天")
    assert can_write(smollm2_tokenizer, "出差三天", "三天后")
    assert not can_write(smollm2_tokenizer, "3.5万元", "3万元")
    assert can_write(smollm2_tokenizer, "3.5万元", "补助3.5万元")
    for word in ("一般", "统一", "十分", "百分之五十", "一个", "一位", "一次"):
        assert can_write(smollm2_tokenizer, "没有数字", word)


def test_a_complete_run_may_take_punctuation_but_a_prefix_may_not_end(smollm2_tokenizer):
    assert can_write(smollm2_tokenizer, "共1200元", "共1200.", then_eos=True)
    assert can_write(smollm2_tokenizer, "共1200元", "1200, and 1200", then_eos=True)
    assert can_write(smollm2_tokenizer, "共1,200元", "1,200.", then_eos=True)
    assert can_write(smollm2_tokenizer, "共1200元", "1200", then_eos=True)
    assert not can_write(smollm2_tokenizer, "共1200元", "12", then_eos=True)
    assert not can_write(smollm2_tokenizer, "共1200元", "12, and")
    assert not can_write(smollm2_tokenizer, "共1200元", "12001")
    assert not can_write(smollm2_tokenizer, "共3元", "3.5")
    assert can_write(smollm2_tokenizer, "共１２００元", "1200元")  # fullwidth digits are their ASCII twins


@pytest.mark.parametrize("text", ["", "12", "1,", "1,20", "3.5", "3.5万", "三", "共二", "1200,"])
def test_the_cached_masks_agree_with_judging_every_token(smollm2_tokenizer, text):
    source = "每晚1,200元，补助3.5万元，三天，1200, 50%"
    processor = GroundedNumbers(smollm2_tokenizer, [source], 0)
    pieces = grounded_numbers._vocabulary(smollm2_tokenizer).pieces
    for n in range(len(ids := smollm2_tokenizer.encode(text, add_special_tokens=False)) + 1):
        kept = processor(torch.tensor([ids[:n]], dtype=torch.long), torch.zeros(1, len(pieces)))[0] > float("-inf")
        rules = next(iter(processor._rules.values()))
        state = grounded_numbers._state(pieces, ids[:n])
        assert kept.tolist() == [rules.fits(*state, piece) for piece in pieces], state


def test_scores_are_untouched_where_nothing_would_be_left(smollm2_tokenizer):
    processor = GroundedNumbers(smollm2_tokenizer, ["上限 4725 元"], 0)
    stray = torch.tensor([smollm2_tokenizer.encode("99", add_special_tokens=False)])  # a state the rules never reach
    scores = torch.randn(1, len(smollm2_tokenizer))
    assert torch.equal(processor(stray, scores), scores)
    digits_only = torch.full((1, len(smollm2_tokenizer)), float("-inf"))
    digits_only[0, smollm2_tokenizer.convert_tokens_to_ids(list("0123456789"))] = 1.0  # an earlier processor's mask
    out = GroundedNumbers(smollm2_tokenizer, ["没有数字"], 0)(torch.zeros(1, 0, dtype=torch.long), digits_only)
    assert torch.equal(out, digits_only)


def test_a_wider_model_vocabulary_and_a_mismatched_batch(smollm2_tokenizer):
    processor = GroundedNumbers(smollm2_tokenizer, ["没有数字"], 0)
    scores = processor(torch.zeros(1, 0, dtype=torch.long), torch.zeros(1, len(smollm2_tokenizer) + 64))
    assert scores.shape[-1] == len(smollm2_tokenizer) + 64 and scores[0, -64:].eq(0).all()
    assert scores[0, smollm2_tokenizer.convert_tokens_to_ids("7")] == float("-inf")
    with pytest.raises(ValueError, match="num_beams=1"):
        processor(torch.zeros(2, 0, dtype=torch.long), torch.zeros(2, len(smollm2_tokenizer)))
