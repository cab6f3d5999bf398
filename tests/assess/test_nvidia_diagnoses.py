"""Diagnoses of real driver states: nvidia-smi's real failures (messages and exit statuses from
public issue threads, see tests/fakes/nvidia.py), MIG nodes replayed from real captures, and
the framework's own reason for seeing no GPU."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from fakes.nvidia import FAILURES, failed_system, replay_system
from fakes.reports import CATALOG, ReportBuilder
from fwprobe.assess import diagnose
from fwprobe.assess.diagnoses.environment import nvidia_failure
from fwprobe.assess.diagnoses.facts import cuda_enumerable, resolve_mig
from fwprobe.model import Host, Severity, System

H100_MIG = "linux-x86_64__nvidia-h100-mig__590.48.01.txt"
H200_MIG = "linux-x86_64__nvidia-h200-mig__590.48.01.txt"
L40S = "linux-x86_64__nvidia-l40s__595.80.txt"
MIG0 = "MIG-00000000-0000-0000-0000-000000000000"



def _diagnose(system: System, host: Host | None = None, *frameworks: dict) -> list:
    builder = ReportBuilder()
    for fw in frameworks:
        builder.framework(**fw)
    builder.system = system
    report = builder.build()
    if host is not None:
        report = replace(report, host=host)
    return list(diagnose(report, CATALOG, environ={}))


@pytest.mark.parametrize("kind, code, fix", [
    ("driver-library-mismatch", "nvidia-driver-library-mismatch", "modprobe nvidia"),
    ("cannot-communicate", "nvidia-driver-not-loaded", "--gpus all"),
    ("nvml-not-found", "nvml-not-found", "ldconfig"),
    ("gpu-lost", "gpu-fallen-off-bus", "reboot"),
    ("device-handle-unknown", "gpu-fallen-off-bus", "dmesg"),
    ("no-devices", "no-nvidia-devices", "lspci"),
])
def test_each_real_failure_gets_its_own_diagnosis_quoting_the_whole_message(kind: str, code: str, fix: str) -> None:
    message, status, _ = FAILURES[kind]
    (found,) = _diagnose(failed_system(kind))
    assert found.code == code and fix in found.hint
    assert f"(exit status {status})" in found.message
    for line in message.splitlines():  # every line of nvidia-smi's message, not the last one only
        assert line.strip() in found.message


def test_the_mismatch_names_the_library_version() -> None:
    (found,) = _diagnose(failed_system("driver-library-mismatch"))
    assert "libraries (535.161)" in found.message and found.severity is Severity.ERROR


def test_the_exit_status_alone_names_a_reworded_failure_and_anything_else_is_generic() -> None:
    reworded = System(nvidia_smi="/usr/bin/nvidia-smi", nvidia_error="something new", nvidia_exit_code=12)
    assert nvidia_failure(reworded) == "nvml-not-found"
    other = replace(reworded, nvidia_exit_code=255, nvidia_error="Failed to initialize NVML: Unknown Error")
    (found,) = _diagnose(other)
    assert found.code == "nvidia-smi-failed" and "Failed to initialize NVML: Unknown Error" in found.message
    hung = System(nvidia_smi="/usr/bin/nvidia-smi", nvidia_error="no answer within 15 s")
    (found,) = _diagnose(hung)
    assert found.code == "nvidia-smi-failed" and "no answer within 15 s" in found.message and "Xid" in found.hint


def test_no_nvidia_smi_is_no_failure() -> None:
    assert nvidia_failure(System()) is None and _diagnose(System()) == []


def test_in_a_container_the_not_loaded_fix_starts_with_the_runtime() -> None:
    (found,) = _diagnose(failed_system("cannot-communicate"), Host(hostname="h", container="docker"))
    assert found.hint.startswith("this runs in docker: start the container with the NVIDIA runtime")


def test_nvml_unknown_error_in_a_container_is_the_lost_devices_case() -> None:
    (found,) = _diagnose(failed_system("nvml-unknown-error"), Host(hostname="h", container="kubernetes"))
    assert found.code == "nvidia-smi-failed" and "recreate the container" in found.hint
    (bare,) = _diagnose(failed_system("nvml-unknown-error"))
    assert "recreate the container" not in bare.hint


def test_the_inforom_warning_is_a_diagnosis_and_the_gpus_stay() -> None:
    system = replace(ReportBuilder(gpus=1).system, nvidia_exit_code=14,
                     nvidia_warnings=("WARNING: infoROM is corrupted at gpu 0000:0B:00.0",))
    (found,) = _diagnose(system)
    assert found.code == "nvidia-smi-warning" and found.severity is Severity.WARNING
    assert "(exit status 14): WARNING: infoROM is corrupted at gpu 0000:0B:00.0" in found.message
    assert "nvidia-smi -q -d ECC" in found.hint


# --- MIG, replayed from real captures ---------------------------------------------------------

def _torch(cuda_devices: int) -> dict:
    return {"key": "pytorch", "dist": "torch", "version": "2.5.1+cu124", "cuda": "12.4", "cpu_only": False,
            "devices": ("cuda",) * cuda_devices + ("cpu",)}


@pytest.mark.parametrize("cvd", [MIG0, "MIG-00000003", MIG0 + ",MIG-00000001-0000-0000-0000-000000000001",
                                 "0", "GPU-00000000-0000-0000-0000-000000000000"])
def test_a_valid_mig_selection_is_no_error(tmp_path: Path, cvd: str) -> None:
    system = replay_system(H100_MIG, tmp_path / "bin", {"CUDA_VISIBLE_DEVICES": cvd})
    assert [d.code for d in _diagnose(system, None, _torch(1))] == []


def test_the_old_mig_gpu_gi_ci_form_resolves() -> None:
    system = System(gpus=(replace(ReportBuilder(gpus=1).system.gpus[0], mig_mode="Enabled"),),
                    mig_devices=(replace(_mig(0, gi=9, ci=0), uuid=None),))
    assert resolve_mig("MIG-GPU-00000000/9/0", system) is not None
    assert resolve_mig("MIG-GPU-00000000/9/1", system) is None


def _mig(index: int, gi: int, ci: int):
    from fwprobe.model import MigDevice

    return MigDevice(gpu_index=0, index=index, profile="1g.10gb", uuid=f"MIG-{index:08d}", gpu_instance_id=gi,
                     compute_instance_id=ci)


@pytest.mark.parametrize("cvd, expected", [("MIG-ffffffff", "that `nvidia-smi -L` does not list")])
def test_a_mig_uuid_that_does_not_exist_still_hides_all(tmp_path: Path, cvd: str, expected: str) -> None:
    system = replay_system(H100_MIG, tmp_path / "bin", {"CUDA_VISIBLE_DEVICES": cvd})
    found = _diagnose(system, None, _torch(0))
    assert [d.code for d in found] == ["cuda-visible-devices-hides-all"] and expected in found[0].message
    assert "MIG device UUIDs" in found[0].hint


def test_a_mig_uuid_on_a_node_without_mig(tmp_path: Path) -> None:
    system = replay_system(L40S, tmp_path / "bin", {"CUDA_VISIBLE_DEVICES": MIG0})
    (found,) = _diagnose(system)
    assert found.code == "cuda-visible-devices-hides-all" and "no GPU here has MIG enabled" in found.message


@pytest.mark.parametrize("capture, cvd, expected", [
    (H100_MIG, None, 1),  # four MIG devices, one CUDA process enumerates one
    (H200_MIG, None, 1),
    (H100_MIG, f"{MIG0},MIG-00000001", 1),  # listing several does not lift the limit
    (H100_MIG, "MIG-ffffffff," + MIG0, 0),  # CUDA stops at the first entry that names nothing
    (L40S, None, 1),
    (L40S, "0,1", 1),
])
def test_what_a_cuda_process_can_enumerate(tmp_path: Path, capture: str, cvd: str | None, expected: int) -> None:
    system = replay_system(capture, tmp_path / "bin", {"CUDA_VISIBLE_DEVICES": cvd} if cvd is not None else {})
    assert cuda_enumerable(system) == expected


def test_mig_with_one_gpu_and_a_non_mig_gpu_beside_it() -> None:
    gpus = ReportBuilder(gpus=2).system.gpus
    system = System(gpus=(replace(gpus[0], mig_mode="Enabled"), replace(gpus[1], mig_mode="Disabled")),
                    mig_devices=(_mig(0, 1, 0), _mig(1, 2, 0)))
    assert cuda_enumerable(system) == 1  # no non-MIG GPU once a compute instance is enumerated
    assert cuda_enumerable(replace(system, mig_devices=())) == 1  # MIG on without devices: only GPU 1
    assert cuda_enumerable(replace(system, cuda_visible_devices="1")) == 1


def test_gpu_count_mismatch_counts_what_cuda_enumerates_on_mig(tmp_path: Path) -> None:
    system = replay_system(H100_MIG, tmp_path / "bin")
    assert [d.code for d in _diagnose(system, None, _torch(1))] == []  # 1 of 4 MIG devices is all CUDA gives
    two = replace(ReportBuilder(gpus=2).system, gpus=tuple(replace(g, mig_mode="Disabled")
                                                           for g in ReportBuilder(gpus=2).system.gpus))
    (found,) = _diagnose(two, None, _torch(1))
    assert found.code == "gpu-count-mismatch" and "sees 1 GPU(s), but the driver shows 2" in found.message


def test_mig_enabled_without_devices_is_named_in_gpu_not_visible() -> None:
    gpu = replace(ReportBuilder(gpus=1).system.gpus[0], mig_mode="Enabled")
    system = replace(ReportBuilder(gpus=1).system, gpus=(gpu,))
    (found,) = _diagnose(system, None, _torch(0))
    assert found.code == "gpu-not-visible" and "MIG is enabled on GPU 0 but no MIG device exists" in found.message
    assert "nvidia-smi mig" in found.hint


# --- the framework's own reason -----------------------------------------------------------------

# Messages as the frameworks print them: torch's cuda/__init__.py _check_driver / TORCH_WARN text,
# JAX's xla_bridge backend error, TensorFlow's dso_loader log lines.
REASONS = [
    ({"source": "torch.cuda.is_available() warning",
      "message": "CUDA initialization: Found no NVIDIA driver on your system. Please check that you have an NVIDIA "
                 "GPU and installed a driver from http://www.nvidia.com/Download/index.aspx (Triggered internally "
                 "at /pytorch/c10/cuda/CUDAFunctions.cpp:119.)"}, "--gpus all"),
    ({"source": "torch.cuda.init()",
      "message": "The NVIDIA driver on your system is too old (found version 11040). Please update your GPU driver "
                 "by downloading and installing a new version from the URL: http://www.nvidia.com/Download/index.aspx"},
     "upgrade the driver"),
    ({"source": "jax.devices()",
      "message": "Unable to initialize backend 'cuda': FAILED_PRECONDITION: No visible GPU devices."},
     "/dev/nvidia*"),
    ({"source": "tensorflow log",
      "message": "Could not load dynamic library 'libcudnn.so.9'; dlerror: libcudnn.so.9: cannot open shared object "
                 "file: No such file or directory\nCannot dlopen some GPU libraries. Please make sure the missing "
                 "libraries mentioned above are installed properly if you would like to use GPU."},
     "nvidia-cudnn-cu12"),
]


@pytest.mark.parametrize("reason, fix", REASONS)
def test_gpu_not_visible_quotes_the_framework_and_picks_the_fix_from_it(reason: dict, fix: str) -> None:
    torch = {**_torch(0), "details": {"gpu_reason": reason}}
    (found,) = _diagnose(ReportBuilder(gpus=2).system, None, torch)
    assert found.code == "gpu-not-visible"
    assert reason["message"].splitlines()[0][:80] in found.message and reason["source"] in found.message
    assert fix in found.hint


def test_a_reason_naming_nothing_known_keeps_the_checklist() -> None:
    torch = {**_torch(0), "details": {"gpu_reason": {"source": "torch.cuda.init()", "message": "weird"}}}
    (found,) = _diagnose(ReportBuilder(gpus=2).system, None, torch)
    assert "(torch.cuda.init(): weird)" in found.message and "/dev/nvidia*" in found.hint
