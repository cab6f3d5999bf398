"""The `check` policy: requirements, GPU requirements, release age, and --fail-on. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import Version

from fwprobe.assess.diagnoses import DIAGNOSIS_CODES
from fwprobe.assess.diagnoses.registry import catalog_codes
from fwprobe.assess.messages import first_line
from fwprobe.assess.versions import parse_version
from fwprobe.catalog import Catalog, normalize
from fwprobe.errors import UsageError
from fwprobe.model import Check, FrameworkResult, Outcome, Report, Severity

SEVERITY_NAMES = tuple(s.value for s in Severity)


class FailOnError(UsageError, ValueError):
    """A ``--fail-on`` that names no severity and no known code (exit 2 in the CLI)."""


@dataclass(frozen=True)
class FailOn:
    """A parsed ``--fail-on``: a severity threshold, a set of codes, or neither (``none``)."""

    text: str
    threshold: Severity | None = None
    codes: frozenset[str] = frozenset()

    def fails(self, severity: Severity, code: str) -> bool:
        return (self.threshold is not None and severity.rank >= self.threshold.rank) or code in self.codes


def parse_fail_on(value: str, known: tuple[str, ...] = DIAGNOSIS_CODES) -> FailOn:
    """``--fail-on``: a severity (fail at or above it), ``none``, or a comma list of ``known`` codes.

    Raises FailOnError (a UsageError and a ValueError) naming the unknown codes and listing the known ones.
    """
    v = value.strip().lower()
    if v == "none":
        return FailOn(value)
    if v in SEVERITY_NAMES:
        return FailOn(value, Severity(v))
    codes = frozenset(c.strip() for c in v.split(",") if c.strip())
    unknown = codes - set(known)
    if not codes or unknown:
        bad = ", ".join(sorted(unknown)) or repr(value)
        raise FailOnError(f"--fail-on takes one of {', '.join(SEVERITY_NAMES)}, none, or a comma list of "
                         f"diagnosis codes (unknown: {bad}); codes: "
                         + ", ".join(known))
    return FailOn(value, None, codes)


def parse_requirements(specs: Iterable[str], catalog: Catalog) -> list[Requirement]:
    """``--require SPEC``s, each a PEP 440 requirement on a framework or companion of the catalog.
    Raises UsageError naming the bad one."""
    known = {d for fw in catalog.frameworks for d in (*fw.distributions, *fw.companions)}
    requirements = []
    for spec in specs:
        try:
            req = Requirement(spec)
        except InvalidRequirement as exc:
            raise UsageError(f"--require {spec!r} is not a PEP 440 requirement: {exc}") from None
        if normalize(req.name) not in known:
            raise UsageError(f"--require {req.name}: not a framework or companion in the catalog",
                             "known: " + ", ".join(sorted(known)))
        requirements.append(req)
    return requirements


def check_gpu_keys(keys: Iterable[str], catalog: Catalog) -> None:
    """``--require-gpu FW``s name frameworks of the catalog; raises UsageError for one that does not."""
    for key in keys:
        if catalog.get(key) is None:
            raise UsageError(f"--require-gpu {key}: unknown framework",
                             "known: " + ", ".join(fw.id for fw in catalog.frameworks))


def evaluate_checks(report: Report, catalog: Catalog, requires: Iterable[Requirement] = (),
                    require_gpu: Iterable[str] = (), fail_on: FailOn | str = "error",
                    max_age_days: int | None = None) -> tuple[Check, ...]:
    """One Check per policy item, each with a reason a person can act on, in this order:
    requirements, GPU requirements, release age, then diagnoses. Pure."""
    policy = parse_fail_on(fail_on) if isinstance(fail_on, str) else fail_on
    by_id = {r.id: r for r in report.frameworks}
    checks = [_requirement(report, catalog, by_id, req) for req in requires]
    checks += [_gpu(report, catalog, by_id, key) for key in require_gpu]
    if max_age_days is not None:
        checks += [_age(r, max_age_days) for r in report.frameworks if r.installed]
    return (*checks, *_diagnoses(report, policy))


def _requirement(report: Report, catalog: Catalog, by_id: dict[str, FrameworkResult], req: Requirement) -> Check:
    """``--require SPEC``: the distribution ``import`` finds (a framework's or a companion) satisfies it."""
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
        return Check(label, False, f"{req.name} is not installed (pip install '{req}')")
    v = parse_version(installed[1])
    ok = v is not None and req.specifier.contains(Version(v.public), prereleases=True)
    return Check(label, ok, f"{installed[0]} {installed[1]} is installed"
                 + ("" if ok else f", which does not satisfy {req.specifier} (pip install '{req}')"))


def _gpu(report: Report, catalog: Catalog, by_id: dict[str, FrameworkResult], key: str) -> Check:
    """``--require-gpu FW``: it imports, sees an accelerator and, when exercised, computes on each."""
    fw = catalog.get(key)
    label = f"require-gpu {key}"
    result = by_id.get(fw.id) if fw is not None else None
    if result is None or not result.installed:
        return Check(label, False, f"{key} is not installed")
    probe = result.probe
    if probe is None or probe.outcome is not Outcome.OK:
        why = probe.outcome.value if probe else "not probed"
        detail = f": {first_line(probe.error_message)}" if probe and probe.error_message else ""
        return Check(label, False, f"{result.name} did not import ({why}{detail})")
    acc = probe.accelerators
    failed = [e for e in probe.exercise if not e.passed and e.kind != "cpu"]
    exercised = [e for e in probe.exercise if e.kind != "cpu"]
    if acc and failed:
        first = failed[0]
        return Check(label, False, f"{result.name} {probe.version} sees {len(acc)} {acc[0].kind} "
                     f"device(s) but cannot compute on {', '.join(f'{e.kind}:{e.index}' for e in failed)}"
                     f" ({first.error_type}: {first_line(first.error_message)})")
    if acc and report.options.get("exercise") and not exercised:
        return Check(label, False, f"{result.name} {probe.version} sees {len(acc)} {acc[0].kind} "
                     "device(s), but its probe ran no computation on them (the probe kind has no "
                     "exercise): usable is not proven")
    if acc:
        names = ", ".join(dict.fromkeys(d.name or d.kind for d in acc))
        proven = f"; computed on {len(exercised)}" if exercised else ""
        return Check(label, True, f"{result.name} {probe.version} sees {len(acc)} "
                     f"{acc[0].kind} device(s): {names}{proven}")
    related = [d for d in report.diagnoses if d.framework == result.id and
               d.code in ("cpu-only-build-on-gpu-host", "gpu-not-visible", "driver-older-than-build")]
    hint = f" ({related[0].code}: fix: {related[0].hint})" if related else (
        " (CPU-only build)" if probe.build.cpu_only else "")
    return Check(label, False, f"{result.name} {probe.version} sees no accelerator{hint}")


def _age(r: FrameworkResult, max_age_days: int) -> Check:
    """``--max-age-days N``: the framework's newest release is at most N days old."""
    label = f"max-age-days {max_age_days} {r.id}"
    s = r.status
    if s is None or s.days_since_release is None:
        why = s.evidence if s else "no index data (--no-index)"
        return Check(label, False, f"cannot verify {r.name}'s release age: {why}")
    return Check(label, s.days_since_release <= max_age_days, f"{r.name}: {s.headline}")


def _diagnoses(report: Report, policy: FailOn) -> list[Check]:
    """``--fail-on``: a failed check per diagnosis it names, or one passed check saying none did."""
    # a finding about the catalog's own claims is its maintainers' business: it never fails a user
    failing = [d for d in report.diagnoses if policy.fails(d.severity, d.code) and d.code not in catalog_codes()]
    checks = [Check(f"diagnosis {d.code}" + (f" ({d.framework})" if d.framework else ""), False,
                    f"{d.message}; fix: {d.hint}") for d in failing]
    if not failing and (policy.threshold is not None or policy.codes):
        what = f"severity {policy.threshold.value} or above" if policy.threshold else ", ".join(sorted(policy.codes))
        checks.append(Check(f"fail-on {policy.text}", True, f"no diagnosis with {what}"))
    return checks
