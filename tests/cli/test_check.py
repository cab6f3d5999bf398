"""`fwprobe check`: policy, exit codes, JUnit XML, GitHub annotations."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from typer.testing import CliRunner

from fakes.catalogs import STATUS_CATALOG
from fakes.frameworks import FAKE_TORCH_CPU, FAKE_TORCH_CUDA, write_dist, write_module
from fwprobe.cli import app
from fwprobe.model import Check
from fwprobe.render.check import github_annotations

runner = CliRunner()
BASE = ["check", "--no-index", "--keep-pythonpath"]


def test_require_gpu_means_usable_unless_no_exercise(site: Path, fake_nvidia_smi) -> None:
    from fakes.frameworks import FAKE_TORCH_NEW_GPU

    write_module(site, "torch", FAKE_TORCH_NEW_GPU, "torch", "2.5.1+cu124")  # sees 2 GPUs, computes on none
    usable = runner.invoke(app, [*BASE, "-f", "torch", "--require-gpu", "torch", "--fail-on", "none"])
    assert usable.exit_code == 1, usable.output
    assert "FAIL require-gpu torch: PyTorch 2.5.1+cu124 sees 2 cuda device(s) but cannot compute on cuda:0, cuda:1" \
        in usable.stdout
    visible = runner.invoke(app, [*BASE, "-f", "torch", "--require-gpu", "torch", "--fail-on", "none", "--no-exercise"])
    assert visible.exit_code == 0, visible.output
    assert "PASS require-gpu torch: PyTorch 2.5.1+cu124 sees 2 cuda device(s)" in visible.stdout


def test_passing_policy_exits_0(site: Path, fake_nvidia_smi, tmp_path: Path) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    junit = tmp_path / "out.xml"
    result = runner.invoke(app, [*BASE, "-f", "torch", "--require-gpu", "torch", "--require", "torch>=2.4,<3",
                                 "--junit", str(junit)])
    assert result.exit_code == 0, result.output
    assert "PASS require-gpu torch: PyTorch 2.5.1+cu124 sees 2 cuda device(s): NVIDIA A100-SXM4-80GB" in result.stdout
    assert "PASS require torch<3,>=2.4" in result.stdout
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite.get("tests") == "3" and suite.get("failures") == "0"


def test_failing_policy_exits_1_with_reasons_junit_and_annotations(site: Path, fake_nvidia_smi, tmp_path: Path,
                                                                    monkeypatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    write_module(site, "torch", FAKE_TORCH_CPU, "torch", "2.5.1+cpu")
    junit = tmp_path / "out.xml"
    result = runner.invoke(app, [*BASE, "-f", "torch", "--require-gpu", "torch", "--require", "torch>=2.6",
                                 "--require", "tensorflow>=2.16", "--junit", str(junit)])
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "FAIL require torch>=2.6: torch 2.5.1+cpu is installed, which does not satisfy >=2.6" in out
    assert "FAIL require tensorflow>=2.16: tensorflow is not installed" in out
    assert "FAIL require-gpu torch: PyTorch 2.5.1+cpu sees no accelerator (cpu-only-build-on-gpu-host" in out
    assert "FAIL diagnosis cpu-only-build-on-gpu-host (pytorch)" in out
    assert "::error title=fwprobe require-gpu torch::" in out
    root = ET.parse(junit).getroot()
    cases = root.findall("./testsuite/testcase")
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(cases) == 4 and len(failed) == 4
    assert failed[0].find("failure").get("message").startswith("torch 2.5.1+cpu is installed")


def test_fail_on_codes_and_none(site: Path, fake_nvidia_smi) -> None:
    write_module(site, "torch", FAKE_TORCH_CPU, "torch", "2.5.1+cpu")
    none = runner.invoke(app, [*BASE, "-f", "torch", "--fail-on", "none"])
    assert none.exit_code == 0, none.output
    other = runner.invoke(app, [*BASE, "-f", "torch", "--fail-on", "gpu-not-visible,import-failed"])
    assert other.exit_code == 0 and "PASS fail-on" in other.stdout
    hit = runner.invoke(app, [*BASE, "-f", "torch", "--fail-on", "cpu-only-build-on-gpu-host"])
    assert hit.exit_code == 1


def test_json_format_includes_checks(site: Path, no_gpu_tools, monkeypatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    write_module(site, "torch", FAKE_TORCH_CPU, "torch", "2.5.1+cpu")
    result = runner.invoke(app, [*BASE, "-f", "torch", "--require-gpu", "torch", "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)  # annotations went to stderr: stdout stays JSON
    assert data["checks"][0] == {"name": "require-gpu torch", "passed": False,
                                 "reason": "PyTorch 2.5.1+cpu sees no accelerator (CPU-only build)"}
    assert "::error" in result.stderr


def test_max_age_days(index_server, site: Path, no_gpu_tools, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FWPROBE_NOW", "2026-11-23")
    cat = tmp_path / "c.toml"
    cat.write_text(STATUS_CATALOG)
    write_dist(site, "silentproj", "1.0.5")
    write_dist(site, "activeproj", "1.3.0")
    args = ["check", "--keep-pythonpath", "--catalog", str(cat), "--index-url", index_server.url,
            "--fail-on", "none", "--max-age-days", "365"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "PASS max-age-days 365 active" in result.stdout
    assert "FAIL max-age-days 365 silent: Silent: newest release silentproj 1.0.5 on 2020-07-27" in result.stdout


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    for argv, message in [
        (["check", "--no-index", "--require", "torch>>2"], "not a PEP 440 requirement"),
        (["check", "--no-index", "--require", "numpyy>=1"], "not a framework or companion"),
        (["check", "--no-index", "--require-gpu", "caffe"], "unknown framework"),
        (["check", "--no-index", "--fail-on", "sometimes"], "--fail-on takes one of"),
        (["check", "--no-index", "--max-age-days", "30"], "needs the package index"),
        (["check", "--no-index", "--format", "xml"], "--format must be one of: text, json"),
        (["check", "--no-index", "--python", "/nonexistent"], "no such file"),
        (["check", "--index-timeout", "0"], "--index-timeout must be a positive number"),
        (["check", "--no-index", "--timeout", "-1"], "--timeout must be a positive number"),
    ]:
        result = runner.invoke(app, argv)
        assert result.exit_code == 2, (argv, result.output)
        assert message in result.stderr, (argv, result.stderr)


def test_annotation_escaping() -> None:
    text = github_annotations((Check("a:b,c", False, "50% done\nnext"), Check("ok", True, "fine")))
    assert text == "::error title=fwprobe a%3Ab%2Cc::50%25 done%0Anext\n"


def test_catalog_claims_are_for_maintainers_unless_asked(index_server, tmp_path: Path, site: Path) -> None:
    """claim-contradicted (an archived project the catalog calls active) is status's finding:
    scan and check show it only with --claims, and --fail-on never fails on it."""
    cat = tmp_path / "status-cat.toml"
    cat.write_text(STATUS_CATALOG)
    base = ["--catalog", str(cat), "--index-url", index_server.url, "--format", "json"]
    plain = json.loads(runner.invoke(app, ["scan", *base]).stdout)
    asked = json.loads(runner.invoke(app, ["scan", *base, "--claims"]).stdout)
    assert "claim-contradicted" not in {d["code"] for d in plain["diagnoses"]}
    assert "claim-contradicted" in {d["code"] for d in asked["diagnoses"]}
    gated = runner.invoke(app, ["check", *base, "--claims", "--fail-on", "info"])
    assert gated.exit_code == 0, gated.stdout
    report = json.loads(gated.stdout)
    assert "claim-contradicted" in {d["code"] for d in report["diagnoses"]}
    assert all(c["passed"] for c in report["checks"])


def test_require_gpu_is_not_proven_by_a_kind_that_cannot_exercise() -> None:
    """--require-gpu with --exercise means usable: devices listed but never computed on (a probe
    kind without an exercise) fail the check rather than pass it on visibility alone."""
    from dataclasses import replace

    from fakes.reports import CATALOG, ReportBuilder
    from fwprobe.assess import evaluate_checks, parse_fail_on

    report = ReportBuilder(gpus=1).framework("pytorch", "torch", "2.5.1", cuda="12.4", cpu_only=False,
                                             devices=("cuda",)).build()
    exercised = replace(report, options={"exercise": True})
    (check,) = evaluate_checks(exercised, CATALOG, [], ["pytorch"], parse_fail_on("none"), None)
    assert not check.passed and "ran no computation" in check.reason
    (visible,) = evaluate_checks(report, CATALOG, [], ["pytorch"], parse_fail_on("none"), None)
    assert visible.passed  # --no-exercise: visible is what was asked
