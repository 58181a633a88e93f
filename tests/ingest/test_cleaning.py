from slm_recipes.ingest.cleaning import SourceLine, join_lines, normalise_numbers


def test_full_width_digits_and_number_punctuation() -> None:
    assert normalise_numbers("１２０元") == "120元"
    assert normalise_numbers("1，000万元，增长３．５％") == "1,000万元，增长3.5%"


def test_list_commas_and_prose_commas_stay_full_width() -> None:
    assert normalise_numbers("第1，2项") == "第1，2项"
    assert normalise_numbers("共3人，1000元") == "共3人，1000元"
    assert normalise_numbers("1，0000") == "1，0000"


def _lines(*texts: str, page: int = 1) -> list[SourceLine]:
    return [SourceLine(text, page, i == 0) for i, text in enumerate(texts)]


def test_chinese_lines_rejoin_without_space() -> None:
    doc = join_lines(_lines("公司注册资本为", "120万元。", "第二条 其他。"), 1)
    assert doc.text == "公司注册资本为120万元。\n第二条 其他。"


def test_english_hyphenation_and_wrapping() -> None:
    doc = join_lines(_lines("the infor-", "mation systems of", "the group."), 1)
    assert doc.text == "the information systems of the group."


def test_block_boundary_keeps_break_but_page_boundary_rejoins() -> None:
    lines = [SourceLine("标题", 1, True), SourceLine("本条款", 1, True), SourceLine("适用于全体员工。", 2, True)]
    doc = join_lines(lines, 2)
    assert doc.text == "标题\n本条款适用于全体员工。"
    assert doc.page_of(doc.text.index("本")) == 1
    assert doc.page_of(doc.text.index("适")) == 2


def test_table_rows_never_join() -> None:
    assert join_lines(_lines("收入 | 1,200", "成本 | 800"), 1).text == "收入 | 1,200\n成本 | 800"


def test_empty_pages_map_to_the_next_text() -> None:
    doc = join_lines([SourceLine("一。", 1, True), SourceLine("三。", 3, True)], 4)
    assert doc.page_starts == [0, 3, 3, 5]
    assert doc.pages_of(0, len(doc.text)) == (1, 3)


def test_full_width_lines_in_blocks_of_their_own_rejoin_but_titles_stay_apart() -> None:
    lines = [SourceLine("报销细则", 1, True), SourceLine("第七条 未经审批擅自出差的费用一律不予报销。特殊情况无", 1, True),
             SourceLine("法事前申请的，应先电话报告。", 1, True)]
    assert join_lines(lines, 1).text == "报销细则\n第七条 未经审批擅自出差的费用一律不予报销。特殊情况无法事前申请的，应先电话报告。"
