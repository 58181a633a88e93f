"""run_curate end to end on hand-made pairs: planted errors rejected for their reason, good pairs kept."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.core.run_paths import RunPaths
from slm_recipes.curate.config import CurateConfig
from slm_recipes.curate.pipeline import run_curate
from slm_recipes.text.lexicon import load_lexicon

from .conftest import GOOD, PLANTED, chunk, pair, paths_in, read_jsonl, write_jsonl

LEXICON = load_lexicon()


def outputs(paths: RunPaths) -> dict[str, list[dict]]:
    return {name: read_jsonl(paths.split(name)) for name in ("train", "val", "test", "rejected")}


def test_planted_errors_are_rejected_for_their_reason(curate_files, paths):
    report = run_curate(curate_files, paths, LEXICON)
    out = outputs(paths)
    rejected = {r["id"]: r for r in out["rejected"]}
    assert set(rejected) == set(PLANTED)
    for pid, (*_, reason) in PLANTED.items():
        assert reason in rejected[pid]["reasons"], pid
        assert rejected[pid]["checks"][reason]["pass"] is False
    assert rejected["duplicate"]["checks"]["duplicate"]["detail"] == "near-duplicate of good-1"
    kept = [r for name in ("train", "val", "test") for r in out[name]]
    assert {r["id"] for r in kept} == set(GOOD)
    assert all(set(r["checks"]) == {"numeric_grounding", "numeric_completeness", "refusal_filler", "consistency", "duplicate",
                                     "malformed", "unfocused"}
               and r["score"] >= 60 and "reasons" not in r for r in kept)
    assert report.kept == len(GOOD) and report.rejected == len(PLANTED)
    assert report.reasons["numeric_grounding"] == 3


def forty_facts_asked_three_ways(tmp_path, **settings) -> CurateConfig:
    chunks = [chunk(f"k{i}", f"第{i}条 本项补助每人每天{100 + i}元。") for i in range(40)]
    pairs = [pair(f"p{i}-{j}", f"第{i}号补助{'每人每天' if j else ''}的标准{'是多少' * (j + 1)}？", f"每人每天{100 + i}元。", f"k{i}")
             for i in range(40) for j in range(3)]
    write_jsonl(tmp_path / "chunks.jsonl", chunks)
    write_jsonl(tmp_path / "distilled.jsonl", pairs)
    return CurateConfig(dedup_threshold=0.99, **settings)


def test_the_variant_split_trains_every_fact_and_holds_out_one_question_of_each(tmp_path):
    config, paths = forty_facts_asked_three_ways(tmp_path), paths_in(tmp_path, "out")
    report = run_curate(config, paths, LEXICON)
    out = outputs(paths)
    assert len(out["train"]) == report.kept - 40 and len(out["val"]) == 40 and out["test"] == []
    assert {r["chunk_id"] for r in out["train"]} == {r["chunk_id"] for r in out["val"]} == {f"k{i}" for i in range(40)}
    assert {r["id"] for r in out["val"]}.isdisjoint(r["id"] for r in out["train"])
    assert report.fact_coverage["rules.txt"] == {"facts": 40, "covered": 40, "share": 1.0, "uncovered": [],
                                                 "articles": 40, "articles_covered": 40, "articles_share": 1.0,
                                                 "articles_uncovered": []}
    (tmp_path / "again").mkdir()
    again = paths_in(tmp_path / "again", "out")
    run_curate(forty_facts_asked_three_ways(tmp_path / "again"), again, LEXICON)
    assert outputs(again)["val"] == out["val"]  # deterministic


def test_splits_by_chunk_never_share_a_chunk(tmp_path):
    config, paths = forty_facts_asked_three_ways(tmp_path, split="chunk"), paths_in(tmp_path, "out")
    report = run_curate(config, paths, LEXICON)
    out = outputs(paths)
    seen = {name: {r["chunk_id"] for r in out[name]} for name in ("train", "val", "test")}
    assert all(seen.values())
    assert not (seen["train"] & seen["val"] or seen["train"] & seen["test"] or seen["val"] & seen["test"])
    assert report.split_chunks == {"train": 32, "val": 4, "test": 4}
    run_curate(config, paths, LEXICON)
    assert outputs(paths) == out  # fixed seed: the same split again


def test_inconsistent_answers_are_both_rejected(tmp_path, curate_files, paths):
    pairs = read_jsonl(tmp_path / "distilled.jsonl")
    pairs += [pair("same-a", "出差每天最多能报多少钱？", "每人每天100元。", "c1"), pair("same-b", "出差每天最多能报多少钱?", "每晚500元。", "c1")]
    write_jsonl(tmp_path / "distilled.jsonl", pairs)
    run_curate(curate_files, paths, LEXICON)
    rejected = {r["id"]: r for r in outputs(paths)["rejected"]}
    assert "consistency" in rejected["same-a"]["reasons"] and "consistency" in rejected["same-b"]["reasons"]


def test_report_files_and_numeric_share_warning(tmp_path, curate_files, paths):
    write_jsonl(tmp_path / "chunks.jsonl", read_jsonl(tmp_path / "chunks.jsonl") + [chunk("c6", "第十三条 夜间加班餐费每人不超过30元。", doc="other.txt")])
    curate_files = replace(curate_files, numeric_share_target=0.95)
    report = run_curate(curate_files, paths, LEXICON)
    data = json.loads((tmp_path / "dataset" / "report.json").read_text(encoding="utf-8"))
    assert data["kept"] == len(GOOD) and data["numeric_share"] == pytest.approx(7 / 8, abs=1e-3)
    assert data["coverage"]["other.txt"] == {"chunks": 1, "uncovered": 1}
    assert sum(data["score_histogram"]) == len(GOOD) + len(PLANTED)
    assert any("under the target 95%: 1 chunk(s)" in w for w in report.warnings)
    markdown = (tmp_path / "dataset" / "report.md").read_text(encoding="utf-8")
    assert "numeric_grounding | 3" in markdown and "warning" in markdown


def test_min_score_decides_what_is_kept(curate_files, paths):
    curate_files = replace(curate_files, min_score=101)
    assert run_curate(curate_files, paths, LEXICON).kept == 0


@pytest.mark.parametrize(("line", "message"), [("{not json", "distilled.jsonl:2: not valid JSON"),
                                               ('{"id": "x", "question": "q"}', "distilled.jsonl:2: missing or non-text field(s) answer, chunk_id"),
                                               (json.dumps(pair("good-1", "问？", "答。", "c1")), "distilled.jsonl:2: id 'good-1' repeats line 1")])
def test_bad_input_names_file_and_line(tmp_path, curate_files, line, message, paths):
    first = (tmp_path / "distilled.jsonl").read_text(encoding="utf-8").splitlines()[0]
    (tmp_path / "distilled.jsonl").write_text(first + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(RecipeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run_curate(curate_files, paths, LEXICON)


def test_bad_split_ratios():
    with pytest.raises(RecipeError, match="split_ratios"):
        CurateConfig(split_ratios=[0.5, 0.2])


def test_a_wrong_subject_is_rejected_and_a_failed_record_does_not_sink_a_correct_one(tmp_path, paths):
    text = "第五条 住宿费：\n地区 | 一般人员 | 部门经理\nA类地区 | 500元 | 800元\nB类地区 | 400元 | 600元"
    write_jsonl(tmp_path / "chunks.jsonl", [chunk("t1", text)])
    write_jsonl(tmp_path / "distilled.jsonl", [
        pair("right", "B类地区一般人员每天住宿费上限是多少？", "B类地区一般人员为400元。", "t1"),
        pair("wrong", "B类地区一般人员每天住宿费上限是多少？", "B类地区一般人员为500元。", "t1")])
    config = CurateConfig()
    run_curate(config, paths, LEXICON)
    rejected = {r["id"]: r for r in outputs(paths)["rejected"]}
    assert set(rejected) == {"wrong"} and "numeric_grounding" in rejected["wrong"]["reasons"]
    assert "states 500元 for another subject" in rejected["wrong"]["checks"]["numeric_grounding"]["detail"]


def test_nothing_to_curate_is_an_error_and_nothing_kept_fails_the_run(tmp_path, curate_files, paths):
    write_jsonl(tmp_path / "distilled.jsonl", [])
    with pytest.raises(RecipeError, match="holds no QA pairs to curate; run `slm distill"):
        run_curate(curate_files, paths, LEXICON)
    write_jsonl(tmp_path / "distilled.jsonl", [pair("x", "出差审批由谁负责？", "抱歉，文档中没有提到。", "c3")])
    report = run_curate(curate_files, paths, LEXICON)
    assert report.failure_summary().startswith("curate kept none of the 1 pairs (refusal_filler ×1")


def test_facts_no_training_pair_states_are_listed_with_their_article_and_a_warning(tmp_path, paths):
    text = "第三条 出差补助每人每天100元。\n第四条 住宿费每晚不超过500元，报销须在15个工作日内提交。"
    write_jsonl(tmp_path / "chunks.jsonl", [chunk("c1", text)])
    write_jsonl(tmp_path / "distilled.jsonl", [pair("a", "出差补助每天多少钱？", "出差补助每人每天100元。", "c1"),
                                               pair("b", "住宿费每晚最多报多少？", "住宿费每晚不超过500元。", "c1")])
    config = CurateConfig()
    report = run_curate(config, paths, LEXICON)
    facts = json.loads((tmp_path / "dataset/report.json").read_text(encoding="utf-8"))["fact_coverage"]["rules.txt"]
    assert (facts["facts"], facts["covered"]) == (3, 2)
    assert facts["uncovered"] == [{"number": "15个工作日", "article": "第四条", "pages": [1, 1]}]
    assert any("training pairs state 2 of its 3 numeric facts (67%, target 95%); none states 15个工作日 (第四条)" in w
               for w in report.warnings)
    assert "- 15个工作日 (第四条, pages 1-1)" in (tmp_path / "dataset/report.md").read_text(encoding="utf-8")
