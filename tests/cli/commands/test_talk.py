"""`slm serve` through the real CLI: what it refuses before loading any model, each in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from slm_recipes.cli.main import cli_main

DEMO = str(Path(__file__).resolve().parents[3] / "recipes/demo.yaml")


def refusal(capsys, *args: str) -> str:
    with pytest.raises(SystemExit) as stop:
        cli_main(["serve", "--config", DEMO, *args])
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 2 and "\n" not in err
    return err


def test_another_address_without_a_key_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SLM_API_KEY", raising=False)
    assert refusal(capsys, "--host", "0.0.0.0").startswith("error: serve.host 0.0.0.0 is reachable from other machines")
    monkeypatch.setenv("MY_KEY", "")  # an empty key is no key
    assert "export MY_KEY=" in refusal(capsys, "--host", "0.0.0.0", "--serve.api_key_env", "MY_KEY")


def test_with_a_key_it_goes_on_to_the_next_check_without_printing_the_key(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    key = "sk-test-fake-serve-key-42"
    monkeypatch.setenv("SLM_API_KEY", key)
    err = refusal(capsys, "--host", "0.0.0.0")  # the demo recipe reads passages: no index here yet
    assert "slm index --config" in err and key not in err
    err = refusal(capsys, "--host", "0.0.0.0", "--api-key", key, "--no-retrieval")  # no trained model here
    assert "run `slm fit --config R` first" in err and key not in err


def test_help_lists_the_serve_section_and_the_aliases(capsys):
    cli_main(["serve", "--help"])
    out = capsys.readouterr().out
    assert "OpenAI-compatible" in out and "--serve.max_batch" in out and "--api-key" in out and "--port" in out
