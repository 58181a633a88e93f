"""Write a merged Hugging Face folder as one GGUF file, with the `gguf` package that ships with llama.cpp.

Tensors stream from the safetensors files one at a time (memory stays near one tensor, not the
model), are renamed to llama.cpp's names, and stored as the chosen type: 1-D tensors and norms
always in f32, as llama.cpp expects; the embedding and output head of 4/5-bit files in q8_0; a
matrix whose rows do not split into whole quantization blocks falls back to f16. The file is
written beside its target and renamed into place, with a `.sha256` file that `sha256sum -c` (and
the verification) checks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import gguf
import numpy as np
import torch
from safetensors import safe_open
from transformers import AutoConfig, AutoTokenizer

from slm_recipes.core.atomic import staged_file
from slm_recipes.core.errors import RecipeError
from slm_recipes.core.progress import Progress
from slm_recipes.core.run_paths import checksum_file
from slm_recipes.export.config import WRITTEN_TYPES
from slm_recipes.export.gguf_vocab import GGUFVocab, build_vocab

Q = gguf.GGMLQuantizationType
F = gguf.LlamaFileType
# each type of WRITTEN_TYPES -> (type of matrices, file type written in general.file_type)
GGUF_TYPES: dict[str, tuple[gguf.GGMLQuantizationType, gguf.LlamaFileType]] = {
    "f32": (Q.F32, F.ALL_F32), "f16": (Q.F16, F.MOSTLY_F16), "bf16": (Q.BF16, F.MOSTLY_BF16),
    "q8_0": (Q.Q8_0, F.MOSTLY_Q8_0), "q5_0": (Q.Q5_0, F.MOSTLY_Q5_0), "q5_1": (Q.Q5_1, F.MOSTLY_Q5_1),
    "q4_0": (Q.Q4_0, F.MOSTLY_Q4_0), "q4_1": (Q.Q4_1, F.MOSTLY_Q4_1),
}

assert tuple(GGUF_TYPES) == WRITTEN_TYPES, "WRITTEN_TYPES and the writer's table must name the same types"

@dataclass(frozen=True)
class Architecture:
    gguf_arch: gguf.MODEL_ARCH
    # HF Llama stores q/k rows for rotate-half RoPE; llama.cpp's llama graph rotates interleaved pairs
    permute_qk: bool
    # llama.cpp's llama loader reads the vocabulary size and RoPE width from metadata
    writes_rope_dims: bool


ARCHITECTURES = {
    "qwen2": Architecture(gguf.MODEL_ARCH.QWEN2, permute_qk=False, writes_rope_dims=False),
    "llama": Architecture(gguf.MODEL_ARCH.LLAMA, permute_qk=True, writes_rope_dims=True),
}


@dataclass(frozen=True)
class PlannedTensor:
    source: str  # name in the safetensors files
    name: str  # llama.cpp's name
    qtype: gguf.GGMLQuantizationType
    shape: tuple[int, ...]


def write_gguf(merged_dir: str | Path, path: str | Path, gguf_type: str, name: str,
               pre_tokenizer: str | None = None, progress: bool = True) -> Path:
    """Write `merged_dir` (a Hugging Face folder) to `path` as `gguf_type`; returns the path."""
    if gguf_type not in GGUF_TYPES:
        raise RecipeError(f"GGUF type {gguf_type} is not one the gguf package writes ({', '.join(GGUF_TYPES)}); "
                          "k-quants go through llama.cpp's quantizer")
    merged_dir, path = Path(merged_dir), Path(path)
    config = AutoConfig.from_pretrained(merged_dir)
    arch = ARCHITECTURES.get(config.model_type)
    if arch is None:
        raise RecipeError(f"{merged_dir}: GGUF export supports {', '.join(ARCHITECTURES)} models, not {config.model_type}")
    tokenizer = AutoTokenizer.from_pretrained(merged_dir)
    vocab = build_vocab(tokenizer, config.vocab_size, getattr(config, "bos_token_id", None), pre_tokenizer)
    sources = tensor_sources(merged_dir)
    matrix_type, file_type = GGUF_TYPES[gguf_type]
    plan = plan_tensors(sources, config, arch, matrix_type)

    writer = gguf.GGUFWriter(path=None, arch=gguf.MODEL_ARCH_NAMES[arch.gguf_arch])
    add_model_metadata(writer, config, arch, name, file_type)
    add_vocab(writer, vocab)
    for t in plan:
        dtype, nbytes, shape = _stored_layout(t)
        writer.add_tensor_info(t.name, shape, dtype, nbytes, raw_dtype=None if dtype != np.uint8 else t.qtype)

    with staged_file(path) as staging:
        try:
            writer.write_header_to_file(staging)
            writer.write_kv_data_to_file()
            writer.write_ti_data_to_file()
            with Progress(f"writing {path.name}", total=len(plan), unit="tensors", enabled=progress) as bar:
                for t in plan:
                    writer.write_tensor_data(convert_tensor(sources[t.source].load(), t, config, arch))
                    bar.advance()
        finally:
            writer.close()
        digest = file_sha256(staging)
    write_checksum(path, digest)
    return path


@dataclass(frozen=True)
class TensorSource:
    """One tensor of a safetensors file, read only when needed."""

    file: Path
    key: str

    def load(self) -> torch.Tensor:
        with safe_open(self.file, framework="pt") as handle:
            return handle.get_tensor(self.key)

    def shape(self) -> tuple[int, ...]:
        with safe_open(self.file, framework="pt") as handle:
            return tuple(handle.get_slice(self.key).get_shape())


def tensor_sources(model_dir: Path) -> dict[str, TensorSource]:
    """name -> its source, over every safetensors shard of the folder."""
    index = model_dir / "model.safetensors.index.json"
    files = sorted(set(json.loads(index.read_text())["weight_map"].values())) if index.is_file() else ["model.safetensors"]
    sources: dict[str, TensorSource] = {}
    for file in files:
        if not (model_dir / file).is_file():
            raise RecipeError(f"{model_dir / file} is missing; re-run `slm export` to write the merged model again")
        with safe_open(model_dir / file, framework="pt") as handle:
            sources.update({key: TensorSource(model_dir / file, key) for key in handle.keys()})  # noqa: SIM118 (a safetensors handle is not a dict)
    return sources


def plan_tensors(sources: dict[str, TensorSource], config, arch: Architecture,
                 matrix_type: gguf.GGMLQuantizationType) -> list[PlannedTensor]:
    """Which tensors go in, under which names and types, in file order."""
    names = gguf.get_tensor_name_map(arch.gguf_arch, config.num_hidden_layers)
    plan = []
    for source, tensor in sources.items():
        if source.endswith("rotary_emb.inv_freq"):
            continue
        if source == "lm_head.weight" and config.tie_word_embeddings:
            continue  # llama.cpp reuses token_embd as the output head when output.weight is absent
        target = names.get_name(source, try_suffixes=(".weight", ".bias"))
        if target is None:
            raise RecipeError(f"tensor {source} has no llama.cpp name for {config.model_type}; the model has layers "
                              "the GGUF export does not know")
        shape = tensor.shape()
        plan.append(PlannedTensor(source, target, tensor_type(target, shape, matrix_type), shape))
    return plan


# 4- and 5-bit types keep the embedding and output head at q8_0, as llama.cpp's quantizer keeps them above the
# rest: with tied embeddings one matrix is both, and its rounding lands on every logit.
LOW_BIT = (Q.Q4_0, Q.Q4_1, Q.Q5_0, Q.Q5_1)
HEAD_TENSORS = ("token_embd.weight", "output.weight")


def tensor_type(name: str, shape: tuple[int, ...], matrix_type: gguf.GGMLQuantizationType) -> gguf.GGMLQuantizationType:
    if len(shape) <= 1 or name.endswith("_norm.weight"):
        return Q.F32
    if matrix_type in LOW_BIT and name in HEAD_TENSORS:
        matrix_type = Q.Q8_0
    block, _ = gguf.GGML_QUANT_SIZES[matrix_type]
    if shape[-1] % block:
        return Q.F16
    return matrix_type


def _stored_layout(t: PlannedTensor) -> tuple[np.dtype, int, tuple[int, ...]]:
    """(numpy dtype, bytes, shape) as the writer's tensor info wants them."""
    if t.qtype == Q.F32:
        return np.dtype(np.float32), 4 * int(np.prod(t.shape)), t.shape
    if t.qtype == Q.F16:
        return np.dtype(np.float16), 2 * int(np.prod(t.shape)), t.shape
    byte_shape = gguf.quant_shape_to_byte_shape(t.shape, t.qtype)
    return np.dtype(np.uint8), int(np.prod(byte_shape)), byte_shape


def convert_tensor(tensor: torch.Tensor, t: PlannedTensor, config, arch: Architecture) -> np.ndarray:
    data = tensor.to(torch.float32)
    if arch.permute_qk and t.source.endswith(("q_proj.weight", "k_proj.weight")):
        heads = config.num_attention_heads if t.source.endswith("q_proj.weight") else config.num_key_value_heads
        data = interleave_rope_rows(data, heads)
    return gguf.quants.quantize(data.numpy(), t.qtype)


def interleave_rope_rows(weight: torch.Tensor, heads: int) -> torch.Tensor:
    """Reorder each head's rows from halves (x0..x63, y0..y63) to pairs (x0, y0, x1, y1, ...)."""
    rows = weight.shape[0]
    return weight.reshape(heads, 2, rows // heads // 2, *weight.shape[1:]).transpose(1, 2).reshape(weight.shape)


def add_model_metadata(writer: gguf.GGUFWriter, config, arch: Architecture, name: str, file_type: gguf.LlamaFileType) -> None:
    writer.add_type(gguf.GGUFType.MODEL)
    writer.add_name(name)
    writer.add_block_count(config.num_hidden_layers)
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(config.num_key_value_heads)
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    rope = dict(getattr(config, "rope_parameters", None) or {})
    theta = rope.get("rope_theta", getattr(config, "rope_theta", None))
    if rope.get("rope_type", "default") not in ("default", None):
        raise RecipeError(f"RoPE scaling {rope['rope_type']!r} is not supported by the GGUF export; remove it from config.json")
    if theta is not None:
        writer.add_rope_freq_base(float(theta))
    if arch.writes_rope_dims:
        writer.add_vocab_size(config.vocab_size)
        head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
        writer.add_rope_dimension_count(head_dim)
        writer.add_key_length(head_dim)
        writer.add_value_length(head_dim)
    writer.add_file_type(file_type)
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)


def add_vocab(writer: gguf.GGUFWriter, vocab: GGUFVocab) -> None:
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(vocab.pre)
    writer.add_token_list(vocab.tokens)
    writer.add_token_types(vocab.types)
    writer.add_token_merges(vocab.merges)
    adders = {"bos": writer.add_bos_token_id, "eos": writer.add_eos_token_id, "unk": writer.add_unk_token_id,
              "pad": writer.add_pad_token_id}
    for kind, token_id in vocab.special_ids.items():
        adders[kind](token_id)
    writer.add_add_bos_token(vocab.add_bos)
    writer.add_add_eos_token(vocab.add_eos)
    if vocab.chat_template:
        writer.add_chat_template(vocab.chat_template)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 24), b""):
            digest.update(block)
    return digest.hexdigest()


def write_checksum(path: Path, digest: str) -> None:
    """`<hex>  <file name>`, the format `sha256sum -c` reads."""
    from slm_recipes.core.atomic import write_text_atomically

    write_text_atomically(checksum_file(path), f"{digest}  {path.name}\n")

