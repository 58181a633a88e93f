"""`slm ui` in a real browser (Debian's chromium driven by Playwright): the pipeline from upload to chat.

The app runs as a user starts it, in a subprocess over the tiny model; each tab is photographed into
build/ui-screenshots/ (look at them: what a person sees is part of the result).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from slm_recipes.text.lexicon import load_lexicon

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "build/ui-screenshots"
CHROMIUM = os.environ.get("SLM_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium): "
                                                           ".ci/run installs it")]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def app(tmp_path, tiny_qwen2):
    """`slm ui` on the demo recipe over the tiny model, with no documents of its own, 2 training steps."""
    port = free_port()
    args = ["--config", str(REPO / "recipes/demo.yaml"), "--model.model_name", str(tiny_qwen2), "--name", "tiny",
            "--ingest.sources", "[]", "--trainer.max_steps", "2", "--trainer.max_epochs", "1",
            "--data.batch_size", "2", "--data.eval_file", "null", "--export.merge_after_fit", "false",
            "--generation.max_new_tokens", "12", "--generation.repetition_penalty", "3.0", "--port", str(port)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    process = subprocess.Popen([sys.executable, "-m", "slm_recipes.cli", "ui", *args], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(process.stdout), daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    until = time.monotonic() + 120  # a hang guard, not a speed check
    while not any("slm ui for" in line for line in output) or not _up(url):
        if process.poll() is not None or time.monotonic() > until:
            process.kill()
            pytest.fail("slm ui did not start:\n" + "".join(output))
        time.sleep(0.2)
    yield url, tmp_path
    process.terminate()
    process.wait(timeout=30)


def _up(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def text_of(page, elem_id: str) -> str:
    return page.locator(f"#{elem_id} textarea").first.input_value()


def wait_for_status(page, elem_id: str, pattern: str, timeout_s: float = 240) -> str:
    """Poll a status box until it matches (the page refreshes it every second); fail with what it said."""
    until = time.monotonic() + timeout_s
    while time.monotonic() < until:
        said = text_of(page, elem_id)
        if re.search(pattern, said):
            return said
        if re.search(r"failed|error", said):
            pytest.fail(f"{elem_id}: {said}\n" + page.locator(f"#{elem_id.replace('status', 'log')} textarea")
                        .first.input_value())
        page.wait_for_timeout(500)
    pytest.fail(f"{elem_id} never matched {pattern!r}; it says: {text_of(page, elem_id)}")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_from_upload_to_chat_in_a_browser(app):
    from playwright.sync_api import sync_playwright

    url, folder = app
    pdf = REPO / "recipes/demo/reimbursement_rules.pdf"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(url)
        upload = page.locator("input[type=file]").first
        upload.set_input_files(files=[{"name": "../../escape.txt", "mimeType": "text/plain",
                                       "buffer": "第一条 测试。".encode()}])
        page.wait_for_function("document.querySelector('#upload-said textarea').value.includes('refused')")
        assert "upload '../../escape.txt' refused" in text_of(page, "upload-said")
        assert not (folder / "escape.txt").exists() and not (folder / "data/tiny/documents/escape.txt").exists()
        upload.set_input_files(str(pdf))
        page.wait_for_function("document.querySelector('#upload-said textarea').value.includes('saved')")
        assert (folder / "data/tiny/documents/reimbursement_rules.pdf").read_bytes() == pdf.read_bytes()
        page.locator("#ingest").click()
        wait_for_status(page, "ingest-status", r"ingest: finished")
        search = page.locator("#search textarea")
        assert search.get_attribute("placeholder") == load_lexicon().sample_question  # the recipe names no eval file
        search.fill("住宿费")
        page.wait_for_timeout(1500)
        assert "reimbursement_rules.pdf" in page.locator("#documents").inner_text()
        shot(page, "1-documents")

        page.get_by_role("tab", name="Distill").click()
        assert "extractive" in page.locator("#teachers textarea").input_value()
        page.locator("#distill").click()
        wait_for_status(page, "distill-status", r"distill: finished")
        page.wait_for_timeout(1500)
        preview = page.locator("#preview").inner_text()  # the distilled pairs, as a table: a number with its unit
        assert "numeric" in preview and re.search(r"\d+\s*(?:元|天|%|小时)", preview)
        shot(page, "2-distill")

        page.get_by_role("tab", name="Curate and review").click()
        page.locator("#curate").click()
        wait_for_status(page, "curate-status", r"curate: finished")
        page.wait_for_function("document.querySelector('#report').innerText.includes('kept')")
        shot(page, "3-curate")

        page.get_by_role("tab", name="Train").click()
        page.locator("#fit").click()
        wait_for_status(page, "fit-status", r"fit: (running|finished)")
        page.wait_for_function("!/^0 training/.test(document.querySelector('#points textarea').value)",
                               timeout=240_000)
        page.reload()  # the page reattaches to the run it started
        page.get_by_role("tab", name="Train").click()
        wait_for_status(page, "fit-status", r"fit: finished")
        assert re.match(r"[1-9]\d* training loss points", text_of(page, "points"))
        shot(page, "4-train")

        page.get_by_role("tab", name="Chat").click()
        page.locator("#message textarea").fill("住宿费每晚限额多少？")
        page.locator("#message textarea").press("Enter")
        page.wait_for_function("document.querySelectorAll('#chatbot .message').length >= 2", timeout=120_000)
        page.wait_for_function("(document.querySelector('#chatbot').innerText.match(/source:/))", timeout=120_000)
        shot(page, "5-chat")
        page.get_by_role("tab", name="Evaluate").click()
        page.wait_for_timeout(500)
        shot(page, "6-evaluate")

        page.get_by_role("tab", name="Export").click()
        page.get_by_label("q8_0").check()
        page.locator("#export").click()
        wait_for_status(page, "export-status", r"export: finished")
        # the file list shows a name's stem and ending apart
        page.wait_for_function("document.querySelector('#export-files').innerText.replace(/\\s/g, '')"
                               ".includes('tiny-q8_0.gguf')")
        assert "verified" in page.locator("#export-log textarea").input_value()
        shot(page, "7-export")
        browser.close()
    assert (folder / "exports/tiny/tiny-q8_0.gguf").is_file() and (folder / "exports/tiny/Modelfile").is_file()
