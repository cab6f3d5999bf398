"""Each diagnosis triggered by a fake, and absent in the healthy case."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from fakes.frameworks import (
    FAKE_JAX_GPU,
    FAKE_JAXLIB,
    FAKE_TORCH_CPU,
    FAKE_TORCH_CUDA,
    FAKE_TORCH_CUDA_NO_GPU,
    RAISES,
    SEGV,
    write_dist,
    write_module,
)
from fwprobe.catalog import load_catalog
from fwprobe.core import ScanOptions, scan
from fwprobe.model import Severity

CATALOG = load_catalog()  # the shipped catalog: its compat rules are under test too


def _codes(report, framework=None):
    return [d.code for d in report.diagnoses if framework is None or d.framework == framework]


def _scan(*frameworks: str, catalog=CATALOG, timeout: float = 20):
    return scan(catalog, ScanOptions(python=sys.executable, frameworks=frameworks, keep_pythonpath=True,
                                     timeout=timeout))


def test_healthy_gpu_host_has_no_diagnoses(site: Path, fake_nvidia_smi) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    report = _scan("torch")
    assert report.diagnoses == ()


def test_cpu_only_build_on_gpu_host(site: Path, fake_nvidia_smi) -> None:
    write_module(site, "torch", FAKE_TORCH_CPU, "torch", "2.5.1+cpu")
    report = _scan("torch")
    d = next(d for d in report.diagnoses if d.code == "cpu-only-build-on-gpu-host")
    assert d.severity is Severity.ERROR and "2 NVIDIA GPU(s)" in d.message
    assert "12.4" in d.hint and "--index-url" in d.hint


def test_cpu_only_build_without_a_gpu_is_fine(site: Path, no_gpu_tools) -> None:
    write_module(site, "torch", FAKE_TORCH_CPU, "torch", "2.5.1+cpu")
    assert _codes(_scan("torch")) == []


def test_cpu_only_is_seen_from_metadata_with_no_import(site: Path, fake_nvidia_smi) -> None:
    write_dist(site, "torch", "2.5.1+cpu")
    report = scan(CATALOG, ScanOptions(python=sys.executable, frameworks=("torch",), do_import=False,
                                       keep_pythonpath=True))
    assert "cpu-only-build-on-gpu-host" in _codes(report)


def test_jax_without_cuda_plugin_on_gpu_host(site: Path, fake_nvidia_smi) -> None:
    write_module(site, "jax", FAKE_JAX_GPU.replace('"gpu"', '"cpu"'), "jax", "0.4.35")
    write_module(site, "jaxlib", FAKE_JAXLIB, "jaxlib", "0.4.35")
    d = next(d for d in _scan("jax").diagnoses if d.code == "cpu-only-build-on-gpu-host")
    assert "jax[cuda12]" in d.hint


def test_gpu_not_visible(site: Path, fake_nvidia_smi) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA_NO_GPU, "torch", "2.5.1+cu124")
    report = _scan("torch")
    assert _codes(report) == ["gpu-not-visible"]
    assert "CUDA 12.4" in report.diagnoses[0].message


@pytest.mark.parametrize("value, expected", [("", "empty string"), ("7", "names GPU 7"),
                                             ("-1", "hides every GPU"), ("GPU-ffff", "UUID")])
def test_cuda_visible_devices_hides_all(site: Path, fake_nvidia_smi, monkeypatch, value, expected) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", value)
    write_module(site, "torch", FAKE_TORCH_CUDA_NO_GPU, "torch", "2.5.1+cu124")
    report = _scan("torch")
    d = next(d for d in report.diagnoses if d.code == "cuda-visible-devices-hides-all")
    assert expected in d.message
    assert "gpu-not-visible" not in _codes(report)  # the cause is named, not the symptom twice


@pytest.mark.parametrize("value", ["0", "1,0", "GPU-00000001"])
def test_cuda_visible_devices_that_exist_are_fine(site: Path, fake_nvidia_smi, monkeypatch, value) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", value)
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    assert _codes(_scan("torch")) == []


def test_driver_older_than_build(site: Path, fake_nvidia_smi, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_CUDA", "11.8")
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    d = next(d for d in _scan("torch").diagnoses if d.code == "driver-older-than-build")
    assert d.severity is Severity.ERROR and "CUDA 12.4" in d.message and "11.8" in d.message
    monkeypatch.setenv("FAKE_CUDA", "12.2")  # same major: minor-version compatibility
    d = next(d for d in _scan("torch").diagnoses if d.code == "driver-older-than-build")
    assert d.severity is Severity.WARNING


def test_import_failed_and_crashed(site: Path, no_gpu_tools, fake_catalog) -> None:
    write_module(site, "raisefw", RAISES, "raisefw")
    write_module(site, "segvfw", SEGV, "segvfw")
    report = _scan("raisefw", "segvfw", catalog=fake_catalog)
    assert _codes(report, "raisefw") == ["import-failed"]
    assert "libcudart.so.12" in report.diagnoses[0].message or "libcudart.so.12" in report.diagnoses[1].message
    crashed = next(d for d in report.diagnoses if d.code == "import-crashed")
    assert "SIGSEGV" in crashed.message and "faulthandler" in crashed.hint


def test_probe_timeout(site: Path, no_gpu_tools, fake_catalog) -> None:
    from fakes.frameworks import HANG


    write_module(site, "hangfw", HANG, "hangfw")
    report = _scan("hangfw", catalog=fake_catalog, timeout=2)
    assert _codes(report) == ["probe-timeout"] and "--timeout" in report.diagnoses[0].hint


def test_conflicting_distributions(site: Path, no_gpu_tools) -> None:
    write_dist(site, "tensorflow", "2.15.0")
    write_dist(site, "tensorflow-cpu", "2.15.0")
    report = scan(CATALOG, ScanOptions(python=sys.executable, frameworks=("tensorflow",), do_import=False,
                                       keep_pythonpath=True))
    d = next(d for d in report.diagnoses if d.code == "conflicting-distributions")
    assert "tensorflow 2.15.0 + tensorflow-cpu 2.15.0" in d.message or "tensorflow-cpu 2.15.0 + tensorflow 2.15.0" in d.message
    assert "pip uninstall -y tensorflow tensorflow-cpu" in d.hint


def _metadata_scan(*frameworks: str):
    return scan(CATALOG, ScanOptions(python=sys.executable, frameworks=frameworks, do_import=False,
                                     keep_pythonpath=True))


def test_incompatible_tensorflow_before_216_with_keras_3(site: Path, no_gpu_tools) -> None:
    write_dist(site, "tensorflow-cpu", "2.15.1")
    write_dist(site, "keras", "3.4.0")
    d = [d for d in _metadata_scan("tensorflow", "keras").diagnoses if d.code == "incompatible-pair"]
    assert len(d) == 1 and "tensorflow-before-2.16-with-keras-3" in d[0].message and "keras<3" in d[0].hint


def test_compatible_tensorflow_and_keras(site: Path, no_gpu_tools) -> None:
    write_dist(site, "tensorflow", "2.17.0")
    write_dist(site, "keras", "3.4.0")
    assert "incompatible-pair" not in _codes(_metadata_scan("tensorflow", "keras"))


def test_legacy_keras_flag_without_or_with_wrong_tf_keras(site: Path, no_gpu_tools, monkeypatch) -> None:
    write_dist(site, "tensorflow", "2.17.0")
    monkeypatch.setenv("TF_USE_LEGACY_KERAS", "1")
    d = [d for d in _metadata_scan("tensorflow").diagnoses if d.code == "incompatible-pair"]
    assert len(d) == 1 and "tf-keras is not installed" in d[0].message and "tf-keras~=2.17.0" in d[0].hint
    write_dist(site, "tf-keras", "2.16.0", requires=("tensorflow<2.17,>=2.16",))
    msgs = [d.message for d in _metadata_scan("tensorflow").diagnoses if d.code == "incompatible-pair"]
    assert any("tf-keras 2.16.0 does not match TensorFlow 2.17.0" in m for m in msgs)
    unmet = [d for d in _metadata_scan("tensorflow").diagnoses if d.code == "requirement-not-met"]
    assert [d.message for d in unmet] == [
        "tf-keras 2.16.0 requires tensorflow<2.17,>=2.16, but tensorflow 2.17.0 is installed"]
    assert unmet[0].severity is Severity.ERROR and unmet[0].framework == "keras"  # tf-keras: a Keras companion
    monkeypatch.delenv("TF_USE_LEGACY_KERAS")
    write_dist(site, "tf-keras", "2.17.0", requires=("tensorflow<2.18,>=2.17",))
    import shutil
    shutil.rmtree(site / "tf_keras-2.16.0.dist-info")
    assert "incompatible-pair" not in _codes(_metadata_scan("tensorflow"))


def test_torchvision_built_for_another_torch(site: Path, no_gpu_tools) -> None:
    write_dist(site, "torch", "2.13.0+cpu")
    write_dist(site, "torchvision", "0.24.1", requires=("numpy", "torch==2.9.1", "pillow!=8.3.*,>=5.3.0"))
    found = _metadata_scan("torch").diagnoses
    assert "incompatible-pair" not in [x.code for x in found]
    d = [d for d in found if d.code == "requirement-not-met" and "torch==" in d.message]
    assert [x.message for x in d] == ["torchvision 0.24.1 requires torch==2.9.1, but torch 2.13.0+cpu is installed"]
    assert d[0].severity is Severity.ERROR and d[0].framework == "pytorch"
    # keep torch, let pip pick the torchvision built for it; never a blind reinstall of torch
    assert d[0].hint.startswith("keep torch 2.13.0+cpu and install the torchvision release built for it: "
                                "pip install 'torch==2.13.0' torchvision")
    missing = {x.message: x for x in found if x.code == "requirement-not-met" and "not installed" in x.message}
    assert "torchvision 0.24.1 requires pillow!=8.3.*,>=5.3.0, which is not installed" in missing
    assert missing["torchvision 0.24.1 requires pillow!=8.3.*,>=5.3.0, which is not installed"].severity is \
        Severity.WARNING  # pillow is neither a framework nor a companion
    assert missing["torchvision 0.24.1 requires pillow!=8.3.*,>=5.3.0, which is not installed"].hint == \
        "pip install 'pillow!=8.3.*,>=5.3.0'"


def test_torchvision_matching_torch_is_fine(site: Path, no_gpu_tools) -> None:
    write_dist(site, "torch", "2.9.1+cpu")
    write_dist(site, "torchvision", "0.24.1", requires=("torch==2.9.1",))
    assert _codes(_metadata_scan("torch")) == []


FAKE_KERAS_NO_BACKEND = """
import os
if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
    import tensorflow  # Keras 3 imports its backend on import, as the real one does
__version__ = "3.6.0"
"""


def test_keras_without_its_backend_points_at_the_installed_one(site: Path, no_gpu_tools, monkeypatch,
                                                               tmp_path: Path) -> None:
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    write_module(site, "keras", FAKE_KERAS_NO_BACKEND, "keras", "3.6.0")
    write_dist(site, "torch", "2.5.1+cpu")
    report = _scan("keras")
    d = next(d for d in report.diagnoses if d.code == "import-failed")
    assert "No module named 'tensorflow'" in d.message
    assert "torch is: set KERAS_BACKEND=torch" in d.hint and "default (no KERAS_BACKEND" in d.hint


def test_gpu_not_visible_carries_what_the_framework_said(site: Path, fake_nvidia_smi) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA.replace(
        "def device_count(): return 2", "def device_count(): raise RuntimeError('CUDA driver version is insufficient')"),
        "torch", "2.5.1+cu124")
    d = next(d for d in _scan("torch").diagnoses if d.code == "gpu-not-visible")
    assert "CUDA driver version is insufficient" in d.message
