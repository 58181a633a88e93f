from pathlib import Path

from slm_recipes.distill.cache import Journal, ReplyCache, unit_key


def test_key_changes_with_every_input() -> None:
    base = ("text", "numeric", "system", "user", 0.1, [("gemini", "gemini-2.5-flash")])
    keys = {unit_key(*base)}
    for i, other in enumerate(["text2", "general", "system2", "user2", 0.2, [("gemini", "gemini-2.5-pro")]]):
        changed = list(base)
        changed[i] = other
        keys.add(unit_key(*changed))
    assert len(keys) == 7 and unit_key(*base) == unit_key(*base)
    assert unit_key(*base[:5], [("gemini", "m"), ("zhipu", "n")]) != unit_key(*base[:5], [("zhipu", "n"), ("gemini", "m")])


def test_cache_round_trip_and_unreadable_entries(tmp_path: Path) -> None:
    cache = ReplyCache(tmp_path)
    assert cache.get("ab12") is None
    cache.put("ab12", {"pairs": [{"question": "问？", "answer": "答。"}]})
    assert cache.get("ab12") == {"pairs": [{"question": "问？", "answer": "答。"}]}
    (tmp_path / "ab" / "ab12.json").write_text("{", encoding="utf-8")
    assert cache.get("ab12") is None


def test_journal_skips_a_torn_line_and_appends_on_a_fresh_one(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "out.jsonl.journal")
    with journal:
        journal.append({"key": "k1", "pairs": []})
    with journal.path.open("a", encoding="utf-8") as file:
        file.write('{"key": "k2", "pa')
    with journal:
        journal.append({"key": "k3", "pairs": []})
    assert set(journal.load()) == {"k1", "k3"}
    journal.remove()
    assert journal.load() == {}
