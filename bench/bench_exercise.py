"""Benchmark `fwprobe scan --exercise` against `fwprobe scan` (prints a ratio; not a test).

    .venv/bin/python bench/bench_exercise.py [--python ENV_PYTHON] [--repeat N]

ENV_PYTHON must have torch (default: .venv-frameworks/bin/python, torch 2.13.0 CPU). Both runs
probe only torch, with no index, interleaved so that machine noise hits both alike:
  scan -f torch --exercise  /  scan -f torch       target <= 1.15
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
from bench_scan import wall  # noqa: E402 - the one timing helper of the bench scripts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", default=str(ROOT / ".venv-frameworks" / "bin" / "python"))
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    base = [sys.executable, "-m", "fwprobe", "scan", "--python", args.python, "-f", "torch", "--no-index",
            "--format", "json"]
    wall([*base, "--exercise"], env)  # warm the disk cache for both
    plain, exercised = [], []
    for _ in range(args.repeat):
        plain.append(wall(base, env))
        exercised.append(wall([*base, "--exercise"], env))
    p, e = statistics.median(plain), statistics.median(exercised)
    print(f"scan -f torch:            median {p:.2f} s over {args.repeat}")
    print(f"scan -f torch --exercise: median {e:.2f} s over {args.repeat}")
    print(f"ratio: {e / p:.3f}  (target <= 1.15)")


if __name__ == "__main__":
    main()
