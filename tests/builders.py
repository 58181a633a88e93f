"""Things tests build in code: tiny random models, chat templates, small data files."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM, Qwen2Tokenizer

from slm_recipes.core.run_paths import RunPaths

# A Qwen2.5-style ChatML template: a default system prompt when none is given.
QWEN_STYLE_TEMPLATE = (
    "{% if messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are Qwen, a helpful assistant.<|im_end|>\\n' }}{% endif %}"
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
# A non-ChatML template: plain-text role markers, turns closed by the EOS token.
PLAIN_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ message['content'] + '\\n\\n' }}"
    "{% elif message['role'] == 'user' %}{{ '### User:\\n' + message['content'] + '\\n\\n' }}"
    "{% else %}{{ '### Assistant:\\n' + message['content'] + eos_token + '\\n\\n' }}{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}{{ '### Assistant:\\n' }}{% endif %}"
)


def build_tiny_model(directory: Path, tokenizer, arch: str = "qwen2", tie: bool = True, template: str | None = None,
                     extra_vocab: int = 0, init_std: float = 0.02) -> Path:
    """A 2-layer, 64-wide random model that shares the real tokenizer's vocabulary.

    `extra_vocab` pads the embedding beyond the tokenizer, as Qwen2.5's 151936 rows do for 151665 tokens;
    a larger `init_std` gives peaked next-token distributions (a trained model's, not a random one's near-ties).
    """
    torch.manual_seed(0)
    common = dict(vocab_size=len(tokenizer) + extra_vocab, initializer_range=init_std, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
                  tie_word_embeddings=tie, bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                  pad_token_id=tokenizer.pad_token_id)
    model = Qwen2ForCausalLM(Qwen2Config(**common)) if arch == "qwen2" else LlamaForCausalLM(LlamaConfig(**common))
    model.save_pretrained(directory)
    if template is not None:
        tokenizer = AutoTokenizer.from_pretrained(tokenizer.name_or_path)
        tokenizer.chat_template = template
    tokenizer.save_pretrained(directory)
    return directory


def qwen2_style_tokenizer(smollm2_tokenizer):
    """A Qwen2 tokenizer class (Qwen2.5's pre-tokenizer: digits apart, no BOS) over SmolLM2's vocabulary and merges,
    with a Qwen2.5-style ChatML template: what the GGUF export must write as pre-tokenizer `qwen2`."""
    backend = json.loads(smollm2_tokenizer.backend_tokenizer.to_str())["model"]
    tokenizer = Qwen2Tokenizer(vocab=backend["vocab"], merges=[tuple(m) for m in backend["merges"]], bos_token=None,
                               eos_token="<|im_end|>", pad_token="<|endoftext|>", unk_token=None)
    tokenizer.add_special_tokens({"additional_special_tokens": ["<|im_start|>"]})
    tokenizer.chat_template = QWEN_STYLE_TEMPLATE
    return tokenizer


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def qa_records(n: int, chunks: int = 5) -> list[dict]:
    """Small numeric QA pairs spread over `chunks` source chunks."""
    return [
        {"id": f"q{i}", "question": f"第{i}条规定的住宿费上限是多少元？", "answer": f"第{i}条规定住宿费每天不超过{100 + i}元。",
         "chunk_id": f"c{i % chunks}", "doc": "rules.txt", "pages": [1, 1], "teacher": "hand", "stage": "numeric",
         "numbers": [f"{100 + i}元"]}
        for i in range(n)
    ]


#: A small rules document, as chunks.jsonl records (`chunk_records`): chapters, articles, numbers.
RULES = [
    ("c1", "第一章 总则\n第一条 为规范差旅费报销，制定本办法。\n第二条 本办法适用于全体正式员工。", [1, 1]),
    ("c2", "第二章 住宿费\n第三条 住宿费实行限额标准。甲类地区每人每晚不超过800元，乙类地区每人每晚不超过500元。", [1, 2]),
    ("c3", "第三章 交通费\n第四条 自驾出差按每公里1.2元给予燃油补贴。\n第五条 机票应至少提前7天预订。", [2, 2]),
    ("c4", "第四章 伙食补助\n第六条 伙食补助按每人每天100元包干使用。长期驻外的伙食补助按每人每天65元发放。", [3, 3]),
]


def chunk_records() -> list[dict]:
    """The rules as chunks.jsonl records, one chunk per chapter."""
    return [{"id": cid, "doc": "/docs/rules.pdf", "pages": pages, "text": text, "continues": False}
            for cid, text, pages in RULES]


def index_paths(chunks_file: Path, index: Path) -> RunPaths:
    """A run whose chunks and retrieval index are where a test put them."""
    return RunPaths("t", "m", chunks_file=chunks_file, index_folder=index)
