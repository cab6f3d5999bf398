"""A real CUDA build of torch (the package index's default wheel, e.g. 2.14.1+cu130, about 5 GB
installed) in FWPROBE_CUDA_TORCH_PYTHON, on a machine without a GPU driver, under a fake
nvidia-smi that lists two GPUs: gpu-not-visible quotes torch's own reason, in torch's words.
Skipped unless FWPROBE_CUDA_TORCH_PYTHON names such an interpreter (not in CI: too large)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from fwprobe.catalog import load_catalog
from fwprobe.core import ScanOptions, scan

PYTHON = os.environ.get("FWPROBE_CUDA_TORCH_PYTHON")


def _cuda_torch(python: str | None) -> str | None:
    """torch.version.cuda of the interpreter's torch, when it imports; else None."""
    if not python or not Path(python).exists():
        return None
    done = subprocess.run([python, "-c", "import torch; print(torch.version.cuda or '')"],
                          capture_output=True, text=True, timeout=300)
    return done.stdout.strip() or None if done.returncode == 0 else None


CUDA = _cuda_torch(PYTHON)
pytestmark = [pytest.mark.real, pytest.mark.skipif(
    CUDA is None, reason="FWPROBE_CUDA_TORCH_PYTHON names no interpreter with a CUDA build of torch")]


@pytest.mark.skipif(os.path.exists("/dev/nvidiactl"), reason="this machine has an NVIDIA driver")
def test_a_real_cuda_torch_without_a_driver_says_why(fake_nvidia_smi) -> None:
    assert PYTHON is not None
    report = scan(load_catalog(), ScanOptions(python=PYTHON, frameworks=("torch",), timeout=240))
    torch = next(r for r in report.frameworks if r.id == "pytorch")
    assert torch.probe is not None and torch.probe.build.cuda == CUDA and not torch.probe.accelerators
    reason = torch.probe.details["gpu_reason"]
    assert reason["source"] == "torch.cuda.init()" and reason["message"].startswith("Found no NVIDIA driver on your system")
    found = next(d for d in report.diagnoses if d.code == "gpu-not-visible")
    assert "(torch.cuda.init(): Found no NVIDIA driver on your system." in found.message
    assert "--gpus all" in found.hint
