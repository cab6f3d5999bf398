"""Requirements across the stack as pip check judges them: pure, metadata in, unmet requirements out."""

from __future__ import annotations

from dataclasses import replace

from fakes.reports import CATALOG, SITE, ReportBuilder
from fwprobe.assess import diagnose
from fwprobe.assess.requirements import marker_environment, unmet_requirements
from fwprobe.inventory import Inventory
from fwprobe.model import Distribution, Interpreter, Outcome, ProbeResult, Severity

PY311 = Interpreter("/envs/t/bin/python", "3.11.7", "cpython", "linux", "x86_64", "/envs/t", True, False)
PY27 = Interpreter("/envs/old/bin/python", "2.7.18", "cpython", "linux", "x86_64", "/envs/old", True, False)

# jax 0.10.2's own Requires-Dist, as its wheel's METADATA has them (trimmed to what the tests read)
JAX_REQUIRES = (
    "jaxlib<=0.10.2,>=0.10.1", "ml_dtypes>=0.5.0", "numpy>=2.0",
    'jaxlib==0.10.1; extra == "minimum-jaxlib"',
    'jaxlib<=0.10.2,>=0.10.2; extra == "cuda12"',
    'jax-cuda12-plugin[with-cuda]<=0.10.2,>=0.10.2; extra == "cuda12"',
    'jaxlib<=0.10.2,>=0.10.2; extra == "cuda13"',
    'jax-cuda13-plugin[with-cuda]<=0.10.2,>=0.10.2; extra == "cuda13"',
    'jaxlib<=0.10.2,>=0.10.2; extra == "cuda13-local"',
    'jax-cuda13-plugin<=0.10.2,>=0.10.2; extra == "cuda13-local"',
    'kubernetes; extra == "k8s"',
)


def _d(name: str, version: str, *requires: str) -> Distribution:
    return Distribution(name, version, SITE, requires=requires)


def _unmet(*dists: Distribution, interpreter: Interpreter = PY311) -> list[str]:
    found = unmet_requirements(CATALOG, dists, marker_environment(interpreter))
    return [f"{u.requirer}>{u.requirement}:{u.installed}" + (f"[{u.extra}]" if u.extra else "") for u in found]


def test_a_framework_requiring_another_release_of_its_companion() -> None:
    dists = (_d("jax", "0.10.2", *JAX_REQUIRES), _d("jaxlib", "0.9.2", "numpy>=1.26"), _d("ml_dtypes", "0.5.4"),
             _d("numpy", "2.4.6"))
    assert _unmet(*dists) == ["jax>jaxlib<=0.10.2,>=0.10.1:0.9.2"]


def test_the_closure_counts_and_what_lies_outside_the_stack_does_not() -> None:
    dists = (_d("torch", "2.13.0+cpu", "filelock", "sympy>=1.13.3"), _d("sympy", "1.14.0", "mpmath<1.4,>=1.1.0"),
             _d("mpmath", "1.4.1"), _d("requests", "2.0", "urllib3>=9"))  # requests: no framework needs it
    assert _unmet(*dists) == ["torch>filelock:None", "sympy>mpmath<1.4,>=1.1.0:1.4.1"]


def test_markers_are_evaluated_for_the_target_interpreter() -> None:
    torch = _d("torch", "1.4.0", 'future; python_version < "3"', 'dataclasses; python_version < "3.7"',
               'triton==3.0.0; platform_system == "Linux" and platform_machine == "x86_64"')
    assert _unmet(torch, interpreter=PY311) == ["torch>triton==3.0.0:None"]
    assert _unmet(torch, interpreter=PY27) == ["torch>future:None", "torch>dataclasses:None",
                                               "torch>triton==3.0.0:None"]
    windows = Interpreter("C:\\py\\python.exe", "3.11.7", "cpython", "win32", "AMD64", "C:\\py", False, False)
    assert _unmet(torch, interpreter=windows) == []


def test_the_target_reported_markers_win_over_what_its_version_implies() -> None:
    env = marker_environment(PY311, {"python_version": "3.6", "sys_platform": "linux"})
    torch = _d("torch", "1.4.0", 'dataclasses; python_version < "3.7"')
    assert [u.name for u in unmet_requirements(CATALOG, (torch,), env)] == ["dataclasses"]


def test_pins_of_an_extra_count_when_the_extra_is_visibly_installed() -> None:
    base = (_d("jaxlib", "0.10.2"), _d("ml_dtypes", "0.5.4"), _d("numpy", "2.4.6"))
    # jax[cuda13] with a plugin of another release: pip check is silent, the plugin will not load
    mismatched = (_d("jax", "0.10.2", *JAX_REQUIRES), *base, _d("jax-cuda13-plugin", "0.9.2"))
    assert _unmet(*mismatched) == ["jax>jax-cuda13-plugin<=0.10.2,>=0.10.2:0.9.2[cuda13]"]  # once, not per extra
    matched = (_d("jax", "0.10.2", *JAX_REQUIRES), *base, _d("jax-cuda13-plugin", "0.10.2"))
    assert _unmet(*matched) == []
    # no plugin at all: no CUDA extra was chosen, so its pins say nothing (nor does minimum-jaxlib's ==0.10.1)
    assert _unmet(_d("jax", "0.10.2", *JAX_REQUIRES), *base) == []


def test_local_versions_and_prereleases_count_as_pip_counts_them() -> None:
    dists = (_d("torchvision", "0.29.1", "torch>=2.14.0"), _d("torch", "2.14.0.dev20260101+cu130"))
    assert _unmet(*dists) == ["torchvision>torch>=2.14.0:2.14.0.dev20260101+cu130"]  # a dev release is below 2.14.0
    assert _unmet(_d("torchvision", "0.24.1", "torch==2.9.1"), _d("torch", "2.9.1+cu126")) == []


def test_requirement_not_met_severity_and_fix_from_the_rule() -> None:
    report = ReportBuilder().framework("jax", "jax", "0.10.2").build()
    inv = Inventory(report.target, (_d("jax", "0.10.2", *JAX_REQUIRES), _d("jaxlib", "0.9.2"),
                                    _d("numpy", "2.4.6")))
    found = [d for d in diagnose(report, CATALOG, inv, environ={}) if d.code == "requirement-not-met"]
    assert [(d.severity, d.message, d.hint, d.framework) for d in found] == [
        (Severity.ERROR, "jax 0.10.2 requires jaxlib<=0.10.2,>=0.10.1, but jaxlib 0.9.2 is installed",
         "pip install 'jaxlib<=0.10.2,>=0.10.1'", "jax"),
        (Severity.WARNING, "jax 0.10.2 requires ml_dtypes>=0.5.0, which is not installed",
         "pip install 'ml_dtypes>=0.5.0'", "jax")]


def test_an_import_failure_explained_by_an_unmet_requirement_gets_that_fix_not_a_reinstall() -> None:
    error = "jaxlib is version 0.9.2, but this version of jax requires version >= 0.10.1."
    report = ReportBuilder().framework("jax", "jax", "0.10.2", outcome=None).build()
    failed = ProbeResult(Outcome.FAILED, error_type="RuntimeError", error_message=error, phase="import")
    report = replace(report, frameworks=tuple(replace(r, probe=failed) for r in report.frameworks))
    inv = Inventory(report.target, (_d("jax", "0.10.2", "jaxlib<=0.10.2,>=0.10.1"), _d("jaxlib", "0.9.2")))
    failure = next(d for d in diagnose(report, CATALOG, inv, environ={}) if d.code == "import-failed")
    assert failure.hint.startswith("pip install 'jaxlib<=0.10.2,>=0.10.1'")
    assert "force-reinstall" not in failure.hint
