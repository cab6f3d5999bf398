"""On a real GPU: the frameworks in FWPROBE_TEST_GPU_PYTHON (default: this interpreter) see the
GPUs nvidia-smi lists, compute on them, and load the CUDA runtime. Skipped without a GPU."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from fwprobe.catalog import load_catalog
from fwprobe.core import ScanOptions, scan
from fwprobe.model import Outcome, Severity


def _gpu_names() -> list[str]:
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return []
    try:
        done = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line.split(":", 1)[1].split("(UUID")[0].strip() for line in done.stdout.splitlines()
            if line.startswith("GPU ")]


GPUS = _gpu_names()
PYTHON = os.environ.get("FWPROBE_TEST_GPU_PYTHON") or sys.executable
pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not GPUS, reason="no GPU: nvidia-smi -L lists none")]


def _has(module: str) -> bool:
    return subprocess.run([PYTHON, "-c", f"import importlib.util as u; exit(u.find_spec('{module}') is None)"]
                          ).returncode == 0


def _scan(framework: str):
    report = scan(load_catalog(), ScanOptions(python=PYTHON, frameworks=(framework,), timeout=300, exercise=True))
    return report, report.frameworks[0]


@pytest.mark.parametrize("framework, module", [("pytorch", "torch"), ("jax", "jax")])
def test_a_real_gpu_is_seen_usable_and_healthy(framework: str, module: str) -> None:
    if not _has(module):
        pytest.skip(f"no {module} in {PYTHON}")
    report, fw = _scan(framework)
    p = fw.probe
    assert p is not None and p.outcome is Outcome.OK, p
    cuda = [d for d in p.devices if d.kind == "cuda"]
    assert cuda, p.devices
    if framework == "pytorch":  # jax names the kind ("H100"), torch the full name nvidia-smi shows
        assert cuda[0].name in GPUS, (cuda[0].name, GPUS)
        built, driver = p.build.cuda, report.system.cuda_driver_version if report.system else None
        assert built and driver and tuple(map(int, built.split(".")[:2])) <= tuple(map(int, driver.split(".")[:2]))
    runs = [e for e in p.exercise if e.kind == "cuda"]
    assert runs and all(e.passed for e in runs), runs
    assert any(lib.name == "libcudart" for lib in p.libraries) or framework == "jax", p.libraries
    assert not [d for d in report.diagnoses if d.severity is Severity.ERROR], report.diagnoses
