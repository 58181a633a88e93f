"""The key pool: sources, the keys-file guard, rotation, cool-downs, disabling, masking, threads."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.distill.keys import Key, KeyPool, NoUsableKey, mask, read_keys_file
from slm_recipes.text.lexicon import load_lexicon

A, B, C = "k1-AAAAAAAAAAAAAAAA-x1", "k2-BBBBBBBBBBBBBBBB-y2", "k3-CCCCCCCCCCCCCCCC-z3"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def secrets(pool: KeyPool) -> list[str]:
    return [k.secret for k in pool.keys]


def test_keys_from_environment_variables_deduplicated() -> None:
    env = {"GEMINI_API_KEYS": f"{A}, {B}", "GEMINI_API_KEY": A, "ZHIPUAI_API_KEYS": C}
    assert secrets(KeyPool.from_sources("gemini", None, environ=env)) == [A, B]
    assert secrets(KeyPool.from_sources("zhipu", None, environ=env)) == [C]
    assert len(KeyPool.from_sources("openai_compatible", None, environ=env)) == 0


@pytest.mark.parametrize("text", [
    f'gemini = ["{A}", "{B}"]\nzhipu = "{C}"\n',
    f'[gemini]\nkeys = ["{A}", "{B}"]\n[zhipuai]\nkeys = ["{C}"]\n',
    f"# my keys\ngemini = {A}, {B}\nzhipuai = {C}  # the GLM one\n",
])
def test_keys_file_formats(tmp_path: Path, text: str) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(text)
    assert read_keys_file(path) == {"gemini": [A, B], "zhipu": [C]}
    pool = KeyPool.from_sources("gemini", str(path), environ={"GEMINI_API_KEY": C})
    assert secrets(pool) == [A, B, C] and [k.source for k in pool.keys] == ["keys file", "keys file", "GEMINI_API_KEY"]


def test_bare_keys_serve_the_one_api_teacher_only(tmp_path: Path) -> None:
    (tmp_path / "keys").write_text(f"{A}\n{B}\n")
    assert secrets(KeyPool.from_sources("openai_compatible", str(tmp_path / "keys"), environ={})) == [A, B]
    assert secrets(KeyPool.from_sources("gemini", str(tmp_path / "keys"), environ={}, bare_keys=False)) == []


def test_bare_keys_are_refused_when_the_recipe_has_several_api_teachers(tmp_path: Path) -> None:
    from slm_recipes.distill.config import DistillConfig
    from slm_recipes.distill.registry import build_teachers

    (tmp_path / "keys").write_text(f"{A}\nzhipu = {C}\n")
    config = DistillConfig(teachers=["zhipu", "openai_compatible"], base_url="http://127.0.0.1:9/v1", model="m",
                           keys_file=str(tmp_path / "keys"))
    with pytest.raises(RecipeError, match="1 key\\(s\\) are named for no provider, and the recipe has 2 API teachers") as err:
        build_teachers(config, load_lexicon())
    assert A not in str(err.value)


def test_shell_and_dotenv_lines_name_their_provider(tmp_path: Path) -> None:
    (tmp_path / "keys.env").write_text(f'export OPENAI_API_KEY={A}\nGEMINI_API_KEYS="{B},{C}"\n# a comment\n')
    assert read_keys_file(tmp_path / "keys.env") == {"openai_compatible": [A], "gemini": [B, C]}


def test_keys_file_inside_a_git_work_tree_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "keys.toml").write_text(f'gemini = "{A}"')
    with pytest.raises(RecipeError, match="inside the git work tree .*Move it outside the repository") as err:
        KeyPool.from_sources("gemini", str(tmp_path / "conf" / "keys.toml"), environ={})
    assert A not in str(err.value)


def test_missing_keys_file_and_no_keys_are_clear(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match="not found"):
        read_keys_file(tmp_path / "nope.toml")
    with pytest.raises(RecipeError, match="ZHIPUAI_API_KEYS or ZHIPUAI_API_KEY"):
        KeyPool("zhipu", []).require()


def test_round_robin_and_cool_down() -> None:
    clock = Clock()
    pool = KeyPool("gemini", [A, B, C], cooldown=10, clock=clock)
    assert [pool.acquire().index for _ in range(4)] == [1, 2, 3, 1]
    pool.rate_limited(pool.keys[1])
    assert [pool.acquire().index for _ in range(3)] == [3, 1, 3]
    clock.now += 10
    assert [pool.acquire().index for _ in range(2)] == [1, 2]


def test_cool_down_doubles_per_rate_limit_in_a_row_and_resets_on_success() -> None:
    clock = Clock()
    pool = KeyPool("gemini", [A], cooldown=10, max_cooldown=25, clock=clock)
    key = pool.keys[0]
    for expected in (10, 20, 25):
        pool.rate_limited(key)
        assert pool.acquire() == pytest.approx(expected)  # all cooling: seconds to wait
        clock.now += expected
    pool.succeeded(key)
    pool.rate_limited(key, retry_after=3)
    assert pool.acquire() == pytest.approx(3)


def test_disabled_keys_are_skipped_until_none_is_left() -> None:
    pool = KeyPool("zhipu", [A, B])
    pool.rejected(pool.keys[0], "HTTP 401")
    assert {pool.acquire().index for _ in range(3)} == {2}
    pool.rejected(pool.keys[1], "HTTP 401")
    with pytest.raises(NoUsableKey, match=r"no usable key for zhipu: 2 rejected \(401\)"):
        pool.acquire()


def test_states_and_messages_never_show_more_than_two_characters() -> None:
    clock = Clock()
    pool = KeyPool("gemini", [A, B, "short"], cooldown=30, clock=clock)
    pool.acquire()
    pool.rate_limited(pool.keys[0])
    pool.rejected(pool.keys[1], "HTTP 403")
    rows = pool.states()
    assert [(r["index"], r["key"], r["state"]) for r in rows] == [
        (1, "…x1", "cooling down"), (2, "…y2", "disabled: rejected (403)"), (3, "…", "ready")]
    assert rows[0]["cooldown_left_s"] == 30 and rows[0]["requests"] == 1 and rows[0]["failures"] == 1
    shown = repr(rows) + repr(pool) + repr(pool.keys) + str(pool.keys[0])
    assert A not in shown and A[:-2] not in shown and B not in shown and "short" not in shown
    assert mask(A) == "…x1"


def test_scrub_removes_full_and_partial_keys() -> None:
    pool = KeyPool("openai_compatible", [A])
    text = pool.scrub(f"Incorrect API key provided: {A}. Also {A[:10]}****{A[-6:]}")
    assert A not in text and A[:8] not in text and A[-6:] not in text


def test_acquire_is_thread_safe_and_fair() -> None:
    pool = KeyPool("gemini", [A, B, C])
    got: list[Key] = []
    lock = threading.Lock()

    def work() -> None:
        mine = [pool.acquire() for _ in range(300)]
        with lock:
            got.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r["requests"] for r in pool.states()] == [800, 800, 800]
    assert len(got) == 2400


def test_plain_lines_with_env_names_and_keys_holding_equals(tmp_path: Path) -> None:
    (tmp_path / "keys").write_text("GEMINI_API_KEYS = g1-AAAAAAAAAAAA, g2-BBBBBBBBBBBB\nbase64likeKEY0000==\n")
    assert read_keys_file(tmp_path / "keys") == {"gemini": ["g1-AAAAAAAAAAAA", "g2-BBBBBBBBBBBB"], "*": ["base64likeKEY0000=="]}


def test_the_last_runs_states_come_back_for_slm_keys_but_only_cool_downs_for_the_next_run(tmp_path: Path) -> None:
    from slm_recipes.distill.key_states import load_key_states, save_key_states

    clock = Clock()
    pool = KeyPool("gemini", [A, B], clock=clock)
    pool.rejected(pool.keys[0], "HTTP 401: bad key")
    pool.rate_limited(pool.keys[1], retry_after=300)
    save_key_states(tmp_path / "key_states.json", [pool])
    assert all(k not in (tmp_path / "key_states.json").read_text() for k in (A, B))
    shown = KeyPool("gemini", [A, B])
    load_key_states(tmp_path / "key_states.json", [shown], disabled=True)
    states = shown.states()
    assert states[0]["state"] == "disabled: rejected (401)" and states[1]["state"] == "cooling down"
    assert 290 < states[1]["cooldown_left_s"] <= 300
    again = KeyPool("gemini", [A, B])
    load_key_states(tmp_path / "key_states.json", [again], disabled=False)
    assert [s["state"] for s in again.states()] == ["ready", "cooling down"]


def test_rate_limits_from_requests_already_in_flight_do_not_stack() -> None:
    clock = Clock()
    pool = KeyPool("gemini", [A], cooldown=10, clock=clock)
    for _ in range(8):  # eight threads got a 429 for the same burst
        pool.rate_limited(pool.keys[0])
    assert pool.acquire() == pytest.approx(10) and pool.keys[0].failures == 8
