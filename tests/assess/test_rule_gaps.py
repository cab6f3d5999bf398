"""Diagnoses a user would miss if a rule quietly broke: one GPU of four seen, a mixed A100 +
Blackwell host, each way an exercise fails, and a target interpreter other than fwprobe's own
whose nvidia-* pins carry markers (built reports in, findings out; no subprocess)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fakes.reports import CATALOG, SITE, ReportBuilder
from fwprobe.assess import diagnose
from fwprobe.inventory import Inventory
from fwprobe.model import Device, Distribution, Exercise, Interpreter, Outcome, Report, Severity


def _found(report: Report, code: str, inv: Inventory | None = None) -> list:
    return [d for d in diagnose(report, CATALOG, inv, environ={}) if d.code == code]


def _probe(report: Report, **changes: object) -> Report:
    """``report`` with its first framework's probe changed."""
    result = report.frameworks[0]
    assert result.probe is not None
    return replace(report, frameworks=(replace(result, probe=replace(result.probe, **changes)),
                                       *report.frameworks[1:]))


def _torch(gpus: int, devices: tuple[str, ...], cvd: str | None = None) -> Report:
    return ReportBuilder(gpus=gpus, cuda_visible_devices=cvd).framework(
        "pytorch", "torch", "2.5.1", cuda="12.4", cpu_only=False, devices=devices).build()


# --- gpu-count-mismatch -------------------------------------------------------------------------

def test_a_framework_that_sees_one_gpu_of_four_is_reported() -> None:
    [d] = _found(_torch(4, ("cuda", "cpu")), "gpu-count-mismatch")
    assert d.severity is Severity.WARNING and d.framework == "pytorch"
    assert d.message == "PyTorch 2.5.1 sees 1 GPU(s), but the driver shows 4"
    assert d.hint == ("check each missing GPU with `nvidia-smi -q -i N` (a GPU fallen off the bus, MIG "
                      "mode, or a container given only some of them: --gpus all)")


def test_one_of_three_allowed_gpus_names_cuda_visible_devices() -> None:
    [d] = _found(_torch(4, ("cuda",), cvd="0,1,2"), "gpu-count-mismatch")
    assert d.message == ("PyTorch 2.5.1 sees 1 GPU(s), but the driver shows 4, of which a CUDA process can "
                         "enumerate 3 (CUDA_VISIBLE_DEVICES=0,1,2 allows 3)")


@pytest.mark.parametrize("gpus, devices, cvd", [
    (4, ("cuda",) * 4, None),  # all seen
    (4, ("cpu",), None),  # none seen: gpu-not-visible's case, not this one
    (4, ("cuda",), "2"),  # CUDA_VISIBLE_DEVICES allows exactly what it sees
    (0, ("cuda",), None),  # no driver GPUs to compare with
])
def test_no_count_mismatch_where_the_count_is_explained(gpus: int, devices: tuple[str, ...], cvd: str | None) -> None:
    assert _found(_torch(gpus, devices, cvd), "gpu-count-mismatch") == []


def test_rocm_devices_count_and_a_cpu_framework_is_not_judged() -> None:
    assert _found(_torch(2, ("rocm", "rocm")), "gpu-count-mismatch") == []
    theano = ReportBuilder(gpus=2).framework("theano", "theano", "1.0.5", devices=("cuda",)).build()
    assert _found(theano, "gpu-count-mismatch") == []


def test_a_failed_probe_is_not_counted() -> None:
    report = ReportBuilder(gpus=4).framework("pytorch", "torch", "2.5.1", outcome=Outcome.FAILED,
                                             error="boom", devices=("cuda",)).build()
    assert _found(report, "gpu-count-mismatch") == []


# --- arch-not-supported -------------------------------------------------------------------------

HOPPER_BUILD = ("sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90")


def _mixed_host(*devices: Device, arch: tuple[str, ...] = HOPPER_BUILD) -> Report:
    report = ReportBuilder(gpus=len(devices)).framework(
        "pytorch", "torch", "2.5.1", cuda="12.4", cpu_only=False, devices=("cuda",) * len(devices)).build()
    return _probe(report, devices=devices, arch_list=arch)


A100 = Device("cuda", 0, "NVIDIA A100-SXM4-80GB", capability="8.0")
RTX5090 = Device("cuda", 1, "NVIDIA GeForce RTX 5090", capability="12.0")


def test_a_mixed_a100_and_blackwell_host_reports_the_blackwell_gpu_only() -> None:
    [d] = _found(_mixed_host(A100, RTX5090), "arch-not-supported")
    assert d.severity is Severity.ERROR
    assert d.message == ("PyTorch 2.5.1 has kernels for sm_50, sm_60, sm_70, sm_75, sm_80, sm_86, sm_90, but "
                         "cuda:1 (NVIDIA GeForce RTX 5090) is sm_120 (compute capability 12.0)")
    assert d.hint == "install PyTorch 2.7.0 (a CUDA 12.8+ build) or newer (the first release whose builds list sm_120)"


def test_each_unsupported_gpu_is_named_whatever_its_place() -> None:
    second = replace(RTX5090, index=2)
    found = _found(_mixed_host(replace(RTX5090, index=0), replace(A100, index=1), second), "arch-not-supported")
    assert [d.message.split(" but ")[1].split(" (")[0] for d in found] == ["cuda:0", "cuda:2"]


def test_an_architecture_the_catalog_has_no_first_release_for() -> None:
    ada = Device("cuda", 0, "NVIDIA L40S", capability="8.9")
    [d] = _found(_mixed_host(ada, arch=("sm_90",)), "arch-not-supported")
    assert d.hint == "install a PyTorch build that lists sm_89"
    assert "cuda:0 (NVIDIA L40S) is sm_89 (compute capability 8.9)" in d.message


def test_no_arch_finding_when_kernels_or_facts_are_missing() -> None:
    assert _found(_mixed_host(A100, replace(RTX5090, capability=None)), "arch-not-supported") == []
    assert _found(_mixed_host(A100, RTX5090, arch=()), "arch-not-supported") == []
    assert _found(_mixed_host(A100, RTX5090, arch=(*HOPPER_BUILD, "compute_90")), "arch-not-supported") == []


# --- device-unusable ----------------------------------------------------------------------------

def _exercised(*runs: Exercise, key: str = "pytorch", dist: str = "torch",
               devices: tuple[Device, ...] = (A100,), details: dict | None = None) -> Report:
    report = ReportBuilder(gpus=1).framework(key, dist, "2.5.1", cuda="12.4", cpu_only=False,
                                             devices=("cuda",), details=details).build()
    return _probe(report, devices=devices, exercise=runs)


@pytest.mark.parametrize("error_type, message, fix", [
    ("Timeout", "no answer within 20 s",
     "the computation hung or killed the process: check `nvidia-smi` for a GPU in a bad state "
     "(Xid errors in `dmesg`), and run the framework's own smoke test by hand"),
    ("Crashed", "killed by SIGSEGV",
     "the computation hung or killed the process: check `nvidia-smi` for a GPU in a bad state "
     "(Xid errors in `dmesg`), and run the framework's own smoke test by hand"),
    ("WrongResult", "expected 64.0 everywhere, got 0.0 at [3, 7]",
     "the device computed a wrong result: suspect the hardware or driver (`nvidia-smi -q -d ECC`)"),
    ("RuntimeError", "CUDA error: CUBLAS_STATUS_NOT_INITIALIZED when calling `cublasCreate(handle)`",
     "a CUDA library failed to load or does not match the build: look for cuda-library-shadowed "
     "and nvidia-wheel-mismatch findings, unset LD_LIBRARY_PATH entries that point at another "
     "CUDA, or reinstall: pip install --force-reinstall torch"),
    ("OSError", "libcudnn_graph.so.9: cannot open shared object file: No such file or directory",
     "a CUDA library failed to load or does not match the build: look for cuda-library-shadowed "
     "and nvidia-wheel-mismatch findings, unset LD_LIBRARY_PATH entries that point at another "
     "CUDA, or reinstall: pip install --force-reinstall torch"),
    ("RuntimeError", "CUDA out of memory. Tried to allocate 20.00 MiB",
     "the GPU has no free memory: see which processes hold it with `nvidia-smi`; JAX and "
     "TensorFlow jobs preallocate most of it unless XLA_PYTHON_CLIENT_PREALLOCATE=false / "
     "TF_FORCE_GPU_ALLOW_GROWTH=true are set for them"),
    ("RuntimeError", "CUDA error: no kernel image is available for execution on the device",
     "this PyTorch build has no kernels for the GPU's architecture: install a build that lists sm_80 "
     "(see arch-not-supported), e.g. a newer release or a wheel for a newer CUDA"),
    ("ValueError", "something nobody has seen",
     "run a small computation on cuda:0 by hand to see the full error; reinstalling often helps: "
     "pip install --force-reinstall torch"),
])
def test_each_way_an_exercise_fails_gets_its_own_fix(error_type: str, message: str, fix: str) -> None:
    [d] = _found(_exercised(Exercise("cuda", 0, False, 1.0, error_type, message)), "device-unusable")
    assert d.severity is Severity.ERROR
    assert d.message == (f"PyTorch 2.5.1 lists cuda:0 (NVIDIA A100-SXM4-80GB) but cannot compute on it: "
                         f"{error_type}: {message}")
    assert d.hint == fix


def test_an_unusable_device_without_a_known_capability_names_the_placeholder() -> None:
    run = Exercise("cuda", 0, False, 1.0, "RuntimeError", "no kernel image is available")
    [d] = _found(_exercised(run, devices=(replace(A100, capability=None),)), "device-unusable")
    assert "install a build that lists this GPU's sm_XY" in d.hint


def test_only_failed_exercises_are_reported_with_the_first_line_of_the_error() -> None:
    ok = Exercise("cuda", 0, True, 0.1)
    bad = Exercise("cuda", 1, False, 0.2, "RuntimeError", "CUDA error: unspecified launch failure\nmore lines")
    second = Device("cuda", 1, None, capability="8.0")
    [d] = _found(_exercised(ok, bad, devices=(A100, second)), "device-unusable")
    assert d.message == "PyTorch 2.5.1 lists cuda:1 but cannot compute on it: RuntimeError: CUDA error: unspecified launch failure"


def test_keras_backend_failures_name_the_backend() -> None:
    run = Exercise("backend", 0, False, 0.3, "WrongResult", "expected 64")
    report = _exercised(run, key="keras", dist="keras", devices=(), details={"keras_backend": "jax"})
    [d] = _found(report, "device-unusable")
    assert d.message == "Keras 2.5.1 lists its backend (jax) but cannot compute on it: WrongResult: expected 64"
    unknown = _exercised(run, key="keras", dist="keras", devices=())
    assert "lists its backend (unknown)" in _found(unknown, "device-unusable")[0].message


# --- nvidia-wheel-mismatch for another interpreter ------------------------------------------------

# torch's own Requires-Dist shape: pins that differ by Python version and platform
TORCH_REQUIRES = (
    'nvidia-nccl-cu12==2.20.5; python_version < "3.9" and platform_system == "Linux"',
    'nvidia-nccl-cu12==2.21.5; python_version >= "3.9" and platform_system == "Linux"',
    'nvidia-cudnn-cu12==9.1.0.70; platform_system == "Linux" and platform_machine == "x86_64"',
    'nvidia-cusparselt-cu12==0.6.2; python_full_version < "3.8.10"',
    'nvidia-cufft-cu12==11.2.1.3; sys_platform == "win32"',
    'nvidia-curand-cu12==10.3.5.147; implementation_name != "cpython"',
    'nvidia-nvtx-cu12==12.4.127; extra == "cuda"',
    "nvidia-cuda-runtime-cu12>=12.0",
    "sympy",
)


def _target(version: str, machine: str = "x86_64", platform: str = "linux") -> tuple[Report, Inventory]:
    report = ReportBuilder().framework("pytorch", "torch", "2.4.1", cuda="12.4", cpu_only=False).build()
    target = Interpreter(f"/envs/py{version}/bin/python", version, "cpython", platform, machine,
                         f"/envs/py{version}", True, False)
    torch = Distribution("torch", "2.4.1", SITE, requires=TORCH_REQUIRES)
    result = replace(report.frameworks[0], distributions=(torch,))
    report = replace(report, target=target, frameworks=(result,))
    installed = (torch, Distribution("nvidia-nccl-cu12", "2.20.5", SITE),
                 Distribution("nvidia-cudnn-cu12", "9.1.0.70", SITE),
                 Distribution("nvidia-cuda-runtime-cu12", "12.4.127", SITE))
    return report, Inventory(target, installed)


def test_a_python_38_target_is_judged_by_its_own_python_version() -> None:
    # fwprobe runs on 3.9+; the target's pins for 3.8 are the ones that apply there
    report, inv = _target("3.8.18")
    assert _found(report, "nvidia-wheel-mismatch", inv) == []


def test_the_same_wheels_on_a_python_311_target_miss_its_pin() -> None:
    report, inv = _target("3.11.7")
    [d] = _found(report, "nvidia-wheel-mismatch", inv)
    assert d.severity is Severity.WARNING
    assert d.message == "torch 2.4.1 pins nvidia-nccl-cu12==2.21.5, but nvidia-nccl-cu12 2.20.5 is installed"
    assert d.hint == "pip install 'nvidia-nccl-cu12==2.21.5'"


def test_python_full_version_of_the_target_decides() -> None:
    report, inv = _target("3.8.5")
    [d] = _found(report, "nvidia-wheel-mismatch", inv)
    assert d.severity is Severity.ERROR
    assert d.message == "torch 2.4.1 pins nvidia-cusparselt-cu12==0.6.2, which is not installed"
    assert d.hint == "pip install 'nvidia-cusparselt-cu12==0.6.2'"


def test_an_aarch64_target_skips_the_x86_64_pins() -> None:
    report, inv = _target("3.8.18", machine="aarch64")
    inv = Inventory(inv.interpreter, tuple(d for d in inv.distributions if d.name != "nvidia-cudnn-cu12"))
    assert _found(report, "nvidia-wheel-mismatch", inv) == []
    x86, x86_inv = _target("3.8.18")
    x86_inv = Inventory(x86_inv.interpreter, tuple(d for d in x86_inv.distributions if d.name != "nvidia-cudnn-cu12"))
    [d] = _found(x86, "nvidia-wheel-mismatch", x86_inv)
    assert d.message == "torch 2.4.1 pins nvidia-cudnn-cu12==9.1.0.70, which is not installed"


def test_a_windows_target_needs_its_windows_pins() -> None:
    report, inv = _target("3.8.18", platform="win32")
    found = {d.message for d in _found(report, "nvidia-wheel-mismatch", inv)}
    assert found == {"torch 2.4.1 pins nvidia-cufft-cu12==11.2.1.3, which is not installed"}


def test_a_windows_target_skips_pins_for_posix() -> None:
    report, inv = _target("3.8.18", platform="win32")
    torch = replace(inv.distributions[0], requires=('nvidia-nvtx-cu12==12.4.127; os_name == "posix"',))
    report = replace(report, frameworks=(replace(report.frameworks[0], distributions=(torch,)),))
    assert _found(report, "nvidia-wheel-mismatch", Inventory(inv.interpreter, (torch,))) == []
    linux, linux_inv = _target("3.8.18")
    linux = replace(linux, frameworks=(replace(linux.frameworks[0], distributions=(torch,)),))
    assert [d.message for d in _found(linux, "nvidia-wheel-mismatch", Inventory(linux_inv.interpreter, (torch,)))] == [
        "torch 2.4.1 pins nvidia-nvtx-cu12==12.4.127, which is not installed"]


def test_the_targets_own_marker_variables_win_over_what_its_version_implies() -> None:
    # a PyPy target says platform_python_implementation == "PyPy" itself (the inventory reads it there)
    report, inv = _target("3.10.14")
    torch = replace(inv.distributions[0], requires=(
        'nvidia-cudnn-cu12==9.1.0.70; platform_python_implementation == "CPython"',))
    report = replace(report, frameworks=(replace(report.frameworks[0], distributions=(torch,)),))
    pypy = {"implementation_name": "pypy", "platform_python_implementation": "PyPy", "python_version": "3.10",
            "python_full_version": "3.10.14", "sys_platform": "linux", "platform_system": "Linux",
            "platform_machine": "x86_64", "os_name": "posix"}
    assert _found(report, "nvidia-wheel-mismatch", Inventory(inv.interpreter, (torch,), pypy)) == []
    cpython = {**pypy, "implementation_name": "cpython", "platform_python_implementation": "CPython"}
    assert len(_found(report, "nvidia-wheel-mismatch", Inventory(inv.interpreter, (torch,), cpython))) == 1
