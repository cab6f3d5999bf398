"""Observed release status from the package index, and the verdict on the catalog's claim. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace

from fwprobe.assess.versions import installed_release, releases_behind
from fwprobe.catalog import Catalog, Framework, Thresholds, normalize
from fwprobe.model import (
    DistRelease,
    ForkStatus,
    FrameworkResult,
    Release,
    Status,
    StatusAssessment,
    Verdict,
)


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


def _newest(infos: Iterable[DistRelease]) -> tuple[Release | None, str | None]:
    """The most recent upload (stable or pre-release) across distributions, and whose it is."""
    best: tuple[dt.date, Release, str] | None = None
    for info in infos:
        for rel in (info.newest, info.newest_prerelease):
            day = rel.day if rel is not None else None
            if rel is not None and day is not None and (best is None or day > best[0]):
                best = (day, rel, info.name)
    return (best[1], best[2]) if best else (None, None)


def _describe(rel: Release | None, dist: str | None, today: dt.date, ok: list[DistRelease]) -> str:
    day = rel.day if rel is not None else None
    if rel is None or day is None:
        if any(not i.upload_times for i in ok):
            listed = ", ".join(f"{i.name} {i.newest.version}" for i in ok if i.newest is not None)
            return ("the index publishes no upload times (PEP 503 HTML, or PEP 691 JSON without PEP 700), so release recency is unknown"
                    + (f"; newest version: {listed}" if listed else ""))
        return "no release date known"
    return f"newest release {dist} {rel.version} on {day.isoformat()}, {(today - day).days} days ago"


def _fork_status(fork: str, info: DistRelease, today: dt.date, thresholds: Thresholds) -> ForkStatus:
    if not info.ok:
        return ForkStatus(fork, Status.UNKNOWN, error=info.error)
    rel, _ = _newest([info])
    day = rel.day if rel is not None else None
    return ForkStatus(fork, observed_status(day, info.project_status, today, thresholds),
                      rel.version if rel else None, day, info.error)


def assess_status(fw: Framework, infos: Mapping[str, DistRelease], today: dt.date,
                  thresholds: Thresholds, installed_version: str | None = None,
                  installed_dist: str | None = None) -> StatusAssessment:
    """Observed status of ``fw`` from its distributions' index answers; the claim's verdict."""
    mine = [infos[d] for d in fw.distributions if d in infos]
    ok = [i for i in mine if i.ok]
    if not ok:
        reasons = "; ".join(f"{i.name}: {i.error}" for i in mine if i.error) or "no index answer"
        return StatusAssessment(Status.UNKNOWN, Verdict.UNVERIFIED, f"unknown: {reasons}",
                                headline=f"unknown: {reasons}")
    canonical = infos.get(fw.distributions[0])
    marker = canonical.project_status if canonical is not None and canonical.ok else None
    newest, newest_dist = _newest(ok)
    newest_day = newest.day if newest is not None else None
    observed = observed_status(newest_day, marker, today, thresholds)
    installable, health = _health(canonical, thresholds)
    if observed in (Status.ACTIVE, Status.STALE) and (installable is False or any("Inactive" in h for h in health)):
        observed = Status.UNMAINTAINED  # a recent upload that no supported CPython can install is no sign of life
    evidence = _describe(newest, newest_dist, today, ok)
    if newest is not None and newest.prerelease:
        stable, stable_dist = _newest([DistRelease(i.name, True, newest=i.newest) for i in ok])
        if stable is not None:
            evidence += f" (newest stable {stable_dist} {stable.version} on {stable.day or ''})"
    if fw.claimed_status == "integrated" and observed is Status.ACTIVE:
        evidence = (f"the standalone {fw.distributions[0]} distribution has releases of its own, not only "
                    f"as part of {fw.integrated_into}: {evidence}")
    headline = evidence
    if marker and marker != "active":
        reason = canonical.project_status_reason if canonical else None
        headline = f"index marks {fw.distributions[0]} as {marker}" + (f" ({reason})" if reason else "")
        evidence = f"{headline}; {evidence}"
    recent = sum(i.releases_last_365_days for i in ok)
    if recent:
        evidence += f"; {recent} release(s) in the last 365 days"
    for signal in health:
        evidence += f"; {signal}"
    result = verdict(fw.claimed_status, observed)

    forks = tuple(_fork_status(f, infos[f], today, thresholds) for f in fw.forks if f in infos)
    active = [f for f in forks if f.status is Status.ACTIVE]
    known = [f for f in forks if f.status is not Status.UNKNOWN]
    if active:
        evidence += "; active fork(s): " + ", ".join(f"{f.distribution} {f.newest} ({f.date})" for f in active)
    elif known:
        evidence += "; no active fork: " + ", ".join(f"{f.distribution} {f.status.value}" for f in known)
        if result is Verdict.CONFIRMED and fw.claim_forks:
            result = Verdict.CONTRADICTED

    behind = None
    if installed_version and installed_dist:
        info = infos.get(normalize(installed_dist))
        if info is not None and info.ok:
            behind = releases_behind(installed_version, info)
    return StatusAssessment(observed, result, evidence, newest, newest_dist,
                            (today - newest_day).days if newest_day else None, recent,
                            forks, behind, headline, installable, health)


def _health(info: DistRelease | None, thresholds: Thresholds) -> tuple[bool | None, tuple[str, ...]]:
    """Whether the newest release installs on a supported CPython, and the signals that say so."""
    from fwprobe.assess.claims import installability

    if info is None or not info.ok or info.newest is None:
        return None, ()
    classifiers = info.meta.classifiers if info.meta is not None else ()
    installable, why = installability(info.newest_files, info.newest_requires_python, classifiers,
                                      thresholds.supported_pythons)
    signals = []
    if installable is False:
        signals.append(f"{info.name} {info.newest.version} cannot install on a supported CPython: {why}")
    inactive = [c for c in classifiers if c.startswith("Development Status :: 7")]
    if inactive:
        signals.append(f"{info.name} is classified {inactive[0]!r}")
    return installable, tuple(signals)


def with_status(result: FrameworkResult, fw: Framework, catalog: Catalog,
                infos: Mapping[str, DistRelease], now: dt.datetime) -> FrameworkResult:
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
    names = set(fw.distributions) | set(fw.index_names)  # forks, and what its ecosystem claims name
    return replace(result, distributions=tuple(dists), status=status,
                   index=tuple(infos[n] for n in sorted(names) if n in infos))
