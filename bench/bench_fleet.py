"""Benchmark `fwprobe merge` on 10,000 node reports (prints ratios; not a test).

    python bench/bench_fleet.py [--nodes N]

The reports are made by varying a real report (tests/golden/report.json): host, torch version,
driver, GPU count, time. Measured side by side in one run:
  merge (load + fold + judge)  /  a bare loop that only json.loads the same files   target <= 2.0
and the peak memory of each (a child process each, ru_maxrss): merge keeps no raw report after
folding it, so its peak should stay near the bare loop's.
For the Ray fleet scan over a local scan, see tests/fleet/ray_scenario.py (printed by
`.venv-ray/bin/python tests/fleet/ray_scenario.py`).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MERGE = """
import resource, sys, time
from fwprobe.fleet import iter_sources, merge
t = time.perf_counter()
fleet = merge(iter_sources([sys.argv[1]]), "2026-11-24T00:00:00+00:00", "bench")
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, len(fleet.nodes), len(fleet.diagnoses))
"""
BARE = """
import json, resource, sys, time
from pathlib import Path
t = time.perf_counter()
n = 0
for p in sorted(Path(sys.argv[1]).iterdir()):
    if p.suffix == ".json":
        json.loads(p.read_text(encoding="utf-8")); n += 1
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, n, 0)
"""


def make_reports(folder: Path, count: int) -> None:
    base = json.loads((ROOT / "tests" / "golden" / "report.json").read_text())
    rng = random.Random(7)
    for i in range(count):
        r = json.loads(json.dumps(base))
        r["host"]["hostname"] = f"node-{i:05d}"
        r["generated_at"] = f"2026-11-2{3 if rng.random() > 0.01 else 0}T{rng.randrange(24):02d}:00:00+00:00"
        r["system"]["driver_version"] = "550.54.15" if rng.random() > 0.02 else "535.104.05"
        r["system"]["gpus"] = r["system"]["gpus"][: 2 if rng.random() > 0.01 else 1]
        torch = next(f for f in r["frameworks"] if f["id"] == "pytorch")
        torch["distributions"][0]["version"] = "2.5.1+cu124" if rng.random() > 0.03 else "2.4.0+cu121"
        (folder / f"node-{i:05d}.json").write_text(json.dumps(r))


def run(script: str, folder: Path) -> tuple[float, int, int, int]:
    out = subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True, text=True, check=True)
    seconds, rss, n, d = out.stdout.split()
    return float(seconds), int(rss), int(n), int(d)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=10000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_reports(folder, args.nodes)
        run(BARE, folder)  # warm the page cache for both
        bare = run(BARE, folder)
        merged = run(MERGE, folder)
    print(f"{args.nodes} reports: bare json.load loop {bare[0]:.2f} s (peak {bare[1] / 1024:.0f} MB); "
          f"merge {merged[0]:.2f} s (peak {merged[1] / 1024:.0f} MB), {merged[2]} nodes, {merged[3]} fleet diagnoses")
    print(f"ratio merge / bare loop: {merged[0] / bare[0]:.2f}  (target <= 2.0)")


if __name__ == "__main__":
    main()
