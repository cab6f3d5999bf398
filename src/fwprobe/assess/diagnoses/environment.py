"""Rules about the machine as a whole, not one framework: CUDA_VISIBLE_DEVICES, and nvidia-smi
failing the way real drivers fail."""

from __future__ import annotations

import re
from collections.abc import Iterator

from fwprobe.assess.diagnoses.registry import Context, Finding, rule
from fwprobe.model import Gpu, MigDevice, Severity, System


def _mig_on(gpu: Gpu) -> bool:
    return gpu.mig_mode == "Enabled"


def resolve_mig(entry: str, system: System) -> MigDevice | None:
    """The MIG device a CUDA_VISIBLE_DEVICES entry names: ``MIG-<uuid>`` (R470 and later, a unique
    prefix allowed like GPU UUIDs) or ``MIG-GPU-<gpu uuid>/<gi>/<ci>`` (R450/R460); else None."""
    old = re.fullmatch(r"MIG-(GPU-[^/]+)/(\d+)/(\d+)", entry)
    if old:
        parents = {g.index for g in system.gpus if g.uuid and g.uuid.startswith(old.group(1))}
        gi, ci = int(old.group(2)), int(old.group(3))
        for d in system.mig_devices:
            if d.uuid == entry or (d.gpu_index in parents and (d.gpu_instance_id, d.compute_instance_id) == (gi, ci)):
                return d
        return None
    matches = [d for d in system.mig_devices if d.uuid and d.uuid.startswith(entry)]
    return matches[0] if len(matches) == 1 else None


def _gpu_of(entry: str, system: System) -> Gpu | None:
    if entry.isdigit():
        return next((g for g in system.gpus if g.index == int(entry)), None)
    matches = [g for g in system.gpus if g.uuid and g.uuid.startswith(entry)]
    return matches[0] if len(matches) == 1 else None


def cuda_enumerable(system: System) -> int | None:
    """How many CUDA devices one process can enumerate here, from the driver's GPUs, their MIG
    devices and CUDA_VISIBLE_DEVICES; None when that cannot be told.

    NVIDIA's MIG User Guide ("CUDA Device Enumeration", MIG Device Names chapter,
    https://docs.nvidia.com/datacenter/tesla/mig-user-guide/mig-device-names.html) sets the rules:
    a CUDA process can enumerate only a single MIG device (compute instance), whichever one is
    first, however many exist or CUDA_VISIBLE_DEVICES lists; and CUDA does not enumerate a non-MIG
    GPU once a compute instance is enumerated on any other GPU. A MIG-enabled GPU without MIG
    devices offers CUDA nothing. CUDA_VISIBLE_DEVICES entries count up to the first one that
    names nothing (CUDA stops there).
    """
    if not system.gpus:
        return None
    migs_of = {g.index: [d for d in system.mig_devices if d.gpu_index == g.index] for g in system.gpus}
    cvd = system.cuda_visible_devices
    if cvd is None:
        mig = sum(len(migs_of[g.index]) for g in system.gpus if _mig_on(g))
        return 1 if mig else sum(1 for g in system.gpus if not _mig_on(g))
    whole, mig = 0, 0
    for entry in (x.strip() for x in cvd.split(",")):
        if entry.startswith("MIG-"):
            if resolve_mig(entry, system) is None:
                break
            mig += 1
            continue
        gpu = _gpu_of(entry, system)
        if gpu is None:
            break
        if _mig_on(gpu):
            mig += len(migs_of[gpu.index])
        else:
            whole += 1
    return 1 if mig else whole


def visible_devices_problem(system: System) -> str | None:
    """Why CUDA_VISIBLE_DEVICES hides every GPU, or None."""
    cvd = system.cuda_visible_devices
    if cvd is None:
        return None
    if not cvd.strip():
        return "CUDA_VISIBLE_DEVICES is set to an empty string, which hides every GPU"
    first = cvd.split(",")[0].strip()
    if first in ("-1", "none", "NoDevFiles"):
        return f"CUDA_VISIBLE_DEVICES={cvd} hides every GPU"
    if not system.gpus:
        return None  # nothing to check indices against
    # CUDA stops at the first entry it cannot match: if that is the first one, nothing is visible
    if first.isdigit():
        if int(first) >= len(system.gpus):
            return (f"CUDA_VISIBLE_DEVICES={cvd} names GPU {first}, but this machine has "
                    f"{len(system.gpus)} (indices 0-{len(system.gpus) - 1})")
        return None
    if first.startswith("MIG-"):
        if resolve_mig(first, system) is not None:
            return None
        if not any(_mig_on(g) for g in system.gpus):
            return f"CUDA_VISIBLE_DEVICES={cvd} names a MIG device, but no GPU here has MIG enabled"
        if not system.mig_devices:
            return None  # MIG is on but its devices could not be listed: nothing to check against
        return f"CUDA_VISIBLE_DEVICES={cvd} names a MIG device that `nvidia-smi -L` does not list"
    if first.startswith("GPU-"):
        if not any(g.uuid and g.uuid.startswith(first) for g in system.gpus):
            return f"CUDA_VISIBLE_DEVICES={cvd} names a GPU UUID that no GPU here has"
        return None
    return f"CUDA_VISIBLE_DEVICES={cvd} is not a list of GPU indices or UUIDs"


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
