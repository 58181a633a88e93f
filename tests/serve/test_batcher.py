"""Requests batched together get the answers they would get alone, and each leaves when it is done."""

from __future__ import annotations

import threading

import pytest
from slm_recipes.datamodules.chat_encoding import encode_prompt
from transformers import AutoModelForCausalLM

from slm_recipes.generation.answers import generate_answers
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.hub.tokenizers import load_tokenizer
from slm_recipes.serve.batcher import Ask, Batcher, Delta, Failed, Finished, Job, QueueFull

pytestmark = pytest.mark.usefixtures("one_torch_thread")
QUESTIONS = ["住宿费每晚最多多少元？", "机票要提前几天订？请说明理由并举一个例子。", "hi", "市内交通费每天多少？",
             "出差伙食补助每天多少钱？如果出差不满一天怎么算？", "报销要在多少天内提交？"]
SOURCE = "第一条 住宿费每人每晚不超过380元。第二条 机票应至少提前7天预订。"


@pytest.fixture(scope="module")
def model_and_tokenizer(tiny_qwen2):
    return AutoModelForCausalLM.from_pretrained(tiny_qwen2).eval(), load_tokenizer(str(tiny_qwen2))


class Collected:
    """The events of several jobs, and a way to wait for all of them to finish."""

    def __init__(self, count: int) -> None:
        self.events: dict[int, list] = {n: [] for n in range(count)}
        self._left = count
        self._done = threading.Event()

    def job(self, n: int, ask: Ask) -> Job:
        def deliver(event) -> None:
            self.events[n].append(event)
            if isinstance(event, (Finished, Failed)):
                self._left -= 1
                if self._left == 0:
                    self._done.set()

        return Job(ask, deliver)

    def wait(self) -> None:
        assert self._done.wait(120), "the batcher never finished"

    def finished(self, n: int) -> Finished:
        return self.events[n][-1]


def run(batcher: Batcher, asks: list[Ask]) -> Collected:
    collected = Collected(len(asks))
    for n, ask in enumerate(asks):
        batcher.submit(collected.job(n, ask))
    collected.wait()
    return collected


def test_batched_answers_equal_generating_each_alone_with_penalty_and_grounding(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    lengths = [3, 12, 7, 12, 1, 9]  # each request its own max_tokens: they leave the batch one by one
    asks, alone = [], []
    for question, length in zip(QUESTIONS, lengths):
        settings = GenerationSettings(max_new_tokens=length, repetition_penalty=3.0)
        messages = [{"role": "user", "content": f"{SOURCE}\n{question}"}]
        asks.append(Ask(encode_prompt(tokenizer, messages), settings, grounded_in=SOURCE))
        alone.append(generate_answers(model, tokenizer, [messages], settings, grounded_in=[SOURCE])[0])
    batcher = Batcher(model, tokenizer, max_batch=4, window_s=0.5).start()
    try:
        collected = run(batcher, asks)
    finally:
        batcher.close()
    for n, expected in enumerate(alone):
        finished = collected.finished(n)
        assert finished.text == expected.text and finished.new_tokens == expected.new_tokens
        assert finished.finish_reason == ("stop" if expected.ended else "length")
        shown = "".join(e.text for e in collected.events[n] if isinstance(e, Delta)) + finished.rest
        assert shown == finished.text
    assert batcher.peak == 4  # the window gathered a full batch; the last two joined as places freed


def test_a_seed_samples_the_same_answer_alone_or_among_others(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    settings = GenerationSettings(max_new_tokens=10, temperature=1.0, top_p=0.9)
    prompts = [encode_prompt(tokenizer, [{"role": "user", "content": q}]) for q in QUESTIONS]
    batcher = Batcher(model, tokenizer, max_batch=8, window_s=0.5).start()
    try:
        alone = run(batcher, [Ask(prompts[0], settings, seed=7)]).finished(0).text
        together = run(batcher, [Ask(p, settings, seed=7 if n == 0 else n) for n, p in enumerate(prompts)])
        other_seed = run(batcher, [Ask(prompts[0], settings, seed=8)]).finished(0).text
    finally:
        batcher.close()
    assert together.finished(0).text == alone != other_seed


def test_a_stop_string_ends_the_answer_before_it(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    settings = GenerationSettings(max_new_tokens=12, repetition_penalty=3.0)
    prompt = encode_prompt(tokenizer, [{"role": "user", "content": QUESTIONS[0]}])
    batcher = Batcher(model, tokenizer).start()
    try:
        whole = run(batcher, [Ask(prompt, settings)]).finished(0)
        stop = whole.text[len(whole.text) // 2:][:2]
        cut = run(batcher, [Ask(prompt, settings, stop=(stop,))])
    finally:
        batcher.close()
    finished = cut.finished(0)
    assert finished.finish_reason == "stop" and finished.text == whole.text[:whole.text.index(stop)].strip()
    assert stop not in "".join(e.text for e in cut.events[0] if isinstance(e, Delta)) + finished.rest


def test_a_cancelled_job_gets_nothing_more_and_a_full_queue_refuses(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    batcher = Batcher(model, tokenizer, queue_size=1)  # not started: nothing leaves the queue
    prompt = encode_prompt(tokenizer, [{"role": "user", "content": QUESTIONS[0]}])
    events: list = []
    job = Job(Ask(prompt, GenerationSettings(max_new_tokens=4)), events.append)
    batcher.submit(job)
    with pytest.raises(QueueFull):
        batcher.submit(Job(Ask(prompt, GenerationSettings()), events.append))
    job.cancel()
    batcher.start()
    done = Collected(1)
    batcher.submit(done.job(0, Ask(prompt, GenerationSettings(max_new_tokens=4))))
    done.wait()
    batcher.close()
    assert events == [] and batcher.dropped == 1 and done.finished(0).new_tokens == 4


def test_a_failing_step_fails_its_requests_and_the_batcher_goes_on(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    batcher = Batcher(model, tokenizer).start()
    try:
        bad = run(batcher, [Ask([10**9], GenerationSettings(max_new_tokens=2))])  # no such token id
        good = run(batcher, [Ask(encode_prompt(tokenizer, [{"role": "user", "content": "hi"}]),
                                 GenerationSettings(max_new_tokens=2))])
    finally:
        batcher.close()
    assert isinstance(bad.events[0][-1], Failed) and bad.events[0][-1].message.startswith("generation failed: ")
    assert good.finished(0).new_tokens == 2


def test_the_installed_transformers_cache_has_the_layers_the_batcher_edits(model_and_tokenizer):
    import torch

    from slm_recipes.serve.batcher import _layers

    model, tokenizer = model_and_tokenizer
    out = model(input_ids=torch.tensor([tokenizer("住宿费")["input_ids"]]), use_cache=True)
    cache = getattr(out, "cache", None) or out.past_key_values
    layers = _layers(cache)
    assert len(layers) == model.config.num_hidden_layers and layers[0].keys.dim() == 4
    with pytest.raises(RuntimeError, match=r"needs transformers 4.56 to 5.x"):
        _layers(object())
