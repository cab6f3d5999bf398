"""The Slurm recipe on a real (local, one-node) Slurm: srun one scan per node, then merge.
Skipped unless `srun` runs a job here (examples/slurm/local-cluster.sh starts one)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slurm


def _slurm_answers() -> bool:
    if shutil.which("srun") is None:
        return False
    try:
        return subprocess.run(["srun", "-N1", "-t", "1", "true"], capture_output=True, timeout=15).returncode == 0
    except subprocess.TimeoutExpired:
        return False


@pytest.mark.skipif(not _slurm_answers(), reason="no Slurm that runs jobs here")
def test_srun_one_scan_per_node_then_merge(tmp_path: Path) -> None:
    fwprobe = str(Path(sys.executable).with_name("fwprobe"))
    reports = tmp_path / "reports"
    recipe = ["srun", "--ntasks-per-node=1", "-t", "5", "--chdir", str(tmp_path), fwprobe, "scan", "--no-import",
              "--no-index", "--python", "self", "--format", "json", "-o", str(reports / "{host}.json")]
    done = subprocess.run(recipe, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    merged = subprocess.run([fwprobe, "merge", str(reports), "--format", "json"], capture_output=True, text=True,
                            timeout=60)
    assert merged.returncode == 0, merged.stderr
    fleet = json.loads(merged.stdout)
    assert len(fleet["nodes"]) >= 1 and fleet["skipped"] == []
    node = fleet["nodes"][0]
    assert node["scheduler"]["scheduler"] == "slurm"
    assert node["scheduler"]["SLURM_JOB_ID"].isdigit() and node["scheduler"]["SLURMD_NODENAME"]
