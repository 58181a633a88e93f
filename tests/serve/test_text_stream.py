"""What a stream shows is always the start of the final answer: split characters, blanks and stop strings held back."""

from __future__ import annotations

import pytest

from slm_recipes.serve.text_stream import TextStream


def feed(tokenizer, text: str, stop: tuple[str, ...] = ()) -> tuple[list[str], TextStream]:
    stream = TextStream(tokenizer, stop)
    deltas = []
    for token in tokenizer(text, add_special_tokens=False)["input_ids"]:
        deltas.append(stream.add(token))
        if stream.stopped:
            break
    deltas.append(stream.rest())
    return deltas, stream


@pytest.mark.parametrize("text", ["  住宿费每晚不超过1,200元，共3万天。  ", "Hotel: 380 yuan per night.\n\n", "万元万元"])
def test_the_shown_pieces_make_the_final_text_and_never_a_broken_character(smollm2_tokenizer, text):
    deltas, stream = feed(smollm2_tokenizer, text)
    assert "".join(deltas) == stream.final() == text.strip()
    assert all("\ufffd" not in d for d in deltas)
    assert len(smollm2_tokenizer("万", add_special_tokens=False)["input_ids"]) == 2  # split over two tokens


def test_a_stop_string_is_never_shown_even_while_it_is_being_written(smollm2_tokenizer):
    deltas, stream = feed(smollm2_tokenizer, "每晚380元。### 下一个问题", stop=("###", "END"))
    assert stream.stopped and stream.final() == "每晚380元。"
    assert "".join(deltas) == "每晚380元。" and not any("#" in d for d in deltas)


def test_a_partial_stop_that_does_not_complete_is_shown_after_all(smollm2_tokenizer):
    deltas, stream = feed(smollm2_tokenizer, "a ## b", stop=("###",))
    assert not stream.stopped and "".join(deltas) == "a ## b"
