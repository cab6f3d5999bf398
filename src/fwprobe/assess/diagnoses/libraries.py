"""Rules about the CUDA libraries: which copies a probe really loaded, and the nvidia-* wheels
against the exact versions the framework pins."""

from __future__ import annotations

from collections.abc import Iterator

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement

from fwprobe.assess.diagnoses.registry import Context, Finding, Subject, rule
from fwprobe.assess.requirements import marker_environment
from fwprobe.catalog import normalize
from fwprobe.model import Distribution, LoadedLibrary, Severity

# Which nvidia-* wheel ships which library (the wheel name without its -cuXY suffix).
WHEEL_OF_LIBRARY = {
    "libcudnn": "nvidia-cudnn", "libcublas": "nvidia-cublas", "libcublasLt": "nvidia-cublas",
    "libcudart": "nvidia-cuda-runtime", "libnccl": "nvidia-nccl", "libnvrtc": "nvidia-cuda-nvrtc",
    "libnvJitLink": "nvidia-nvjitlink", "libcusparse": "nvidia-cusparse", "libcufft": "nvidia-cufft",
    "libcurand": "nvidia-curand", "libcusolver": "nvidia-cusolver",
}
_DRIVER_LIBRARIES = ("libcuda", "libnvidia-ml")  # the driver's own: always from the system


def _family(lib: LoadedLibrary) -> str:
    """libcudnn_ops -> libcudnn: the sub-libraries of cuDNN, cuBLAS... belong to their wheel."""
    for name in sorted(WHEEL_OF_LIBRARY, key=len, reverse=True):
        if lib.name == name or lib.name.startswith(name + "_"):
            return name
    return lib.name


def _nvidia_wheels(ctx: Context) -> tuple[Distribution, ...]:
    if ctx.inventory is None:
        return ()
    return tuple(d for d in ctx.inventory.distributions if normalize(d.name).startswith("nvidia-") and not d.shadowed)


@rule("cuda-library-shadowed", Severity.WARNING)
def cuda_library_shadowed(ctx: Context, s: Subject) -> Iterator[Finding]:
    """A CUDA library was loaded from outside the pip nvidia-* wheels (a path in LD_LIBRARY_PATH,
    a system CUDA) while the matching wheel is installed: the framework runs against a copy it
    was not built with (Linux, from /proc/self/maps)."""
    probe = s.probe
    if probe is None or not probe.libraries:
        return
    wheels = _nvidia_wheels(ctx)
    for lib in probe.libraries:
        family = _family(lib)
        wheel = WHEEL_OF_LIBRARY.get(family)
        if wheel is None or family in _DRIVER_LIBRARIES:
            continue
        match = next((d for d in wheels if normalize(d.name).startswith(wheel + "-cu")), None)
        if match is None or "/nvidia/" in lib.path:
            continue
        yield Finding(f"{s.fw.name} loaded {lib.path}, not the copy in the installed {match.name} "
                      f"{match.version} wheel ({match.location}/nvidia/)",
                      "remove the directory of that copy from LD_LIBRARY_PATH (or the ld.so.conf entry "
                      f"that adds it), so {s.fw.name} loads the libraries it was built with")


@rule("cuda-library-duplicated", Severity.WARNING)
def cuda_library_duplicated(ctx: Context, s: Subject) -> Iterator[Finding]:
    """Two copies of one CUDA library are loaded in one process (e.g. a system libcudnn beside the
    wheel's): symbols resolve to whichever came first, a classic cause of failures on the first
    convolution."""
    probe = s.probe
    if probe is None:
        return
    by_name: dict[str, list[LoadedLibrary]] = {}
    for lib in probe.libraries:
        by_name.setdefault(lib.name, []).append(lib)
    for name, copies in by_name.items():
        if len(copies) > 1:
            yield Finding(f"{s.fw.name}'s process loaded {len(copies)} copies of {name}: "
                          + ", ".join(c.path for c in copies),
                          "keep one: remove the other copy's directory from LD_LIBRARY_PATH, or uninstall "
                          "the duplicate CUDA packages")


def _pins(dist: Distribution, env: dict[str, str]) -> Iterator[Requirement]:
    """The exact (==) nvidia-* pins in ``dist``'s Requires-Dist that apply here (no extras)."""
    for text in dist.requires:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if not normalize(req.name).startswith("nvidia-"):
            continue
        if req.marker is not None:
            if "extra" in str(req.marker):
                continue
            try:
                if not Marker(str(req.marker)).evaluate(env):
                    continue
            except (InvalidMarker, Exception):  # noqa: BLE001 - an unknown marker variable: skip the pin
                continue
        if any(spec.operator in ("==", "===") for spec in req.specifier):
            yield req


def _marker_env(ctx: Context) -> dict[str, str]:
    """The target's PEP 508 variables (its own, from the inventory; else from its version and
    platform), as requirement-not-met reads them: a Windows target's os_name is "nt"."""
    return marker_environment(ctx.report.target, ctx.inventory.markers if ctx.inventory is not None else None)


@rule("nvidia-wheel-mismatch", Severity.WARNING)
def nvidia_wheel_mismatch(ctx: Context, s: Subject) -> Iterator[Finding]:
    """An nvidia-* wheel is not at the exact version the framework pins in its Requires-Dist
    (e.g. after `pip install -U nvidia-cudnn-cu12`): a warning when another version is
    installed, an error when a pinned one is missing. From metadata alone (works with --no-import)."""
    dist = s.result.active_distribution
    if dist is None or ctx.inventory is None:
        return
    installed = {normalize(d.name): d for d in _nvidia_wheels(ctx)}
    for req in _pins(dist, _marker_env(ctx)):
        have = installed.get(normalize(req.name))
        restore = f"pip install '{req.name}{req.specifier}'"
        if have is None:
            yield Finding(f"{dist.name} {dist.version} pins {req.name}{req.specifier}, which is not installed",
                          restore, severity=Severity.ERROR)
        elif not req.specifier.contains(have.version, prereleases=True):
            yield Finding(f"{dist.name} {dist.version} pins {req.name}{req.specifier}, but {have.name} "
                          f"{have.version} is installed", restore)
