"""Diagnoses a user would miss if a rule quietly broke: one GPU of four seen, a mixed A100 +
Blackwell host, each way an exercise fails, and a target interpreter other than fwprobe's own
whose nvidia-* pins carry markers (built reports in, findings out; no subprocess)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fakes.reports import CATALOG, SITE, ReportBuilder
from fwprobe.assess import diagnose
from fwprobe.inventory import Inventory
from fwprobe.model import Device, Distribution, Exercise, Interpreter, Outcome, Report, Severity, System


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


# --- what the first run of the mutation script showed untested (issue 24) ------------------------

@pytest.mark.parametrize("error_type, message, starts", [
    # JAX's own words, upper case: the memory fix
    ("XlaRuntimeError", "RESOURCE_EXHAUSTED: Out of memory while trying to allocate 17179869184 bytes.",
     "the GPU has no free memory"),
    # nvcc's words (a JIT of PTX for a newer GPU), capitalised: the kernels fix
    ("RuntimeError", "nvcc fatal : Unsupported gpu architecture 'compute_120'", "this PyTorch build has no kernels"),
    # TensorFlow's words for cuDNN, mixed case: the libraries fix
    ("UnknownError", "Failed to get convolution algorithm. This is probably because cuDNN failed to initialize",
     "a CUDA library failed to load"),
])
def test_the_hint_reads_the_error_whatever_its_case(error_type: str, message: str, starts: str) -> None:
    [d] = _found(_exercised(Exercise("cuda", 0, False, 1.0, error_type, message)), "device-unusable")
    assert d.hint.startswith(starts)


def _shadowed(*paths: str, wheels: tuple[tuple[str, str], ...] = (("nvidia-cudnn-cu12", "9.1.0.70"),)) -> list:
    from fwprobe.parsers import loaded_libraries

    report = ReportBuilder().framework("pytorch", "torch", "2.5.1", cuda="12.4", cpu_only=False).build()
    report = _probe(report, libraries=loaded_libraries(f"7f00-7f01 r-xp 00000000 08:01 1 {p}" for p in paths))
    inv = Inventory(report.target, (Distribution("torch", "2.5.1", SITE),
                                    *(Distribution(n, v, SITE) for n, v in wheels)))
    return _found(report, "cuda-library-shadowed", inv)


def test_a_system_cudnn_sub_library_is_shadowing_too_whatever_comes_first() -> None:
    found = _shadowed("/usr/lib/x86_64-linux-gnu/libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libgomp.so.1",
                      f"{SITE}/nvidia/cudnn/lib/libcudnn.so.9", "/opt/cudnn/lib/libcudnn_ops.so.9")
    assert [d.message for d in found] == [
        f"PyTorch loaded /opt/cudnn/lib/libcudnn_ops.so.9, not the copy in the installed nvidia-cudnn-cu12 9.1.0.70 "
        f"wheel ({SITE}/nvidia/)"]
    assert found[0].hint == ("remove the directory of that copy from LD_LIBRARY_PATH (or the ld.so.conf entry that "
                             "adds it), so PyTorch loads the libraries it was built with")
    assert _shadowed("/opt/cuda/lib64/libcublasLt.so.12", wheels=(("nvidia-cublas-cu12", "12.4.5.8"),)) != []
    assert _shadowed("/opt/cudnn/lib/libcudnn.so.9", wheels=()) == []  # no wheel: the system copy is the one


def test_two_copies_of_a_library_are_named_with_their_paths() -> None:
    report = ReportBuilder().framework("pytorch", "torch", "2.5.1", cuda="12.4", cpu_only=False).build()
    from fwprobe.parsers import loaded_libraries

    paths = (f"{SITE}/nvidia/cudnn/lib/libcudnn.so.9", "/usr/lib/libcudnn.so.9", "/usr/lib/libcudart.so.12")
    report = _probe(report, libraries=loaded_libraries(f"7f00-7f01 r-xp 0 08:01 1 {p}" for p in paths))
    [d] = _found(report, "cuda-library-duplicated")
    assert d.message == f"PyTorch's process loaded 2 copies of libcudnn: {paths[0]}, {paths[1]}"
    assert d.hint == ("keep one: remove the other copy's directory from LD_LIBRARY_PATH, or uninstall the duplicate "
                      "CUDA packages")


def test_pins_are_read_past_requirements_that_are_not_nvidia_pins() -> None:
    report, inv = _target("3.11.7")
    torch = replace(inv.distributions[0], requires=(
        "filelock", "not a requirement ;;", 'nvidia-nvtx-cu12==12.4.127; extra == "cuda"',
        "nvidia-cuda-nvrtc-cu12===12.4.127", "nvidia-cufft-cu12==11.2.1.3"))
    report = replace(report, frameworks=(replace(report.frameworks[0], distributions=(torch,)),))
    found = _found(report, "nvidia-wheel-mismatch", Inventory(inv.interpreter, (torch,)))
    assert [d.message for d in found] == [
        "torch 2.4.1 pins nvidia-cuda-nvrtc-cu12===12.4.127, which is not installed",
        "torch 2.4.1 pins nvidia-cufft-cu12==11.2.1.3, which is not installed"]


def test_a_shadowed_nvidia_wheel_at_the_pinned_version_does_not_hide_the_live_one() -> None:
    report, inv = _target("3.11.7")
    torch = replace(inv.distributions[0], requires=("nvidia-cudnn-cu12==9.1.0.70",))
    report = replace(report, frameworks=(replace(report.frameworks[0], distributions=(torch,)),))
    copies = (Distribution("nvidia-cudnn-cu12", "9.3.0.75", SITE),
              Distribution("nvidia-cudnn-cu12", "9.1.0.70", "/usr/lib/python3/dist-packages", shadowed=True))
    [d] = _found(report, "nvidia-wheel-mismatch", Inventory(inv.interpreter, (torch, *copies)))
    assert d.message == "torch 2.4.1 pins nvidia-cudnn-cu12==9.1.0.70, but nvidia-cudnn-cu12 9.3.0.75 is installed"


def test_nvidia_smi_failing_without_an_exit_status_is_quoted_without_one() -> None:
    report = ReportBuilder().framework("pytorch", "torch", "2.5.1").build()
    report = replace(report, system=System(nvidia_smi="/usr/bin/nvidia-smi", nvidia_error="Segmentation fault\n\n"))
    [d] = _found(report, "nvidia-smi-failed")
    assert d.message == "nvidia-smi failed, so the GPUs are unknown; nvidia-smi: Segmentation fault"
    assert d.hint == "run `nvidia-smi` by hand; `sudo dmesg | grep -i -e NVRM -e xid` shows what the driver reported"


def test_a_timeout_that_reports_another_version_than_the_metadata_names_the_probes() -> None:
    report = ReportBuilder().framework("pytorch", "torch", "2.5.1", outcome=Outcome.TIMEOUT).build()
    report = _probe(report, version="2.6.0.dev20261101", error_message="no answer within 30 s (querying devices)")
    [d] = _found(report, "probe-timeout")
    assert d.message == "PyTorch 2.6.0.dev20261101: no answer within 30 s (querying devices)"


def test_cuda_visible_devices_over_two_mig_gpus_where_one_has_no_devices() -> None:
    from fwprobe.assess.diagnoses.facts import cuda_enumerable, resolve_mig
    from fwprobe.model import Gpu, MigDevice

    gpus = tuple(Gpu(i, "NVIDIA H100", 81559, f"GPU-{i}aaa", mig_mode="Enabled") for i in range(2))
    system = System(gpus=gpus, mig_devices=(MigDevice(0, 0, "3g.40gb", "MIG-0x", 1, 0),),
                    cuda_visible_devices="0,1")
    assert cuda_enumerable(system) == 1
    # an R450 MIG name beside a GPU that reports no UUID
    old = replace(system, gpus=(replace(gpus[0], uuid=None), gpus[1]))
    assert resolve_mig("MIG-GPU-1aaa/1/0", old) is None
    assert resolve_mig("MIG-GPU-0aaa/1/0", system) == system.mig_devices[0]


def test_jax_on_a_gpu_host_without_a_cuda_version_gets_the_cuda_12_plugin() -> None:
    report = ReportBuilder(gpus=1, cuda_driver=None).framework("jax", "jax", "0.4.35", cpu_only=True).build()
    [d] = _found(report, "cpu-only-build-on-gpu-host")
    assert d.hint == "pip install -U 'jax[cuda12]' (the CUDA plugin for driver CUDA your driver's CUDA version)"
    cuda13 = ReportBuilder(gpus=1, cuda_driver="13.0").framework("jax", "jax", "0.7.1", cpu_only=True).build()
    assert _found(cuda13, "cpu-only-build-on-gpu-host")[0].hint == \
        "pip install -U 'jax[cuda13]' (the CUDA plugin for driver CUDA 13.0)"


def test_a_library_named_in_mixed_case_picks_its_wheel() -> None:
    from fwprobe.assess.diagnoses.gpu import reason_fix

    fix = reason_fix("Unable to load libnvJitLink.so.12: cannot open shared object file", None)
    assert fix is not None and "(nvidia-nvjitlink-cu12)" in fix
    assert "(the nvidia-*-cu12 wheels)" in (reason_fix("Unable to load cuSPARSE", None) or "")
