"""Rules about the machine as a whole, not one framework."""

from __future__ import annotations

from collections.abc import Iterator

from fwprobe.assess.diagnoses.registry import Context, Finding, rule
from fwprobe.model import Severity, System


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
    if first.startswith(("GPU-", "MIG-")):
        if not any(g.uuid and g.uuid.startswith(first) for g in system.gpus):
            return f"CUDA_VISIBLE_DEVICES={cvd} names a GPU UUID that no GPU here has"
        return None
    return f"CUDA_VISIBLE_DEVICES={cvd} is not a list of GPU indices or UUIDs"


@rule("cuda-visible-devices-hides-all", Severity.ERROR, scope="environment")
def cuda_visible_devices_hides_all(ctx: Context) -> Iterator[Finding]:
    """CUDA_VISIBLE_DEVICES hides every GPU (empty, -1, an index or UUID that does not exist).
    An error when the driver shows GPUs, a warning when there are none to hide."""
    hides = ctx.hidden_gpus
    if hides:
        gpus = ctx.system.gpus
        yield Finding(hides, "unset CUDA_VISIBLE_DEVICES, or set it to indices that exist "
                      f"(0-{max(len(gpus) - 1, 0)}) or GPU UUIDs from `nvidia-smi -L`",
                      severity=None if gpus else Severity.WARNING)
