"""The framework's own reason for seeing no GPU, captured by the probe agent and quoted in
gpu-not-visible. Fakes shaped like the real frameworks say what the real ones say (sources beside
each message); the agent runs them in real probe processes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fakes.frameworks import FAKE_JAXLIB, FAKE_TORCH_CUDA, write_module
from fwprobe.catalog import load_catalog
from fwprobe.core import ScanOptions, scan

CATALOG = load_catalog()

# torch's c10/cuda/CUDAFunctions.cpp: without a driver, is_available() is False without a word, and
# torch.cuda.init() raises this (the text the issue saw from 2.14.1+cu130 on a host whose
# nvidia-smi lists two GPUs)
NO_DRIVER = ("Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a "
             "driver from http://www.nvidia.com/Download/index.aspx")
FAKE_TORCH_NO_DRIVER = FAKE_TORCH_CUDA.replace(
    "def is_available(): return True", "def is_available(): return False", 1).replace(
    "def device_count(): return 2", "def device_count(): return 0", 1).replace(
    "class cuda:", f"class cuda:\n    @staticmethod\n    def init(): raise RuntimeError({NO_DRIVER!r})", 1)

# an old driver: device_count() catches the error and warns "CUDA initialization: ..." (TORCH_WARN),
# so is_available() itself says why; init() must then not be needed (it raises if called)
OLD_DRIVER = ("CUDA initialization: The NVIDIA driver on your system is too old (found version 11040). Please "
              "update your GPU driver by downloading and installing a new version from the URL: "
              "http://www.nvidia.com/Download/index.aspx Alternatively, go to: https://pytorch.org to install a "
              "PyTorch version that has been compiled with your version of the CUDA driver.")
FAKE_TORCH_OLD_DRIVER = FAKE_TORCH_CUDA.replace(
    "def is_available(): return True",
    f"def is_available():\n        import warnings; warnings.warn({OLD_DRIVER!r}, UserWarning); return False", 1).replace(
    "class cuda:", "class cuda:\n    @staticmethod\n    def init(): raise AssertionError('init() was called')", 1)

# TensorFlow logs its load failures from C++ to fd 2 while listing devices (lines as in
# https://github.com/NVIDIA/tensorflow/issues/110), then lists only the CPU
TF_LOG = ("2024-06-19 16:06:44.996032: W tensorflow/stream_executor/platform/default/dso_loader.cc:60] Could not load "
          "dynamic library 'libcudnn.so.9'; dlerror: libcudnn.so.9: cannot open shared object file: No such file or "
          "directory\\n2024-06-19 16:06:44.996140: W tensorflow/core/common_runtime/gpu/gpu_device.cc:1689] Cannot "
          "dlopen some GPU libraries. Please make sure the missing libraries mentioned above are installed properly "
          "if you would like to use GPU.\\n")
FAKE_TF_NO_CUDNN = f'''
__version__ = "2.17.0"
import collections as _c, os as _os
PhysicalDevice = _c.namedtuple("PhysicalDevice", "name device_type")
class _NS(object):
    def __init__(self, **kw): self.__dict__.update(kw)
def _build_info():
    return {{"cuda_version": "12.3", "cudnn_version": "9", "is_cuda_build": True, "is_rocm_build": False}}
sysconfig = _NS(get_build_info=_build_info)
def _list(device_type=None):
    _os.write(2, b"{TF_LOG}")
    return [PhysicalDevice("/physical_device:CPU:0", "CPU")]
config = _NS(list_physical_devices=_list, experimental=_NS())
def executing_eagerly(): return True
'''

# JAX with its CUDA plugin: xla_bridge logs the backend error at INFO and warns that it fell back
# (messages as in https://github.com/KosinskiLab/AlphaPulldown/issues/237 and
# https://github.com/magenta/mt3/issues/145)
JAX_INFO = ("Unable to initialize backend 'cuda': Found cuSOLVER version 11002, but JAX was built against version "
            "11401, which is newer. The copy of cuSOLVER that is installed must be at least as new as the version "
            "against which JAX was built.")
FAKE_JAX_FALLBACK = f'''
__version__ = "0.4.35"
import logging as _logging
class Device:
    platform = "cpu"; device_kind = "cpu"
def devices(backend=None):
    log = _logging.getLogger("jax._src.xla_bridge")
    log.info({JAX_INFO!r})
    log.info("Unable to initialize backend 'tpu': INTERNAL: Failed to open libtpu.so")
    log.warning("CUDA backend failed to initialize: Unable to load CUDA. (Set TF_CPP_MIN_LOG_LEVEL=0 and rerun for more info.)")
    return [Device()]
def default_backend(): return "cpu"
def jit(f): return f
'''


def _pyenv(version_prefix: str) -> str | None:
    """An interpreter of that version from pyenv, or None."""
    pyenv = shutil.which("pyenv")
    if not pyenv:
        return None
    for v in subprocess.run([pyenv, "versions", "--bare"], capture_output=True, text=True).stdout.split():
        if v.startswith(version_prefix):
            exe = Path(subprocess.run([pyenv, "prefix", v], capture_output=True, text=True).stdout.strip()) / "bin" / "python"
            if exe.exists():
                return str(exe)
    return None


def _scan(*frameworks: str):
    return scan(CATALOG, ScanOptions(python=sys.executable, frameworks=frameworks, keep_pythonpath=True, timeout=20))


def _reason(report, fw: str):
    result = next(r for r in report.frameworks if r.id == fw)
    return result.probe.details.get("gpu_reason")


def _not_visible(report):
    return next(d for d in report.diagnoses if d.code == "gpu-not-visible")


def test_torch_without_a_driver_says_so_through_init(site: Path, fake_nvidia_smi) -> None:
    write_module(site, "torch", FAKE_TORCH_NO_DRIVER, "torch", "2.5.1+cu124")
    report = _scan("torch")
    assert _reason(report, "pytorch") == {"source": "torch.cuda.init()", "message": NO_DRIVER}
    d = _not_visible(report)
    assert f"(torch.cuda.init(): {NO_DRIVER})" in d.message and "--gpus all" in d.hint


def test_torch_warning_is_the_reason_and_init_is_not_called(site: Path, fake_nvidia_smi) -> None:
    write_module(site, "torch", FAKE_TORCH_OLD_DRIVER, "torch", "2.5.1+cu124")
    report = _scan("torch")
    assert _reason(report, "pytorch") == {"source": "torch.cuda.is_available() warning", "message": OLD_DRIVER}
    assert "upgrade the driver" in _not_visible(report).hint


def test_tensorflow_load_failures_logged_to_stderr(site: Path, fake_nvidia_smi) -> None:
    write_module(site, "tensorflow", FAKE_TF_NO_CUDNN, "tensorflow", "2.17.0")
    report = _scan("tensorflow")
    reason = _reason(report, "tensorflow")
    assert reason["source"] == "tensorflow log"
    assert "Could not load dynamic library 'libcudnn.so.9'" in reason["message"]
    assert "Cannot dlopen some GPU libraries" in reason["message"]
    assert "nvidia-cudnn-cu12" in _not_visible(report).hint


def test_jax_backend_error_and_fallback_warning(site: Path, fake_nvidia_smi) -> None:
    write_module(site, "jax", FAKE_JAX_FALLBACK, "jax", "0.4.35")
    write_module(site, "jaxlib", FAKE_JAXLIB, "jaxlib", "0.4.35")
    write_module(site, "jax_cuda12_plugin", "", "jax-cuda12-plugin", "0.4.35")
    report = _scan("jax")
    reason = _reason(report, "jax")
    assert reason["source"] == "jax.devices()"
    assert reason["message"].splitlines() == [JAX_INFO, "CUDA backend failed to initialize: Unable to load CUDA. "
                                              "(Set TF_CPP_MIN_LOG_LEVEL=0 and rerun for more info.)"]  # not the TPU line
    assert "older than this build needs" in _not_visible(report).hint


def test_a_gpu_build_that_sees_its_gpus_gives_no_reason(site: Path, fake_nvidia_smi) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    assert _reason(_scan("torch"), "pytorch") is None


@pytest.mark.parametrize("version", ["3.6.", "2.7."])
def test_the_reason_is_captured_on_old_interpreters(version: str, site: Path) -> None:
    from fwprobe.probes.results import run_probes
    from fwprobe.target import Workdir

    python = _pyenv(version)
    if python is None:
        pytest.skip(f"no Python {version}x from pyenv")
    write_module(site, "torch", FAKE_TORCH_NO_DRIVER, "torch", "2.5.1+cu124")
    write_module(site, "tensorflow", FAKE_TF_NO_CUDNN, "tensorflow", "2.17.0")
    with Workdir() as w:
        found = run_probes(python, [CATALOG.get("pytorch"), CATALOG.get("tensorflow")], 30, w, keep_pythonpath=True)
    assert found["pytorch"].details["gpu_reason"] == {"source": "torch.cuda.init()", "message": NO_DRIVER}
    assert "Could not load dynamic library 'libcudnn.so.9'" in found["tensorflow"].details["gpu_reason"]["message"]


def test_what_a_framework_writes_to_fd_2_is_kept_and_still_reaches_stderr(capfd) -> None:
    import os

    from fwprobe.probes import agent

    def noisy() -> int:
        os.write(2, b"E cuda_driver.cc:282] failed call to cuInit: CUDA_ERROR_NO_DEVICE\n")
        return 7

    result, error, said = agent._said_while(noisy)
    assert (result, error, said) == (7, None, ["E cuda_driver.cc:282] failed call to cuInit: CUDA_ERROR_NO_DEVICE"])
    assert "failed call to cuInit" in capfd.readouterr().err
