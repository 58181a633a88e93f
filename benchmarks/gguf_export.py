"""Time and peak memory of `slm export --gguf f16` against llama.cpp's own convert_hf_to_gguf.py, and a diff of the files.

Both convert the same merged Hugging Face folder (the demo's merged SmolLM2-135M-Instruct) to f16,
each in a fresh process, alternating, in the same run; the reference runs from the llama.cpp
sources inside the llama-cpp-python source distribution (not part of this project):

    pip download --no-deps --no-binary :all: llama-cpp-python -d /tmp/llsdist
    tar xzf /tmp/llsdist/llama_cpp_python-*.tar.gz -C /tmp/llsdist
    pip install sentencepiece   # convert_hf_to_gguf.py imports it
    python benchmarks/gguf_export.py --llama-cpp /tmp/llsdist/llama_cpp_python-*/vendor/llama.cpp

Prints the median wall time and peak RSS of each, the ratios (ours / llama.cpp), and then every
metadata key and tensor in which the two files differ.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import gguf
import numpy as np

RECIPE = "recipes/demo.yaml"


def run(command: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def values(reader: gguf.GGUFReader) -> dict[str, object]:
    out = {}
    for key, field in reader.fields.items():
        if key.startswith("GGUF."):
            continue
        value = field.contents()
        out[key] = tuple(value) if isinstance(value, list) else value
    return out


def diff(ours: Path, theirs: Path) -> list[str]:
    a, b = gguf.GGUFReader(ours), gguf.GGUFReader(theirs)
    lines = []
    va, vb = values(a), values(b)
    for key in sorted(va.keys() | vb.keys()):
        if key not in vb:
            lines.append(f"key only in ours: {key} = {short(va[key])}")
        elif key not in va:
            lines.append(f"key only in llama.cpp's: {key} = {short(vb[key])}")
        elif va[key] != vb[key]:
            lines.append(f"key differs: {key}: ours {short(va[key])} / llama.cpp {short(vb[key])}")
    ta, tb = {t.name: t for t in a.tensors}, {t.name: t for t in b.tensors}
    for name in sorted(ta.keys() | tb.keys()):
        if name not in tb or name not in ta:
            lines.append(f"tensor only in {'ours' if name in ta else 'llama.cpp'}: {name}")
            continue
        x, y = ta[name], tb[name]
        if x.tensor_type != y.tensor_type or list(x.shape) != list(y.shape):
            lines.append(f"tensor differs: {name}: ours {x.tensor_type.name} {list(x.shape)} / "
                         f"llama.cpp {y.tensor_type.name} {list(y.shape)}")
        elif not np.array_equal(np.asarray(x.data), np.asarray(y.data)):
            delta = np.abs(gguf.quants.dequantize(x.data, x.tensor_type) - gguf.quants.dequantize(y.data, y.tensor_type))
            lines.append(f"tensor data differs: {name}: max |Δ| {delta.max():.3g}")
    return lines or ["none: every key and every tensor byte is the same"]


def short(value: object) -> str:
    if isinstance(value, tuple):
        return f"[{len(value)} items]"
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llama-cpp", required=True, type=Path, help="llama.cpp source folder (has convert_hf_to_gguf.py)")
    parser.add_argument("--merged", type=Path, default=Path("exports/demo/merged"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/gguf-bench"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not (args.merged / "config.json").is_file():
        sys.exit(f"{args.merged} is missing: run `slm fit --config {RECIPE}` (or `slm export --config {RECIPE}`) first")
    args.out.mkdir(parents=True, exist_ok=True)
    ours = [sys.executable, "-m", "slm_recipes.cli", "export", "--config", RECIPE, "--merged", str(args.merged),
            "--gguf", "f16", "--no-verify", "--export.output_dir", str(args.out)]
    # the writer alone, in a bare process: what `slm export` adds on top is the recipe, the tokenizer and the Modelfile
    writer = [sys.executable, "-c", ("import sys; from slm_recipes.export.write_gguf import write_gguf; "
              "write_gguf(sys.argv[1], sys.argv[2], 'f16', 'demo', progress=False)"), str(args.merged),
              str(args.out / "writer-f16.gguf")]
    reference = [sys.executable, str(args.llama_cpp / "convert_hf_to_gguf.py"), str(args.merged), "--outtype", "f16",
                 "--outfile", str(args.out / "llama-cpp-f16.gguf")]
    commands = {"ours": ours, "ours (writer only)": writer, "llama.cpp": reference}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(args.repeats):
        for name, command in commands.items():
            times[name].append(run(command))
    medians = {k: (statistics.median(t for t, _ in v), statistics.median(m for _, m in v)) for k, v in times.items()}
    for name, (seconds, memory) in medians.items():
        print(f"{name:>18}: {seconds:6.2f} s wall, {memory:7.1f} MiB peak RSS (median of {args.repeats})")
    for name in ("ours", "ours (writer only)"):
        print(f"{name} / llama.cpp: time {medians[name][0] / medians['llama.cpp'][0]:.2f}x, "
              f"peak memory {medians[name][1] / medians['llama.cpp'][1]:.2f}x")
    print("differences:")
    for line in diff(args.out / "demo-f16.gguf", args.out / "llama-cpp-f16.gguf"):
        print(f"  {line}")


if __name__ == "__main__":
    main()
