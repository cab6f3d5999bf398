"""Short texts shared by the renderers (a build's summary), so formats agree word for word."""

from __future__ import annotations

from collections.abc import Callable

from fwprobe.model import Build, CompanionProbe, Device, Exercise, Outcome
from fwprobe.parsers import cudnn_version


def build_summary(b: Build) -> str:
    """"CUDA 12.4, cuDNN 9.1.0", "ROCm 6.2", "CPU-only", or "" when nothing is known."""
    parts = [f"CUDA {b.cuda}" if b.cuda else "", f"cuDNN {cudnn_version(b.cudnn)}" if b.cudnn else "",
             f"ROCm {b.rocm}" if b.rocm else "", "CPU-only" if b.cpu_only else ""]
    return ", ".join(x for x in parts if x)


def device_lines(devices: tuple[Device, ...], label: Callable[[Device], str]) -> list[str]:
    """One line per device kind: "cpu", or "2 cuda: NVIDIA A100-SXM4-80GB" (names once each)."""
    kinds: dict[str, list[str]] = {}
    for d in devices:
        kinds.setdefault(d.kind, []).append(label(d))
    return [kind if kind == "cpu" else f"{len(names)} {kind}: " + ", ".join(dict.fromkeys(names))
            for kind, names in kinds.items()]


def exercise_summary(runs: tuple[Exercise, ...]) -> tuple[int, list[str]]:
    """(how many devices computed correctly, the kind:index of those that did not)."""
    failed = [f"{e.kind}:{e.index}" for e in runs if not e.passed]
    return len(runs) - len(failed), failed


def companion_line(c: CompanionProbe) -> str:
    """"torchvision ok", "torchvision failed: RuntimeError" (the op's failure: "failed nms op")."""
    if c.outcome is Outcome.OK:
        return f"{c.distribution} ok"
    step = f" {c.op}" if c.step == "op" and c.op else ""
    return f"{c.distribution} {c.outcome.value}{step}" + (f": {c.error_type}" if c.error_type else "")
