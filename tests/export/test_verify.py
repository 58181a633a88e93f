"""Verification passes a faithful GGUF and catches a damaged one: bytes changed, file cut short, weights wrong."""

from __future__ import annotations

import gguf
import numpy as np
import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.core.run_paths import checksum_file
from slm_recipes.export.verify import VerificationSamples, agreement, verify_gguf
from slm_recipes.export.write_gguf import write_gguf
from slm_recipes.text.lexicon import load_lexicon

#: The lexicon's neutral conversations and tokenizer texts: what a recipe without questions or passages is checked on.
SAMPLES = VerificationSamples([list(c) for c in load_lexicon().sample_conversations], list(load_lexicon().tokenizer_samples))


@pytest.fixture(scope="module")
def q8_file(tmp_path_factory, qwen2_untied):
    return write_gguf(qwen2_untied, tmp_path_factory.mktemp("gguf") / "tiny-q8_0.gguf", "q8_0", "tiny", progress=False)

def test_a_faithful_file_passes_every_check(q8_file, qwen2_untied):
    report = verify_gguf(q8_file, qwen2_untied, "q8_0", SAMPLES)
    names = {c.name for c in report.checks}
    assert {"checksum", "read back", "tokenizer", "chat template", "transformers greedy tokens"} <= names
    assert report.passed


def damaged_copy(source, tmp_path, damage) -> object:
    path = tmp_path / source.name
    data = bytearray(source.read_bytes())
    damage(data)
    path.write_bytes(bytes(data))
    checksum_file(path).write_text(checksum_file(source).read_text())
    return path


def test_changed_bytes_fail_the_checksum(q8_file, qwen2_untied, tmp_path):
    def flip(data: bytearray) -> None:
        data[-1000] ^= 0xFF

    path = damaged_copy(q8_file, tmp_path, flip)
    with pytest.raises(RecipeError, match="checksum: FAILED"):
        verify_gguf(path, qwen2_untied, "q8_0", SAMPLES)


def test_a_truncated_file_is_unreadable(q8_file, qwen2_untied, tmp_path):
    path = damaged_copy(q8_file, tmp_path, lambda data: data.__delitem__(slice(len(data) // 2, None)))
    checksum_file(path).unlink()
    with pytest.raises(RecipeError, match="read back: FAILED"):
        verify_gguf(path, qwen2_untied, "q8_0", SAMPLES)


def test_wrong_weights_without_a_checksum_fail_the_comparison(q8_file, qwen2_untied, tmp_path):
    reader = gguf.GGUFReader(q8_file)
    embedding = next(t for t in reader.tensors if t.name == "token_embd.weight")
    start, size = int(embedding.data_offset), int(embedding.n_bytes)

    def zero_embeddings(data: bytearray) -> None:
        data[start:start + size] = bytes(size)

    path = damaged_copy(q8_file, tmp_path, zero_embeddings)
    checksum_file(path).unlink()
    with pytest.raises(RecipeError, match="transformers greedy tokens: FAILED"):
        verify_gguf(path, qwen2_untied, "q8_0", SAMPLES)


def test_agreement_excuses_only_near_ties():
    import torch

    reference = [torch.tensor([[1.0, 0.99, 0.0], [2.0, 0.0, 0.0]])]
    other = [torch.tensor([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])]  # picks token 1 twice
    same, close = agreement(reference, other, margin=0.05)
    assert same == 0.0 and close == 0.5
    assert np.isclose(agreement(reference, reference, 0.0)[0], 1.0)


def test_a_4_bit_file_verifies_against_its_own_floor(qwen2_untied, tmp_path):
    """Lower-bit types lose agreement honestly; their floors (and llama.cpp's, lower still) let a sound file pass."""
    from slm_recipes.export.pipeline import LOWER_BIT_AGREEMENT

    path = write_gguf(qwen2_untied, tmp_path / "tiny-q4_0.gguf", "q4_0", "tiny", progress=False)
    report = verify_gguf(path, qwen2_untied, "q4_0", SAMPLES, LOWER_BIT_AGREEMENT["q4_0"])
    assert report.passed
