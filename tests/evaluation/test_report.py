"""The per-question rows and the Markdown report: base vs tuned side by side, failing questions first."""

from __future__ import annotations

import json

from slm_recipes.datamodules.questions import EvalQuestion, load_questions

from slm_recipes.core.run_paths import EvalFiles
from slm_recipes.evaluation.report import question_row, verdict, write_results
from slm_recipes.generation.answers import Generated
from slm_recipes.text.lexicon import load_lexicon

Q = EvalQuestion(id="q1", prompt=[{"role": "system", "content": "S"}, {"role": "user", "content": "伙食补助每天多少？"}],
                 reference="伙食补助按每人每天65元发放。", source="伙食补助每天65元，交通补助每天50元。",
                 meta={"chunk_id": "c1", "doc": "rules.txt", "pages": [1, 1]})


def test_row_verdicts():
    right = question_row(Q, Generated("伙食补助每天65元。", True, 8), None, load_lexicon())
    assert right["passed"] and verdict(right) == "pass" and right["chunk_id"] == "c1"
    wrong = question_row(Q, Generated("伙食补助每天65天，另有80元。", False, 96), ["65元", "60元"], load_lexicon())
    assert wrong["missing_numbers"] == ["65元"] and wrong["invented_numbers"] == ["65天", "80元"]
    assert wrong["consistent"] is False and "run-on" in wrong["format_problems"]
    assert verdict(wrong) == "FAIL: missing 65元; invented 65天, 80元; run-on"
    known = question_row(Q, Generated("每天65元，交通补助50元。", True, 8), None, load_lexicon())
    assert known["invented_numbers"] == []  # 50元 is in the source chunk


def test_report_compares_base_and_tuned_failing_first(tmp_path):
    q2 = EvalQuestion(id="q2", prompt=[{"role": "user", "content": "谁审批？"}], reference="由总经理审批。")
    base = [question_row(Q, Generated("不知道", True, 3), None, load_lexicon()), question_row(q2, Generated("谁审批？", True, 3), None, load_lexicon())]
    tuned = [question_row(Q, Generated("每天65元。", True, 4), None, load_lexicon()), question_row(q2, Generated("由副总审批。", True, 4), None, load_lexicon())]
    write_results(EvalFiles(tmp_path), "base", base, {"qa/strict_accuracy": 0.0})
    report = write_results(EvalFiles(tmp_path), "tuned", tuned, {"qa/strict_accuracy": 0.5}).read_text(encoding="utf-8")
    assert "| qa/strict_accuracy | 0.000 | 0.500 | +0.500 |" in report
    rows = [line for line in report.splitlines() if line.startswith(("| q1 ", "| q2 "))]
    assert rows[0].startswith("| q2 |") and "FAIL: missing keywords" in rows[0] and "echo" in rows[0]
    assert rows[1].startswith("| q1 |") and "| pass |" in rows[1]
    assert json.loads((tmp_path / "tuned.jsonl").read_text(encoding="utf-8").splitlines()[0])["id"] == "q1"


def test_demo_paraphrases_load_with_the_system_prompt():
    questions = load_questions("recipes/demo/paraphrased_eval.jsonl", "你是助手。")
    assert len(questions) == 30 and questions[0].prompt[0] == {"role": "system", "content": "你是助手。"}
    assert questions[0].question == "在外地连续驻扎多久会被当作长期驻外？" and questions[0].meta["chunk_id"] == "demo-art-08"
