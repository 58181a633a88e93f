"""`slm keys` through the real CLI: masked keys from the environment, and a recipe's own keys file and teachers."""

from __future__ import annotations

from pathlib import Path

import pytest

from slm_recipes.cli.main import cli_main

A, B, C = "sk-test-aaaaaaaaaaaaaaaaaaaaaax1", "sk-test-bbbbbbbbbbbbbbbbbbbbbby2", "zp-test-cccccccccccccccccccccz3"
ENV = ("GEMINI_API_KEYS", "GEMINI_API_KEY", "GOOGLE_API_KEY", "ZHIPUAI_API_KEYS", "ZHIPUAI_API_KEY",
       "OPENAI_API_KEYS", "OPENAI_API_KEY")


@pytest.fixture(autouse=True)
def no_keys_in_the_environment(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def test_without_a_recipe_every_provider_is_listed_from_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("GEMINI_API_KEYS", f"{A},{B}")
    cli_main(["keys"])
    out = capsys.readouterr().out
    assert "gemini    #1 …x1  GEMINI_API_KEYS  ready" in out and "#2 …y2" in out
    assert "zhipu: no keys (set ZHIPUAI_API_KEYS or ZHIPUAI_API_KEY" in out
    assert A not in out and B not in out


def test_a_recipe_names_its_teachers_and_its_keys_file(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("GEMINI_API_KEYS", A)
    (tmp_path / "keys.toml").write_text(f'zhipu = "{C}"')
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(f"distill:\n  teachers: [extractive, zhipu]\n  keys_file: {tmp_path / 'keys.toml'}\n"
                      "model:\n  init_args:\n    model_name: org/Tiny-Instruct\n", encoding="utf-8")
    cli_main(["keys", "--config", str(recipe)])
    out = capsys.readouterr().out
    assert "zhipu     #1 …z3  keys file" in out and "gemini" not in out
    assert all(k not in out for k in (A, B, C))


def test_slm_keys_shows_how_the_last_distillation_left_each_key(tmp_path: Path, monkeypatch, capsys):
    from distill.loopback import OPENAI, Loopback, pairs_json

    monkeypatch.setenv("OPENAI_API_KEYS", f"{A},{B}")
    (tmp_path / "chunks.jsonl").write_text('{"id": "c1", "doc": "r.txt", "pages": [1, 1], "text": "报销上限为3000元。"}\n',
                                           encoding="utf-8")
    recipe = tmp_path / "recipe.yaml"
    with Loopback() as server:
        server.script(OPENAI.bad_key, OPENAI.ok(pairs_json(1)))
        recipe.write_text(f"model:\n  init_args:\n    model_name: org/Tiny-Instruct\ningest:\n  output: {tmp_path}/chunks.jsonl\n"
                          f"distill:\n  teachers: [openai_compatible]\n  base_url: {server.url}/v1\n  model: m\n"
                          f"  stages: [numeric]\n  output: {tmp_path}/distilled.jsonl\n  cache_dir: {tmp_path}/cache\n",
                          encoding="utf-8")
        cli_main(["distill", "--config", str(recipe)])
    capsys.readouterr()
    cli_main(["keys", "--config", str(recipe)])
    out = capsys.readouterr().out
    assert "#1 …x1" in out and "disabled: rejected (401)" in out and "#2 …y2" in out
    assert all(k not in out for k in (A, B))
