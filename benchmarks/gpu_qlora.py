"""QLoRA on a CUDA GPU: peak memory and tokens/s of our module against plain transformers + PEFT, same run.

A Qwen2.5-3B-shaped model with random weights (speed and memory do not depend on the values), NF4 with
double quantisation, bf16 compute, gradient checkpointing, LoRA r 16 on every linear layer, micro-batch 1,
sequences of `--length` tokens of which the last quarter is the trained answer:

  ours        QLoRACausalLM: modules/loading + lora (what `slm fit` trains), answer-only logits
  hf-peft     AutoModelForCausalLM(quantization_config=...) + prepare_model_for_kbit_training + get_peft_model,
              loss from model(labels=...) over the full vocabulary at every position

Without CUDA it says so and exits 0 (`--device cpu --tiny` runs the same code on a 2-layer shape, slowly).

    python benchmarks/gpu_qlora.py [--steps 10] [--length 512]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch

QWEN25_3B = {"hidden_size": 2048, "intermediate_size": 11008, "num_hidden_layers": 36, "num_attention_heads": 16,
             "num_key_value_heads": 2, "vocab_size": 151936, "max_position_embeddings": 32768,
             "tie_word_embeddings": True, "rope_theta": 1000000.0, "rms_norm_eps": 1e-6}
TINY = {**QWEN25_3B, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4}


def random_model(folder: Path, shape: dict) -> Path:
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    with torch.device("cpu"):
        model = Qwen2ForCausalLM(Qwen2Config(**shape)).to(torch.bfloat16)
    model.save_pretrained(folder)
    del model
    return folder


def batch(length: int, vocab: int, device: torch.device) -> dict[str, torch.Tensor]:
    ids = torch.randint(0, vocab, (1, length), device=device)
    labels = ids.clone()
    labels[:, : length - length // 4] = -100
    return {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": labels}


def ours(path: Path, device: torch.device):
    from slm_recipes.modules import QLoRACausalLM
    from slm_recipes.modules.loading import load_base_model
    from slm_recipes.modules.lora import attach_lora

    module = QLoRACausalLM(model_name=str(path), quantization="nf4", gradient_checkpointing=True, lora_dropout=0.05)
    # what configure_model builds under a Trainer on `device`, without one
    base = load_base_model(str(path), "nf4", torch.bfloat16, device)
    module.model = attach_lora(base, r=16, alpha=32, dropout=0.05, target_modules="all-linear", use_dora=False,
                               gradient_checkpointing=True, quantized=True)
    return module, lambda b: module(**b)


def hf_peft(path: Path, device: torch.device):
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                               bnb_4bit_compute_dtype=torch.bfloat16)
    model = AutoModelForCausalLM.from_pretrained(path, quantization_config=quant, dtype=torch.bfloat16,
                                                 device_map={"": device})
    model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=True,
                                            gradient_checkpointing_kwargs={"use_reentrant": False})
    model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05, target_modules="all-linear",
                                             task_type="CAUSAL_LM"))
    return model, lambda b: model(**b).loss


def measure(build, path: Path, device: torch.device, steps: int, length: int, vocab: int) -> tuple[float, float]:
    """(tokens per second after one warm-up step, peak GPU memory in GiB; 0 on the CPU)."""
    model, loss_of = build(path, device)
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    start = 0.0
    for step in range(steps + 1):
        if step == 1:
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            start = time.perf_counter()
        with torch.autocast(device.type, dtype=torch.bfloat16):
            loss = loss_of(batch(length, vocab, device))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    rate = steps * length / (time.perf_counter() - start)
    peak = torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else 0.0
    del model, optimizer
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return rate, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--length", type=int, default=512)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--tiny", action="store_true", help="a 2-layer shape (a smoke run of this script)")
    args = parser.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        print("no CUDA device: nothing measured (run on a GPU machine)")
        return
    device = torch.device(args.device, 0) if args.device == "cuda" else torch.device(args.device)
    shape = TINY if args.tiny else QWEN25_3B
    with tempfile.TemporaryDirectory() as scratch:
        path = random_model(Path(scratch), shape)
        results = {name: measure(build, path, device, args.steps, args.length, shape["vocab_size"])
                   for name, build in (("ours", ours), ("hf-peft", hf_peft))}
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print(f"device: {name}, torch {torch.__version__}; Qwen2.5-3B shape{' (tiny)' if args.tiny else ''}, nf4 + bf16, "
          f"gradient checkpointing, micro-batch 1, length {args.length}")
    for key, (rate, peak) in results.items():
        print(f"{key:<8} {rate:9.1f} tokens/s   peak memory {peak:6.2f} GiB")
    print(f"ratio ours / hf-peft: {results['ours'][0] / results['hf-peft'][0]:.2f}x tokens/s, "
          f"{(results['ours'][1] / results['hf-peft'][1]) if results['hf-peft'][1] else float('nan'):.2f}x memory")


if __name__ == "__main__":
    main()
