"""Rules about the machine as a whole, not one framework: CUDA_VISIBLE_DEVICES, and nvidia-smi
failing the way real drivers fail."""

from __future__ import annotations

import re
from collections.abc import Iterator

from fwprobe.assess.diagnoses.registry import Context, Finding, rule
from fwprobe.model import Severity, System


@rule("cuda-visible-devices-hides-all", Severity.ERROR, scope="environment")
def cuda_visible_devices_hides_all(ctx: Context) -> Iterator[Finding]:
    """CUDA_VISIBLE_DEVICES hides every GPU (empty, -1, an index, GPU UUID or MIG device UUID that
    does not exist). An error when the driver shows GPUs, a warning when there are none to hide."""
    hides = ctx.hidden_gpus
    if hides:
        gpus = ctx.system.gpus
        yield Finding(hides, "unset CUDA_VISIBLE_DEVICES, or set it to indices that exist "
                      f"(0-{max(len(gpus) - 1, 0)}) or to GPU or MIG device UUIDs from `nvidia-smi -L`",
                      severity=None if gpus else Severity.WARNING)


# nvidia-smi's real failures: (code, its message, its exit status). The message decides; the exit
# status alone only where the message matched nothing (a localised or reworded driver).
NVIDIA_FAILURES: tuple[tuple[str, str, int], ...] = (
    ("nvidia-driver-library-mismatch", r"Driver/library version mismatch", 18),
    ("nvidia-driver-not-loaded", r"couldn.t communicate with the NVIDIA driver", 9),
    ("nvml-not-found", r"couldn.t find libnvidia-ml\.so|NVML Shared Library", 12),
    ("gpu-fallen-off-bus", r"GPU is lost|fallen off the bus|Unable to determine the device handle", 15),
    ("no-nvidia-devices", r"No devices were found", 6),
)


def nvidia_failure(system: System) -> str | None:
    """The code of nvidia-smi's failure (one of NVIDIA_FAILURES), "nvidia-smi-failed" for any other,
    or None when it did not fail (or is absent)."""
    error = system.nvidia_error
    if system.nvidia_smi is None or not error:
        return None
    for code, pattern, _ in NVIDIA_FAILURES:
        if re.search(pattern, error, re.I):
            return code
    for code, _, status in NVIDIA_FAILURES:
        if system.nvidia_exit_code == status:
            return code
    return "nvidia-smi-failed"


def _said(system: System) -> str:
    """nvidia-smi's whole message on one line, with its exit status."""
    status = f" (exit status {system.nvidia_exit_code})" if system.nvidia_exit_code is not None else ""
    return f"nvidia-smi{status}: " + " / ".join(line.strip() for line in (system.nvidia_error or "").splitlines()
                                              if line.strip())


def _in_container(ctx: Context) -> str | None:
    host = ctx.report.host
    return host.container if host is not None and host.container else None


@rule("nvidia-driver-library-mismatch", Severity.ERROR, scope="environment")
def nvidia_driver_library_mismatch(ctx: Context) -> Iterator[Finding]:
    """nvidia-smi cannot initialise NVML because the loaded NVIDIA kernel module and the driver's
    user-space libraries are different versions: typically a driver upgrade whose new kernel
    module is not loaded yet (exit status 18)."""
    system = ctx.system
    if nvidia_failure(system) == "nvidia-driver-library-mismatch":
        lib = re.search(r"NVML library version:\s*([\d.]+)", system.nvidia_error or "")
        yield Finding(f"the NVIDIA kernel module and driver libraries{f' ({lib.group(1)})' if lib else ''} are "
                      f"different versions, so no CUDA program can use the GPUs; {_said(system)}",
                      "reboot, or reload the kernel module without rebooting: stop every process using the GPU, "
                      "then `sudo rmmod nvidia_uvm nvidia_drm nvidia_modeset nvidia && sudo modprobe nvidia`; "
                      "`cat /proc/driver/nvidia/version` shows the loaded module's version")


@rule("nvidia-driver-not-loaded", Severity.ERROR, scope="environment")
def nvidia_driver_not_loaded(ctx: Context) -> Iterator[Finding]:
    """nvidia-smi cannot communicate with the NVIDIA driver: the kernel module is not loaded (a
    kernel update without a rebuilt module, nouveau holding the GPU), or a container was started
    without the GPU devices (exit status 9)."""
    system = ctx.system
    if nvidia_failure(system) == "nvidia-driver-not-loaded":
        container = _in_container(ctx)
        fix_container = ("start the container with the NVIDIA runtime and its GPUs (`docker run --gpus all`, "
                         "Kubernetes: a `nvidia.com/gpu` resource limit)")
        fix_host = ("on the host, check `lsmod | grep nvidia` and `sudo modprobe nvidia`; after a kernel update "
                    "rebuild the module (DKMS: `sudo dkms autoinstall`) or reinstall the driver, then reboot")
        yield Finding(f"nvidia-smi is installed but the NVIDIA driver does not answer; {_said(system)}",
                      f"this runs in {container}: {fix_container}; if the host's own `nvidia-smi` fails too, "
                      f"{fix_host}" if container else f"{fix_host}; in a container, {fix_container}")


@rule("nvml-not-found", Severity.ERROR, scope="environment")
def nvml_not_found(ctx: Context) -> Iterator[Finding]:
    """nvidia-smi is present but cannot load the driver's NVML library (libnvidia-ml.so): the
    driver's user-space libraries are missing or not on the loader path (exit status 12)."""
    system = ctx.system
    if nvidia_failure(system) == "nvml-not-found":
        yield Finding(f"nvidia-smi cannot load the NVIDIA driver's library libnvidia-ml.so; {_said(system)}",
                      "install the driver's user-space libraries at the kernel module's version (the distribution's "
                      "nvidia-utils / libnvidia-compute package) and run `sudo ldconfig`; `ldconfig -p | grep "
                      "libnvidia-ml` must list it; in a container, start it with the NVIDIA runtime (`--gpus all`) "
                      "so the host's libraries are mounted")


@rule("gpu-fallen-off-bus", Severity.ERROR, scope="environment")
def gpu_fallen_off_bus(ctx: Context) -> Iterator[Finding]:
    """The driver has lost a GPU ("GPU is lost", fallen off the bus, or no device handle for it):
    nvidia-smi cannot read it (exit status 15); only a reboot brings it back."""
    system = ctx.system
    if nvidia_failure(system) == "gpu-fallen-off-bus":
        bus = re.search(r"GPU\s*([0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.\d)", system.nvidia_error or "")
        yield Finding(f"the NVIDIA driver has lost GPU {bus.group(1) if bus else '?'}; {_said(system)}",
                      "reboot to recover the GPU; `sudo dmesg | grep -i xid` shows why (Xid 79: fallen off the bus, "
                      "often power or overheating); if it recurs, check the GPU's power cables, cooling and seating, "
                      "or have it replaced")


@rule("no-nvidia-devices", Severity.WARNING, scope="environment")
def no_nvidia_devices(ctx: Context) -> Iterator[Finding]:
    """The NVIDIA driver is loaded but finds no GPU ("No devices were found", exit status 6)."""
    system = ctx.system
    if nvidia_failure(system) == "no-nvidia-devices":
        yield Finding(f"the NVIDIA driver is installed but finds no GPU; {_said(system)}",
                      "`lspci | grep -i nvidia` shows whether the card is on the bus; `sudo dmesg | grep NVRM` says "
                      "why the driver did not take it (a GPU this driver does not support, BIOS settings such as "
                      "Above 4G Decoding / Resizable BAR); in a VM or container, check that the GPU is passed through")


@rule("nvidia-smi-failed", Severity.WARNING, scope="environment")
def nvidia_smi_failed(ctx: Context) -> Iterator[Finding]:
    """nvidia-smi exists but failed in a way none of the codes above names, or gave no answer
    within the time budget of the scan; its whole message is quoted."""
    system = ctx.system
    if nvidia_failure(system) != "nvidia-smi-failed":
        return
    error = system.nvidia_error or ""
    if error.startswith("no answer within"):
        yield Finding(f"nvidia-smi gave {error}, so the GPUs are unknown",
                      "a hanging nvidia-smi usually means a GPU or the driver is in a bad state: look for Xid errors "
                      "in `sudo dmesg`; on a machine with many GPUs, persistence mode (`sudo nvidia-smi -pm 1` or "
                      "nvidia-persistenced) avoids slow initialisation")
    elif re.search(r"Failed to initialize NVML: Unknown Error", error) and _in_container(ctx):
        yield Finding(f"nvidia-smi failed in this {_in_container(ctx)} container; {_said(system)}",
                      "a container that had its GPUs and lost them (the host ran `systemctl daemon-reload` with "
                      "systemd-managed cgroups) says exactly this: recreate the container to get them back; NVIDIA's "
                      "notice NVIDIA/nvidia-container-toolkit#48 gives the lasting workaround")
    else:
        yield Finding(f"nvidia-smi failed, so the GPUs are unknown; {_said(system)}",
                      "run `nvidia-smi` by hand; `sudo dmesg | grep -i -e NVRM -e xid` shows what the driver reported")


@rule("nvidia-smi-warning", Severity.WARNING, scope="environment")
def nvidia_smi_warning(ctx: Context) -> Iterator[Finding]:
    """nvidia-smi answered completely but with a warning (exit status 14: the infoROM is corrupted);
    the GPUs are reported and the warning is surfaced."""
    system = ctx.system
    for warning in system.nvidia_warnings:
        status = f" (exit status {system.nvidia_exit_code})" if system.nvidia_exit_code is not None else ""
        if re.search(r"infoROM", warning, re.I):
            hint = ("the GPU's infoROM (its on-board configuration store) is corrupted: the GPU usually still "
                    "computes, but ECC and some settings may not work; `nvidia-smi -q -d ECC` shows ECC; ask the "
                    "vendor for an infoROM update or a replacement")
        else:
            hint = "run `nvidia-smi` by hand to see the warning in context"
        yield Finding(f"nvidia-smi answered with a warning{status}: {warning}", hint)
