"""Benchmark `fwprobe merge` as a user runs it (prints ratios measured side by side; not a test).

    .venv/bin/python bench/bench_fleet.py [--nodes N] [--rounds N] [--python PY | --report FILE] [--compact] [--keep DIR]

Both sides are whole processes, started the same way, over the same N report files:
  fwprobe merge DIR --format json -o OUT   (start-up, read, fold, judge, render, write)
  python -c "...json.load each file..."    (start-up and a bare json.load loop, nothing else)
target: merge / bare <= 2.0. Rounds are interleaved (bare, merge, bare, merge, ...) after one
warm-up of each (page cache, bytecode), medians compared, and the fastest runs beside them (the
least disturbed on a shared machine). Peak memory (ru_maxrss of each child) is printed too.

The reports are real-shaped: one real scan report (``fwprobe scan --python PY --format json
--no-index``; PY defaults to .venv-frameworks, the real torch/keras/theano/pytensor
environment; or --report FILE, e.g. tests/golden/report.json), written as `scan -o` writes it
(indented; --compact: one line each), varied per node: host name, Slurm context, report time,
the driver, torch and keras versions on a few nodes, one GPU fewer on a few.
For the Ray fleet scan over a local scan, see tests/fleet/ray_scenario.py.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BARE = """
import json, sys
from pathlib import Path
n = 0
for p in sorted(Path(sys.argv[1]).iterdir()):
    if p.suffix == ".json":
        with open(p, encoding="utf-8") as f:
            json.load(f)
        n += 1
print(n)
"""

def real_report(python: str | None, report: str | None) -> dict:
    if report:
        return json.loads(Path(report).read_text(encoding="utf-8"))
    fwprobe = str(Path(sys.executable).with_name("fwprobe"))
    argv = [fwprobe, "scan", "--python", python or str(ROOT / ".venv-frameworks" / "bin" / "python"),
            "--format", "json", "--no-index"]
    done = subprocess.run(argv, capture_output=True, text=True, env=dict(os.environ, KERAS_BACKEND="torch"))
    if done.returncode != 0:
        raise SystemExit(f"the real scan failed ({' '.join(argv)}): {done.stderr[-500:]}")
    return json.loads(done.stdout)


def make_reports(base: dict, folder: Path, count: int, compact: bool = False) -> None:
    """``count`` variations of one real report, written as `scan --format json -o` writes them."""
    rng = random.Random(7)
    for i in range(count):
        r = copy.deepcopy(base)
        r["host"]["hostname"] = f"node-{i:05d}"
        r["host"]["scheduler"] = {"scheduler": "slurm", "SLURM_JOB_ID": "4242", "SLURMD_NODENAME": f"node-{i:05d}"}
        r["generated_at"] = f"2026-11-2{3 if rng.random() > 0.01 else 0}T{rng.randrange(24):02d}:00:00+00:00"
        system = r["system"]
        system["driver_version"] = "550.54.15" if rng.random() > 0.02 else "535.104.05"
        if rng.random() < 0.01:  # a node that lost a GPU
            system["gpus"] = system["gpus"][:-1]
        for fw in r["frameworks"]:
            dists = fw.get("distributions") or []
            if fw["id"] in ("pytorch", "keras") and dists and rng.random() < 0.03:  # drift
                dists[0]["version"] += ".post1"
        text = json.dumps(r) if compact else json.dumps(r, indent=2)
        (folder / f"node-{i:05d}.json").write_text(text + "\n", encoding="utf-8")


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB, this child's own: os.wait4) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    err = child.stderr.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])}... failed ({child.returncode}): {err.decode()[-800:]}")
    return elapsed, usage.ru_maxrss


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--python", help="the interpreter the real report comes from (default .venv-frameworks)")
    ap.add_argument("--report", help="a report file to vary instead of a fresh scan")
    ap.add_argument("--compact", action="store_true", help="write each report on one line")
    ap.add_argument("--keep", help="write the reports into this directory and keep them")
    args = ap.parse_args()
    fwprobe = str(Path(sys.executable).with_name("fwprobe"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as installed: bytecode cached
    base = real_report(args.python, args.report)
    tmp = Path(tempfile.mkdtemp(prefix="fwprobe-bench-fleet-"))
    try:
        folder = Path(args.keep) if args.keep else tmp / "reports"
        folder.mkdir(parents=True, exist_ok=True)
        make_reports(base, folder, args.nodes, args.compact)
        size = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
        bare_argv = [sys.executable, "-c", BARE, str(folder)]
        merge_argv = [fwprobe, "merge", str(folder), "--format", "json", "-o", str(tmp / "fleet.json")]
        timed(bare_argv, env), timed(merge_argv, env)  # warm the page cache and the bytecode
        bare, merge, bare_rss, merge_rss = [], [], 0, 0
        for _ in range(args.rounds):
            seconds, rss = timed(bare_argv, env)
            bare.append(seconds)
            bare_rss = max(bare_rss, rss)
            seconds, rss = timed(merge_argv, env)
            merge.append(seconds)
            merge_rss = max(merge_rss, rss)
        fleet = json.loads((tmp / "fleet.json").read_text(encoding="utf-8"))
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    mb, mm = statistics.median(bare), statistics.median(merge)
    print(f"{args.nodes} reports ({size:.0f} MB, {len(json.dumps(base)) // 1024} KB each compact), {args.rounds} rounds:")
    print(f"  bare json.load loop   median {mb:.2f} s  fastest {min(bare):.2f} s  peak {bare_rss / 1024:.0f} MB")
    print(f"  fwprobe merge -o json median {mm:.2f} s  fastest {min(merge):.2f} s  peak {merge_rss / 1024:.0f} MB"
          f"  ({len(fleet['nodes'])} nodes, {len(fleet['diagnoses'])} fleet diagnoses)")
    print(f"ratio merge / bare loop: {mm / mb:.2f} (medians; fastest runs: {min(merge) / min(bare):.2f})  target <= 2.0")


if __name__ == "__main__":
    main()
