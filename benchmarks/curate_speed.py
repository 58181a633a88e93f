"""Records per second of the whole curate stage, and how its time grows with the number of records.

Run: .venv/bin/python benchmarks/curate_speed.py [--sizes 5000 20000 50000] [--chunks 5000] [--repeats 3]
Generated data: `--chunks` chunks (one fictional article each, 10 numeric facts), and N QA pairs spread
over them (N/chunks pairs per chunk), with planted errors: 5% changed numbers, 2% refusals, 5% near-duplicate
questions. The time is `run_curate` end to end (reading, checks, scoring, de-duplication, splits, writing,
report); de-duplication is also timed alone. Each time is the best of
`--repeats` runs, in CPU seconds of this process (`time.process_time`), so that other jobs on a shared
machine inflate it less than wall-clock time. Linear growth means time(50k)/time(5k) ≈ 10; quadratic ≈ 100.
With a fixed number of chunks, more records also means more similar questions per chunk (the same subject
asked about more items), so the de-duplication has more true candidates to verify; `--per-chunk 10` keeps
that density fixed and shows the growth of the algorithm alone.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from slm_recipes.core.run_paths import RunPaths
from slm_recipes.curate.config import CurateConfig
from slm_recipes.curate.dedup import near_duplicates
from slm_recipes.curate.pipeline import run_curate
from slm_recipes.text.lexicon import load_lexicon

LEXICON = load_lexicon()

PLACES = ["北京", "上海", "广州", "深圳", "成都", "杭州", "武汉", "西安", "南京", "重庆", "天津", "苏州", "长沙", "郑州", "青岛"]
ROLES = ["总经理", "部门总监", "首席专家", "部门经理", "主管", "高级工程师", "普通员工", "实习生", "驻外人员", "销售代表"]
ITEMS = [("住宿费", "元"), ("伙食补助", "元"), ("交通补贴", "元"), ("通讯补贴", "元"), ("报销期限", "个工作日"), ("审批时限", "天"),
         ("培训预算", "万元"), ("补贴比例", "%"), ("出差天数上限", "天"), ("会议人数上限", "人")]
ASK = ["是多少？", "为多少？", "有多少？", "的标准是多少？"]


def generate(folder: Path, n_records: int, n_chunks: int, seed: int = 0) -> tuple[Path, Path]:
    rng = random.Random(seed)
    facts = []  # per chunk: [(subject, item, number, unit)]
    with (folder / "chunks.jsonl").open("w", encoding="utf-8") as out:
        for c in range(n_chunks):
            place, role = PLACES[c % len(PLACES)], ROLES[(c // len(PLACES)) % len(ROLES)]
            subject = f"{place}第{c + 1}分部{role}"
            chunk_facts = [(subject, item, rng.randint(1, 90) * 10, unit) for item, unit in ITEMS]
            facts.append(chunk_facts)
            text = f"第{c + 1}条 " + "".join(f"{s}的{item}为{n}{u}。" for s, item, n, u in chunk_facts)
            out.write(json.dumps({"id": f"k{c}", "doc": f"doc{c % 50}.pdf", "doc_sha256": "0" * 64, "pages": [1, 1],
                                  "span": [0, len(text)], "text": text}, ensure_ascii=False) + "\n")
    with (folder / "distilled.jsonl").open("w", encoding="utf-8") as out:
        last = None
        for r in range(n_records):
            c = r % n_chunks
            subject, item, number, unit = facts[c][(r // n_chunks) % len(ITEMS)]
            question = f"{subject}的{item}{ASK[(r // n_chunks // len(ITEMS)) % len(ASK)]}"
            answer = f"{subject}的{item}为{number}{unit}。"
            roll = rng.random()
            if roll < 0.05:
                answer = f"{subject}的{item}为{number + 5}{unit}。"
            elif roll < 0.07:
                answer = "抱歉，文档中没有提到这一点。"
            elif roll < 0.12 and last:
                question, answer, c = "请问" + last[0], last[1], last[2]  # a near-duplicate of the previous pair
            last = None if question.startswith("请问") else (question, answer, c)
            out.write(json.dumps({"id": f"q{r}", "question": question, "answer": answer, "chunk_id": f"k{c}",
                                  "doc": f"doc{c % 50}.pdf", "pages": [1, 1], "teacher": "bench",
                                  "stage": "numeric", "numbers": []}, ensure_ascii=False) + "\n")
    return folder / "chunks.jsonl", folder / "distilled.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000, 50000])
    parser.add_argument("--chunks", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--per-chunk", type=int, default=0,
                        help="scale the chunks with the records (N / per-chunk chunks) instead of a fixed --chunks")
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            chunks, distilled = generate(Path(tmp), size, size // args.per_chunk if args.per_chunk else args.chunks)
            config = CurateConfig()
            paths = RunPaths("bench", "m", chunks_file=chunks, distilled_file=distilled, dataset_folder=Path(tmp) / "dataset")
            best = float("inf")
            for _ in range(args.repeats):
                start = time.process_time()
                report = run_curate(config, paths, LEXICON)
                best = min(best, time.process_time() - start)
            questions = [json.loads(line)["question"] for line in distilled.open(encoding="utf-8")]
            dedup = float("inf")
            for _ in range(args.repeats):
                start = time.process_time()
                duplicates = near_duplicates(questions, list(range(len(questions))), config.dedup_threshold)
                dedup = min(dedup, time.process_time() - start)
        rows.append((size, best, dedup, report.kept, len(duplicates)))
        print(f"{size} records: {best:.2f} CPU s ({size / best:,.0f} records/s), dedup alone {dedup:.2f} s, "
              f"kept {report.kept}, near-duplicates {len(duplicates)}", flush=True)
    base_size, base_time, base_dedup = rows[0][:3]
    for size, total, dedup, *_ in rows[1:]:
        print(f"{base_size} → {size} records (×{size / base_size:g}): time ×{total / base_time:.1f}, dedup ×{dedup / base_dedup:.1f}")


if __name__ == "__main__":
    main()
