"""The stack around a framework, against real packages installed at mismatched versions.

Local real tests: each environment is built by hand (a few hundred MB each; not for CI) and the
test skips when it is absent.

- ``FWPROBE_TEST_TORCHVISION_MISMATCH_PYTHON`` (default ``.venv-stack-torchvision``): torch 2.13.0
  CPU, then torchvision 0.29.1 (built for torch 2.14) without its dependencies::

      python3 -m venv .venv-stack-torchvision && .venv-stack-torchvision/bin/pip install torch==2.13.0 \\
        && .venv-stack-torchvision/bin/pip install --no-deps torchvision==0.29.1

- ``FWPROBE_TEST_JAXLIB_MISMATCH_PYTHON`` (default ``.venv-stack-jax``): jax 0.10.2, then jaxlib 0.9.2::

      python3 -m venv .venv-stack-jax && .venv-stack-jax/bin/pip install jax==0.10.2 \\
        && .venv-stack-jax/bin/pip install --no-deps jaxlib==0.9.2

Beside them, every framework interpreter of test_real.py. On each one, ``python -m pip check``
is the reference: fwprobe's requirement findings are held to the same pins, none missed, none
invented.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fakes import ROOT
from fwprobe.catalog import load_catalog, normalize
from fwprobe.core import ScanOptions, scan
from fwprobe.model import Outcome, Report

pytestmark = pytest.mark.real


def _python(var: str, default: str) -> str | None:
    path = Path(os.environ.get(var) or ROOT / default / "bin" / "python")
    return str(path) if path.exists() else None


TORCHVISION_MISMATCH = _python("FWPROBE_TEST_TORCHVISION_MISMATCH_PYTHON", ".venv-stack-torchvision")
JAXLIB_MISMATCH = _python("FWPROBE_TEST_JAXLIB_MISMATCH_PYTHON", ".venv-stack-jax")
FRAMEWORKS = [p for p in (os.environ.get("FWPROBE_TEST_FRAMEWORKS_PYTHON") or "").split(os.pathsep) if p] or [
    str(p) for p in (ROOT / ".venv-frameworks" / "bin" / "python", ROOT / ".venv-frameworks-tf" / "bin" / "python")
    if p.exists()]
ENVIRONMENTS = [p for p in (TORCHVISION_MISMATCH, JAXLIB_MISMATCH, *FRAMEWORKS) if p]


def _scan(python: str, *frameworks: str, do_import: bool = True) -> Report:
    return scan(load_catalog(), ScanOptions(python=python, frameworks=frameworks, do_import=do_import, timeout=240))


# pip check's two lines (pip/_internal/commands/check.py): a missing requirement names only the
# project; a conflict names the whole requirement and the installed version
_PIP_MISSING = re.compile(r"^(\S+) (\S+) requires (\S+), which is not installed\.$")
_PIP_CONFLICT = re.compile(r"^(\S+) (\S+) has requirement (.+), but you have (\S+) (\S+)\.$")
_FW_UNMET = re.compile(r"^(\S+) (\S+) (?:requires|pins) ([A-Za-z0-9._-]+)(\S*?)(?: \(through its extra \[\S+\]\))?"
                       r"(?:, which is not installed|, but (\S+) (\S+) is installed)$")


def _pip_check(python: str) -> set[tuple[str, str, str, str | None]]:
    done = subprocess.run([python, "-m", "pip", "check"], capture_output=True, text=True, timeout=120)
    found = set()
    for line in done.stdout.splitlines():
        if m := _PIP_MISSING.match(line):
            found.add((normalize(m[1]), m[2], normalize(re.split(r"[^A-Za-z0-9._-]", m[3])[0]), None))
        elif m := _PIP_CONFLICT.match(line):
            found.add((normalize(m[1]), m[2], normalize(m[4]), m[5]))
        else:
            assert line == "No broken requirements found." or "is not supported on this platform" in line, line
    return found


def _fwprobe_check(report: Report) -> set[tuple[str, str, str, str | None]]:
    found = set()
    for d in report.diagnoses:
        if d.code in ("requirement-not-met", "nvidia-wheel-mismatch"):
            m = _FW_UNMET.match(d.message)
            assert m, d.message
            found.add((normalize(m[1]), m[2], normalize(m[3]), m[6]))
    return found


@pytest.mark.skipif(not ENVIRONMENTS, reason="no real test environment here")
@pytest.mark.parametrize("python", ENVIRONMENTS)
def test_requirements_match_pip_check_on_each_real_environment(python: str) -> None:
    """The same pins as pip check, none missed, none invented (these environments hold nothing
    pip check flags outside the frameworks' stack); from metadata alone."""
    report = _scan(python, do_import=False)
    assert _fwprobe_check(report) == _pip_check(python)


@pytest.mark.skipif(JAXLIB_MISMATCH is None, reason="no jax 0.10.2 + jaxlib 0.9.2 environment (see the docstring)")
def test_real_jax_with_an_older_jaxlib_gets_the_jaxlib_fix() -> None:
    report = _scan(JAXLIB_MISMATCH, "jax")
    p = report.frameworks[0].probe
    assert p is not None and p.outcome is Outcome.FAILED
    assert "jaxlib is version 0.9.2, but this version of jax requires version >= 0.10.1" in (p.error_message or "")
    unmet = [d for d in report.diagnoses if d.code == "requirement-not-met"]
    assert [(d.severity.value, d.message, d.hint) for d in unmet] == [
        ("error", "jax 0.10.2 requires jaxlib<=0.10.2,>=0.10.1, but jaxlib 0.9.2 is installed",
         "pip install 'jaxlib<=0.10.2,>=0.10.1'")]
    failed = next(d for d in report.diagnoses if d.code == "import-failed")
    assert failed.hint.startswith("pip install 'jaxlib<=0.10.2,>=0.10.1'") and "force-reinstall" not in failed.hint


@pytest.mark.skipif(TORCHVISION_MISMATCH is None, reason="no torch 2.13.0 + torchvision 0.29.1 environment "
                                                         "(see the docstring)")
def test_real_torchvision_built_for_another_torch_is_companion_broken() -> None:
    report = _scan(TORCHVISION_MISMATCH, "torch")
    p = report.frameworks[0].probe
    assert p is not None and p.outcome is Outcome.OK and p.version == "2.13.0+cpu"  # torch itself is fine
    [c] = p.companions
    assert (c.distribution, c.outcome, c.step) == ("torchvision", Outcome.FAILED, "import")
    assert c.error_message == "operator torchvision::nms does not exist"  # torchvision's own words
    [broken] = [d for d in report.diagnoses if d.code == "companion-broken"]
    assert broken.message == ("torchvision 0.29.1 (PyTorch companion) failed to import beside torch 2.13.0+cpu: "
                              "RuntimeError: operator torchvision::nms does not exist; it was built for "
                              "torch>=2.14.0 (its Requires-Dist), and torch 2.13.0+cpu is installed")
    assert broken.hint.startswith("keep torch 2.13.0+cpu and install the torchvision release built for it: "
                                  "pip install 'torch==2.13.0' torchvision")
    assert not [d for d in report.diagnoses if d.code in ("import-failed", "import-crashed")]


NUMPY1 = _python("FWPROBE_TEST_NUMPY1_PYTHON", ".venv-stack-numpy1")  # any interpreter with numpy 1.x: its headers
NUMPY2 = next((p for p in FRAMEWORKS if subprocess.run(
    [p, "-c", "import numpy, sys; sys.exit(int(numpy.__version__.split('.')[0]) != 2)"],
    capture_output=True).returncode == 0), None)
GCC = shutil.which("gcc")

# the smallest extension that uses NumPy's C API: import_array() in its module init
NUMPY_EXTENSION = r"""
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <Python.h>
#include <numpy/arrayobject.h>
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native", NULL, -1, NULL};
PyMODINIT_FUNC PyInit__native(void) { import_array(); return PyModule_Create(&module); }
"""


@pytest.mark.skipif(not (NUMPY1 and NUMPY2 and GCC), reason="needs an interpreter with numpy 1.x "
                    "(FWPROBE_TEST_NUMPY1_PYTHON: python3 -m venv .venv-stack-numpy1 && "
                    ".venv-stack-numpy1/bin/pip install 'numpy<2'), a frameworks interpreter with numpy 2 and gcc")
def test_a_real_extension_built_against_numpy_1_under_numpy_2(tmp_path: Path, monkeypatch) -> None:
    assert NUMPY1 and NUMPY2 and GCC
    include = subprocess.run([NUMPY1, "-c", "import numpy; print(numpy.get_include())"], capture_output=True,
                             text=True, check=True).stdout.strip()
    py = subprocess.run([NUMPY2, "-c", "import sysconfig as s; print(s.get_paths()['include']); "
                         "print(s.get_config_var('EXT_SUFFIX'))"], capture_output=True, text=True, check=True)
    py_include, suffix = py.stdout.split()
    site = tmp_path / "site"
    (site / "cext").mkdir(parents=True)
    (site / "cext" / "__init__.py").write_text("from cext._native import *\n")
    (tmp_path / "ext.c").write_text(NUMPY_EXTENSION)
    subprocess.run([GCC, "-shared", "-fPIC", f"-I{py_include}", f"-I{include}", str(tmp_path / "ext.c"),
                    "-o", str(site / "cext" / f"_native{suffix}")], check=True)
    (site / "cext-0.1.dist-info").mkdir()
    (site / "cext-0.1.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: cext\nVersion: 0.1\n\n")
    from fakes.catalogs import FAKE_CATALOG  # its pytorch record checks a companion "cext"

    (tmp_path / "catalog.toml").write_text(FAKE_CATALOG)
    monkeypatch.setenv("PYTHONPATH", str(site))
    report = scan(load_catalog(tmp_path / "catalog.toml"), ScanOptions(
        python=NUMPY2, frameworks=("pytorch",), keep_pythonpath=True, timeout=240))
    p = report.frameworks[0].probe
    assert p is not None and p.outcome is Outcome.OK
    [c] = p.companions
    assert c.outcome is Outcome.FAILED
    assert "A module that was compiled using NumPy 1.x cannot be run in" in (c.output_tail or "")  # NumPy's words
    [abi] = [d for d in report.diagnoses if d.code == "numpy-abi-mismatch"]
    assert abi.message.startswith("cext was compiled against NumPy 1.x and cannot run with NumPy 2.")
    assert "pip install 'numpy<2'" in abi.hint and "pip install -U cext" in abi.hint
    assert "companion-broken" not in [d.code for d in report.diagnoses]  # one finding, the one that says why


KERAS = next((p for p in FRAMEWORKS if subprocess.run(
    [p, "-c", "import importlib.util as u, sys; sys.exit(u.find_spec('keras') is None or u.find_spec('torch') is None)"]
).returncode == 0), None)


@pytest.mark.skipif(KERAS is None, reason="no keras with torch in a frameworks interpreter")
def test_real_keras_lists_the_backends_it_ships(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KERAS_BACKEND", "torch")  # .ci/run's frameworks venv holds torch beside keras
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    assert KERAS is not None
    p = _scan(KERAS, "keras").frameworks[0].probe
    assert p is not None and p.outcome is Outcome.OK, p
    assert {"tensorflow", "jax", "torch", "numpy"} <= set(p.details["keras_backends"])  # Keras 3's own source tree
    assert "tests" not in p.details["keras_backends"]
    assert p.details["keras_multi_backend"] is True and p.details["keras_backend"] == "torch"
