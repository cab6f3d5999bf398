"""Catalog claims as `fwprobe status` judges them, each evidence kind in each of its outcomes,
with the source a maintainer checks (claims in, verdicts out; pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from fwprobe.assess.claims import EVALUATORS, ProbeEvidence, installability, judge_claims
from fwprobe.catalog import Claim, load_catalog
from fwprobe.model import DistRelease, Outcome, ProbeResult, ProjectMeta, Release, Verdict

CHECKED = "2026-11-23"
SUPPORTED = ("3.10", "3.11", "3.12", "3.13", "3.14")


def _judge(evidence: str, key: str, expect: object = True, info: DistRelease | None = None, probes=(), note: str = ""):
    return EVALUATORS[evidence](Claim("c", "claim", "s", evidence, key, expect, note), info, probes, CHECKED)


def _meta(**kw: object) -> DistRelease:
    return DistRelease("proj", True, meta=ProjectMeta("2.0", **kw))


def test_a_classifier_claim_in_each_outcome() -> None:
    inactive = "Development Status :: 7 - Inactive"
    assert _judge("index-classifier", inactive, True, _meta(classifiers=(inactive,))) == (
        Verdict.CONFIRMED, f"2.0 is classified {inactive!r}", "index")
    assert _judge("index-classifier", inactive, False, _meta(classifiers=())) == (
        Verdict.CONFIRMED, f"2.0 is not classified {inactive!r}", "index")
    assert _judge("index-classifier", inactive, False, _meta(classifiers=(inactive,))) == (
        Verdict.CONTRADICTED, f"2.0 is classified {inactive!r}", "index")
    assert _judge("index-classifier", inactive, True, _meta(classifiers=())) == (
        Verdict.UNVERIFIED, f"2.0 carries no {inactive!r} classifier (absence proves nothing)", "index")
    assert _judge("index-classifier", inactive, True, DistRelease("proj", True)) == (
        Verdict.UNVERIFIED, "unverifiable: no per-project metadata was fetched", "index")
    failed = DistRelease("proj", True, meta=ProjectMeta(error="the index has no JSON API (404)"))
    assert _judge("index-classifier", inactive, True, failed) == (
        Verdict.UNVERIFIED, "unverifiable: the index has no JSON API (404)", "index")


def test_a_requires_claim_lists_what_the_release_requires() -> None:
    assert _judge("index-requires", "numpy", True, _meta(requires_dist=("numpy>=1.26", "Not A Req !!"))) == (
        Verdict.CONFIRMED, "proj 2.0's Requires-Dist names numpy (it requires: numpy)", "index")
    assert _judge("index-requires", "keras", True, _meta(requires_dist=())) == (
        Verdict.CONTRADICTED, "proj 2.0's Requires-Dist does not name keras (it requires: nothing)", "index")
    assert _judge("index-requires", "keras", True, None)[0] is Verdict.UNVERIFIED


def test_a_maintainer_claim_without_a_name() -> None:
    assert _judge("index-maintainer", "Google", True, _meta()) == (
        Verdict.UNVERIFIED, "unverifiable: the index names no author or maintainer", "index")
    assert _judge("index-maintainer", r"\bGoogle\b", True, _meta(maintainer="Google Inc.")) == (
        Verdict.CONFIRMED, "the index names Google Inc.", "index")
    assert _judge("index-maintainer", r"\bGoogle\b", True, _meta(maintainer="Keras team")) == (
        Verdict.UNVERIFIED, "the index names Keras team, which does not settle it", "index")


def _released(days_ago: int, files: tuple[str, ...] = (), recent: int = 1) -> DistRelease:
    day = dt.date.fromisoformat(CHECKED) - dt.timedelta(days=days_ago)
    rel = Release("1.0", dt.datetime.combine(day, dt.time(9), tzinfo=dt.timezone.utc))
    return DistRelease("succ", True, newest=rel, releases_last_365_days=recent, newest_files=files)


def test_an_index_status_claim_at_365_days_and_the_wheels_it_names() -> None:
    day = (dt.date.fromisoformat(CHECKED) - dt.timedelta(days=365)).isoformat()
    assert _judge("index-status", "succ", True, _released(365, ("succ-1.0-cp311-cp311-linux.whl",
                                                                  "succ-1.0-cp39-cp39-linux.whl"))) == (
        Verdict.CONFIRMED, f"succ's newest release is 1.0 of {day}, 365 days before {CHECKED} (a release within 365 "
                           "days; 1 in the last 365); its wheels are for CPython 3.9, 3.11", "index")
    old = _judge("index-status", "succ", True, _released(366, ("a.tar.gz", "b.zip", "c.tar.gz", "d.tar.gz"), 0),
                 note="a release note")
    assert old[0] is Verdict.CONTRADICTED
    assert old[1].endswith("(no release within 365 days; 0 in the last 365); its files: a.tar.gz, b.zip, c.tar.gz; "
                           "a release note")
    bare = _judge("index-status", "succ", False, _released(400))
    assert bare[0] is Verdict.CONFIRMED and bare[1].endswith("(no release within 365 days; 1 in the last 365)")
    undated = DistRelease("succ", True, newest=Release("1.0", None))
    assert _judge("index-status", "succ", True, undated) == (
        Verdict.UNVERIFIED, "unverifiable: the index shows no dated release of succ", "index")
    assert _judge("index-status", "succ", True, DistRelease("succ", True))[0] is Verdict.UNVERIFIED


def test_a_probe_claim_reads_nested_details_and_skips_probes_without_the_key() -> None:
    silent = ProbeEvidence(ProbeResult(Outcome.OK, version="3.1", details={}), "3.1", "/a/python")
    said = ProbeEvidence(ProbeResult(Outcome.OK, version="3.2", details={"backend": {"name": "jax"}}), None,
                         "/b/python")
    assert _judge("probe", "details.backend.name", "jax", probes=(silent, said), note="n") == (
        Verdict.CONFIRMED, "details.backend.name is 'jax'; n", "probe of ? in /b/python")
    assert _judge("probe", "details.backend.name", "jax", probes=(silent,)) == (
        Verdict.UNVERIFIED, "the probe does not report details.backend.name", "probe of 3.1")
    assert _judge("probe", "details.backend.name.more", "jax", probes=(said,))[0] is Verdict.UNVERIFIED
    assert _judge("probe", "nowhere.x", "jax", probes=(said,))[0] is Verdict.UNVERIFIED
    nothing = ProbeEvidence(ProbeResult(Outcome.OK, version="3.2", execution={"x": None}), "3.2", "/c/python")
    assert _judge("probe", "execution.x", True, probes=(nothing,))[0] is Verdict.UNVERIFIED
    broken = ProbeEvidence(ProbeResult(Outcome.TIMEOUT), "3.2", "/d/python")
    assert _judge("probe", "execution.x", True, probes=(broken,)) == (
        Verdict.UNVERIFIED, "no successful probe (/d/python: timeout)", "probe")


def test_the_torchscript_warning_is_quoted_only_for_its_claim() -> None:
    probe = ProbeEvidence(ProbeResult(Outcome.OK, version="2.13.0", execution={"eager_default": True},
                                      details={"torchscript_warning": "deprecated"}), "2.13.0", "/x")
    assert _judge("probe", "execution.eager_default", True, probes=(probe,))[1] == "execution.eager_default is True"
    with_backends = ProbeEvidence(ProbeResult(Outcome.OK, details={"keras_backends": ["jax"], "x": 1}), "3", "/x")
    assert _judge("probe", "details.x", 1, probes=(with_backends,))[1] == "details.x is 1"


def test_judge_claims_keeps_each_claims_own_fields() -> None:
    fw = load_catalog().get("pytorch")
    assert fw is not None
    [first, *_] = judge_claims(fw, {}, (), CHECKED)
    claim = fw.claims[0]
    assert (first.id, first.column, first.statement, first.checked) == (claim.id, claim.column, claim.statement, CHECKED)


@pytest.mark.parametrize("files, expected", [
    (["t-1.0-py2.py3-none-any.whl"], True),
    (["t-1.0-py3-none-any.whl"], True),
    (["t-1.0-py36-none-any.whl"], True),  # a py3X tag is a floor
    (["t-1.0-cp37.cp38-cp37m-manylinux1_x86_64.whl"], False),
    (["t-1.0-cp310-cp310-manylinux1_x86_64.whl", "t-1.0.tar.gz"], True),
    (["t-1.0-x.whl"], False),  # a wheel name pip cannot read names no Python
])
def test_wheel_tags_decide_installability(files: list[str], expected: bool) -> None:
    assert installability(files, None, (), SUPPORTED)[0] is expected
