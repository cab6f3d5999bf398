"""Pure judgement: observed status, claim verdicts, diagnoses, compatibility rules.

Nothing here touches a process, a file or the network: every function takes plain data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from fwprobe.catalog import Catalog, Framework, Thresholds, normalize
from fwprobe.model import (
    Check,
    Diagnosis,
    DistRelease,
    FrameworkResult,
    Outcome,
    Release,
    Report,
    Severity,
    Status,
    StatusAssessment,
    System,
    Verdict,
)

if TYPE_CHECKING:
    from fwprobe.inventory import Inventory

GPU_FRAMEWORKS = ("torch", "tensorflow", "jax")


def parse_version(text: str | None) -> Version | None:
    if not text:
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None


# ---------------------------------------------------------------------------------------------
# status from the package index


def observed_status(newest_date: dt.date | None, marker: str | None, today: dt.date,
                    thresholds: Thresholds) -> Status:
    """Status from the newest upload date and the index's project status marker."""
    if marker in ("archived",):
        return Status.ARCHIVED
    if marker in ("deprecated",):
        return Status.DEPRECATED
    if newest_date is None:
        return Status.UNKNOWN
    age = (today - newest_date).days
    if age <= thresholds.active_days:
        return Status.ACTIVE
    if age <= thresholds.stale_days:
        return Status.STALE
    return Status.UNMAINTAINED


_CONFIRMS: dict[str, tuple[Status, ...]] = {
    "active": (Status.ACTIVE,),
    "stale": (Status.STALE,),
    "unmaintained": (Status.UNMAINTAINED, Status.ARCHIVED, Status.DEPRECATED),
    "archived": (Status.ARCHIVED,),
    "deprecated": (Status.DEPRECATED, Status.ARCHIVED),
    # "integrated": the standalone distribution no longer has a life of its own
    "integrated": (Status.UNMAINTAINED, Status.ARCHIVED, Status.DEPRECATED),
}
# Observed statuses that neither confirm nor contradict a claim.
_AMBIGUOUS: dict[str, tuple[Status, ...]] = {
    "unmaintained": (Status.STALE,),
    "integrated": (Status.STALE,),
    "stale": (),
}


def verdict(claimed: str, observed: Status) -> Verdict:
    if observed is Status.UNKNOWN or observed in _AMBIGUOUS.get(claimed, ()):
        return Verdict.UNVERIFIED
    return Verdict.CONFIRMED if observed in _CONFIRMS.get(claimed, ()) else Verdict.CONTRADICTED


def _date(release: Release | None) -> dt.date | None:
    if release is None or not release.date:
        return None
    try:
        return dt.date.fromisoformat(release.date[:10])
    except ValueError:
        return None


def _newest(infos: Iterable[DistRelease]) -> tuple[Release | None, str | None]:
    """The most recent upload (stable or pre-release) across distributions, and whose it is."""
    best: tuple[dt.date, Release, str] | None = None
    for info in infos:
        for rel in (info.newest, info.newest_prerelease):
            day = _date(rel)
            if rel is not None and day is not None and (best is None or day > best[0]):
                best = (day, rel, info.name)
    return (best[1], best[2]) if best else (None, None)


def _describe(rel: Release | None, dist: str | None, today: dt.date) -> str:
    day = _date(rel)
    if rel is None or day is None:
        return "no release date known"
    return f"newest release {dist} {rel.version} on {day.isoformat()}, {(today - day).days} days ago"


def assess_status(fw: Framework, infos: Mapping[str, DistRelease], today: dt.date,
                  thresholds: Thresholds, installed_version: str | None = None,
                  installed_dist: str | None = None) -> StatusAssessment:
    """Observed status of ``fw`` from its distributions' index answers; the claim's verdict."""
    mine = [infos[d] for d in fw.distributions if d in infos]
    ok = [i for i in mine if i.ok]
    if not ok:
        reasons = "; ".join(f"{i.name}: {i.error}" for i in mine if i.error) or "no index answer"
        return StatusAssessment(Status.UNKNOWN, Verdict.UNVERIFIED, f"unknown: {reasons}")
    canonical = infos.get(fw.distributions[0])
    marker = canonical.project_status if canonical is not None and canonical.ok else None
    newest, newest_dist = _newest(ok)
    observed = observed_status(_date(newest), marker, today, thresholds)
    evidence = _describe(newest, newest_dist, today)
    if marker and marker != "active":
        reason = canonical.project_status_reason if canonical else None
        evidence = f"index marks {fw.distributions[0]} as {marker}" + (f" ({reason})" if reason else "") + f"; {evidence}"
    if newest is not None and newest.prerelease:
        stable, stable_dist = _newest([DistRelease(i.name, True, newest=i.newest) for i in ok])
        if stable is not None:
            evidence += f" (newest stable {stable_dist} {stable.version} on {(stable.date or '')[:10]})"
    if fw.claimed_status == "integrated" and observed is Status.ACTIVE:
        evidence = (f"the standalone {fw.distributions[0]} distribution has releases of its own, not only "
                    f"as part of {fw.integrated_into}: {evidence}")
    recent = sum(i.releases_last_365_days for i in ok)
    if recent:
        evidence += f"; {recent} release(s) in the last 365 days"
    result = verdict(fw.claimed_status, observed)

    forks: list[dict[str, object]] = []
    if fw.forks:
        for fork in fw.forks:
            info = infos.get(fork)
            if info is None:
                continue
            rel, _ = _newest([info]) if info.ok else (None, None)
            fstatus = observed_status(_date(rel), info.project_status if info.ok else None, today,
                                      thresholds) if info.ok else Status.UNKNOWN
            forks.append({"distribution": fork, "status": fstatus.value,
                          "newest": rel.version if rel else None,
                          "date": rel.date[:10] if rel and rel.date else None,
                          "error": info.error})
        active = [f for f in forks if f["status"] == Status.ACTIVE.value]
        known = [f for f in forks if f["status"] != Status.UNKNOWN.value]
        if active:
            evidence += "; active fork(s): " + ", ".join(
                f"{f['distribution']} {f['newest']} ({f['date']})" for f in active)
        elif known:
            evidence += "; no active fork: " + ", ".join(
                f"{f['distribution']} {f['status']}" for f in known)
            if result is Verdict.CONFIRMED and "fork" in fw.claim:
                result = Verdict.CONTRADICTED

    behind = None
    if installed_version and installed_dist:
        info = infos.get(normalize(installed_dist))
        if info is not None and info.ok:
            behind = releases_behind(installed_version, info)
    return StatusAssessment(observed, result, evidence, newest, newest_dist,
                            (today - d).days if (d := _date(newest)) else None, recent,
                            tuple(forks), behind)


def releases_behind(installed: str, info: DistRelease) -> int | None:
    """How many non-yanked stable releases are newer than ``installed``; None if unparsable."""
    mine = parse_version(installed)
    if mine is None:
        return None
    mine_public = Version(mine.public)
    count = 0
    for rel in info.releases:
        v = parse_version(rel.version)
        if v is not None and not v.is_prerelease and not rel.yanked and v > mine_public:
            count += 1
    return count


def installed_release(installed: str, info: DistRelease) -> Release | None:
    """The index's record of the installed version (local labels like +cpu ignored)."""
    mine = parse_version(installed)
    for rel in info.releases:
        v = parse_version(rel.version)
        if (mine is not None and v is not None and v == Version(mine.public)) or rel.version == installed:
            return rel
    return None


def with_status(result: FrameworkResult, fw: Framework, catalog: Catalog,
                infos: Mapping[str, DistRelease], now: dt.datetime,
                inv: Inventory | None = None) -> FrameworkResult:
    """``result`` with its index answers, status assessment and yanked flags filled in."""
    active = result.active_distribution
    status = assess_status(fw, infos, now.date(), catalog.thresholds,
                           active.version if active else None, active.name if active else None)
    dists = []
    for dist in result.distributions:
        info = infos.get(normalize(dist.name))
        rel = installed_release(dist.version, info) if info is not None and info.ok else None
        dists.append(replace(dist, yanked=rel.yanked if rel else None,
                             yanked_reason=rel.yanked_reason if rel else None))
    names = set(fw.distributions) | set(fw.forks)
    return replace(result, distributions=tuple(dists), status=status,
                   index=tuple(infos[n] for n in sorted(names) if n in infos))


# ---------------------------------------------------------------------------------------------
# diagnoses


def _release(text: str | None) -> tuple[int, int] | None:
    m = re.match(r"(\d+)\.(\d+)", text or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


def _first_line(text: str | None, limit: int = 240) -> str:
    """The line that says what went wrong: a compiler's first ``error:`` if any, else line 1."""
    text = (text or "").strip()
    m = re.search(r"error: (.+?)(?:\.\s|\n|$)", text)
    head = text.split(":", 1)[0] if m else ""
    line = f"{head}: ... error: {m.group(1)}" if m else (text.splitlines()[0] if text else "")
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _visible_devices_problem(system: System) -> str | None:
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


def _cuda_build_hint(probe_name: str, system: System) -> str:
    cuda = system.cuda_driver_version or "your driver's CUDA version"
    major = (_release(system.cuda_driver_version) or (12, 0))[0]
    if probe_name == "torch":
        return (f"install a CUDA build of torch: choose the wheel index for a CUDA release <= {cuda} "
                "in PyTorch's install selector, then `pip install --force-reinstall torch "
                "--index-url <that index>` (a '+cpu' version suffix means a CPU-only wheel)")
    if probe_name == "tensorflow":
        return ("pip uninstall -y tensorflow-cpu; pip install 'tensorflow[and-cuda]' "
                "(Linux; TensorFlow's CUDA libraries come as pip packages)")
    return f"pip install -U 'jax[cuda{major}]' (the CUDA plugin for driver CUDA {cuda})"


def _is_cpu_only(result: FrameworkResult) -> bool | None:
    """CPU-only build, from the probe or (without one) the distribution's own name/version."""
    probe = result.probe
    if probe is not None and probe.outcome is Outcome.OK and probe.build.cpu_only is not None:
        return probe.build.cpu_only
    dist = result.active_distribution
    if dist is None:
        return None
    if dist.version.endswith("+cpu") or normalize(dist.name) in ("tensorflow-cpu", "tf-nightly-cpu"):
        return True
    return None


def _import_hint(fw: Framework, result: FrameworkResult, report: Report, catalog: Catalog,
                 inv: Inventory | None) -> str:
    probe = result.probe
    assert probe is not None
    msg = probe.error_message or ""
    dist = result.active_distribution
    pin = f"{dist.name}=={dist.version}" if dist else fw.distributions[0]
    if fw.probe == "keras" and "No module named" in msg:
        missing = re.search(r"No module named '([\w.]+)'", msg)
        # a backend that is installed here, whether or not --framework selected it
        here = [b for b in ("torch", "jax") if (bfw := catalog.get(b)) is not None and (
            any(r.installed for r in report.frameworks if r.id == bfw.id)
            or (inv is not None and inv.installed(bfw)))]
        source = (probe.details.get("keras_backend_source") or {}).get("source") or "Keras 3's default"
        if here and missing and missing.group(1) == "tensorflow":
            return (f"Keras uses the TensorFlow backend (from {source}), which is not installed; "
                    f"{here[0]} is: set KERAS_BACKEND={here[0]} (or \"backend\": \"{here[0]}\" in "
                    "keras.json under $KERAS_HOME or ~/.keras)")
        return (f"Keras 3 needs a backend and found none ({missing.group(1) if missing else 'missing'}): "
                "pip install torch (or jax, or tensorflow) and set KERAS_BACKEND=torch|jax|tensorflow "
                "or \"backend\" in ~/.keras/keras.json")
    if fw.probe == "theano" and ("PyInt_" in msg or "Compilation failed" in msg):
        return ("Theano 1.0.5 cannot compile its C extensions on this Python/NumPy and is unmaintained: "
                "move to its maintained fork (pip install pytensor; import pytensor) or run it on an "
                "old stack (Python <= 3.9 with numpy < 1.22)")
    if fw.probe == "theano" and "blas_opt_info" in msg:
        return ("Theano 1.0.5 reads numpy.distutils' BLAS config, gone in NumPy >= 1.22: "
                "pip install 'numpy<1.22' on an old Python, or move to pytensor")
    if "No module named" in msg:
        return f"a dependency is missing: pip install --force-reinstall {pin} (reinstalls its requirements)"
    return (f"run `{{python}} -c \"import {fw.import_name}\"` to see the full traceback; "
            f"reinstalling often helps: pip install --force-reinstall {pin}")


def diagnose(report: Report, catalog: Catalog, inv: Inventory | None = None,
             environ: Mapping[str, str] | None = None) -> tuple[Diagnosis, ...]:
    """Coded findings with severity, message and a concrete hint, most severe first."""
    import os

    env = os.environ if environ is None else environ
    system = report.system or System()
    python = report.target.executable if report.target else "python"
    found: list[Diagnosis] = []

    def add(code: str, severity: Severity, message: str, hint: str, fw: str | None = None) -> None:
        found.append(Diagnosis(code, severity, message, hint.replace("{python}", python), fw))

    hides = _visible_devices_problem(system)
    if hides:
        add("cuda-visible-devices-hides-all", Severity.ERROR if system.gpus else Severity.WARNING,
            hides, "unset CUDA_VISIBLE_DEVICES, or set it to indices that exist "
            f"(0-{max(len(system.gpus) - 1, 0)}) or GPU UUIDs from `nvidia-smi -L`")

    for result in report.frameworks:
        fw = catalog.get(result.id)
        if fw is None or not result.installed:
            continue
        live = [d for d in result.distributions if not d.shadowed]
        distinct = sorted({normalize(d.name) for d in live})
        if len(distinct) > 1:
            listed = " + ".join(f"{d.name} {d.version}" for d in live)
            add("conflicting-distributions", Severity.ERROR,
                f"{fw.name} is installed from {len(distinct)} distributions at once ({listed}); "
                "they write the same files, so what imports is whichever was installed last",
                f"pip uninstall -y {' '.join(distinct)} && pip install {distinct[0]} "
                "(keep exactly one)", fw.id)

        probe = result.probe
        if probe is not None:
            where = f"{fw.name} {probe.version or (live[0].version if live else '')}".strip()
            if probe.outcome is Outcome.FAILED:
                add("import-failed", Severity.ERROR,
                    f"{where} failed to import: {probe.error_type}: {_first_line(probe.error_message)}",
                    _import_hint(fw, result, report, catalog, inv), fw.id)
            elif probe.outcome is Outcome.CRASHED:
                add("import-crashed", Severity.ERROR,
                    f"{where} crashed the interpreter while {'importing' if probe.phase in (None, 'import') else 'querying devices'}: "
                    f"{probe.error_message}",
                    f"run `{{python}} -X faulthandler -c \"import {fw.import_name}\"` for a stack; "
                    "crashes on import usually mean a binary wheel built for another Python, NumPy "
                    "or CPU: reinstall the framework for this interpreter", fw.id)
            elif probe.outcome is Outcome.TIMEOUT:
                add("probe-timeout", Severity.WARNING, f"{where}: {probe.error_message}",
                    "raise --timeout (a first import may compile caches), or look for a hang with "
                    f"`{{python}} -X importtime -c \"import {fw.import_name}\"`", fw.id)

        if fw.probe in GPU_FRAMEWORKS and system.gpus:
            cpu_only = _is_cpu_only(result)
            if cpu_only:
                add("cpu-only-build-on-gpu-host", Severity.ERROR,
                    f"{fw.name} {live[0].version if live else ''} is a CPU-only build, but this machine "
                    f"has {len(system.gpus)} NVIDIA GPU(s) ({system.gpus[0].name})",
                    _cuda_build_hint(fw.probe, system), fw.id)
            elif (probe is not None and probe.outcome is Outcome.OK and cpu_only is False
                  and not probe.accelerators and not hides):
                built = probe.build.cuda or probe.build.rocm
                add("gpu-not-visible", Severity.ERROR,
                    f"{fw.name} {probe.version} is built for CUDA {built} and the machine has "
                    f"{len(system.gpus)} GPU(s), but {fw.name} sees none"
                    + (f" ({probe.notes[0]})" if probe.notes else ""),
                    "check that the process can open /dev/nvidia* (containers: --gpus all), that "
                    "CUDA_VISIBLE_DEVICES is not restricting it, and that the framework's CUDA "
                    "libraries load (LD_LIBRARY_PATH, pip's nvidia-* packages)", fw.id)

        if probe is not None and probe.outcome is Outcome.OK and system.cuda_driver_version:
            built_r, driver_r = _release(probe.build.cuda), _release(system.cuda_driver_version)
            if built_r and driver_r and built_r > driver_r:
                same_major = built_r[0] == driver_r[0]
                add("driver-older-than-build", Severity.WARNING if same_major else Severity.ERROR,
                    f"{fw.name} {probe.version} is built for CUDA {probe.build.cuda}, but the NVIDIA "
                    f"driver {system.driver_version} supports CUDA {system.cuda_driver_version}"
                    + (" (minor-version compatibility usually covers this, but PTX JIT and newer "
                       "features fail)" if same_major else ""),
                    f"upgrade the NVIDIA driver to one supporting CUDA {probe.build.cuda}, or install "
                    f"a {fw.name} build for CUDA <= {system.cuda_driver_version}", fw.id)

        if result.status is not None:
            active = result.active_distribution
            for dist in live:
                if dist.yanked:
                    add("yanked-installed", Severity.WARNING,
                        f"{dist.name} {dist.version} is yanked on the index"
                        + (f": {dist.yanked_reason}" if dist.yanked_reason else ""),
                        f"pip install --upgrade '{dist.name}!={dist.version}'", fw.id)
            if result.status.observed in (Status.UNMAINTAINED, Status.ARCHIVED, Status.DEPRECATED):
                fork = next((f for f in result.status.forks if f.get("status") == "active"), None)
                add("unmaintained-installed", Severity.WARNING,
                    f"{fw.name} {active.version if active else ''} is installed, but the project is "
                    f"{result.status.observed.value}: {result.status.evidence.split(';')[0]}",
                    "plan a move to a maintained alternative"
                    + (f" such as {fork['distribution']} (pip install {fork['distribution']})" if fork else ""),
                    fw.id)

    if inv is not None:
        found += _compat(catalog, inv, env)

    for result in report.frameworks:
        if result.status is not None and result.status.verdict is Verdict.CONTRADICTED:
            add("claim-contradicted", Severity.INFO,
                f"the catalog says {result.name} is \"{result.claim}\", but the index shows "
                f"{result.status.observed.value}: {result.status.evidence}",
                "update the catalog's claim (fwprobe status --format markdown drafts the table)",
                result.id)

    return tuple(sorted(found, key=lambda d: -d.severity.rank))


def _installed(catalog: Catalog, inv: Inventory, name: str) -> tuple[str, str] | None:
    """(distribution, version) import would find for ``name``: any spelling of a framework."""
    fw = catalog.get(name)
    names = fw.distributions if fw is not None and name in fw.distributions else (name,)
    for dist in inv.of(names):
        if not dist.shadowed:
            return dist.name, dist.version
    return None


def _compat(catalog: Catalog, inv: Inventory, env: Mapping[str, str]) -> list[Diagnosis]:
    out: list[Diagnosis] = []
    for rule in catalog.compat:
        when = _installed(catalog, inv, rule.when)
        if when is None or (rule.env and not env.get(rule.env)):
            continue
        wv = parse_version(when[1])
        if rule.when_version and (wv is None or not SpecifierSet(rule.when_version).contains(wv, prereleases=True)):
            continue
        other = _installed(catalog, inv, rule.other)
        required = ""
        if rule.test == "other-missing":
            bad = other is None
        elif other is None:
            continue
        elif rule.test == "same-release":
            bad = _release(other[1]) != _release(when[1])
        elif rule.test == "requires-dist":
            required, bad = _violates_requires(inv, when[0], rule.other, other[1])
        else:
            ov = parse_version(other[1])
            bad = ov is not None and SpecifierSet(rule.other_version).contains(ov, prereleases=True)
        if not bad:
            continue
        values = {"when": when[0], "when_version": when[1], "other": rule.other,
                  "other_version": other[1] if other else "(not installed)", "required": required,
                  "when_release": ".".join(map(str, _release(when[1]) or ())),
                  "other_release": ".".join(map(str, _release(other[1]) or ())) if other else ""}
        fw = catalog.get(rule.when)
        out.append(Diagnosis("incompatible-pair", Severity.ERROR,
                             _fill(rule.message, values) + f" [{rule.id}]", _fill(rule.hint, values),
                             fw.id if fw is not None else None))
    return out


def _fill(template: str, values: Mapping[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def _violates_requires(inv: Inventory, dist_name: str, other: str, other_version: str) -> tuple[str, bool]:
    """(the requirement text, whether ``other_version`` violates it) from dist's Requires-Dist."""
    dist = next((d for d in inv.of((normalize(dist_name),)) if not d.shadowed), None)
    ov = parse_version(other_version)
    if dist is None or ov is None:
        return "", False
    for text in dist.requires:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if normalize(req.name) != other or (req.marker is not None and "extra" in str(req.marker)):
            continue
        try:
            ok = req.specifier.contains(Version(ov.public), prereleases=True)
        except InvalidSpecifier:  # pragma: no cover - packaging validated it already
            continue
        return f"{req.name}{req.specifier}", not ok
    return "", False


# ---------------------------------------------------------------------------------------------
# `check` policy

SEVERITY_NAMES = tuple(s.value for s in Severity)


def parse_fail_on(value: str) -> tuple[Severity | None, frozenset[str]]:
    """``--fail-on``: a severity (fail at or above it), ``none``, or a comma list of codes."""
    v = value.strip().lower()
    if v == "none":
        return None, frozenset()
    if v in SEVERITY_NAMES:
        return Severity(v), frozenset()
    codes = frozenset(c.strip() for c in v.split(",") if c.strip())
    unknown = codes - set(DIAGNOSIS_CODES)
    if not codes or unknown:
        raise ValueError(f"--fail-on takes one of {', '.join(SEVERITY_NAMES)}, none, or a comma list of "
                         f"diagnosis codes (unknown: {', '.join(sorted(unknown)) or value!r}); codes: "
                         + ", ".join(DIAGNOSIS_CODES))
    return None, codes


DIAGNOSIS_CODES = (
    "cpu-only-build-on-gpu-host", "gpu-not-visible", "cuda-visible-devices-hides-all",
    "driver-older-than-build", "import-failed", "import-crashed", "probe-timeout",
    "conflicting-distributions", "incompatible-pair", "yanked-installed", "unmaintained-installed",
    "claim-contradicted",
)


def evaluate_checks(report: Report, catalog: Catalog, requires: Iterable[Requirement] = (),
                    require_gpu: Iterable[str] = (), fail_on: str = "error",
                    max_age_days: int | None = None) -> tuple[Check, ...]:
    """One Check per policy item, each with a reason a person can act on. Pure."""
    checks: list[Check] = []
    by_id = {r.id: r for r in report.frameworks}

    for req in requires:
        name = normalize(req.name)
        fw = catalog.get(name)
        result = by_id.get(fw.id) if fw is not None and name in fw.distributions else None
        if result is not None:
            dist = result.active_distribution
            installed = (dist.name, dist.version) if dist else None
        else:
            installed = next(((c.name, c.version) for r in report.frameworks
                              for c in (*r.companions, *r.distributions)
                              if normalize(c.name) == name and not c.shadowed), None)
        label = f"require {req}"
        if installed is None:
            checks.append(Check(label, False, f"{req.name} is not installed (pip install '{req}')"))
            continue
        v = parse_version(installed[1])
        ok = v is not None and req.specifier.contains(Version(v.public), prereleases=True)
        checks.append(Check(label, ok, f"{installed[0]} {installed[1]} is installed"
                            + ("" if ok else f", which does not satisfy {req.specifier} (pip install '{req}')")))

    for key in require_gpu:
        fw = catalog.get(key)
        label = f"require-gpu {key}"
        result = by_id.get(fw.id) if fw is not None else None
        if result is None or not result.installed:
            checks.append(Check(label, False, f"{key} is not installed"))
            continue
        probe = result.probe
        if probe is None or probe.outcome is not Outcome.OK:
            why = probe.outcome.value if probe else "not probed"
            detail = f": {_first_line(probe.error_message)}" if probe and probe.error_message else ""
            checks.append(Check(label, False, f"{result.name} did not import ({why}{detail})"))
            continue
        acc = probe.accelerators
        if acc:
            names = ", ".join(dict.fromkeys(d.name or d.kind for d in acc))
            checks.append(Check(label, True, f"{result.name} {probe.version} sees {len(acc)} "
                                f"{acc[0].kind} device(s): {names}"))
        else:
            related = [d for d in report.diagnoses if d.framework == result.id and
                       d.code in ("cpu-only-build-on-gpu-host", "gpu-not-visible", "driver-older-than-build")]
            hint = f" ({related[0].code}: fix: {related[0].hint})" if related else (
                " (CPU-only build)" if probe.build.cpu_only else "")
            checks.append(Check(label, False, f"{result.name} {probe.version} sees no accelerator{hint}"))

    if max_age_days is not None:
        for r in report.frameworks:
            if not r.installed:
                continue
            label = f"max-age-days {max_age_days} {r.id}"
            s = r.status
            if s is None or s.days_since_release is None:
                why = s.evidence if s else "no index data (--no-index)"
                checks.append(Check(label, False, f"cannot verify {r.name}'s release age: {why}"))
            else:
                ok = s.days_since_release <= max_age_days
                checks.append(Check(label, ok, f"{r.name}: {s.evidence.split(';')[0]}"))

    threshold, codes = parse_fail_on(fail_on)
    failing = [d for d in report.diagnoses
               if (threshold is not None and d.severity.rank >= threshold.rank) or d.code in codes]
    for d in failing:
        where = f" ({d.framework})" if d.framework else ""
        checks.append(Check(f"diagnosis {d.code}{where}", False, f"{d.message}; fix: {d.hint}"))
    if not failing and (threshold is not None or codes):
        what = f"severity {threshold.value} or above" if threshold else ", ".join(sorted(codes))
        checks.append(Check(f"fail-on {fail_on}", True, f"no diagnosis with {what}"))
    return tuple(checks)
