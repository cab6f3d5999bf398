"""Every checkable claim of the catalog, judged on evidence from the index and from probes. Pure.

Each evidence kind of the catalog (catalog.EVIDENCE_KINDS) has one evaluator here; a test keeps
the two in step. An evaluator returns (verdict, evidence, source); evidence it cannot reach is
``unverified`` with the reason, never a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from fwprobe.catalog import Claim, Framework, Thresholds, normalize
from fwprobe.model import ClaimVerdict, DistRelease, Outcome, ProbeResult, Verdict


@dataclass(frozen=True)
class ProbeEvidence:
    """One probe of the framework, in one interpreter (``status --python PATH``)."""

    probe: ProbeResult
    version: str | None
    python: str


Judgement = tuple[Verdict, str, str]


def _value_at(probe: ProbeResult, key: str) -> tuple[bool, Any]:
    """(found, value) at a dotted path: execution.X or details.X[.Y]."""
    head, _, rest = key.partition(".")
    data: Any = {"execution": probe.execution, "details": probe.details}.get(head)
    for part in rest.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return False, None
        data = data[part]
    return True, data


def _probe(claim: Claim, info: DistRelease | None, probes: Sequence[ProbeEvidence],
           checked: str) -> Judgement:
    usable = [p for p in probes if p.probe.outcome is Outcome.OK]
    if not usable:
        why = "; ".join(f"{p.python}: {p.probe.outcome.value}" for p in probes) or "no --python names an environment with it"
        return Verdict.UNVERIFIED, f"no successful probe ({why})", "probe"
    for p in usable:
        found, value = _value_at(p.probe, claim.key)
        source = f"probe of {p.version or '?'} in {p.python}"
        if not found or value is None:
            continue
        ok = value == claim.expect
        detail = f"{claim.key} is {value!r}"
        if claim.key == "execution.torchscript_deprecated" and p.probe.details.get("torchscript_warning"):
            detail += f" (torch.jit.script warns: {p.probe.details['torchscript_warning']})"
        if claim.key == "details.keras_multi_backend" and p.probe.details.get("keras_backends"):
            detail += f" (it ships the backends: {', '.join(map(str, p.probe.details['keras_backends']))})"
        if claim.note:
            detail += f"; {claim.note}"
        return (Verdict.CONFIRMED if ok else Verdict.CONTRADICTED), detail, source
    return Verdict.UNVERIFIED, f"the probe does not report {claim.key}", f"probe of {usable[0].version or '?'}"


def _meta_or_reason(info: DistRelease | None) -> tuple[Any, str | None]:
    if info is None or info.meta is None:
        return None, "no per-project metadata was fetched"
    if info.meta.error:
        return None, info.meta.error
    return info.meta, None


def _requires(claim: Claim, info: DistRelease | None, probes: Sequence[ProbeEvidence],
              checked: str) -> Judgement:
    meta, why = _meta_or_reason(info)
    if meta is None:
        return Verdict.UNVERIFIED, f"unverifiable: {why}", "index"
    names = []
    for text in meta.requires_dist:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if req.marker is None or "extra" not in str(req.marker):
            names.append(normalize(req.name))
    has = normalize(claim.key) in names
    listed = ", ".join(sorted(set(names))) or "nothing"
    evidence = (f"{info.name if info else '?'} {meta.version}'s Requires-Dist "
                f"{'names' if has else 'does not name'} {claim.key} (it requires: {listed})")
    return (Verdict.CONFIRMED if has == claim.expect else Verdict.CONTRADICTED), evidence, "index"


def _classifier(claim: Claim, info: DistRelease | None, probes: Sequence[ProbeEvidence],
                checked: str) -> Judgement:
    meta, why = _meta_or_reason(info)
    if meta is None:
        return Verdict.UNVERIFIED, f"unverifiable: {why}", "index"
    present = claim.key in meta.classifiers
    if present == claim.expect:
        return Verdict.CONFIRMED, f"{meta.version} is classified {claim.key!r}" if present else \
            f"{meta.version} is not classified {claim.key!r}", "index"
    if present:
        return Verdict.CONTRADICTED, f"{meta.version} is classified {claim.key!r}", "index"
    return Verdict.UNVERIFIED, f"{meta.version} carries no {claim.key!r} classifier (absence proves nothing)", "index"


def _maintainer(claim: Claim, info: DistRelease | None, probes: Sequence[ProbeEvidence],
                checked: str) -> Judgement:
    meta, why = _meta_or_reason(info)
    if meta is None or not meta.maintainer:
        return Verdict.UNVERIFIED, f"unverifiable: {why or 'the index names no author or maintainer'}", "index"
    if re.search(claim.key, meta.maintainer):
        return Verdict.CONFIRMED, f"the index names {meta.maintainer}", "index"
    return Verdict.UNVERIFIED, f"the index names {meta.maintainer}, which does not settle it", "index"


_CPYTHON = re.compile(r"-cp3(\d+)-")


def _index_status(claim: Claim, info: DistRelease | None, probes: Sequence[ProbeEvidence],
                  checked: str) -> Judgement:
    """Whether ``claim.key`` had a release within the default active threshold (365 days) of ``checked``."""
    if info is None or not info.ok:
        return Verdict.UNVERIFIED, f"unverifiable: the index gave no answer for {claim.key}" + (
            f" ({info.error})" if info is not None and info.error else ""), "index"
    if info.newest is None or info.newest.day is None:
        return Verdict.UNVERIFIED, f"unverifiable: the index shows no dated release of {claim.key}", "index"
    days = (dt.date.fromisoformat(checked) - info.newest.day).days
    active = days <= Thresholds().active_days
    pythons = sorted({int(m) for f in info.newest_files for m in _CPYTHON.findall(f)})
    wheels = (f"; its wheels are for CPython {', '.join(f'3.{m}' for m in pythons)}" if pythons else
              "; its files: " + ", ".join(info.newest_files[:3]) if info.newest_files else "")
    evidence = (f"{claim.key}'s newest release is {info.newest.version} of {info.newest.day}, {days} days before "
                f"{checked} ({'a release' if active else 'no release'} within {Thresholds().active_days} days"
                f"; {info.releases_last_365_days} in the last 365){wheels}")
    if claim.note:
        evidence += f"; {claim.note}"
    return (Verdict.CONFIRMED if active == claim.expect else Verdict.CONTRADICTED), evidence, "index"


EVALUATORS: dict[str, Callable[[Claim, DistRelease | None, Sequence[ProbeEvidence], str], Judgement]] = {
    "probe": _probe, "index-requires": _requires, "index-classifier": _classifier, "index-maintainer": _maintainer,
    "index-status": _index_status,
}


def judge_claims(fw: Framework, infos: Mapping[str, DistRelease], probes: Sequence[ProbeEvidence],
                 checked: str) -> tuple[ClaimVerdict, ...]:
    """A verdict with dated evidence and its source for each of ``fw``'s claims."""
    out = []
    for claim in fw.claims:
        info = infos.get(normalize(claim.key) if claim.evidence == "index-status" else fw.distributions[0])
        verdict, evidence, source = EVALUATORS[claim.evidence](claim, info, probes, checked)
        out.append(ClaimVerdict(claim.id, claim.column, claim.statement, verdict, evidence, source, checked))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# health: does the newest release install on a CPython still supported upstream?


def _wheel_pythons(filename: str) -> tuple[set[tuple[int, int]] | None, int | None]:
    """(exact 3.x minors, or None for any py3) and an abi3 floor, from a wheel's python/abi tags."""
    parts = filename[:-4].split("-")
    if len(parts) < 5:
        return set(), None
    pytags, abi = parts[-3].split("."), parts[-2]
    exact: set[tuple[int, int]] = set()
    floor = None
    for tag in pytags:
        if tag in ("py3", "py2.py3") or (tag.startswith("py3") and not tag[3:]):
            return None, None
        m = re.fullmatch(r"(?:cp|py)3(\d+)", tag)
        if m:
            minor = int(m.group(1))
            if abi == "abi3" or tag.startswith("py"):
                floor = minor if floor is None else min(floor, minor)
            else:
                exact.add((3, minor))
    return exact, floor


def installability(files: Sequence[str], requires_python: str | None, classifiers: Sequence[str],
                   supported: Sequence[str]) -> tuple[bool | None, str]:
    """Whether the newest release installs on one of the ``supported`` CPythons ("3.10"...), and why."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    minors = [tuple(int(x) for x in v.split(".")[:2]) for v in supported]
    wheels = [f for f in files if f.endswith(".whl")]
    if wheels:
        for f in wheels:
            exact, floor = _wheel_pythons(f)
            if exact is None or any(m in exact for m in minors) or (floor is not None and any(m[1] >= floor for m in minors)):
                return True, f"a wheel for a supported CPython ({f})"
        return False, (f"no wheel of the newest release runs on CPython {', '.join(supported)} "
                       f"(its wheels: {', '.join(sorted(wheels)[:4])}{'...' if len(wheels) > 4 else ''})")
    if requires_python:
        try:
            spec = SpecifierSet(requires_python)
        except InvalidSpecifier:
            spec = None
        if spec is not None and not any(spec.contains(f"{a}.{b}") for a, b in minors):
            return False, f"Requires-Python {requires_python} excludes CPython {', '.join(supported)}"
    declared = [tuple(int(x) for x in m.groups()) for c in classifiers
                if (m := re.fullmatch(r"Programming Language :: Python :: (\d+)\.(\d+)", c))]
    if files and declared and max(declared) < min(minors):
        newest = ".".join(map(str, max(declared)))
        return False, (f"the newest release is source only ({', '.join(files)}) and declares Python up to "
                       f"{newest}, none of CPython {', '.join(supported)}")
    if files:
        return None, f"source only ({', '.join(files)}): whether it builds on a current CPython is unknown"
    return None, "no files of the newest release are known"
