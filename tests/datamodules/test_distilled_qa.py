"""The DataModule on real files with the real SmolLM2 tokenizer (through a tiny model folder)."""

from __future__ import annotations

import pytest
from builders import qa_records, write_jsonl
from slm_recipes.datamodules import DistilledQADataModule

from slm_recipes.core.errors import RecipeError


def make(tmp_path, model_dir, records, **kwargs) -> DistilledQADataModule:
    train = write_jsonl(tmp_path / "train.jsonl", records)
    return DistilledQADataModule(train_file=str(train), model_name=str(model_dir), **kwargs)


def test_split_by_chunk_and_batches_are_dynamically_padded(tmp_path, tiny_qwen2):
    dm = make(tmp_path, tiny_qwen2, qa_records(40, chunks=10), val_fraction=0.2, batch_size=4, pad_to_multiple_of=1)
    dm.setup("fit")
    train_chunks = {item.example.group for item in dm.train_data.items}
    val_chunks = {item.example.group for item in dm.val_data.items}
    assert train_chunks.isdisjoint(val_chunks) and len(val_chunks) == 2
    batch = next(iter(dm.train_dataloader()))
    assert batch["input_ids"].shape[1] == batch["attention_mask"].sum(1).max() < dm.hparams.max_length
    assert (batch["labels"] != -100).any(dim=1).all()


def test_long_examples_are_dropped_and_counted(tmp_path, tiny_qwen2):
    records = qa_records(6) + [{"question": "长问题" * 200, "answer": "答。", "chunk_id": "long"}]
    dm = make(tmp_path, tiny_qwen2, records, val_fraction=0.0, max_length=128)
    dm.setup("fit")
    assert len(dm.train_data) == 6 and dm.stats["dropped_for_length"] == 1
    assert 0 < dm.stats["trained_share"] < 1 and dm.stats["length_max"] <= 128


def test_nothing_left_after_filtering_is_an_error(tmp_path, tiny_qwen2):
    dm = make(tmp_path, tiny_qwen2, qa_records(3), max_length=8)
    with pytest.raises(RecipeError, match="no training example left"):
        dm.setup("fit")


def test_val_file_is_used_as_given(tmp_path, tiny_qwen2):
    val = write_jsonl(tmp_path / "val.jsonl", qa_records(3))
    dm = make(tmp_path, tiny_qwen2, qa_records(8), val_file=str(val))
    dm.setup("fit")
    assert (len(dm.train_data), len(dm.val_data)) == (8, 3)


def test_system_prompt_is_rendered(tmp_path, tiny_qwen2):
    dm = make(tmp_path, tiny_qwen2, qa_records(2), val_fraction=0.0, system_prompt="你是报销助手。")
    dm.setup("fit")
    assert "你是报销助手。" in dm.tokenizer.decode(dm.train_data.items[0].encoded.input_ids)


def test_missing_data_file_is_an_error(tmp_path, tiny_qwen2):
    dm = DistilledQADataModule(train_file=str(tmp_path / "nope.jsonl"), model_name=str(tiny_qwen2))
    with pytest.raises(RecipeError, match="nope.jsonl does not exist"):
        dm.prepare_data()


def open_book_module(tmp_path, model_dir, records, rules_text: str | None = None, unit: str = "sentence",
                     **kwargs) -> DistilledQADataModule:
    from slm_recipes.assembly.stages import DataStages
    from slm_recipes.core.run_paths import RunPaths
    from slm_recipes.curate.config import CurateConfig
    from slm_recipes.distill.config import DistillConfig
    from slm_recipes.ingest.config import IngestConfig
    from slm_recipes.retrieval.config import RetrievalConfig
    from slm_recipes.text.lexicon import load_lexicon

    rules = tmp_path / "rules.txt"
    rules.write_text(rules_text or "".join(f"第{i}条 第{i}条规定住宿费每天不超过{100 + i}元。\n" for i in range(12)),
                     encoding="utf-8")
    stages = DataStages(IngestConfig(sources=[str(rules)], chunk_tokens=2000), DistillConfig(), CurateConfig(),
                        RetrievalConfig(top_k=3, passage_tokens=400, unit=unit), RunPaths("t", str(model_dir), root=tmp_path),
                        load_lexicon())
    dm = make(tmp_path, model_dir, records, stages=stages, **kwargs)
    dm.prepare_data()
    return dm


def test_raft_shows_retrieved_passages_trains_only_the_answer_and_says_when_the_gold_one_is_missing(tmp_path,
                                                                                                    tiny_qwen2):
    dm = open_book_module(tmp_path, tiny_qwen2, qa_records(12), context="raft", no_gold_share=0.25, val_fraction=0.0)
    dm.setup("fit")
    tokenizer = dm.tokenizer
    with_gold = without_gold = 0
    for item in dm.train_data.items:
        text = tokenizer.decode(item.encoded.input_ids)
        trained = tokenizer.decode([t for t, label in zip(item.encoded.input_ids, item.encoded.labels) if label != -100])
        answer = item.example.messages[-1]["content"]
        assert "参考资料：\n[1] " in text and item.passages and "参考资料" not in trained
        if answer in trained:  # the gold passage is shown: the answer is the record's
            with_gold += 1
            assert any(answer.rstrip("。").split("规定")[-1] in p.text for p in item.passages)
        else:
            without_gold += 1
            assert "所给文档中没有关于这个问题的规定。" in trained
            number = answer.split("不超过")[1]
            assert not any(number in p.text for p in item.passages)
    assert with_gold and without_gold and without_gold < with_gold


def test_an_over_long_open_book_example_loses_passages_not_its_answer(tmp_path, tiny_qwen2):
    wide = open_book_module(tmp_path, tiny_qwen2, qa_records(4), context="gold", val_fraction=0.0)
    wide.setup("fit")
    full = max(len(item.encoded.input_ids) for item in wide.train_data.items)
    narrow = make(tmp_path, tiny_qwen2, qa_records(4), stages=wide.stages, context="gold", val_fraction=0.0,
                  max_length=full - 5)
    narrow.setup("fit")
    assert len(narrow.train_data) == 4 and narrow.stats["dropped_for_length"] == 0
    assert min(len(item.passages) for item in wide.train_data.items) == 3
    for before, after in zip(wide.train_data.items, narrow.train_data.items):
        assert len(after.passages) <= len(before.passages) and set(after.passages) <= set(before.passages)
        gold = [p for p in before.passages if p.text.endswith(before.example.messages[-1]["content"].split("规定")[-1])]
        assert gold and gold[0] in after.passages  # the gold passage stays
        assert len(after.encoded.input_ids) <= full - 5
        assert after.encoded.trained_tokens == before.encoded.trained_tokens


def test_a_passage_too_long_is_cut_around_its_gold_sentence_and_a_long_answer_focused(tmp_path, tiny_qwen2):
    filler = "".join(f"职工应当遵守第{n}项工作纪律并按时参加单位组织的各项培训活动。" for n in range(1, 12))
    text = f"第一条 {filler}出差补助每人每天180元。{filler}\n"
    long_answer = "出差补助每人每天180元，" + "，".join(f"职工应当遵守第{n}项工作纪律" for n in range(1, 30)) + "。"
    records = [{**qa_records(1)[0], "question": "出差补助每天多少钱？", "answer": "出差补助每人每天180元。", "numbers": ["180元"]},
               {**qa_records(1)[0], "id": "q1", "question": "出差补助每天多少钱呢？", "answer": long_answer, "numbers": ["180元"]}]
    dm = open_book_module(tmp_path, tiny_qwen2, records, rules_text=text, unit="chunk", context="gold",
                          val_fraction=0.0, max_length=200)
    dm.setup("fit")
    assert len(dm.train_data) == 2 and dm.stats["dropped_for_length"] == 0
    assert dm.stats["passages_cut"] == 2 and dm.stats["answers_focused"] == 1
    short, focused = dm.train_data.items
    (passage,) = short.passages
    assert "出差补助每人每天180元。" in passage.text and passage.text.startswith("第一条") and len(passage.text) < len(text)
    assert all(len(item.encoded.input_ids) <= 200 for item in dm.train_data.items)
    trained = dm.tokenizer.decode([t for t, label in zip(focused.encoded.input_ids, focused.encoded.labels) if label != -100])
    assert "出差补助每人每天180元" in trained and "第29项" not in trained


def test_more_than_one_percent_dropped_warns_naming_the_setting(tmp_path, tiny_qwen2):
    records = qa_records(6) + [{"question": "长问题" * 200, "answer": "答。", "chunk_id": "long"}]
    dm = make(tmp_path, tiny_qwen2, records, val_fraction=0.0, max_length=128)
    with pytest.warns(UserWarning, match=r"1 of 7 examples \(14.3%\) .* raise data.init_args.max_length"):
        dm.setup("fit")


def test_open_book_context_without_the_recipes_index_is_an_error(tmp_path, tiny_qwen2):
    dm = make(tmp_path, tiny_qwen2, qa_records(3), context="raft")
    with pytest.raises(RecipeError, match="context raft needs the recipe's retrieval index"):
        dm.prepare_data()
