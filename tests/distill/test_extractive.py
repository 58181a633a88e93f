import re
from pathlib import Path

import pytest

from slm_recipes.core.run_paths import RunPaths
from slm_recipes.distill.extractive import ExtractiveTeacher, continues, question_word, stem_pieces
from slm_recipes.distill.facts import chunk_facts, find_subject
from slm_recipes.distill.quantities import find_quantities
from slm_recipes.distill.teacher import TeacherRequest
from slm_recipes.ingest.config import IngestConfig
from slm_recipes.ingest.pipeline import run_ingest
from slm_recipes.text.headings import CHAPTER_TITLE
from slm_recipes.text.lexicon import load_lexicon
from slm_recipes.text.numbers import extract_quantities
from slm_recipes.text.segmenter import is_word_run, words
from slm_recipes.text.shingles import jaccard, shingles

LEXICON = load_lexicon()
DEMO = Path(__file__).resolve().parents[2] / "recipes" / "demo" / "reimbursement_rules.txt"


def _ask(chunk: dict, stage: str = "numeric") -> list[dict]:
    return ExtractiveTeacher(LEXICON).generate(TeacherRequest(chunk=chunk, stage=stage, system_prompt="", user_prompt="")).pairs


@pytest.fixture(scope="module")
def demo_chunks(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    import json

    out = tmp_path_factory.mktemp("demo") / "chunks.jsonl"
    run_ingest(IngestConfig(sources=[str(DEMO)], chunk_tokens=300, overlap_tokens=30), RunPaths("demo", "m", chunks_file=out),
               len, show_progress=False)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def demo_pairs(demo_chunks: list[dict]) -> list[dict]:
    return [pair for chunk in demo_chunks for pair in _ask(chunk)]


def _numeric_sentences() -> list[str]:
    text = re.sub(r"^第[一二三四五六七八九十百]+条\s*", "", DEMO.read_text(encoding="utf-8"), flags=re.MULTILINE)
    text = re.sub(r"[（）]", "", text)  # the teacher reads parenthetical remarks as part of the sentence
    return [s for s in re.split(r"[。\n]", text) if any(q.unit for q in extract_quantities(s))]


def test_every_numeric_sentence_of_the_demo_is_asked_about(demo_pairs: list[dict]) -> None:
    sentences = _numeric_sentences()
    assert len(sentences) > 60
    answers = [p["answer"] for p in demo_pairs]
    for sentence in sentences:
        for q in find_quantities(sentence):
            window = sentence[max(0, q.start - 2):q.end]
            assert any(window in answer for answer in answers), f"no pair states {q.text!r} of: {sentence}"


def test_questions_never_contain_their_sentence_or_their_answer(demo_pairs: list[dict], demo_chunks: list[dict]) -> None:
    sentences = _numeric_sentences()
    assert len(demo_pairs) > 200
    for pair in demo_pairs:
        question, answer = pair["question"], pair["answer"]
        assert question.endswith("？") and len(question) <= 48
        assert answer.endswith("。") and answer.rstrip("。") != question.rstrip("？")
        assert not any(s in question for s in sentences if len(s) > 8), question
        stated = {q.text for q in find_quantities(answer)}
        assert stated and not any(text in question for text in stated - {q.text for q in find_quantities(question)})
        assert "多少" in question or "几" in question or "哪" in question or "什么情况" in question
    echoes = [p for p in demo_pairs if jaccard(shingles(p["question"]), shingles(p["answer"])) >= 0.8]
    assert len(echoes) <= len(demo_pairs) // 40  # only where a fact had no other way to be asked


def test_questions_are_varied_and_deterministic(demo_pairs: list[dict], demo_chunks: list[dict]) -> None:
    questions = [p["question"] for p in demo_pairs]
    assert sum(q.startswith("关于") for q in questions) > 50  # topic first
    assert sum("什么情况下" in q or re.search(r"的[^，]{2,12}，", q) is not None for q in questions) > 10  # condition first
    assert sum(not q.startswith("关于") and "什么情况" not in q for q in questions) > 80  # plain
    per_answer: dict[str, set[str]] = {}
    for pair in demo_pairs:
        per_answer.setdefault(pair["answer"], set()).add(pair["question"])
    assert sum(len(v) for v in per_answer.values()) / len(per_answer) >= 2
    assert [p for chunk in demo_chunks for p in _ask(chunk)] == demo_pairs


def test_subject_comes_from_the_clause_or_the_article() -> None:
    chunk = {"id": "c", "span": [0, 10], "text": "第四章 住宿费\n第八条 连续在同一地点出差超过60天的，视为长期驻外。"
             "自驻外第61天起，住宿费按本细则规定标准的70%控制，伙食补助统一按每人每天65元发放。\n"
             "第十七条 住宿费实行每人每天限额标准。甲类地区：A类人员1200元，B类人员850元。"}
    pairs = {p["question"]: p["answer"] for p in _ask(chunk)}
    assert pairs["关于住宿费，按本细则规定标准的百分之多少控制？"] == "住宿费按本细则规定标准的70%控制。"
    assert pairs["伙食补助统一按每人每天多少元发放？"] == "伙食补助统一按每人每天65元发放。"
    assert pairs["甲类地区A类人员的住宿费是多少元？"] == "住宿费：甲类地区：A类人员1200元。"  # chapter title, then the verbatim clause
    assert pairs["甲类地区B类人员的住宿费是多少元？"] == "住宿费：甲类地区：A类人员1200元，B类人员850元。"
    assert "连续在同一地点出差超过多少天，视为长期驻外？" in pairs
    assert "关于住宿费，自驻外第几天起，住宿费按本细则规定标准的70%控制？" in pairs
    assert find_subject("出差期间在出差地发生的市内交通费实行包干制度", LEXICON.strong_ends, LEXICON) == "市内交通费"
    assert find_subject("单张会议费发票金额超过8000元的", LEXICON.strong_ends, LEXICON) == "单张会议费发票"


def test_condition_first_for_thresholds() -> None:
    pairs = _ask({"id": "c", "text": "第三十五条 单张发票金额在1000元以上的，须附消费明细清单或销售清单。"})
    questions = [p["question"] for p in pairs]
    assert "金额在多少元以上的单张发票，要附消费明细清单？" in questions
    assert "单张发票在什么情况下要附消费明细清单？" in questions
    assert {p["answer"] for p in pairs} == {"单张发票金额在1000元以上的，须附消费明细清单或销售清单。"}


@pytest.mark.parametrize(("text", "word"), [("3个工作日", "几个工作日"), ("20个工作日", "多少个工作日"), ("1.5万元", "多少万元"),
                                            ("80%", "百分之多少"), ("2025年3月1日", "哪一天"), ("7月1日", "几月几日"),
                                            ("1/3", "几分之几"), ("百分之五十", "百分之多少")])
def test_question_word_follows_the_unit(text: str, word: str) -> None:
    (quantity,) = find_quantities(text)
    assert question_word(quantity, "", LEXICON) == word


def test_cut_sentences_at_chunk_edges_and_article_numbers_are_not_facts() -> None:
    facts = list(chunk_facts("360元，D类人员300元。\n第十八条 同性别的员工结伴出差的，原则上2人合住1间标准间。单次费用不超\n过600元。"
                             "依照第十六条，每人每天补助80元，超过", LEXICON, starts_mid_text=True))
    stated = [f.quantity.text for f in facts]
    assert stated == ["2人", "1间", "600元"]
    assert _ask({"id": "c", "text": "第十六条 本细则由财务部负责解释。"}) == []
    assert _ask({"id": "c", "text": "报销上限为3000元。"}, stage="general") == []


CORPORA = sorted([DEMO, *(Path(__file__).resolve().parents[2] / "recipes" / "domains").glob("*/*.txt")])


@pytest.fixture(scope="module", params=CORPORA, ids=lambda path: path.stem)
def corpus_chunks(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    import json

    out = tmp_path_factory.mktemp(request.param.stem) / "chunks.jsonl"
    run_ingest(IngestConfig(sources=[str(request.param)], chunk_tokens=300, overlap_tokens=30),
               RunPaths(request.param.stem, "m", chunks_file=out), len,
               show_progress=False)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_every_subject_and_stem_is_made_of_whole_words(corpus_chunks: list[dict]) -> None:
    checked, cut = 0, []
    for chunk in corpus_chunks:
        for fact in chunk_facts(chunk["text"], LEXICON, starts_mid_text=continues(chunk)):
            for piece in stem_pieces(fact, LEXICON):
                source = fact.subject_from if piece == fact.subject else fact.sentence
                checked += 1
                if not is_word_run(piece, source):
                    cut.append(f"{piece!r} in {'/'.join(words(source))}")
    assert checked > 10 and cut == []  # the real regulations are short: dozens of pieces, not hundreds


def test_every_answer_is_the_source_s_own_words(corpus_chunks: list[dict]) -> None:
    answers = 0
    for chunk in corpus_chunks:
        titles = [m.group(1).strip() for line in chunk["text"].splitlines() if (m := CHAPTER_TITLE.match(line.strip()))]
        flat = chunk["text"].replace("\n", "")  # a layout line break inside a sentence is no difference
        for pair in _ask(chunk):
            body = pair["answer"].removesuffix("。")
            for title in titles:
                body = body.removeprefix(f"{title}：")
            assert body in flat, pair["answer"]
            answers += 1
    assert answers > 10


def test_a_chunk_ending_at_a_clause_end_keeps_its_last_clause() -> None:
    """The chunker may break at ；, so the clause before it is whole although its sentence goes on in the next chunk."""
    pairs = _ask({"id": "c", "text": "第十五条 单次出租车费用超过130元的，须在报销单上注明起止地点和事由；"})
    assert {p["answer"] for p in pairs} == {"单次出租车费用超过130元的，须在报销单上注明起止地点和事由。"}
    assert _ask({"id": "c", "text": "第十五条 单次出租车费用超过130元的，须在报销单上注"}) == []  # cut: not asked
