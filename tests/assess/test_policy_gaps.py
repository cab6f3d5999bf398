"""`fwprobe check`'s verdicts as a CI job reads them: each --require, --require-gpu, --max-age-days
and --fail-on check with the reason a person acts on (built reports in, checks out; pure)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fakes.reports import CATALOG, SITE, ReportBuilder
from fwprobe.assess.policy import FailOnError, evaluate_checks, parse_fail_on, parse_requirements
from fwprobe.errors import UsageError
from fwprobe.model import (
    Diagnosis,
    Distribution,
    Exercise,
    Outcome,
    Report,
    Severity,
    Status,
    StatusAssessment,
    Verdict,
)


def _checks(report: Report, **kw) -> list[tuple[str, bool, str]]:
    requires = parse_requirements(kw.pop("requires", ()), CATALOG)
    return [(c.name, c.passed, c.reason) for c in evaluate_checks(report, CATALOG, requires, **kw)]


def _torch(version: str = "2.5.1+cu124", **kw) -> ReportBuilder:
    return ReportBuilder(gpus=1).framework("pytorch", "torch", version, cuda="12.4", cpu_only=False, **kw)


def test_require_reads_the_public_version_of_the_framework_and_its_companions() -> None:
    report = _torch(devices=("cuda",), companions=(Distribution("torchvision", "0.20.1+cu124", SITE),)).build()
    assert _checks(report, requires=("torch>=2.5", "torchvision<0.20", "torchaudio"), fail_on="none") == [
        ("require torch>=2.5", True, "torch 2.5.1+cu124 is installed"),
        ("require torchvision<0.20", False, "torchvision 0.20.1+cu124 is installed, which does not satisfy <0.20 "
                                            "(pip install 'torchvision<0.20')"),
        ("require torchaudio", False, "torchaudio is not installed (pip install 'torchaudio')"),
    ]
    pre = _torch("2.6.0rc1", devices=("cuda",)).build()
    assert _checks(pre, requires=("torch>=2.5",), fail_on="none")[0][1] is True  # a pre-release counts, as pip's
    odd = _torch("weird", devices=("cuda",)).build()
    assert _checks(odd, requires=("torch>=2.5",), fail_on="none")[0][1] is False


def test_a_requirement_on_something_outside_the_catalog_is_bad_usage() -> None:
    with pytest.raises(UsageError, match="--require numpy: not a framework or companion in the catalog"):
        parse_requirements(["numpy>=2"], CATALOG)
    with pytest.raises(UsageError, match="is not a PEP 440 requirement"):
        parse_requirements(["torch>>2"], CATALOG)


def test_require_gpu_says_why_not_in_each_case() -> None:
    sees = _torch(devices=("cuda", "cuda", "cpu")).build()
    assert _checks(sees, require_gpu=("pytorch",), fail_on="none") == [
        ("require-gpu pytorch", True, "PyTorch 2.5.1+cu124 sees 2 cuda device(s): NVIDIA A100-SXM4-80GB")]
    ran = _torch(devices=("cuda",)).build()
    fw = ran.frameworks[0]
    ok = replace(ran, frameworks=(replace(fw, probe=replace(fw.probe, exercise=(Exercise("cuda", 0, True, 0.1),
                                                                             Exercise("cpu", 0, False)))),))
    assert _checks(ok, require_gpu=("pytorch",), fail_on="none")[0][2].endswith("; computed on 1")
    bad = replace(ran, frameworks=(replace(fw, probe=replace(fw.probe, exercise=(
        Exercise("cuda", 0, False, 0.1, "RuntimeError", "an illegal memory access was encountered\nmore"),))),))
    assert _checks(bad, require_gpu=("pytorch",), fail_on="none") == [
        ("require-gpu pytorch", False, "PyTorch 2.5.1+cu124 sees 1 cuda device(s) but cannot compute on cuda:0 "
                                       "(RuntimeError: an illegal memory access was encountered)")]
    unproven = replace(ran, options={"exercise": True})
    assert _checks(unproven, require_gpu=("pytorch",), fail_on="none")[0][1:] == (
        False, "PyTorch 2.5.1+cu124 sees 1 cuda device(s), but its probe ran no computation on them (the probe kind "
               "has no exercise): usable is not proven")


def test_require_gpu_of_a_framework_that_is_absent_broken_or_blind() -> None:
    absent = ReportBuilder().framework("pytorch", None).build()
    assert _checks(absent, require_gpu=("pytorch",), fail_on="none")[0][1:] == (False, "pytorch is not installed")
    failed = ReportBuilder().framework("pytorch", "torch", "2.5.1", outcome=Outcome.FAILED,
                                       error="libcudnn.so.9: cannot open shared object file\nTraceback").build()
    assert _checks(failed, require_gpu=("pytorch",), fail_on="none")[0][1:] == (
        False, "PyTorch did not import (failed: libcudnn.so.9: cannot open shared object file)")
    unprobed = ReportBuilder().framework("pytorch", "torch", "2.5.1", outcome=None).build()
    assert _checks(unprobed, require_gpu=("pytorch",), fail_on="none")[0][2] == "PyTorch did not import (not probed)"
    cpu = ReportBuilder(gpus=1).framework("pytorch", "torch", "2.5.1+cpu", cpu_only=True).build()
    cpu = replace(cpu, diagnoses=(Diagnosis("cpu-only-build-on-gpu-host", Severity.ERROR, "m", "install a CUDA build",
                                            "pytorch"),))
    assert _checks(cpu, require_gpu=("pytorch",), fail_on="none")[0][2] == (
        "PyTorch 2.5.1+cpu sees no accelerator (cpu-only-build-on-gpu-host: fix: install a CUDA build)")
    quiet = replace(cpu, diagnoses=())
    assert _checks(quiet, require_gpu=("pytorch",), fail_on="none")[0][2] == "PyTorch 2.5.1+cpu sees no accelerator (CPU-only build)"
    blind = _torch(devices=("cpu",)).build()
    assert _checks(blind, require_gpu=("pytorch",), fail_on="none")[0][2] == "PyTorch 2.5.1+cu124 sees no accelerator"


def test_max_age_days_at_its_limit() -> None:
    def aged(days: int | None) -> Report:
        status = StatusAssessment(Status.ACTIVE, Verdict.CONFIRMED, "evidence", days_since_release=days,
                                  headline="newest release torch 2.5.1 on 2026-01-01")
        return _torch(devices=("cuda",), status=status).build()

    assert _checks(aged(30), max_age_days=30, fail_on="none") == [
        ("max-age-days 30 pytorch", True, "PyTorch: newest release torch 2.5.1 on 2026-01-01")]
    assert _checks(aged(31), max_age_days=30, fail_on="none")[0][1] is False
    assert _checks(aged(None), max_age_days=30, fail_on="none")[0][1:] == (
        False, "cannot verify PyTorch's release age: evidence")
    assert _checks(_torch(devices=("cuda",)).build(), max_age_days=30, fail_on="none")[0][1:] == (
        False, "cannot verify PyTorch's release age: no index data (--no-index)")


def test_fail_on_names_each_failing_diagnosis_with_its_fix() -> None:
    report = replace(_torch(devices=("cuda",)).build(), diagnoses=(
        Diagnosis("gpu-count-mismatch", Severity.WARNING, "sees 1 of 2", "check nvidia-smi", "pytorch"),
        Diagnosis("nvidia-smi-warning", Severity.WARNING, "infoROM", "ask the vendor", None),
        Diagnosis("claim-contradicted", Severity.WARNING, "claim", "update the catalog", "pytorch")))
    assert _checks(report, fail_on="warning") == [
        ("diagnosis gpu-count-mismatch (pytorch)", False, "sees 1 of 2; fix: check nvidia-smi"),
        ("diagnosis nvidia-smi-warning", False, "infoROM; fix: ask the vendor")]
    assert _checks(report, fail_on="error") == [("fail-on error", True, "no diagnosis with severity error or above")]
    assert _checks(report, fail_on="import-failed,probe-timeout") == [
        ("fail-on import-failed,probe-timeout", True, "no diagnosis with import-failed, probe-timeout")]
    assert _checks(report, fail_on="none") == []


def test_fail_on_refuses_what_it_does_not_know() -> None:
    assert parse_fail_on(" Warning ").threshold is Severity.WARNING
    assert parse_fail_on("gpu-count-mismatch, import-failed").codes == {"gpu-count-mismatch", "import-failed"}
    with pytest.raises(FailOnError, match=r"unknown: nonsense-code\); codes: "):
        parse_fail_on("import-failed,nonsense-code")
    with pytest.raises(FailOnError, match=r"unknown: ' , '"):
        parse_fail_on(" , ")
