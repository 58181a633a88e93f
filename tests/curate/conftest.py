"""Hand-made chunks and QA pairs, written in tmp_path; each planted error is one pair."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slm_recipes.core.run_paths import RunPaths
from slm_recipes.curate.config import CurateConfig

CHUNKS = {
    "c1": "第八条 出差补助每人每天100元，住宿费每晚不超过500元。报销应在出差结束后15个工作日内提交。",
    "c2": "第九条 公司年度培训预算为3万元，员工个人补贴比例为百分之五十，自2025年3月1日起执行。",
    "c3": "第十条 员工出差超过5天的，须经分管副总经理审批。",
    "c4": "第十一条 驻外人员的伙食补助按每人每天65元发放。",
    "c5": "第十二条 员工应妥善保管原始票据，遗失票据的须书面说明原因。",
}

# id -> (question, answer, chunk): kept pairs, then one per planted error
GOOD = {
    "good-1": ("员工出差期间的出差补助每人每天是多少钱？", "出差补助为每人每天100元。", "c1"),
    "good-2": ("公司年度培训预算是多少？", "公司年度培训预算为30,000元。", "c2"),
    "good-3": ("员工个人补贴比例是多少？", "员工个人补贴比例为50%，也就是五成。", "c2"),
    "good-4": ("培训补贴规定从什么时候开始执行？", "自2025-03-01起执行。", "c2"),
    "good-5": ("住宿费每晚的报销标准是多少？", "住宿费每晚不超过五百元。", "c1"),
    "good-6": ("驻外人员的伙食补助标准是多少？", "驻外人员的伙食补助按每人每天65元发放。", "c4"),
    "good-7": ("遗失原始票据应该怎么办？", "遗失票据的，须书面说明原因。", "c5"),
    "good-8": ("出差多少天以上需要分管副总经理审批？", "出差超过5天的，须经分管副总经理审批。", "c3"),
}
PLANTED = {
    "changed-number": ("出差报销应在结束后多少个工作日内提交？", "应在出差结束后20个工作日内提交。", "c1", "numeric_grounding"),
    "changed-unit": ("出差结束后报销提交的期限是几天？", "应在出差结束后15天内提交。", "c1", "numeric_grounding"),
    "other-chunk": ("员工出差超过规定天数后每天的伙食补助是多少？", "每人每天65元。", "c3", "numeric_grounding"),
    "missing-number": ("出差超过几天需要副总经理审批？", "出差时间较长的，须经分管副总经理审批。", "c3", "numeric_completeness"),
    "refusal": ("出差审批由哪个部门负责？", "抱歉，文档中没有提到这一点。", "c3", "refusal_filler"),
    "duplicate": ("员工出差期间的出差补助每人每天是多少钱呢？", "每人每天100元。", "c1", "duplicate"),
    "malformed": ("住宿费每晚不超过，？", "住宿费每晚不超过500元。", "c1", "malformed"),
    "unfocused": ("出差补助每人每天是多少？", "出差补助每人每天100元，住宿费每晚不超过500元，报销应在出差结束后15个工作日内提交。",
                  "c1", "unfocused"),
}


def pair(pid: str, question: str, answer: str, chunk: str, stage: str | None = None) -> dict:
    return {"id": pid, "question": question, "answer": answer, "chunk_id": chunk, "doc": "rules.txt", "pages": [1, 1],
            "teacher": "hand", "stage": stage or "numeric", "numbers": []}


def chunk(cid: str, text: str, doc: str = "rules.txt") -> dict:
    return {"id": cid, "doc": doc, "doc_sha256": "0" * 64, "pages": [1, 1], "span": [0, len(text)], "text": text}


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def curate_files(tmp_path) -> CurateConfig:
    """chunks.jsonl + distilled.jsonl with the good and the planted pairs (`paths` finds them); a config."""
    write_jsonl(tmp_path / "chunks.jsonl", [chunk(cid, text) for cid, text in CHUNKS.items()])
    pairs = [pair(pid, q, a, c) for pid, (q, a, c) in GOOD.items()]
    pairs += [pair(pid, q, a, c) for pid, (q, a, c, _) in PLANTED.items()]
    write_jsonl(tmp_path / "distilled.jsonl", pairs)
    return CurateConfig(split_ratios=[0.6, 0.2, 0.2])


def paths_in(folder: Path, dataset: str = "dataset") -> RunPaths:
    """The run's files in `folder`: chunks.jsonl, distilled.jsonl and the dataset folder."""
    return RunPaths("rules", "m", chunks_file=folder / "chunks.jsonl", distilled_file=folder / "distilled.jsonl",
                    dataset_folder=folder / dataset)


@pytest.fixture
def paths(tmp_path) -> RunPaths:
    return paths_in(tmp_path)
