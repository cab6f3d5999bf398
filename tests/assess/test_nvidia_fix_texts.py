"""The whole fix of every driver-level diagnosis, word for word (issue 24: hint texts a user acts
on are pinned). A user copies these commands into a root shell, so a fix that loses a command, a
flag or a clause is a broken rule even when the code still fires: each hint is compared whole,
not by a fragment. Failures are nvidia-smi's real messages (tests/fakes/nvidia.py names their
sources); the reports are built, no subprocess."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fakes.nvidia import failed_system
from fakes.reports import CATALOG, ReportBuilder
from fwprobe.assess import diagnose
from fwprobe.model import Diagnosis, Host, Severity, System


def _one(system: System, host: Host | None = None, *frameworks: dict) -> Diagnosis:
    builder = ReportBuilder()
    for fw in frameworks:
        builder.framework(**fw)
    builder.system = system
    report = builder.build()
    if host is not None:
        report = replace(report, host=host)
    (found,) = diagnose(report, CATALOG, environ={})
    return found


MISMATCH_FIX = ("reboot, or reload the kernel module without rebooting: stop every process using the GPU, then "
                "`sudo rmmod nvidia_uvm nvidia_drm nvidia_modeset nvidia && sudo modprobe nvidia`; "
                "`cat /proc/driver/nvidia/version` shows the loaded module's version")
NVML_FIX = ("install the driver's user-space libraries at the kernel module's version (the distribution's "
            "nvidia-utils / libnvidia-compute package) and run `sudo ldconfig`; `ldconfig -p | grep libnvidia-ml` "
            "must list it; in a container, start it with the NVIDIA runtime (`--gpus all`) so the host's libraries "
            "are mounted")
LOST_FIX = ("reboot to recover the GPU; `sudo dmesg | grep -i xid` shows why (Xid 79: fallen off the bus, often power "
            "or overheating); if it recurs, check the GPU's power cables, cooling and seating, or have it replaced")
NO_DEVICES_FIX = ("`lspci | grep -i nvidia` shows whether the card is on the bus; `sudo dmesg | grep NVRM` says why "
                  "the driver did not take it (a GPU this driver does not support, BIOS settings such as Above 4G "
                  "Decoding / Resizable BAR); in a VM or container, check that the GPU is passed through")
HOST_FIX = ("on the host, check `lsmod | grep nvidia` and `sudo modprobe nvidia`; after a kernel update rebuild the "
            "module (DKMS: `sudo dkms autoinstall`) or reinstall the driver, then reboot")
RUNTIME_FIX = ("start the container with the NVIDIA runtime and its GPUs (`docker run --gpus all`, Kubernetes: a "
               "`nvidia.com/gpu` resource limit)")


@pytest.mark.parametrize("kind, code, fix", [
    ("driver-library-mismatch", "nvidia-driver-library-mismatch", MISMATCH_FIX),
    ("nvml-not-found", "nvml-not-found", NVML_FIX),
    ("gpu-lost", "gpu-fallen-off-bus", LOST_FIX),
    ("device-handle-unknown", "gpu-fallen-off-bus", LOST_FIX),
    ("no-devices", "no-nvidia-devices", NO_DEVICES_FIX),
    ("cannot-communicate", "nvidia-driver-not-loaded", f"{HOST_FIX}; in a container, {RUNTIME_FIX}"),
])
def test_each_driver_failure_gives_its_whole_fix(kind: str, code: str, fix: str) -> None:
    found = _one(failed_system(kind))
    assert (found.code, found.hint) == (code, fix)


def test_in_a_container_the_not_loaded_fix_leads_with_the_runtime_and_keeps_the_host_check() -> None:
    found = _one(failed_system("cannot-communicate"), Host(hostname="n1", container="docker"))
    assert found.hint == (f"this runs in docker: {RUNTIME_FIX}; if the host's own `nvidia-smi` fails too, {HOST_FIX}")


def test_nvidia_smi_s_message_is_quoted_on_one_line_with_its_lines_apart() -> None:
    found = _one(failed_system("nvml-not-found"))
    assert found.message == (
        "nvidia-smi cannot load the NVIDIA driver's library libnvidia-ml.so; nvidia-smi (exit status 12): NVIDIA-SMI "
        "couldn't find libnvidia-ml.so library in your system. Please make sure that the NVIDIA Display Driver is "
        "properly installed and present in your system. / Please also try adding directory that contains "
        "libnvidia-ml.so to your system PATH.")
    no_status = _one(replace(failed_system("gpu-lost"), nvidia_exit_code=None))
    assert no_status.message == ("the NVIDIA driver has lost GPU 0000:02:00.0; nvidia-smi: Unable to determine the "
                                 "device handle for GPU 0000:02:00.0: GPU is lost.  Reboot the system to recover "
                                 "this GPU")


def test_a_hanging_nvidia_smi_points_at_xid_errors_and_persistence_mode() -> None:
    found = _one(System(nvidia_smi="/usr/bin/nvidia-smi", nvidia_error="no answer within 15 s"))
    assert found.message == "nvidia-smi gave no answer within 15 s, so the GPUs are unknown"
    assert found.hint == ("a hanging nvidia-smi usually means a GPU or the driver is in a bad state: look for Xid "
                          "errors in `sudo dmesg`; on a machine with many GPUs, persistence mode "
                          "(`sudo nvidia-smi -pm 1` or nvidia-persistenced) avoids slow initialisation")


def test_a_container_that_lost_its_gpus_is_told_to_recreate_it_and_where_the_workaround_is() -> None:
    found = _one(failed_system("nvml-unknown-error"), Host(hostname="n1", container="kubernetes"))
    assert found.message == ("nvidia-smi failed in this kubernetes container; nvidia-smi (exit status 255): Failed to "
                             "initialize NVML: Unknown Error")
    assert found.hint == ("a container that had its GPUs and lost them (the host ran `systemctl daemon-reload` with "
                          "systemd-managed cgroups) says exactly this: recreate the container to get them back; "
                          "NVIDIA's notice NVIDIA/nvidia-container-toolkit#48 gives the lasting workaround")


def test_any_other_failure_sends_the_user_to_nvidia_smi_and_the_kernel_log() -> None:
    found = _one(failed_system("nvml-unknown-error"))
    assert found.hint == ("run `nvidia-smi` by hand; `sudo dmesg | grep -i -e NVRM -e xid` shows what the driver "
                          "reported")


def test_warnings_the_gpus_survive_get_their_own_fix() -> None:
    base = ReportBuilder(gpus=1).system
    inforom = _one(replace(base, nvidia_exit_code=14, nvidia_warnings=("WARNING: infoROM is corrupted at gpu "
                                                                       "0000:0B:00.0",)))
    assert inforom.hint == ("the GPU's infoROM (its on-board configuration store) is corrupted: the GPU usually still "
                            "computes, but ECC and some settings may not work; `nvidia-smi -q -d ECC` shows ECC; ask "
                            "the vendor for an infoROM update or a replacement")
    other = _one(replace(base, nvidia_exit_code=None, nvidia_warnings=("WARNING: something new",)))
    assert other.message == "nvidia-smi answered with a warning: WARNING: something new"
    assert other.hint == "run `nvidia-smi` by hand to see the warning in context"
    assert other.severity is Severity.WARNING


def _torch(**build: object) -> dict:
    return {"key": "pytorch", "dist": "torch", "version": "2.5.1+cu124", "cuda": "12.4", "cpu_only": False,
            "devices": ("cpu",), **build}


def test_a_gpu_build_that_sees_nothing_for_no_known_reason_gets_the_whole_checklist() -> None:
    found = _one(ReportBuilder(gpus=2).system, None, _torch())
    assert found.code == "gpu-not-visible"
    assert found.hint == ("check that the process can open /dev/nvidia* (containers: --gpus all), that "
                          "CUDA_VISIBLE_DEVICES is not restricting it, and that the framework's CUDA libraries load "
                          "(LD_LIBRARY_PATH, pip's nvidia-* packages)")


def test_mig_gpus_without_devices_are_all_named_and_the_fix_starts_at_the_first() -> None:
    system = ReportBuilder(gpus=2).system
    system = replace(system, gpus=tuple(replace(g, mig_mode="Enabled") for g in system.gpus))
    found = _one(system, None, _torch())
    assert found.message == ("PyTorch 2.5.1+cu124 is built for CUDA 12.4 and the machine has 2 GPU(s), but PyTorch "
                             "sees none: MIG is enabled on GPU 0, 1 but no MIG device exists there, so CUDA can use none")
    assert found.hint == ("create MIG devices (`sudo nvidia-smi mig -i 0 -cgi 1g.10gb -C`, with a profile from "
                          "`nvidia-smi mig -lgip`) or disable MIG (`sudo nvidia-smi -i 0 -mig 0`, then reset the GPU)")


def test_a_build_a_minor_cuda_ahead_of_the_driver_is_a_warning_that_says_what_still_fails() -> None:
    system = replace(ReportBuilder(gpus=1).system, cuda_driver_version="12.2", driver_version="535.104.05")
    found = _one(system, None, _torch(devices=("cuda", "cpu")))
    assert found.code == "driver-older-than-build" and found.severity is Severity.WARNING
    assert found.message == ("PyTorch 2.5.1+cu124 is built for CUDA 12.4, but the NVIDIA driver 535.104.05 supports "
                             "CUDA 12.2 (minor-version compatibility usually covers this, but PTX JIT and newer "
                             "features fail)")
    assert found.hint == ("upgrade the NVIDIA driver to one supporting CUDA 12.4, or install a PyTorch build for "
                          "CUDA <= 12.2")


def test_an_empty_cuda_visible_devices_is_named_as_such() -> None:
    report = ReportBuilder(gpus=2).build()
    report = replace(report, system=replace(report.system, cuda_visible_devices=""))
    (found,) = diagnose(report, CATALOG, environ={})
    assert found.message == "CUDA_VISIBLE_DEVICES is set to an empty string, which hides every GPU"
    assert found.hint == ("unset CUDA_VISIBLE_DEVICES, or set it to indices that exist (0-1) or to GPU or MIG device "
                          "UUIDs from `nvidia-smi -L`")
