"""Companions imported in the framework's probe process, after the framework, each with its own
outcome: real subprocesses, fake companions shaped like the real APIs, and a real C extension
built here with the machine's compiler."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from fakes.frameworks import (
    FAKE_TORCH_CUDA,
    FAKE_TORCHVISION,
    FAKE_TORCHVISION_FOR_ANOTHER_TORCH,
    FAKE_TORCHVISION_WRONG_NMS,
    HANG,
    SEGV,
    write_dist,
    write_module,
)
from fwprobe.core import ScanOptions, scan
from fwprobe.model import Outcome
from fwprobe.probes.results import run_probes
from fwprobe.target import Workdir


def _probe(catalog, python: str = sys.executable, timeout: float = 30.0):
    with Workdir() as w:
        return run_probes(python, [catalog.get("pytorch")], timeout, w, keep_pythonpath=True)["pytorch"]


def _scan(catalog, timeout: float = 30.0):
    return scan(catalog, ScanOptions(python=sys.executable, frameworks=("pytorch",), keep_pythonpath=True,
                                     timeout=timeout))


def test_a_healthy_companion_imports_and_runs_its_native_op(site: Path, fake_catalog) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    write_module(site, "torchvision", FAKE_TORCHVISION, "torchvision", "0.20.1+cu124", requires=("torch==2.5.1",))
    r = _probe(fake_catalog)
    assert r.outcome is Outcome.OK
    [c] = r.companions
    assert (c.distribution, c.outcome, c.op, c.step, c.version) == (
        "torchvision", Outcome.OK, "torchvision-nms", "op", "0.20.1+cu124")


def test_a_companion_not_installed_is_not_imported(site: Path, fake_catalog) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    write_module(site, "torchvision", FAKE_TORCHVISION)  # the module without its distribution
    assert _probe(fake_catalog).companions == ()


def test_a_broken_companion_is_its_own_finding_and_the_framework_stays_ok(site: Path, fake_catalog,
                                                                          no_gpu_tools) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    write_module(site, "torchvision", FAKE_TORCHVISION_FOR_ANOTHER_TORCH, "torchvision", "0.29.1",
                 requires=("torch>=2.14.0",))
    report = _scan(fake_catalog)
    p = report.frameworks[0].probe
    assert p is not None and p.outcome is Outcome.OK and p.devices  # the framework's answer is whole
    [c] = p.companions
    assert (c.outcome, c.step, c.error_type, c.error_message) == (
        Outcome.FAILED, "import", "RuntimeError", "operator torchvision::nms does not exist")
    [broken] = [d for d in report.diagnoses if d.code == "companion-broken"]
    assert broken.message == ("torchvision 0.29.1 (PyTorch companion) failed to import beside torch 2.5.1+cu124: "
                              "RuntimeError: operator torchvision::nms does not exist; it was built for "
                              "torch>=2.14.0 (its Requires-Dist), and torch 2.5.1+cu124 is installed")
    assert broken.hint.startswith("keep torch 2.5.1+cu124 and install the torchvision release built for it: "
                                  "pip install 'torch==2.5.1' torchvision")
    assert "import-failed" not in [d.code for d in report.diagnoses]


def test_a_native_op_with_a_wrong_answer_fails_the_companion(site: Path, fake_catalog) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    write_module(site, "torchvision", FAKE_TORCHVISION_WRONG_NMS, "torchvision", "0.20.1+cu124")
    [c] = _probe(fake_catalog).companions
    assert (c.outcome, c.step, c.error_type) == (Outcome.FAILED, "op", "AssertionError")
    assert c.error_message == "nms kept [0, 1] of two boxes overlapping at IoU 0.68 (threshold 0.5), expected [0]"


def test_a_hanging_companion_gets_its_share_of_the_time_and_the_next_one_still_runs(site: Path, fake_catalog) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    write_module(site, "torchvision", FAKE_TORCHVISION, "torchvision", "0.20.1+cu124")
    write_module(site, "hangcomp", HANG, "hangcomp", "1.0")
    r = _probe(fake_catalog, timeout=12)
    assert r.outcome is Outcome.OK
    outcomes = {c.distribution: (c.outcome, c.error_type) for c in r.companions}
    assert outcomes == {"torchvision": (Outcome.OK, None), "hangcomp": (Outcome.TIMEOUT, "_Overrun")}


def test_a_companion_that_takes_the_process_down_leaves_the_framework_ok(site: Path, fake_catalog,
                                                                          no_gpu_tools) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    write_module(site, "segvcomp", SEGV, "segvcomp", "1.0")
    report = _scan(fake_catalog)
    p = report.frameworks[0].probe
    assert p is not None and p.outcome is Outcome.OK and p.version == "2.5.1+cu124"
    [c] = p.companions
    assert c.outcome is Outcome.CRASHED and "SIGSEGV" in (c.error_message or "")
    [broken] = [d for d in report.diagnoses if d.code == "companion-broken"]
    assert "segvcomp 1.0 (PyTorch companion) took the probe's process down importing" in broken.message


GCC = shutil.which("gcc")  # looked up before a test narrows PATH (no_gpu_tools); gcc runs with this PATH
BUILD_ENV = {**os.environ}


def _build_extension(tmp_path: Path, site: Path, name: str, body: str) -> None:
    """A real CPython extension module ``name`` compiled into ``site`` with the machine's compiler."""
    include = sysconfig.get_paths()["include"]
    if not GCC or not (Path(include) / "Python.h").exists():
        pytest.skip("no gcc or no Python headers here")
    src = tmp_path / f"{name}.c"
    src.write_text(body)
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    (site / name).mkdir()
    (site / name / "__init__.py").write_text(f"from {name}._native import *\n")
    done = subprocess.run([GCC, "-shared", "-fPIC", f"-I{include}", str(src), "-o",
                           str(site / name / f"_native{suffix}")], capture_output=True, text=True, env=BUILD_ENV)
    assert done.returncode == 0, done.stderr


# a symbol no library defines, as an extension compiled against another framework ABI references
# one (flash-attn, xformers: "undefined symbol: _ZN3c10...")
UNDEFINED = r"""
#include <Python.h>
extern int fwprobe_symbol_no_library_defines(void);
static PyObject *call(PyObject *self, PyObject *args) { return PyLong_FromLong(fwprobe_symbol_no_library_defines()); }
static PyMethodDef methods[] = {{"call", call, METH_NOARGS, ""}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native", NULL, -1, methods};
PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
"""


def test_a_real_extension_with_an_undefined_symbol_is_companion_broken(site: Path, tmp_path: Path, fake_catalog,
                                                                        no_gpu_tools) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    _build_extension(tmp_path, site, "cext", UNDEFINED)
    write_dist(site, "cext", "0.1")
    report = _scan(fake_catalog)
    p = report.frameworks[0].probe
    assert p is not None and p.outcome is Outcome.OK
    [c] = p.companions
    assert c.outcome is Outcome.FAILED and c.error_type == "ImportError"
    assert "undefined symbol: fwprobe_symbol_no_library_defines" in (c.error_message or "")  # the loader's words
    [broken] = [d for d in report.diagnoses if d.code == "companion-broken"]
    assert "undefined symbol: fwprobe_symbol_no_library_defines" in broken.message
    assert "its metadata names no torch release it was built for" in broken.message
    assert broken.hint == "rebuild cext against torch 2.5.1+cu124"  # the catalog's hint, filled in


def _pyenv(version: str) -> str | None:
    pyenv = shutil.which("pyenv")
    if not pyenv:
        return None
    prefix = subprocess.run([pyenv, "prefix", version], capture_output=True, text=True).stdout.strip()
    exe = Path(prefix) / "bin" / "python" if prefix else None
    return str(exe) if exe and exe.exists() else None


@pytest.mark.parametrize("version", ["3.6.15", "2.7.18"])
def test_companions_are_probed_on_old_interpreters(version: str, site: Path, fake_catalog) -> None:
    python = _pyenv(version)
    if python is None:
        pytest.skip(f"no Python {version} from pyenv")
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    write_module(site, "torchvision", FAKE_TORCHVISION, "torchvision", "0.20.1+cu124")
    write_module(site, "hangcomp", HANG, "hangcomp", "1.0")
    r = _probe(fake_catalog, python=python, timeout=12)
    assert r.outcome is Outcome.OK
    assert {c.distribution: c.outcome for c in r.companions} == {"torchvision": Outcome.OK,
                                                                 "hangcomp": Outcome.TIMEOUT}
