"""The extractive teacher over every real and written document: each question well-formed, each answer the
source's own clauses stating the one fact asked, every number and every article asked about."""

import json
import re
from pathlib import Path

import pytest

from slm_recipes.core.run_paths import RunPaths
from slm_recipes.curate.coverage import coverage
from slm_recipes.curate.focus import focus_problem
from slm_recipes.distill.extractive import ExtractiveTeacher
from slm_recipes.distill.teacher import TeacherRequest
from slm_recipes.ingest.config import IngestConfig
from slm_recipes.ingest.pipeline import run_ingest
from slm_recipes.text.lexicon import load_lexicon
from slm_recipes.text.question_form import question_problems

LEXICON = load_lexicon()
ROOT = Path(__file__).resolve().parents[2] / "recipes"
CORPORA = sorted([ROOT / "demo" / "reimbursement_rules.txt", *(ROOT / "domains").glob("*/*.txt")])


def _ask(chunk: dict, stage: str = "numeric") -> list[dict]:
    request = TeacherRequest(chunk=chunk, stage=stage, system_prompt="", user_prompt="")
    return ExtractiveTeacher(LEXICON).generate(request).pairs


@pytest.fixture(scope="module", params=CORPORA, ids=lambda path: path.stem)
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], list[dict]]:
    """A document's chunks and every pair the teacher makes of them, both stages, with their chunk id."""
    out = tmp_path_factory.mktemp(request.param.stem) / "chunks.jsonl"
    run_ingest(IngestConfig(sources=[str(request.param)], chunk_tokens=300, overlap_tokens=30),
               RunPaths(request.param.stem, "m", chunks_file=out), len, show_progress=False)
    chunks = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    pairs = [{**p, "chunk_id": c["id"], "stage": stage} for c in chunks for stage in ("numeric", "general")
             for p in _ask(c, stage)]
    return chunks, pairs


def test_every_question_is_well_formed_and_every_answer_states_only_its_fact(corpus) -> None:
    _, pairs = corpus
    assert len(pairs) > 60
    malformed = [(p["question"], problems) for p in pairs if (problems := question_problems(p["question"], LEXICON))]
    assert malformed == []
    unfocused = [(p["question"], p["answer"]) for p in pairs if focus_problem(p["question"], p["answer"], LEXICON)]
    assert unfocused == []
    assert all(p["answer"].endswith("。") and p["answer"].rstrip("。") != p["question"].rstrip("？") for p in pairs)


def test_answers_are_made_of_the_source_s_clauses(corpus) -> None:
    chunks, pairs = corpus
    flat = {c["id"]: c["text"].replace("\n", "") for c in chunks}
    cut = [p["answer"] for p in pairs if re.split("[，：]", p["answer"].rstrip("。"))[-1] not in flat[p["chunk_id"]]]
    assert cut == []  # the last clause verbatim; a carried subject, a lead-in or a heading may open the answer


def test_every_number_and_every_article_has_a_pair(corpus) -> None:
    chunks, pairs = corpus
    (found,) = coverage({c["id"]: c for c in chunks}, pairs).values()
    assert found.share >= 0.95, found.uncovered
    assert found.articles_share >= 0.95, found.articles_uncovered


def test_rules_without_a_number_are_asked_in_the_general_stage(corpus) -> None:
    _, pairs = corpus
    rules = [p for p in pairs if p["stage"] == "general"]
    assert len(rules) >= 10
    per_answer: dict[str, set[str]] = {}
    for pair in pairs:
        per_answer.setdefault(pair["answer"], set()).add(pair["question"])
    assert sum(map(len, per_answer.values())) / len(per_answer) >= 1.8  # several forms; RESULTS.md has the figures


def test_pairs_are_deterministic(corpus) -> None:
    chunks, pairs = corpus
    again = [{**p, "chunk_id": c["id"], "stage": stage} for c in chunks for stage in ("numeric", "general")
             for p in _ask(c, stage)]
    assert again == pairs


def test_a_condition_list_becomes_one_fact_per_item_with_its_subject_and_consequence() -> None:
    chunk = {"id": "c", "text": "第四条 职工有下列情形之一的，不享受当年的年休假：\n(一)职工请事假累计20天以上且单位按照规定不扣工资的；\n"
             "(二)累计工作满1年不满10年的职工，请病假累计2个月以上的；\n(三)职工请病假累计4个月以上的。"}
    answers = {p["answer"] for p in _ask(chunk)}
    assert answers == {"职工请事假累计20天以上且单位按照规定不扣工资的，不享受当年的年休假。",
                       "累计工作满1年不满10年的职工，请病假累计2个月以上的，不享受当年的年休假。",
                       "职工请病假累计4个月以上的，不享受当年的年休假。"}


def test_a_graded_list_becomes_one_fact_per_row() -> None:
    chunk = {"id": "c", "text": "第十条 伤残津贴按月支付，标准如下：\n(一)一级伤残为本人工资的90%；\n(二)二级伤残为本人工资的85%；\n"
             "(三)三级伤残为本人工资的80%。"}
    pairs = _ask(chunk)
    rows = {p["answer"] for p in pairs}
    assert len(rows) == 3 and all(sum(grade in a for grade in ("一级", "二级", "三级")) == 1 for a in rows)
    for pair in pairs:
        assert sum(n in pair["answer"] for n in ("90%", "85%", "80%")) == 1


def test_one_number_of_a_sentence_is_answered_without_the_others() -> None:
    pairs = _ask({"id": "c", "text": "第八条 出差补助每人每天100元，住宿费每晚不超过500元。"})
    by_number = {n: {p["answer"] for p in pairs if n in p["answer"]} for n in ("100元", "500元")}
    assert by_number == {"100元": {"出差补助每人每天100元。"}, "500元": {"住宿费每晚不超过500元。"}}


def test_a_chunk_ending_at_a_clause_end_keeps_its_last_clause_and_a_cut_one_is_not_asked() -> None:
    """The chunker may break at ；, so the clause before it is whole although its sentence goes on in the next chunk."""
    pairs = _ask({"id": "c", "text": "第十五条 单次出租车费用超过130元的，须在报销单上注明起止地点和事由；"})
    assert {p["answer"] for p in pairs} == {"单次出租车费用超过130元的，须在报销单上注明起止地点和事由。"}
    assert _ask({"id": "c", "text": "第十五条 单次出租车费用超过130元的，须在报销单上注"}) == []
    assert _ask({"id": "c", "text": "第十六条 本细则由财务部负责解释。"}, stage="numeric") == []
