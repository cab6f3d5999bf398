"""Rules about GPU-capable frameworks (catalog ``gpu = true``) on the machine's GPUs."""

from __future__ import annotations

from collections.abc import Iterator

from fwprobe.assess.diagnoses.registry import Context, Finding, Subject, rule
from fwprobe.assess.messages import fill
from fwprobe.assess.versions import parse_version, release_tuple
from fwprobe.catalog import normalize
from fwprobe.model import Outcome, Severity, System


def is_cpu_only(s: Subject) -> bool | None:
    """CPU-only build, from the probe or (without one) the catalog's metadata markers."""
    probe = s.probe
    if probe is not None and probe.outcome is Outcome.OK and probe.build.cpu_only is not None:
        return probe.build.cpu_only
    dist = s.result.active_distribution
    if dist is None:
        return None
    version = parse_version(dist.version)
    local = version.local if version is not None else None
    if normalize(dist.name) in s.fw.cpu_only_distributions or (local and local.split(".")[0] in s.fw.cpu_only_local_versions):
        return True
    return None


def gpu_install_hint(s: Subject, system: System) -> str:
    cuda = system.cuda_driver_version or "your driver's CUDA version"
    major = (release_tuple(system.cuda_driver_version) or (12, 0))[0]
    return fill(s.fw.gpu_install_hint, {"cuda": cuda, "cuda_major": str(major)})


@rule("cpu-only-build-on-gpu-host", Severity.ERROR)
def cpu_only_build_on_gpu_host(ctx: Context, s: Subject) -> Iterator[Finding]:
    """A CPU-only build of a GPU-capable framework on a machine with NVIDIA GPUs (from the probe,
    or with --no-import from the catalog's CPU-only distribution names and version labels)."""
    system = ctx.system
    if s.fw.gpu and system.gpus and is_cpu_only(s):
        yield Finding(f"{s.fw.name} {s.live[0].version if s.live else ''} is a CPU-only build, but this machine "
                      f"has {len(system.gpus)} NVIDIA GPU(s) ({system.gpus[0].name})",
                      gpu_install_hint(s, system))


@rule("gpu-not-visible", Severity.ERROR)
def gpu_not_visible(ctx: Context, s: Subject) -> Iterator[Finding]:
    """A GPU build that imports but sees no GPU while the driver shows some (and
    CUDA_VISIBLE_DEVICES does not explain it); quotes the framework's own error when it gave one."""
    system, probe = ctx.system, s.probe
    if (s.fw.gpu and system.gpus and probe is not None and probe.outcome is Outcome.OK
            and is_cpu_only(s) is False and not probe.accelerators and not ctx.hidden_gpus):
        built = probe.build.cuda or probe.build.rocm
        yield Finding(f"{s.fw.name} {probe.version} is built for CUDA {built} and the machine has "
                      f"{len(system.gpus)} GPU(s), but {s.fw.name} sees none"
                      + (f" ({probe.notes[0]})" if probe.notes else ""),
                      "check that the process can open /dev/nvidia* (containers: --gpus all), that "
                      "CUDA_VISIBLE_DEVICES is not restricting it, and that the framework's CUDA "
                      "libraries load (LD_LIBRARY_PATH, pip's nvidia-* packages)")


@rule("driver-older-than-build", Severity.ERROR)
def driver_older_than_build(ctx: Context, s: Subject) -> Iterator[Finding]:
    """The framework is built for a newer CUDA than the NVIDIA driver supports: an error across
    major versions, a warning within one (minor-version compatibility usually covers it)."""
    system, probe = ctx.system, s.probe
    if probe is None or probe.outcome is not Outcome.OK or not system.cuda_driver_version:
        return
    built_r, driver_r = release_tuple(probe.build.cuda), release_tuple(system.cuda_driver_version)
    if built_r and driver_r and built_r > driver_r:
        same_major = built_r[0] == driver_r[0]
        yield Finding(f"{s.fw.name} {probe.version} is built for CUDA {probe.build.cuda}, but the NVIDIA "
                      f"driver {system.driver_version} supports CUDA {system.cuda_driver_version}"
                      + (" (minor-version compatibility usually covers this, but PTX JIT and newer "
                         "features fail)" if same_major else ""),
                      f"upgrade the NVIDIA driver to one supporting CUDA {probe.build.cuda}, or install "
                      f"a {s.fw.name} build for CUDA <= {system.cuda_driver_version}",
                      severity=Severity.WARNING if same_major else None)
