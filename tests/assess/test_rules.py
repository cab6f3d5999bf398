"""Diagnosis rules as units: built reports in, findings out (no subprocess, no network)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fakes import ROOT
from fakes.reports import CATALOG, ReportBuilder
from fwprobe.assess import DIAGNOSIS_CODES, RULES, diagnose
from fwprobe.assess.diagnoses import registry
from fwprobe.catalog import load_catalog
from fwprobe.model import Outcome, Severity


def _codes(report, catalog=CATALOG, environ=None):
    return [(d.code, d.framework) for d in diagnose(report, catalog, environ=environ or {})]


def test_codes_come_from_the_registry_and_each_rule_documents_itself() -> None:
    assert tuple(RULES) == DIAGNOSIS_CODES
    for code, rule in RULES.items():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)+", code), code
        assert len(rule.doc) > 40, f"{code}: the docstring is the code's documentation"
        assert rule.scope in ("framework", "environment")


def test_rules_read_the_environment_only_through_the_context() -> None:
    rules_dir = ROOT / "src" / "fwprobe" / "assess" / "diagnoses"
    for path in rules_dir.glob("*.py"):
        if path.name != "__init__.py":
            assert not re.search(r"^import os|os\.environ\b(?!`)", path.read_text(encoding="utf-8"), re.M), path.name


def test_a_code_is_registered_once_and_needs_a_docstring() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        registry.rule("import-failed", Severity.ERROR)(lambda ctx, s: iter(()))

    def undocumented(ctx, s):
        yield from ()

    with pytest.raises(ValueError, match="needs a docstring"):
        registry.rule("brand-new-code", Severity.INFO)(undocumented)
    assert "brand-new-code" not in RULES


def test_cpu_only_from_metadata_alone_with_no_import() -> None:
    report = ReportBuilder(gpus=2).framework("pytorch", "torch", "2.5.1+cpu", outcome=None).build()
    found = diagnose(report, CATALOG, environ={})
    assert [d.code for d in found] == ["cpu-only-build-on-gpu-host"]
    assert "PyTorch's install selector" in found[0].hint and "jax" not in found[0].hint


def test_tensorflow_cpu_distribution_is_cpu_only_and_gets_tensorflows_hint() -> None:
    report = ReportBuilder(gpus=1).framework("tensorflow", "tensorflow-cpu", "2.17.0", outcome=None).build()
    found = diagnose(report, CATALOG, environ={})
    assert found[0].code == "cpu-only-build-on-gpu-host" and "tensorflow[and-cuda]" in found[0].hint


def test_healthy_gpu_build_has_no_gpu_diagnosis() -> None:
    report = ReportBuilder(gpus=2).framework("pytorch", "torch", "2.5.1+cu124", cuda="12.4", cpu_only=False,
                                             devices=("cuda", "cuda", "cpu")).build()
    assert _codes(report) == []


def test_driver_older_within_a_major_is_a_warning_across_majors_an_error() -> None:
    within = ReportBuilder(gpus=1, cuda_driver="12.2").framework(
        "pytorch", "torch", "2.5.1", cuda="12.4", cpu_only=False, devices=("cuda", "cpu")).build()
    across = ReportBuilder(gpus=1, cuda_driver="11.8").framework(
        "pytorch", "torch", "2.5.1", cuda="12.4", cpu_only=False, devices=("cuda", "cpu")).build()
    assert [d.severity for d in diagnose(within, CATALOG, environ={})] == [Severity.WARNING]
    assert [d.severity for d in diagnose(across, CATALOG, environ={})] == [Severity.ERROR]


def test_hidden_gpus_are_one_environment_finding_not_a_gpu_not_visible_per_framework() -> None:
    report = ReportBuilder(gpus=2, cuda_visible_devices="").framework(
        "pytorch", "torch", "2.5.1", cuda="12.4", cpu_only=False).build()
    assert _codes(report) == [("cuda-visible-devices-hides-all", None)]


def test_keras_import_hint_comes_from_the_catalog_and_names_the_installed_backend() -> None:
    report = (ReportBuilder()
              .framework("keras", "keras", "3.15.1", outcome=Outcome.FAILED, error="No module named 'tensorflow'",
                         details={"keras_backend_source": {"backend": None, "source": "default (no KERAS_BACKEND)"}})
              .framework("pytorch", "torch", "2.13.0+cpu").build())
    (found,) = [d for d in diagnose(report, CATALOG, environ={}) if d.code == "import-failed"]
    assert "set KERAS_BACKEND=torch" in found.hint and "(from default (no KERAS_BACKEND))" in found.hint


def test_keras_without_any_backend_installed_gets_the_general_hint() -> None:
    report = ReportBuilder().framework("keras", "keras", "3.15.1", outcome=Outcome.FAILED,
                                       error="No module named 'tensorflow'").build()
    (found,) = diagnose(report, CATALOG, environ={})
    assert found.hint.startswith("Keras 3 needs a backend and found none (tensorflow)")


def test_an_unmatched_import_error_gets_generic_advice_with_the_pin() -> None:
    report = ReportBuilder().framework("jax", "jax", "0.4.35", outcome=Outcome.FAILED, error="boom").build()
    (found,) = diagnose(report, CATALOG, environ={})
    assert "pip install --force-reinstall jax==0.4.35" in found.hint and "/envs/test/bin/python" in found.hint


NEW_FRAMEWORK = '''
[[framework]]
id = "paddle"
name = "PaddlePaddle"
import_name = "paddle"
probe = "torch"
distributions = ["paddlepaddle", "paddlepaddle-gpu"]
claim = "actively developed (Baidu)"
claimed_status = "active"
gpu = true
cpu_only_distributions = ["paddlepaddle"]
gpu_install_hint = "pip uninstall -y paddlepaddle && pip install paddlepaddle-gpu (CUDA {cuda})"

[[framework.import_hints]]
match = "libcudnn"
hint = "install the cuDNN that {pin} expects"
'''


def test_a_new_framework_needs_only_a_catalog_record(tmp_path: Path) -> None:
    """CONTRIBUTING's "add a framework", followed once: no code edit, every GPU rule applies."""
    path = tmp_path / "paddle.toml"
    path.write_text(NEW_FRAMEWORK)
    catalog = load_catalog(path)
    report = ReportBuilder(gpus=1, catalog=catalog).framework("paddle", "paddlepaddle", "3.0.0", outcome=None).build()
    (found,) = diagnose(report, catalog, environ={})
    assert found.code == "cpu-only-build-on-gpu-host"
    assert found.hint == "pip uninstall -y paddlepaddle && pip install paddlepaddle-gpu (CUDA 12.4)"
    failed = ReportBuilder(catalog=catalog).framework("paddle", "paddlepaddle-gpu", "3.0.0", outcome=Outcome.FAILED,
                                                      error="libcudnn.so.9: cannot open").build()
    assert diagnose(failed, catalog, environ={})[0].hint == "install the cuDNN that paddlepaddle-gpu==3.0.0 expects"


def test_fewer_gpus_than_the_driver_shows() -> None:
    report = ReportBuilder(gpus=4).framework("pytorch", "torch", "2.5.1", cuda="12.4", cpu_only=False,
                                             devices=("cuda", "cuda", "cpu")).build()
    (found,) = diagnose(report, CATALOG, environ={})
    assert found.code == "gpu-count-mismatch" and "sees 2 GPU(s), but the driver shows 4" in found.message
    explained = ReportBuilder(gpus=4, cuda_visible_devices="0,1").framework(
        "pytorch", "torch", "2.5.1", cuda="12.4", cpu_only=False, devices=("cuda", "cuda", "cpu")).build()
    assert diagnose(explained, CATALOG, environ={}) == ()


def _with_libraries(*paths: str):
    from dataclasses import replace

    from fwprobe.inventory import Inventory
    from fwprobe.model import Distribution
    from fwprobe.parsers import loaded_libraries

    report = ReportBuilder().framework("pytorch", "torch", "2.5.1", cuda="12.4", cpu_only=False).build()
    lines = [f"7f00-7f01 r-xp 00000000 08:01 1 {p}" for p in paths]
    result = report.frameworks[0]
    report = replace(report, frameworks=(replace(result, probe=replace(result.probe, libraries=loaded_libraries(lines))),))
    site = "/venv/lib/python3.11/site-packages"
    inv = Inventory(report.target, (Distribution("torch", "2.5.1", site), Distribution("nvidia-cudnn-cu12", "9.1.0.70", site)))
    return diagnose(report, CATALOG, inv, environ={})


def test_a_system_cudnn_shadowing_the_wheel_and_two_copies_loaded() -> None:
    found = _with_libraries("/venv/lib/python3.11/site-packages/nvidia/cudnn/lib/libcudnn.so.9",
                            "/usr/local/cuda/lib64/libcudnn.so.9", "/usr/lib/x86_64-linux-gnu/libcuda.so.1")
    codes = {d.code: d for d in found}
    assert set(codes) == {"cuda-library-shadowed", "cuda-library-duplicated"}
    assert "/usr/local/cuda/lib64/libcudnn.so.9" in codes["cuda-library-shadowed"].message
    assert "nvidia-cudnn-cu12 9.1.0.70" in codes["cuda-library-shadowed"].message
    assert "2 copies of libcudnn" in codes["cuda-library-duplicated"].message


def test_libraries_from_the_wheels_are_healthy() -> None:
    assert _with_libraries("/venv/lib/python3.11/site-packages/nvidia/cudnn/lib/libcudnn.so.9",
                           "/usr/lib/x86_64-linux-gnu/libcuda.so.1") == ()
