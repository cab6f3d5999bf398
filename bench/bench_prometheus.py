"""What `--format prometheus` would cost with prometheus_client instead of the hand-written
renderer (prints times and ratios; not a test).

    .venv/bin/python bench/bench_prometheus.py --client-path DIR [--repeat N]

DIR holds prometheus_client (e.g. `pip install --target DIR prometheus_client`; fwprobe does not
depend on it). Each run is a fresh interpreter that first loads what `fwprobe scan` has loaded
when it renders (the CLI, the pipeline, the model), then times the import of the exposition
writer: fwprobe.render.prometheus, or prometheus_client's registry, Gauge and generate_latest.
Both are set against one whole `fwprobe scan --no-import --no-index --python self` run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_scan import wall  # the one timing helper of the bench scripts

_CHILD = """
import json, sys, time
import fwprobe.cli, fwprobe.assemble, fwprobe.model, fwprobe.output, fwprobe.render
t = time.perf_counter()
if sys.argv[1] == "client":
    from prometheus_client import CollectorRegistry, Gauge, generate_latest
else:
    import fwprobe.render.prometheus
print(json.dumps(time.perf_counter() - t))
"""


def _import(which: str, client_path: str) -> float:
    env = {**os.environ, "PYTHONPATH": client_path}
    done = subprocess.run([sys.executable, "-c", _CHILD, which], capture_output=True, text=True, env=env, check=True)
    return float(json.loads(done.stdout))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--client-path", required=True, help="a directory holding prometheus_client")
    ap.add_argument("--repeat", type=int, default=9)
    args = ap.parse_args()
    scan = [sys.executable, "-m", "fwprobe", "scan", "--no-import", "--no-index", "--python", "self",
            "--format", "prometheus"]
    wall(scan, dict(os.environ))  # warm the disk cache
    hand, client, whole = [], [], []
    for _ in range(args.repeat):  # interleaved: machine noise hits all three alike
        hand.append(_import("hand", args.client_path))
        client.append(_import("client", args.client_path))
        whole.append(wall(scan, dict(os.environ)))
    h, c, w = (statistics.median(x) for x in (hand, client, whole))
    print(f"import fwprobe.render.prometheus:     median {h * 1000:6.1f} ms over {args.repeat}")
    print(f"import prometheus_client (its writer): median {c * 1000:6.1f} ms")
    print(f"fwprobe scan --no-import --no-index:  median {w * 1000:6.1f} ms")
    print(f"prometheus_client / hand-written import: {c / h:.1f}x; "
          f"it would add {100 * (c - h) / w:.0f}% to that scan")


if __name__ == "__main__":
    main()
