"""Benchmark `fwprobe scan` (prints ratios measured in one run; not a test).

    python bench/bench_scan.py [--python ENV_PYTHON] [--repeat N]

ENV_PYTHON must have torch and keras (default: .venv-frameworks/bin/python). Ratios:
  scan (probes: torch, keras)  / slowest single `python -c "import X"`    target <= 1.3
  scan --no-import             / `python -m pip list` in the same env       target <= 0.5
  `fwprobe --version` median                                               target < 150 ms
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def wall(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])}... failed: {done.stderr[-500:]}")
    return elapsed


def median(argv: list[str], env: dict[str, str], n: int) -> float:
    return statistics.median(wall(argv, env) for _ in range(n))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", default=str(ROOT / ".venv-frameworks" / "bin" / "python"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    fwprobe = shutil.which("fwprobe") or str(Path(sys.executable).with_name("fwprobe"))
    env = dict(os.environ, KERAS_BACKEND="torch")
    n = args.repeat

    # warm the page cache once so the first measured import is not a cold-disk outlier
    for mod in ("torch", "keras"):
        wall([args.python, "-c", f"import {mod}"], env)
    imports = {mod: median([args.python, "-c", f"import {mod}"], env, n) for mod in ("torch", "keras")}
    slowest = max(imports.values())
    scan = median([fwprobe, "scan", "--no-index", "--format", "json", "--python", args.python,
                   "-f", "torch", "-f", "keras"], env, n)
    print(f"imports (median of {n}): " + ", ".join(f"{m} {t:.2f}s" for m, t in imports.items()))
    print(f"scan with probes (torch, keras): {scan:.2f}s  ratio to slowest import: {scan / slowest:.2f}  (target <= 1.3)")

    pip_list = median([args.python, "-m", "pip", "list"], env, n)
    no_import = median([fwprobe, "scan", "--no-index", "--no-import", "--format", "json", "--python", args.python],
                       env, n)
    print(f"scan --no-import: {no_import:.3f}s  pip list: {pip_list:.3f}s  ratio: {no_import / pip_list:.2f}  (target <= 0.5)")

    version = median([fwprobe, "--version"], env, max(10, n))
    print(f"fwprobe --version median: {version * 1000:.0f} ms  (target < 150 ms)")


if __name__ == "__main__":
    main()
