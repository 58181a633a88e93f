"""recipes/strategies/multinode.yaml launched as the README says, by torchrun on every node: here 2 nodes of 1
process each on this machine (gloo), sharing one run folder as nodes share a file system.

The run makes its own dataset (ingest, a teacher behind a loopback server, curate): the data stages must
run once, on global rank 0, with node 1 waiting. Were they run per node, both nodes would distill at once
and one would stop on the other's lock, or ask the teacher again.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from distill.loopback import OPENAI, Loopback, Reply

REPO = Path(__file__).resolve().parents[2]
RECIPES = REPO / "recipes"
TORCHRUN = str(Path(sys.executable).with_name("torchrun"))
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_nodes_by_torchrun_run_the_data_stages_once_and_train(tmp_path, tiny_qwen2):
    def pairs(seen) -> Reply:
        n = len(server.seen)
        reply = OPENAI.ok(json.dumps({"pairs": [{"question": f"第{n}问的标准是多少？", "answer": f"答{n}。"}]}))
        reply.delay = 0.2  # distillation takes a while: long enough for a second node to collide if it ran too
        return reply

    port = free_port()
    with Loopback(default=pairs) as server:
        slm = ["--no-python", "slm", "fit", "--config", str(RECIPES / "demo.yaml"),
               "--config", str(RECIPES / "strategies/multinode.yaml"), "--trainer.devices", "1",
               "--trainer.accelerator", "cpu", "--model.model_name", str(tiny_qwen2), "--name", "nodes",
               "--ingest.sources", f"[{RECIPES}/demo/reimbursement_rules.txt]", "--distill.teachers", "[openai_compatible]",
               "--distill.model", "m", "--distill.base_url", server.url + "/v1", "--distill.stages", "[numeric]",
               "--distill.concurrency", "1", "--data.context", "none", "--data.eval_file", "null",
               "--config", str(RECIPES / "debug/fast.yaml"), "--evaluation.max_new_tokens", "8",
               "--evaluation.consistency_questions", "0"]
        env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1",
               "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
        nodes = [subprocess.Popen([TORCHRUN, "--nnodes", "2", "--nproc-per-node", "1", "--node-rank", str(rank),
                                   "--master-addr", "127.0.0.1", "--master-port", str(port), *slm],
                                  cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for rank in (0, 1)]
        outputs = [node.communicate(timeout=600)[0] for node in nodes]
        requests = len(server.seen)
    assert [node.returncode for node in nodes] == [0, 0], outputs[0][-3000:] + outputs[1][-3000:]
    chunks = (tmp_path / "data/nodes/chunks.jsonl").read_text(encoding="utf-8").splitlines()
    assert requests == len(chunks)  # one numeric request per chunk: distilled once, by one node
    assert "being written by" not in outputs[0] + outputs[1]
    run = tmp_path / "logs/nodes" / tiny_qwen2.name
    assert (run / "adapter/adapter_model.safetensors").is_file() and (run / "checkpoints/last.ckpt").is_file()
    assert len(list(run.glob("events.out.tfevents.*"))) == 1
