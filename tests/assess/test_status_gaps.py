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


# --- what the first run of the mutation script showed untested (issue 24) ------------------------

def _rel(version: str, days_ago: int | None, pre: bool = False) -> Release:
    return Release(version, _at(days_ago) if days_ago is not None else None, prerelease=pre)


def _info(name: str, newest: Release | None, pre: Release | None = None, **kw) -> DistRelease:
    releases = tuple(r for r in (newest, pre) if r is not None)
    return DistRelease(name, ok=True, newest=newest, newest_prerelease=pre, releases=releases, **kw)


def test_theano_archived_with_its_reason_and_forks_none_of_them_active() -> None:
    from fwprobe.model import ForkStatus

    fw = CATALOG.get("theano")
    assert fw is not None and fw.claim_forks
    infos = {"theano": _info("theano", _rel("1.0.5", 1500), project_status="archived",
                             project_status_reason="superseded by pytensor"),
             "theano-pymc": _info("theano-pymc", _rel("1.1.2", 1000)),
             "aesara": DistRelease("aesara", ok=False, error="timed out"),
             "pytensor": _info("pytensor", _rel("2.30.0", 900))}
    a = assess_status(fw, infos, TODAY, CATALOG.thresholds)
    assert a.observed is Status.ARCHIVED
    assert a.headline == "index marks theano as archived (superseded by pytensor)"
    # the forks' releases are not the framework's own
    assert a.evidence.startswith("index marks theano as archived (superseded by pytensor); newest release theano 1.0.5")
    assert a.evidence.endswith("; no active fork: theano-pymc unmaintained, pytensor unmaintained")
    assert a.forks == (ForkStatus("theano-pymc", Status.UNMAINTAINED, "1.1.2", (TODAY - dt.timedelta(days=1000))),
                       ForkStatus("aesara", Status.UNKNOWN, error="timed out"),
                       ForkStatus("pytensor", Status.UNMAINTAINED, "2.30.0", (TODAY - dt.timedelta(days=900))))
    assert a.verdict is Verdict.CONTRADICTED  # "community forks exist": none is alive
    alive = {**infos, "pytensor": _info("pytensor", _rel("2.31.0", 10))}
    b = assess_status(fw, alive, TODAY, CATALOG.thresholds)
    day = (TODAY - dt.timedelta(days=10)).isoformat()
    assert b.evidence.endswith(f"; active fork(s): pytensor 2.31.0 ({day})") and b.verdict is Verdict.CONFIRMED


def test_a_newer_pre_release_names_the_newest_stable_too() -> None:
    fw = CATALOG.get("pytorch")
    assert fw is not None
    info = _info("torch", _rel("2.5.1", 40), _rel("2.6.0rc1", 5, pre=True), releases_last_365_days=2)
    a = assess_status(fw, {"torch": info}, TODAY, CATALOG.thresholds, "2.5.1+cu124", "torch")
    stable_day = (TODAY - dt.timedelta(days=40)).isoformat()
    pre_day = (TODAY - dt.timedelta(days=5)).isoformat()
    assert a.evidence == (f"newest release torch 2.6.0rc1 on {pre_day}, 5 days ago (newest stable torch 2.5.1 on "
                          f"{stable_day}); 2 release(s) in the last 365 days")
    assert (a.newest, a.days_since_release, a.releases_last_365_days, a.installed_behind) == (
        info.newest_prerelease, 5, 2, 0)


def test_an_index_without_upload_times_lists_the_newest_versions() -> None:
    fw = CATALOG.get("tensorflow")
    assert fw is not None
    infos = {"tensorflow": _info("tensorflow", _rel("2.17.0", None), upload_times=False),
             "tensorflow-cpu": _info("tensorflow-cpu", None, upload_times=False)}
    a = assess_status(fw, infos, TODAY, CATALOG.thresholds)
    assert a.observed is Status.UNKNOWN and a.verdict is Verdict.UNVERIFIED
    assert a.evidence == ("the index publishes no upload times (PEP 503 HTML, or PEP 691 JSON without PEP 700), so "
                          "release recency is unknown; newest version: tensorflow 2.17.0")
    dated = {"tensorflow": _info("tensorflow", _rel("2.17.0", None))}
    assert assess_status(fw, dated, TODAY, CATALOG.thresholds).evidence == "no release date known"


def test_no_answer_at_all_names_each_distributions_error() -> None:
    fw = CATALOG.get("tensorflow")
    assert fw is not None
    a = assess_status(fw, {"tensorflow": DistRelease("tensorflow", ok=False, error="timed out")}, TODAY,
                      CATALOG.thresholds)
    assert (a.observed, a.evidence, a.headline) == (Status.UNKNOWN, "unknown: tensorflow: timed out",
                                                   "unknown: tensorflow: timed out")
    assert assess_status(fw, {}, TODAY, CATALOG.thresholds).evidence == "unknown: no index answer"


def test_with_status_marks_the_installed_release_yanked_from_the_index() -> None:
    from fakes.reports import ReportBuilder
    from fwprobe.assess.status import with_status

    report = ReportBuilder().framework("pytorch", "torch", "2.5.0+cu124").build()
    result = report.frameworks[0]
    fw = CATALOG.get("pytorch")
    assert fw is not None
    yanked = Release("2.5.0", _at(30), yanked=True, yanked_reason="broken wheel")
    info = DistRelease("torch", ok=True, newest=_rel("2.5.1", 20), releases=(yanked, _rel("2.5.1", 20)))
    now = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.timezone.utc)
    out = with_status(result, fw, CATALOG, {"torch": info}, now)
    assert (out.distributions[0].yanked, out.distributions[0].yanked_reason) == (True, "broken wheel")
    assert out.status is not None and out.status.installed_behind == 1
    assert [i.name for i in out.index] == ["torch"]
    failed = with_status(result, fw, CATALOG, {"torch": DistRelease("torch", ok=False, error="x")}, now)
    assert (failed.distributions[0].yanked, failed.distributions[0].yanked_reason) == (None, None)
    assert failed.status is not None and failed.status.installed_behind is None
