"""Release status as `fwprobe status` reports it, at its edges: a release exactly 730 days old,
how far behind an install is when pre-releases and local labels are about, which index record is
the installed one, an Inactive classifier on its own, and a standalone distribution of an
"integrated" framework (pure: index answers in, assessment out)."""

from __future__ import annotations

import datetime as dt

from fakes.reports import CATALOG
from fwprobe.assess import observed_status, releases_behind
from fwprobe.assess.status import assess_status
from fwprobe.assess.versions import installed_release
from fwprobe.catalog import Thresholds
from fwprobe.model import DistRelease, ProjectMeta, Release, Status, Verdict

TODAY = dt.date(2026, 11, 23)
T = Thresholds(365, 730)


def _at(days_ago: int) -> dt.datetime:
    return dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(12), tzinfo=dt.timezone.utc)


def test_a_release_exactly_730_days_old_is_stale_and_731_unmaintained() -> None:
    assert observed_status(TODAY - dt.timedelta(days=730), None, TODAY, T) is Status.STALE
    assert observed_status(TODAY - dt.timedelta(days=731), None, TODAY, T) is Status.UNMAINTAINED
    # the catalog's thresholds are what decide, not fixed numbers
    assert observed_status(TODAY - dt.timedelta(days=100), None, TODAY, Thresholds(90, 100)) is Status.STALE
    assert observed_status(TODAY - dt.timedelta(days=101), None, TODAY, Thresholds(90, 100)) is Status.UNMAINTAINED
    assert observed_status(TODAY - dt.timedelta(days=90), None, TODAY, Thresholds(90, 100)) is Status.ACTIVE


def test_an_active_marker_is_read_from_the_date_alone() -> None:
    assert observed_status(TODAY - dt.timedelta(days=800), "active", TODAY, T) is Status.UNMAINTAINED


def _history(*versions: str, yanked: tuple[str, ...] = ()) -> DistRelease:
    return DistRelease("torch", ok=True, releases=tuple(
        Release(v, _at(10), yanked=v in yanked, prerelease=any(t in v for t in ("rc", "a", "b", "dev")))
        for v in versions))


def test_releases_behind_counts_stable_releases_only() -> None:
    info = _history("2.4.0", "2.5.0rc1", "2.5.0", "2.6.0.dev20261101", "2.6.0a1", "2.6.0b2", "2.6.0rc3")
    assert releases_behind("2.4.0", info) == 1  # 2.5.0; its rc and 2.6's pre-releases are not releases behind
    assert releases_behind("2.5.0", info) == 0
    assert releases_behind("2.5.0rc1", info) == 1  # a pre-release installed is behind its final release


def test_releases_behind_reads_the_public_version_and_skips_yanked_ones() -> None:
    info = _history("2.4.0", "2.4.1", "2.5.0", "2.5.1", yanked=("2.5.0",))
    assert releases_behind("2.4.0+cu124", info) == 2  # 2.4.1, 2.5.1: the local label is no release
    assert releases_behind("2.5.1+cpu", info) == 0
    assert releases_behind("not a version", info) is None


def test_installed_release_matches_a_local_build_and_a_normalised_spelling() -> None:
    info = DistRelease("torch", ok=True, releases=(
        Release("2.5.0", _at(30), yanked=True, yanked_reason="broken wheel"),
        Release("2.5.1", _at(20)),
        Release("0.1dev-r2736", None),
    ))
    local = installed_release("2.5.0+cu124", info)
    assert local is not None and local.yanked and local.yanked_reason == "broken wheel"
    assert installed_release("2.5", info) is info.releases[0]  # 2.5 == 2.5.0
    assert installed_release("2.5.1.0", info) is info.releases[1]
    assert installed_release("0.1dev-r2736", info) is info.releases[2]  # not PEP 440: the same text
    assert installed_release("2.6.0", info) is None
    assert installed_release("banana", info) is None


def _keras(**newest: object) -> DistRelease:
    files = newest.pop("files", ("keras-3.13.0-py3-none-any.whl",))
    classifiers = newest.pop("classifiers", ())
    rel = Release("3.13.0", _at(20))
    return DistRelease("keras", ok=True, newest=rel, releases=(rel,), releases_last_365_days=1,
                       newest_files=files, meta=ProjectMeta(version="3.13.0", classifiers=classifiers), **newest)


def test_the_inactive_classifier_alone_makes_a_recent_release_unmaintained() -> None:
    fw = CATALOG.get("keras")
    assert fw is not None
    info = _keras(classifiers=("Development Status :: 7 - Inactive", "Programming Language :: Python :: 3"))
    a = assess_status(fw, {"keras": info}, TODAY, CATALOG.thresholds)
    assert a.installable is True  # it installs: only the classifier speaks
    assert a.observed is Status.UNMAINTAINED
    assert a.health == ("keras is classified 'Development Status :: 7 - Inactive'",)
    assert a.evidence.endswith("; keras is classified 'Development Status :: 7 - Inactive'")
    beta = assess_status(fw, {"keras": _keras(classifiers=("Development Status :: 4 - Beta",))}, TODAY,
                         CATALOG.thresholds)
    assert beta.observed is Status.ACTIVE and beta.health == ()


def test_a_recent_release_no_supported_python_installs_is_unmaintained() -> None:
    fw = CATALOG.get("keras")
    assert fw is not None
    info = _keras(files=("keras-3.13.0-cp38-cp38-manylinux2014_x86_64.whl",))
    a = assess_status(fw, {"keras": info}, TODAY, CATALOG.thresholds)
    assert a.installable is False and a.observed is Status.UNMAINTAINED
    assert a.health[0].startswith("keras 3.13.0 cannot install on a supported CPython: no wheel of the newest")


def test_an_integrated_framework_whose_standalone_package_is_active() -> None:
    fw = CATALOG.get("keras")
    assert fw is not None and fw.claimed_status == "integrated"
    a = assess_status(fw, {"keras": _keras()}, TODAY, CATALOG.thresholds)
    assert a.observed is Status.ACTIVE and a.verdict is Verdict.CONTRADICTED
    day = (TODAY - dt.timedelta(days=20)).isoformat()
    assert a.evidence == (f"the standalone keras distribution has releases of its own, not only as part of "
                          f"tensorflow: newest release keras 3.13.0 on {day}, 20 days ago; 1 release(s) in the "
                          f"last 365 days")
    assert a.days_since_release == 20 and a.newest_distribution == "keras"
