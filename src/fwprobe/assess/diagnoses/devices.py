"""Rules about devices a framework sees but cannot use: failed exercises, missing kernels, fewer
GPUs than the driver shows."""

from __future__ import annotations

import re
from collections.abc import Iterator

from fwprobe.assess.diagnoses.facts import cuda_enumerable
from fwprobe.assess.diagnoses.registry import Context, Finding, Subject, rule
from fwprobe.model import Device, Exercise, Outcome, Severity
from fwprobe.parsers import arch_covers


def _sm(capability: str) -> str:
    return "sm_" + capability.replace(".", "")


def _device_of(s: Subject, run: Exercise) -> Device | None:
    probe = s.probe
    return next((d for d in probe.devices if d.kind == run.kind and d.index == run.index), None) if probe else None


def unusable_hint(s: Subject, run: Exercise, device: Device | None) -> str:
    """The fix, read from the error: kernels for the architecture, memory, libraries, or a hang."""
    text = f"{run.error_type or ''}: {run.error_message or ''}"
    if re.search(r"no kernel image|not compatible with the current|unsupported gpu architecture|sm_\d+", text, re.I):
        sm = _sm(device.capability) if device is not None and device.capability else "this GPU's sm_XY"
        return (f"this {s.fw.name} build has no kernels for the GPU's architecture: install a build that "
                f"lists {sm} (see arch-not-supported), e.g. a newer release or a wheel for a newer CUDA")
    if re.search(r"out of memory|RESOURCE_EXHAUSTED|\bOOM\b|CUDA_ERROR_OUT_OF_MEMORY", text, re.I):
        return ("the GPU has no free memory: see which processes hold it with `nvidia-smi`; JAX and "
                "TensorFlow jobs preallocate most of it unless XLA_PYTHON_CLIENT_PREALLOCATE=false / "
                "TF_FORCE_GPU_ALLOW_GROWTH=true are set for them")
    if re.search(r"cudnn|cublas|cudart|nvrtc|nvjitlink|cannot open shared object|undefined symbol|"
                 r"CUDNN_STATUS|CUBLAS_STATUS|version mismatch", text, re.I):
        return ("a CUDA library failed to load or does not match the build: look for cuda-library-shadowed "
                "and nvidia-wheel-mismatch findings, unset LD_LIBRARY_PATH entries that point at another "
                f"CUDA, or reinstall: pip install --force-reinstall {s.fw.distributions[0]}")
    if run.error_type in ("Timeout", "Crashed"):
        return ("the computation hung or killed the process: check `nvidia-smi` for a GPU in a bad state "
                "(Xid errors in `dmesg`), and run the framework's own smoke test by hand")
    if run.error_type == "WrongResult":
        return "the device computed a wrong result: suspect the hardware or driver (`nvidia-smi -q -d ECC`)"
    return (f"run a small computation on {run.kind}:{run.index} by hand to see the full error; reinstalling "
            f"often helps: pip install --force-reinstall {s.fw.distributions[0]}")


@rule("device-unusable", Severity.ERROR)
def device_unusable(ctx: Context, s: Subject) -> Iterator[Finding]:
    """A device the framework lists failed its exercise (--exercise: a 64x64 matmul of ones, the
    result checked exactly); the hint reads the error: kernels for the architecture, memory,
    libraries, or a hang."""
    probe = s.probe
    if probe is None or probe.outcome is not Outcome.OK:
        return
    for run in probe.exercise:
        if run.passed:
            continue
        device = _device_of(s, run)
        label = f"{run.kind}:{run.index}" + (f" ({device.name})" if device is not None and device.name else "")
        if run.kind == "backend":
            label = f"its backend ({probe.details.get('keras_backend') or 'unknown'})"
        yield Finding(f"{s.fw.name} {probe.version or ''} lists {label} but cannot compute on it: "
                      f"{run.error_type}: {(run.error_message or '').splitlines()[0][:300] if run.error_message else ''}",
                      unusable_hint(s, run, device))


@rule("arch-not-supported", Severity.ERROR)
def arch_not_supported(ctx: Context, s: Subject) -> Iterator[Finding]:
    """The build carries no kernels (SASS of the device's major version at or below its compute
    capability, or PTX at or below it) for a GPU it lists, known without running anything:
    torch.cuda.get_arch_list() or TensorFlow's build info against each device's capability."""
    probe = s.probe
    if probe is None or probe.outcome is not Outcome.OK or not probe.arch_list:
        return
    for device in probe.accelerators:
        if device.capability is None or arch_covers(probe.arch_list, device.capability) is not False:
            continue
        sm = _sm(device.capability)
        first = s.fw.arch_first_release.get(sm)
        fix = (f"install {s.fw.name} {first} or newer (the first release whose builds list {sm})" if first
               else f"install a {s.fw.name} build that lists {sm}")
        yield Finding(f"{s.fw.name} {probe.version} has kernels for {', '.join(probe.arch_list)}, but "
                      f"{device.kind}:{device.index} ({device.name or '?'}) is {sm} "
                      f"(compute capability {device.capability})", fix)


@rule("gpu-count-mismatch", Severity.WARNING)
def gpu_count_mismatch(ctx: Context, s: Subject) -> Iterator[Finding]:
    """A GPU framework sees fewer devices than a CUDA process can enumerate here, and
    CUDA_VISIBLE_DEVICES does not explain it (none seen at all is gpu-not-visible). On MIG nodes
    the count follows NVIDIA's MIG User Guide ("CUDA Device Enumeration"): one CUDA process
    enumerates a single MIG device, and no non-MIG GPU beside it, with or without
    CUDA_VISIBLE_DEVICES (see cuda_enumerable)."""
    probe, system = s.probe, ctx.system
    if not s.fw.gpu or probe is None or probe.outcome is not Outcome.OK or not system.gpus:
        return
    seen = len([d for d in probe.accelerators if d.kind in ("cuda", "rocm")])
    expected = cuda_enumerable(system)
    if expected is None or not 0 < seen < expected:
        return
    cvd = system.cuda_visible_devices
    why = "" if cvd is None else f" (CUDA_VISIBLE_DEVICES={cvd} allows {expected})"
    usable = "" if expected == len(system.gpus) else f", of which a CUDA process can enumerate {expected}"
    yield Finding(f"{s.fw.name} {probe.version} sees {seen} GPU(s), but the driver shows "
                  f"{len(system.gpus)}{usable}{why}",
                  "check each missing GPU with `nvidia-smi -q -i N` (a GPU fallen off the bus, MIG "
                  "mode, or a container given only some of them: --gpus all)")
