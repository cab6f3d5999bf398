"""Facts the rules share, derived from the report alone: which CUDA devices a process can
enumerate here, and whether CUDA_VISIBLE_DEVICES hides them all. Pure; imports only the model,
so the registry (Context.hidden_gpus) and the rule modules all build on it without a circle."""

from __future__ import annotations

import re

from fwprobe.model import Gpu, MigDevice, System


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
