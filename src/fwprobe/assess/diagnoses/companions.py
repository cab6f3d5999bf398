"""Rules about the stack around a framework: a companion that does not load beside it, a binary
built for another NumPy, and CUDA variants that disagree across the stack."""

from __future__ import annotations

import re
from collections.abc import Iterator

from fwprobe.assess.binary import cuda_major, cuda_of_label, local_label, numpy_abi, variant
from fwprobe.assess.diagnoses.registry import Context, Finding, Subject, rule
from fwprobe.assess.messages import fill, first_line
from fwprobe.assess.requirements import requirement_fix
from fwprobe.catalog import normalize
from fwprobe.model import CompanionProbe, Distribution, Outcome, Severity


def _numpy_version(ctx: Context) -> str | None:
    found = ctx.installed_version("numpy")
    return found[1] if found else None


def _built_for(ctx: Context, s: Subject, comp: Distribution, fw_dist: Distribution) -> tuple[str, str | None]:
    """(what the companion was built for against what is installed, a fix when that explains it)."""
    unmet = next((u for u in ctx.unmet if normalize(u.requirer) == normalize(comp.name)
                  and u.key in s.fw.distributions), None)
    if unmet is not None:
        return (f"; it was built for {unmet.requirement} (its Requires-Dist), and {fw_dist.name} {fw_dist.version} "
                "is installed", requirement_fix(ctx.catalog, unmet))
    mine, theirs = local_label(comp.version), local_label(fw_dist.version)
    if mine and theirs and mine != theirs:
        return (f"; it is a {variant(mine)} build (+{mine}), {fw_dist.name} {fw_dist.version} a {variant(theirs)} one",
                f"install the {comp.name} build for +{theirs}, from the wheel index {fw_dist.name} came from: "
                f"pip install --force-reinstall '{comp.name}=={comp.version.split('+', 1)[0]}' --index-url <the "
                f"index of {fw_dist.name}'s +{theirs} builds>")
    pin = next((r for r in comp.requires if normalize(re.split(r"[^A-Za-z0-9._-]", r, maxsplit=1)[0])
                in s.fw.distributions and "extra" not in r), None)
    if pin:
        return f"; its Requires-Dist ({pin}) accepts {fw_dist.name} {fw_dist.version}", None
    return f"; its metadata names no {fw_dist.name} release it was built for", None


def _what(c: CompanionProbe) -> str:
    if c.outcome is Outcome.TIMEOUT:
        return "gave no answer" + (" importing" if c.step == "import" else f" running {c.op}")
    if c.outcome is Outcome.CRASHED:
        return "took the probe's process down" + (" importing" if c.step == "import" else f" running {c.op}")
    return "failed to import" if c.step == "import" else f"failed its native operation ({c.op})"


@rule("companion-broken", Severity.ERROR)
def companion_broken(ctx: Context, s: Subject) -> Iterator[Finding]:
    """An installed companion (torchvision, torchaudio, flash-attn, xformers, tf-keras, jax's CUDA
    plugin...) fails to import, or its smallest native operation fails, in the framework's probe
    process after the framework imported: quotes the error, names the framework release it was
    built for (its Requires-Dist, or its local version tag such as +cu130) against the one
    installed, and the fix. The framework's own outcome is untouched. A NumPy ABI failure is
    numpy-abi-mismatch's."""
    probe, fw_dist = s.probe, s.result.active_distribution
    if probe is None or fw_dist is None:
        return
    numpy = _numpy_version(ctx)
    installed = {normalize(d.name): d for d in s.result.companions if not d.shadowed}
    for c in probe.companions:
        comp = installed.get(normalize(c.distribution))
        if c.outcome is Outcome.OK or comp is None or numpy_abi(c.error_message, c.output_tail, numpy_version=numpy):
            continue
        error = f"{c.error_type}: {first_line(c.error_message)}" if c.error_type else first_line(c.error_message)
        built_for, fix = _built_for(ctx, s, comp, fw_dist)
        check = next((k for k in s.fw.companion_checks if k.distribution == normalize(comp.name)), None)
        release = ".".join(fw_dist.version.split("+", 1)[0].split(".")[:2])
        values = {"framework": fw_dist.name, "framework_version": fw_dist.version, "framework_release": release,
                  "companion": comp.name, "companion_version": comp.version}
        if fix is None and check is not None and check.hint:
            fix = fill(check.hint, values)
        if fix is None:
            fix = (f"reinstall {comp.name} for {fw_dist.name} {fw_dist.version}: pip install --force-reinstall "
                   f"--no-cache-dir {comp.name} (an 'undefined symbol' means it was compiled against another "
                   f"{fw_dist.name} release; a wheel built for this one, or a build here, fixes it)")
        yield Finding(f"{comp.name} {comp.version} ({s.fw.name} companion) {_what(c)} beside {fw_dist.name} "
                      f"{fw_dist.version}: {error}{built_for}", fix)


def _culprit(ctx: Context, module: str | None, fallback: str) -> str:
    """The distribution of ``module`` when one of that name is installed, else ``fallback``."""
    if module and ctx.inventory is not None:
        hit = ctx.inventory.of((normalize(module),))
        if hit:
            return hit[0].name
    return module or fallback


@rule("numpy-abi-mismatch", Severity.ERROR)
def numpy_abi_mismatch(ctx: Context, s: Subject) -> Iterator[Finding]:
    """A framework or companion (or a package it imports) carries an extension compiled against
    another major NumPy than the one installed, in NumPy's own words ("A module that was compiled
    using NumPy 1.x cannot be run in NumPy 2.x", "numpy.dtype size changed, may indicate binary
    incompatibility"): names the distribution that needs a build for this NumPy, or the NumPy it
    was built for."""
    probe = s.probe
    if probe is None:
        return
    numpy = _numpy_version(ctx)
    here = f"NumPy {numpy}" if numpy else "the installed NumPy"
    cases: list[tuple[str, str | None, str | None, str]] = []
    if probe.outcome in (Outcome.FAILED, Outcome.CRASHED):
        dist = s.result.active_distribution
        cases.append((dist.name if dist else s.fw.name, probe.error_message, probe.output_tail, s.fw.name))
    cases += [(c.distribution, c.error_message, c.output_tail, f"{s.fw.name}'s companion {c.distribution}")
              for c in probe.companions if c.outcome is not Outcome.OK]
    for name, error, said, where in cases:
        abi = numpy_abi(error, said, numpy_version=numpy)
        if abi is None:
            continue
        culprit = _culprit(ctx, abi.module, name)
        via = f" (imported by {where})" if normalize(culprit) != normalize(name) else ""
        if abi.built_for == "1.x":
            fix = (f"install a release of {culprit} built for NumPy 2 (pip install -U {culprit}), or keep NumPy 1 "
                   f"for it: pip install 'numpy<2'")
        else:
            fix = (f"{culprit} was built for NumPy 2: pip install -U 'numpy>=2' (if the rest of the stack allows), "
                   f"or install a {culprit} release built for NumPy 1")
        yield Finding(f"{culprit}{via} was compiled against NumPy {abi.built_for} and cannot run with {here}: "
                      f"\"{abi.quote}\"", fix)


_PLUGIN = re.compile(r"^jax-cuda(\d+)-(?:plugin|pjrt)$")
_NVIDIA_MAJOR = re.compile(r"^nvidia-.+-cu(\d+)$")


@rule("cuda-variant-mismatch", Severity.ERROR, scope="environment")
def cuda_variant_mismatch(ctx: Context) -> Iterator[Finding]:
    """The stack's CUDA variants disagree, from metadata alone: torch's local tag (+cu126, +cpu)
    against torchvision's and torchaudio's (an error across CUDA majors or CPU/CUDA, a warning
    within one), jax's CUDA plugins against jaxlib (their release, and the CUDA major of an old
    jaxlib+cudaNN) and against each other, and nvidia-*-cu12 wheels beside -cu13 ones (a warning:
    two copies of each library, loaded by whichever framework asks first)."""
    if ctx.inventory is None:
        return
    live = {normalize(d.name): d for d in ctx.inventory.distributions if not d.shadowed}
    yield from _torch_variants(live)
    yield from _jax_variants(ctx, live)
    yield from _nvidia_majors(live)


def _torch_variants(live: dict[str, Distribution]) -> Iterator[Finding]:
    torch = live.get("torch")
    mine = local_label(torch.version) if torch else None
    if torch is None or mine is None:
        return
    for name in ("torchvision", "torchaudio"):
        comp = live.get(name)
        theirs = local_label(comp.version) if comp else None
        if comp is None or theirs is None or theirs == mine:
            continue
        a, b = cuda_of_label(mine), cuda_of_label(theirs)
        same_major = a is not None and b is not None and a[0] == b[0]
        yield Finding(f"torch {torch.version} is a {variant(mine)} build, {comp.name} {comp.version} a {variant(theirs)} "
                      "one" + (": its operators may fail to load" if same_major else
                               ": its C++ operators will not load against this torch"),
                      f"install {comp.name} for +{mine} from the wheel index torch came from: pip install "
                      f"--force-reinstall '{comp.name}=={comp.version.split('+', 1)[0]}' --index-url <the index of "
                      f"torch's +{mine} builds>", severity=Severity.WARNING if same_major else None, framework="pytorch")


def _jax_variants(ctx: Context, live: dict[str, Distribution]) -> Iterator[Finding]:
    plugins = {name: d for name, d in live.items() if _PLUGIN.match(name)}
    majors = {int(_PLUGIN.match(name)[1]) for name in plugins}  # type: ignore[index]
    if len(majors) > 1:
        names = ", ".join(f"{d.name} {d.version}" for d in plugins.values())
        yield Finding(f"jax's CUDA plugins for CUDA {' and '.join(map(str, sorted(majors)))} are installed at once "
                      f"({names}): jax loads one and the other's libraries may shadow it",
                      f"keep the plugin for your driver's CUDA: pip uninstall -y "
                      f"{' '.join(n for n in plugins if int(_PLUGIN.match(n)[1]) != max(majors))}",  # type: ignore[index]
                      severity=Severity.WARNING, framework="jax")
    jaxlib = live.get("jaxlib")
    if jaxlib is None:
        return
    shown = {u.key for u in ctx.unmet}
    release = jaxlib.version.split("+", 1)[0]
    old_major = cuda_major(local_label(jaxlib.version))
    for name, d in plugins.items():
        major = int(_PLUGIN.match(name)[1])  # type: ignore[index]
        if old_major is not None and old_major != major:
            yield Finding(f"jaxlib {jaxlib.version} is built for CUDA {old_major}, but {d.name} {d.version} is for "
                          f"CUDA {major}", f"pip install -U 'jax[cuda{major}]' (a jaxlib without CUDA of its own, "
                          "with the plugin at its release)", framework="jax")
        elif d.version.split("+", 1)[0] != release and name not in shown:
            yield Finding(f"{d.name} {d.version} does not match jaxlib {jaxlib.version}: jax loads a CUDA plugin "
                          "only at jaxlib's own release, so it sees no GPU",
                          f"pip install '{d.name}=={release}' (or pip install -U 'jax[cuda{major}]' to move all three)",
                          framework="jax")


def _nvidia_majors(live: dict[str, Distribution]) -> Iterator[Finding]:
    by_major: dict[int, list[Distribution]] = {}
    for name, d in sorted(live.items()):
        if m := _NVIDIA_MAJOR.match(name):
            by_major.setdefault(int(m[1]), []).append(d)
    if len(by_major) < 2:
        return
    needed = {normalize(re.split(r"[^A-Za-z0-9._-]", r, maxsplit=1)[0])
              for d in live.values() for r in d.requires if r.startswith("nvidia-") and "extra" not in r}
    orphans = [d.name for dists in by_major.values() for d in dists if normalize(d.name) not in needed]
    listing = "; ".join(f"CUDA {major}: " + ", ".join(f"{d.name} {d.version}" for d in dists)
                        for major, dists in sorted(by_major.items()))
    fix = (f"remove the wheels nothing installed requires: pip uninstall -y {' '.join(orphans)}" if orphans else
           "the frameworks here need different CUDA majors: give each its own environment, or install all of them "
           "for one CUDA major (e.g. torch from the index of its +cu13x builds and pip install 'jax[cuda13]')")
    yield Finding(f"nvidia-* wheels for more than one CUDA major are installed ({listing}): each library then "
                  "exists twice and a process uses whichever copy it loads first", fix, severity=Severity.WARNING)
