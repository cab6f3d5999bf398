"""`fwprobe fleet --ray` against a real 3-node Ray cluster started on this machine.

Ray is an optional extra, so the scenario runs in an interpreter that has it: FWPROBE_TEST_RAY_PYTHON,
else the checkout's .venv-ray (.ci/run builds it). Skipped when neither has ray.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from fakes import ROOT

pytestmark = pytest.mark.ray


def _ray_python() -> str | None:
    candidate = os.environ.get("FWPROBE_TEST_RAY_PYTHON") or str(ROOT / ".venv-ray" / "bin" / "python")
    if not Path(candidate).exists():
        return None
    has = subprocess.run([candidate, "-c", "import ray, fwprobe"], capture_output=True)
    return candidate if has.returncode == 0 else None


RAY_PYTHON = _ray_python()


@pytest.mark.skipif(RAY_PYTHON is None, reason="no interpreter with ray and fwprobe (.venv-ray)")
def test_one_scan_per_alive_node_pinned_and_unmasked() -> None:
    scenario = Path(__file__).with_name("ray_scenario.py")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CUDA_VISIBLE_DEVICES")}
    sessions = Path("/tmp/ray")
    before = set(sessions.iterdir()) if sessions.is_dir() else set()
    done = subprocess.run([str(RAY_PYTHON), str(scenario)], capture_output=True, text=True, timeout=500, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert not Path(result["temp_dir"]).exists()  # Ray's session files went with the cluster
    assert (set(sessions.iterdir()) if sessions.is_dir() else set()) == before
    assert result["exit"] == 0, result["stderr"]
    fleet = json.loads(result["stdout"])
    assert len(result["alive"]) == 3
    seen = sorted(n["scheduler"]["node_id"] for n in fleet["nodes"])
    assert seen == result["alive"], fleet  # one report per alive node, from that node
    assert fleet["skipped"] == []
    for node in fleet["nodes"]:
        assert node["scheduler"]["scheduler"] == "ray"
        # three nodes on one machine, one host name: each known by it plus Ray's node id
        assert node["host"].endswith("/" + node["scheduler"]["node_id"][:12])
        # a task reserving no GPU: Ray's mask was turned off, or found and removed
        assert node["scheduler"]["gpu_mask"] in (
            "Ray left CUDA_VISIBLE_DEVICES alone (RAY_EXPERIMENTAL_NOSET_CUDA_VISIBLE_DEVICES=1)",
            "removed CUDA_VISIBLE_DEVICES='' that Ray set for a task reserving no GPU")
