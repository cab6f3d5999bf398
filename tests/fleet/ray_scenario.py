"""Run by tests/fleet/test_ray.py in an interpreter that has ray (FWPROBE_TEST_RAY_PYTHON, or
.venv-ray): start a real 3-node Ray cluster on this machine, run `fwprobe fleet --ray` against
it, and print one JSON line: the fleet report, the cluster's alive node ids, and timings."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import ray
from ray.cluster_utils import Cluster


def main() -> None:
    # Ray's session files go into a short private dir (its socket paths must stay under 108 bytes),
    # removed at the end: nothing is left in /tmp/ray
    temp = tempfile.mkdtemp(prefix="fwr-", dir="/tmp")
    os.environ["RAY_TMPDIR"] = temp  # read by Ray here and by the fwprobe fleet process below
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    try:
        for _ in range(2):
            cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes()
        ray.init(address=cluster.address, logging_level="ERROR")
        alive = sorted(n["NodeID"] for n in ray.nodes() if n.get("Alive"))
        ray.shutdown()
        argv = [sys.executable, "-m", "fwprobe", "fleet", "--ray", cluster.address, "--no-import",
                "--format", "json", "--python", sys.executable, "--timeout", "120"]
        started = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
        fleet_seconds = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "fwprobe", "scan", "--no-import", "--no-index", "--format", "json",
                        "--python", sys.executable], capture_output=True, timeout=120, check=True)
        local_seconds = time.perf_counter() - started
        print(json.dumps({"temp_dir": temp, "exit": done.returncode, "stdout": done.stdout, "stderr": done.stderr[-2000:],
                          "alive": alive, "fleet_seconds": fleet_seconds, "local_seconds": local_seconds}))
    finally:
        cluster.shutdown()
        shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    main()
