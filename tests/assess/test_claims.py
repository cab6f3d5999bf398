"""Claims as data, judged on index metadata and probe evidence; the health of the newest release."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from fakes.catalogs import STATUS_CATALOG
from fakes.frameworks import FAKE_TORCH_CUDA, write_module
from fwprobe.assess.claims import EVALUATORS, ProbeEvidence, installability, judge_claims
from fwprobe.catalog import EVIDENCE_KINDS, load_catalog
from fwprobe.core import status_report
from fwprobe.index import IndexClient
from fwprobe.model import DistRelease, Outcome, ProbeResult, ProjectMeta, Status, Verdict

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)
SUPPORTED = ("3.10", "3.11", "3.12", "3.13", "3.14")


def test_every_evidence_kind_has_an_evaluator() -> None:
    assert set(EVALUATORS) == set(EVIDENCE_KINDS)


def _verdicts(fw_id: str, meta: ProjectMeta | None = None, probes=()):
    fw = load_catalog().get(fw_id)
    info = DistRelease(fw.distributions[0], True, meta=meta)
    return {c.id: c for c in judge_claims(fw, {fw.distributions[0]: info}, probes, "2026-11-23")}


def test_keras_3_is_not_part_of_tensorflow_on_index_evidence() -> None:
    meta = ProjectMeta("3.15.1", ("absl-py", "numpy", "rich", "namex", "h5py", "optree", "ml-dtypes", "packaging"))
    c = _verdicts("keras", meta)["keras-requires-tensorflow"]
    assert c.verdict is Verdict.CONTRADICTED and c.source == "index"
    assert "keras 3.15.1's Requires-Dist does not name tensorflow" in c.evidence


def test_an_extra_is_not_a_requirement() -> None:
    meta = ProjectMeta("2.21.0", ('keras>=3; extra == "keras"', "numpy"))
    assert _verdicts("tensorflow", meta)["tf-keras-inside"].verdict is Verdict.CONFIRMED


def test_probe_evidence_names_its_version_and_interpreter() -> None:
    probe = ProbeResult(Outcome.OK, version="2.13.0+cpu",
                        execution={"eager_default": True, "torchscript_deprecated": True, "torch_export": True,
                                   "torch_compile": True},
                        details={"torchscript_warning": "`torch.jit.script` is deprecated."})
    v = _verdicts("pytorch", probes=[ProbeEvidence(probe, "2.13.0+cpu", "/envs/t/bin/python")])
    assert v["torch-eager"].verdict is Verdict.CONFIRMED
    ts = v["torchscript-current"]
    assert ts.verdict is Verdict.CONTRADICTED and ts.source == "probe of 2.13.0+cpu in /envs/t/bin/python"
    assert "deprecated" in ts.evidence
    assert v["torch-maintainer"].verdict is Verdict.UNVERIFIED  # no index metadata given


def test_without_evidence_a_claim_is_unverified_with_the_reason() -> None:
    v = _verdicts("pytorch")
    assert all(c.verdict is Verdict.UNVERIFIED for c in v.values())
    assert "no --python names an environment with it" in v["torch-eager"].evidence
    failed = ProbeResult(Outcome.FAILED, error_message="boom")
    assert "/x/python: failed" in _verdicts("theano", probes=[ProbeEvidence(failed, "1.0.5", "/x/python")])[
        "theano-static-graph"].evidence


def test_maintainer_matches_confirm_and_others_settle_nothing() -> None:
    assert _verdicts("theano", ProjectMeta("1.0.5", maintainer="LISA laboratory, University of Montreal"))[
        "theano-maintainer"].verdict is Verdict.CONFIRMED
    assert _verdicts("tensorflow", ProjectMeta("2.21.0", maintainer="Keras team <keras-users@googlegroups.com>"))[
        "tf-maintainer"].verdict is Verdict.UNVERIFIED  # "googlegroups" is not Google


@pytest.mark.parametrize("files, requires, classifiers, expected", [
    (["Theano-1.0.5.tar.gz"], None, ["Programming Language :: Python :: 2.7", "Programming Language :: Python :: 3.7"], False),
    (["t-1.0-cp38-cp38-manylinux2014_x86_64.whl", "t-1.0-cp39-cp39-win_amd64.whl"], None, [], False),
    (["t-1.0-cp312-cp312-manylinux2014_x86_64.whl"], None, [], True),
    (["t-1.0-cp38-abi3-manylinux2014_x86_64.whl"], None, [], True),
    (["t-1.0-py3-none-any.whl"], None, [], True),
    (["t-1.0.tar.gz"], ">=3.6,<3.9", [], False),
    (["t-1.0.tar.gz"], ">=3.8", [], None),
    ([], None, [], None),
])
def test_installability_on_a_supported_cpython(files, requires, classifiers, expected) -> None:
    assert installability(files, requires, classifiers, SUPPORTED)[0] is expected


def test_status_reads_the_per_project_json_and_the_health_signals(index_server, tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(STATUS_CATALOG.replace('claimed_status = "active"\n', '''claimed_status = "active"

[[framework.claims]]
id = "needs-rich"
column = "claim"
statement = "depends on rich"
evidence = "index-requires"
key = "rich"

[[framework.claims]]
id = "inactive"
column = "claim"
statement = "classified inactive"
evidence = "index-classifier"
key = "Development Status :: 7 - Inactive"
''', 1))
    catalog = load_catalog(path)
    client = IndexClient(index_server.url, cache_dir=tmp_path / "cache", now=lambda: NOW)
    report = status_report(catalog, client, today=NOW)
    by_id = {r.id: r for r in report.frameworks}
    claims = {c.id: c for c in by_id["active"].claims}
    assert claims["needs-rich"].verdict is Verdict.CONFIRMED
    assert claims["inactive"].verdict is Verdict.UNVERIFIED and "absence proves nothing" in claims["inactive"].evidence
    silent = by_id["silent"].status
    assert silent.installable is False and "declares Python up to 3.7" in silent.evidence
    archived = by_id["archived"].status
    assert "classified 'Development Status :: 7 - Inactive'" in archived.evidence
    assert index_server.counts["json:activeproj"] == 1


def test_an_index_without_the_json_endpoint_falls_back_cleanly(index_server, tmp_path: Path) -> None:
    url = index_server.url.replace("/simple/", "/mirror/")  # not warehouse-shaped: no per-project JSON
    client = IndexClient(url, cache_dir=tmp_path / "cache", now=lambda: NOW)
    meta = client.fetch_meta("activeproj")
    assert meta.error and "offers no per-project JSON" in meta.error
    missing = IndexClient(index_server.url, cache_dir=tmp_path / "c2", now=lambda: NOW).fetch_meta("forkproj")
    assert missing.error == "the index's per-project JSON answered HTTP 404"


def test_a_recent_release_no_supported_cpython_installs_is_unmaintained() -> None:
    from fwprobe.assess import assess_status
    from fwprobe.catalog import Thresholds
    from fwprobe.model import Release

    fw = load_catalog().get("theano")
    recent = Release("2.0.0", NOW - dt.timedelta(days=30))
    info = DistRelease("theano", True, newest=recent, newest_files=("theano-2.0.0-cp38-cp38-manylinux2014_x86_64.whl",))
    s = assess_status(fw, {"theano": info}, NOW.date(), Thresholds())
    assert s.observed is Status.UNMAINTAINED and s.installable is False
    assert "cannot install on a supported CPython" in s.evidence


def test_status_with_a_python_adds_probe_evidence(index_server, tmp_path: Path) -> None:
    import subprocess
    import sysconfig

    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    purelib = sysconfig.get_path("purelib", vars={"base": str(env), "platbase": str(env)})
    write_module(Path(purelib), "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    client = IndexClient(index_server.url, cache_dir=tmp_path / "cache", now=lambda: NOW)
    report = status_report(load_catalog(), client, ["torch"], today=NOW, pythons=(str(env),))
    claims = {c.id: c for c in report.frameworks[0].claims}
    source = f"probe of 2.5.1+cu124 in {env / 'bin' / 'python'}"
    assert (claims["torch-eager"].verdict, claims["torch-eager"].source) == (Verdict.CONFIRMED, source)
    assert claims["torchscript-current"].verdict is Verdict.CONFIRMED  # this fake's jit.script does not warn
    assert claims["torch-export"].verdict is Verdict.CONTRADICTED  # nor has it torch.export
    assert claims["torch-export"].evidence == "execution.torch_export is False"
    assert report.options["pythons"] == [str(env)]


def test_status_cli_with_python_reports_claims(index_server, tmp_path: Path) -> None:
    import json
    import subprocess
    import sysconfig

    from typer.testing import CliRunner

    from fwprobe.cli import app

    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    purelib = sysconfig.get_path("purelib", vars={"base": str(env), "platbase": str(env)})
    write_module(Path(purelib), "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    result = CliRunner().invoke(app, ["status", "--index-url", index_server.url, "-f", "torch", "--python", str(env),
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    claims = {c["id"]: c for c in data["frameworks"][0]["claims"]}
    assert claims["torch-eager"]["verdict"] == "confirmed" and claims["torch-eager"]["source"].startswith("probe of 2.5.1")
    assert data["options"]["pythons"] == [str(env)]
    bad = CliRunner().invoke(app, ["status", "--index-url", index_server.url, "--python", str(tmp_path / "nope")])
    assert bad.exit_code == 2 and "no such file" in bad.stderr


def test_an_ecosystem_claim_is_judged_on_the_named_distributions_own_releases(index_server, tmp_path: Path) -> None:
    """index-status: `status` asks the index about the distribution a claim names (torchtext: its
    last release, 0.18.0, dates from 2024-04-24), beside the framework's own."""
    path = tmp_path / "c.toml"
    path.write_text(STATUS_CATALOG.replace('claimed_status = "active"\n', '''claimed_status = "active"

[[framework.claims]]
id = "ecosystem-torchtext"
column = "features"
statement = "a strong ecosystem: torchtext is actively released"
evidence = "index-status"
key = "torchtext"

[[framework.claims]]
id = "ecosystem-active"
column = "features"
statement = "a strong ecosystem: activeproj is actively released"
evidence = "index-status"
key = "activeproj"
note = "a fact checked by hand"
''', 1))
    catalog = load_catalog(path)
    client = IndexClient(index_server.url, cache_dir=tmp_path / "cache", now=lambda: NOW)
    report = status_report(catalog, client, frameworks=["active"], today=NOW)
    claims = {c.id: c for c in report.frameworks[0].claims}
    torchtext = claims["ecosystem-torchtext"]
    assert (torchtext.verdict, torchtext.source) == (Verdict.CONTRADICTED, "index")
    assert torchtext.evidence == ("torchtext's newest release is 0.18.0 of 2024-04-24, 943 days before 2026-11-23 "
                                  "(no release within 365 days; 0 in the last 365); its wheels are for CPython "
                                  "3.8, 3.9, 3.10, 3.11, 3.12")
    assert claims["ecosystem-active"].verdict is Verdict.CONFIRMED
    assert claims["ecosystem-active"].evidence.endswith("; a fact checked by hand")
    assert index_server.counts["torchtext"] == 1


def test_an_ecosystem_claim_without_an_answer_is_unverified() -> None:
    fw = load_catalog().get("pytorch")
    verdicts = {c.id: c for c in judge_claims(fw, {"torchtext": DistRelease("torchtext", False, error="timed out")},
                                              [], "2026-11-23")}
    assert verdicts["ecosystem-torchtext"].verdict is Verdict.UNVERIFIED
    assert verdicts["ecosystem-torchtext"].evidence == "unverifiable: the index gave no answer for torchtext (timed out)"
    assert verdicts["ecosystem-torchvision"].evidence == "unverifiable: the index gave no answer for torchvision"


def test_the_keras_backends_it_ships_decide_the_one_backend_claim() -> None:
    fw = load_catalog().get("keras")
    shipped = ProbeResult(Outcome.OK, details={"keras_backends": ["jax", "numpy", "openvino", "tensorflow", "torch"],
                                               "keras_multi_backend": True, "keras_backend": "torch"})
    verdicts = {c.id: c for c in judge_claims(fw, {}, [ProbeEvidence(shipped, "3.15.1", "/x/python")], "2026-11-23")}
    one = verdicts["keras-one-backend"]
    assert one.verdict is Verdict.CONTRADICTED
    assert one.evidence == ("details.keras_multi_backend is True (it ships the backends: jax, numpy, openvino, "
                            "tensorflow, torch)")
