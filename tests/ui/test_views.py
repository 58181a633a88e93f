"""The page's tables come from the CLI's own files: chunks, pairs, the curate report, the evaluation."""

from __future__ import annotations

import pytest
from builders import write_jsonl

from slm_recipes.ui import views


def test_documents_and_chunk_search_from_chunks_jsonl(tmp_path):
    chunks = [{"id": "c1", "doc": "/d/a.pdf", "pages": [1, 2], "tokens": 30, "text": "第一条 住宿费每晚380元。"},
              {"id": "c2", "doc": "/d/a.pdf", "pages": [2, 2], "tokens": 20, "text": "第二条 机票提前7天。"},
              {"id": "c3", "doc": "/d/b.txt", "pages": [0, 0], "tokens": 5, "text": "附则。"}]
    assert views.documents(chunks) == [["/d/a.pdf", 2, 2, 25], ["/d/b.txt", 1, 0, 3]]
    assert views.search_chunks(chunks, "机票") == [["c2", "a.pdf", "2", "第二条 机票提前7天。"]]
    assert len(views.search_chunks(chunks, " ")) == 3


def test_a_damaged_line_is_named_and_a_missing_file_is_no_rows(tmp_path):
    assert views.read_jsonl(tmp_path / "none.jsonl") == []
    path = write_jsonl(tmp_path / "d.jsonl", [{"question": "q"}])
    path.write_text(path.read_text(encoding="utf-8") + "{broken\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"d.jsonl:2: not JSON"):
        views.read_jsonl(path)


def test_report_and_evaluation_rows():
    report = {"kept": 9, "rejected": 3, "total": 12, "numeric_share": 0.75, "splits": {"train": 7, "val": 2},
              "reasons": {"duplicate": 1, "too_short": 2}, "score_histogram": [0] * 9 + [12], "warnings": ["w1"]}
    assert views.report_summary(report).startswith("**9 kept**, 3 rejected of 12; numeric share 75%")
    assert views.rejection_rows(report) == [["too_short", 2], ["duplicate", 1]]
    assert views.histogram_rows(report)[-1] == {"score": "90-100", "pairs": 12}
    rows = views.evaluation_rows([{"question": "a", "passed": True}, {
        "question": "b", "passed": False, "missing_numbers": ["60天"], "invented_numbers": ["100天"],
        "sources": [{"passage": "c1#0", "source": "rules.pdf p.1"}]}])
    assert rows[0][:2] == ["FAIL", "b"] and rows[0][4:] == ["60天", "100天", "rules.pdf p.1 (c1#0)"]
    assert rows[1][0] == "pass"
