"""Rules about GPU-capable frameworks (catalog ``gpu = true``) on the machine's GPUs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from fwprobe.assess.diagnoses.facts import cuda_enumerable
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


# The framework's own reason for seeing no GPU -> the fix it points at (first match wins).
_REASON_FIXES: tuple[tuple[str, str], ...] = (
    (r"Found no NVIDIA driver|could not find cuda drivers|libcuda\.so[.\d]*: cannot open",
     "the process cannot load the NVIDIA driver library (libcuda.so): in a container, start it with the NVIDIA "
     "runtime (`docker run --gpus all`, or `--runtime=nvidia`; Kubernetes: a `nvidia.com/gpu` limit); on the "
     "host, `ldconfig -p | grep libcuda` must list libcuda.so.1"),
    (r"driver version is insufficient|driver on your system is too old|CUDA_ERROR_SYSTEM_DRIVER_MISMATCH|"
     r"older than the PTX|CUDA_ERROR_UNSUPPORTED_PTX_VERSION",
     "the NVIDIA driver is older than this build needs: upgrade the driver, or install a build for the CUDA "
     "version `nvidia-smi` reports"),
    (r"no CUDA-capable device is detected|CUDA_ERROR_NO_DEVICE|cudaErrorNoDevice|No visible GPU devices",
     "the driver loads but shows this process no GPU: check read/write access to /dev/nvidia* (the `video` "
     "group), the container's devices (`--gpus all`) and NVIDIA_VISIBLE_DEVICES / CUDA_VISIBLE_DEVICES"),
    (r"but JAX was built against version|Outdated cu\w+ installation|must be at least as new as the version",
     "a CUDA library older than this build needs is loaded: upgrade the pip nvidia-* wheels with the framework "
     "(e.g. `pip install -U 'jax[cuda{major}]'`), and drop LD_LIBRARY_PATH entries that put an older system copy first"),
    (r"Cannot dlopen some GPU libraries|Could not load dynamic library|cannot open shared object file|"
     r"Unable to load cu[A-Za-z]+",
     "a CUDA library the build needs does not load: install the pip wheel that provides it ({wheels}), or the "
     "framework's CUDA extra (e.g. `pip install 'tensorflow[and-cuda]'`, `pip install -U 'jax[cuda12]'`); check "
     "that LD_LIBRARY_PATH does not point at another CUDA"),
)
# shared library -> the pip wheel family that ships it
_LIB_WHEELS = (("libcudnn", "nvidia-cudnn-cu{m}"), ("libcublas", "nvidia-cublas-cu{m}"),
               ("libcudart", "nvidia-cuda-runtime-cu{m}"), ("libcufft", "nvidia-cufft-cu{m}"),
               ("libcusparse", "nvidia-cusparse-cu{m}"), ("libcusolver", "nvidia-cusolver-cu{m}"),
               ("libcurand", "nvidia-curand-cu{m}"), ("libnccl", "nvidia-nccl-cu{m}"),
               ("libnvrtc", "nvidia-cuda-nvrtc-cu{m}"), ("libnvJitLink", "nvidia-nvjitlink-cu{m}"))


def framework_reason(s: Subject) -> str | None:
    """What the framework itself said about its GPUs, from the probe: ``gpu_reason`` (torch's CUDA
    initialisation warning or torch.cuda.init()'s error, JAX's backend error or fallback warning,
    TensorFlow's logged load failures), else the first note of a failed query."""
    probe = s.probe
    if probe is None:
        return None
    said = probe.details.get("gpu_reason")
    if isinstance(said, dict) and said.get("message"):
        return f"{said.get('source') or s.fw.name}: {said['message']}"
    return probe.notes[0] if probe.notes else None


def reason_fix(reason: str, cuda: str | None) -> str | None:
    """The fix the framework's own reason points at, or None when it names no known cause."""
    major = str((release_tuple(cuda) or (12, 0))[0])
    for pattern, fix in _REASON_FIXES:
        if re.search(pattern, reason, re.I):
            libs = sorted(set(re.findall(r"(lib[A-Za-z]+)(?:\w*)\.so", reason)))
            wheels = [w.format(m=major) for lib, w in _LIB_WHEELS if any(x.startswith(lib) for x in libs)]
            return fix.format(wheels=", ".join(dict.fromkeys(wheels)) or f"the nvidia-*-cu{major} wheels", major=major)
    return None


def _one_line(text: str, limit: int = 600) -> str:
    return " / ".join(line.strip() for line in text.splitlines() if line.strip())[:limit]


@rule("gpu-not-visible", Severity.ERROR)
def gpu_not_visible(ctx: Context, s: Subject) -> Iterator[Finding]:
    """A GPU build that imports but sees no GPU while the driver shows some a CUDA process can use
    (and CUDA_VISIBLE_DEVICES does not explain it); quotes the framework's own reason (torch's CUDA
    initialisation error, JAX's backend error, TensorFlow's library load failures) and picks the
    fix from it. A MIG-enabled GPU without MIG devices is named as the cause."""
    system, probe = ctx.system, s.probe
    if not (s.fw.gpu and system.gpus and probe is not None and probe.outcome is Outcome.OK
            and is_cpu_only(s) is False and not probe.accelerators and not ctx.hidden_gpus):
        return
    built = probe.build.cuda or probe.build.rocm
    head = (f"{s.fw.name} {probe.version} is built for CUDA {built} and the machine has "
            f"{len(system.gpus)} GPU(s), but {s.fw.name} sees none")
    if cuda_enumerable(system) == 0 and any(g.mig_mode == "Enabled" for g in system.gpus):
        empty = [str(g.index) for g in system.gpus if g.mig_mode == "Enabled"]
        yield Finding(f"{head}: MIG is enabled on GPU {', '.join(empty)} but no MIG device exists there, so "
                      "CUDA can use none",
                      f"create MIG devices (`sudo nvidia-smi mig -i {empty[0]} -cgi 1g.10gb -C`, with a profile from "
                      f"`nvidia-smi mig -lgip`) or disable MIG (`sudo nvidia-smi -i {empty[0]} -mig 0`, then reset the GPU)")
        return
    reason = framework_reason(s)
    fix = reason_fix(reason, probe.build.cuda) if reason else None
    yield Finding(head + (f" ({_one_line(reason)})" if reason else ""),
                  fix or "check that the process can open /dev/nvidia* (containers: --gpus all), that "
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
