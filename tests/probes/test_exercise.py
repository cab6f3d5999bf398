"""--exercise: every device computes, or says why not (fakes shaped like torch and jax)."""

from __future__ import annotations

import sys
from pathlib import Path

from fakes.frameworks import (
    FAKE_JAX_OOM,
    FAKE_TORCH_CPU,
    FAKE_TORCH_CUDA,
    FAKE_TORCH_HANGS_IN_EXERCISE,
    FAKE_TORCH_NEW_GPU,
    write_dist,
    write_fake_jax,
    write_module,
)
from fwprobe.catalog import load_catalog
from fwprobe.core import ScanOptions, scan
from fwprobe.model import Outcome

CATALOG = load_catalog()


def _scan(*frameworks: str, exercise: bool = True, timeout: float = 20, do_import: bool = True):
    return scan(CATALOG, ScanOptions(python=sys.executable, frameworks=frameworks, keep_pythonpath=True,
                                     timeout=timeout, exercise=exercise, do_import=do_import))


def _codes(report):
    return [d.code for d in report.diagnoses]


def test_every_device_of_a_healthy_torch_computes(site: Path, fake_nvidia_smi) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    report = _scan("torch")
    probe = report.frameworks[0].probe
    assert [(e.kind, e.index, e.passed) for e in probe.exercise] == [("cuda", 0, True), ("cuda", 1, True),
                                                                    ("cpu", 0, True)]
    assert all(e.seconds is not None and e.error_type is None for e in probe.exercise)
    assert [d.capability for d in probe.accelerators] == ["8.0", "8.0"] and "sm_80" in probe.arch_list
    assert not {"device-unusable", "arch-not-supported", "gpu-count-mismatch"} & set(_codes(report))
    assert report.options["exercise"] is True
    assert report.options["probe_env"] == {"TF_FORCE_GPU_ALLOW_GROWTH": "true", "XLA_PYTHON_CLIENT_PREALLOCATE": "false"}


def test_the_users_own_allocation_settings_are_left_alone(site: Path, monkeypatch) -> None:
    monkeypatch.setenv("XLA_PYTHON_CLIENT_PREALLOCATE", "true")
    write_module(site, "torch", FAKE_TORCH_CPU, "torch", "2.5.1+cpu")
    assert _scan("torch").options["probe_env"] == {"TF_FORCE_GPU_ALLOW_GROWTH": "true"}


def test_without_exercise_nothing_is_computed(site: Path) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    assert _scan("torch", exercise=False).frameworks[0].probe.exercise == ()


def test_a_new_gpu_without_kernels_is_arch_not_supported_and_unusable(site: Path, fake_nvidia_smi) -> None:
    write_module(site, "torch", FAKE_TORCH_NEW_GPU, "torch", "2.5.1+cu124")
    report = _scan("torch")
    probe = report.frameworks[0].probe
    assert [(e.kind, e.passed) for e in probe.exercise] == [("cuda", False), ("cuda", False), ("cpu", True)]
    arch = [d for d in report.diagnoses if d.code == "arch-not-supported"]
    assert len(arch) == 2 and "sm_120" in arch[0].message and "sm_80, sm_90" in arch[0].message
    assert "2.7.0" in arch[0].hint  # the catalog knows the first release with sm_120 kernels
    unusable = [d for d in report.diagnoses if d.code == "device-unusable"]
    assert len(unusable) == 2 and "no kernel image is available" in unusable[0].message
    assert "no kernels for the GPU's architecture" in unusable[0].hint and "sm_120" in unusable[0].hint


def test_a_jax_device_out_of_memory_is_unusable_with_a_memory_hint(site: Path, fake_nvidia_smi) -> None:
    write_fake_jax(site, FAKE_JAX_OOM)
    report = _scan("jax")
    probe = report.frameworks[0].probe
    assert [e.passed for e in probe.exercise] == [True, False, True, True]
    (found,) = [d for d in report.diagnoses if d.code == "device-unusable"]
    assert "cuda:1" in found.message and "RESOURCE_EXHAUSTED" in found.message
    assert "no free memory" in found.hint


def test_a_hang_in_an_exercise_keeps_the_device_list(site: Path, fake_nvidia_smi) -> None:
    write_module(site, "torch", FAKE_TORCH_HANGS_IN_EXERCISE, "torch", "2.5.1+cu124")
    report = _scan("torch", timeout=4)
    probe = report.frameworks[0].probe
    assert probe.outcome is Outcome.OK and len(probe.accelerators) == 2
    assert [(e.kind, e.index, e.passed, e.error_type) for e in probe.exercise] == [("cuda", 0, False, "Timeout")]
    (found,) = [d for d in report.diagnoses if d.code == "device-unusable"]
    assert "hung" in found.message


TORCH_PINS = ('nvidia-cudnn-cu12==9.1.0.70; platform_system == "Linux" and platform_machine == "x86_64"',
              'nvidia-cublas-cu12==12.4.5.8; platform_system == "Linux" and platform_machine == "x86_64"',
              'nvidia-nccl-cu12==2.21.5; platform_system == "Windows"',
              'nvidia-cufft-cu12==11.2.1.3; extra == "cufft"',
              "filelock")


def test_nvidia_wheels_against_torchs_pins_from_metadata_alone(site: Path) -> None:
    write_dist(site, "torch", "2.5.1", requires=TORCH_PINS)
    write_dist(site, "nvidia-cudnn-cu12", "9.5.0.50")  # someone ran pip install -U nvidia-cudnn-cu12
    report = _scan("torch", exercise=False, do_import=False)
    found = [d for d in report.diagnoses if d.code == "nvidia-wheel-mismatch"]
    import platform

    if platform.system() != "Linux" or platform.machine() != "x86_64":
        assert found == []  # the pins' markers do not apply here
        return
    assert [(d.severity.value, d.message) for d in found] == [  # most severe first
        ("error", "torch 2.5.1 pins nvidia-cublas-cu12==12.4.5.8, which is not installed"),
        ("warning", "torch 2.5.1 pins nvidia-cudnn-cu12==9.1.0.70, but nvidia-cudnn-cu12 9.5.0.50 is installed")]
    assert found[1].hint == "pip install 'nvidia-cudnn-cu12==9.1.0.70'"


def test_matching_nvidia_wheels_give_no_finding(site: Path) -> None:
    write_dist(site, "torch", "2.5.1", requires=TORCH_PINS[:2])
    write_dist(site, "nvidia-cudnn-cu12", "9.1.0.70")
    write_dist(site, "nvidia-cublas-cu12", "12.4.5.8")
    assert "nvidia-wheel-mismatch" not in _codes(_scan("torch", exercise=False, do_import=False))
