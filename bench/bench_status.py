"""Benchmark `fwprobe status` (prints ratios measured in one run; not a test).

    .venv/bin/python bench/bench_status.py [--index-url URL]

The index is resolved as fwprobe does (--index-url, FWPROBE_INDEX_URL, PIP_INDEX_URL, pip's
configuration, pip's default). Measures, for every distribution `status` asks about:
  cold  concurrent fetch with an empty cache      target <= 1.5 x the single slowest request
  warm  the same again (cache hit), in process     target <= 0.3 s of fwprobe's own time
  CLI   `fwprobe status --format json` warm, whole process
  sequential fetches of the same distributions in one process, for comparison
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fwprobe.catalog import load_catalog
from fwprobe.core import status_names, status_report
from fwprobe.index import IndexClient, resolve_index_url


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index-url")
    args = ap.parse_args()
    url = resolve_index_url(args.index_url)
    catalog = load_catalog()
    names = status_names(catalog.frameworks)
    with tempfile.TemporaryDirectory() as seq_dir, tempfile.TemporaryDirectory() as cache_dir:
        seq = IndexClient(url, cache_dir=Path(seq_dir), refresh=True)
        per_request = {}
        start = time.perf_counter()
        for name in names:
            t = time.perf_counter()
            seq.fetch(name)
            per_request[name] = time.perf_counter() - t
        sequential = time.perf_counter() - start
        slowest = max(per_request.values())

        start = time.perf_counter()
        status_report(catalog, IndexClient(url, cache_dir=Path(cache_dir)))
        cold = time.perf_counter() - start
        start = time.perf_counter()
        warm_client = IndexClient(url, cache_dir=Path(cache_dir))
        status_report(catalog, warm_client)
        warm = time.perf_counter() - start
        assert warm_client.requests_sent == 0, "warm run sent requests"

        env = dict(os.environ, FWPROBE_CACHE_DIR=cache_dir)
        fwprobe = shutil.which("fwprobe") or str(Path(sys.executable).with_name("fwprobe"))
        cli = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run([fwprobe, "status", "--format", "json", *(["--index-url", args.index_url] if args.index_url else [])],
                           env=env, stdout=subprocess.DEVNULL, check=True)
            cli.append(time.perf_counter() - t)

    print(f"{len(names)} distributions: {', '.join(names)}")
    print(f"sequential: {sequential:.2f}s  slowest single request: {slowest:.2f}s ({max(per_request, key=per_request.get)})")
    print(f"cold (concurrent): {cold:.2f}s  ratio to slowest request: {cold / slowest:.2f}  (target <= 1.5)"
          f"  speed-up over sequential: {sequential / cold:.1f}x")
    print(f"warm (in process): {warm * 1000:.0f} ms  (target <= 300 ms)")
    print(f"warm CLI, whole process (median of 3): {sorted(cli)[1] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
