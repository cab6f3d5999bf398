"""The stack's rules as units: companion-broken, numpy-abi-mismatch, cuda-variant-mismatch (built
reports and inventories in, findings out; no subprocess)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fakes.reports import CATALOG, SITE, ReportBuilder
from fwprobe.assess import diagnose
from fwprobe.assess.binary import cuda_major, cuda_of_label, local_label, numpy_abi
from fwprobe.inventory import Inventory
from fwprobe.model import CompanionProbe, Distribution, Outcome, Severity


def _d(name: str, version: str, *requires: str) -> Distribution:
    return Distribution(name, version, SITE, requires=requires)


def _found(builder: ReportBuilder, *dists: Distribution, code: str):
    report = builder.build()
    inv = Inventory(report.target, tuple(d for r in report.frameworks for d in (*r.distributions, *r.companions))
                    + dists)
    return [d for d in diagnose(report, CATALOG, inv, environ={}) if d.code == code]


# NumPy 2.0's message (numpy/core/_multiarray_umath.py), as it reaches stderr, with its traceback
NUMPY_2_SAYS = """
A module that was compiled using NumPy 1.x cannot be run in
NumPy 2.0.2 as it may crash. To support both 1.x and 2.x
versions of NumPy, modules must be compiled with NumPy 2.0.
Some module may need to rebuild instead e.g. with 'pybind11>=2.12'.

Traceback (most recent call last):  File "/envs/t/lib/python3.11/site-packages/torch/__init__.py", line 1, in <module>
  File "/envs/t/lib/python3.11/site-packages/pandas/__init__.py", line 22, in <module>
    from pandas.compat import is_numpy_dev as _is_numpy_dev  # pyright: ignore # noqa:F401
  File "/envs/t/lib/python3.11/site-packages/numpy/core/_multiarray_umath.py", line 44, in __getattr__
"""


@pytest.mark.parametrize("texts, numpy, built_for, module", [
    ((None, NUMPY_2_SAYS), "2.0.2", "1.x", "pandas"),
    (("numpy.core.multiarray failed to import", None), "2.1.3", "1.x", None),
    (("numpy.core.multiarray failed to import", None), "1.26.4", None, None),  # under NumPy 1: not the ABI
    (("numpy.dtype size changed, may indicate binary incompatibility. Expected 96 from C header, got 88 from "
      "PyObject", None), "1.26.4", "2.x", None),
    (("module compiled against ABI version 0x1000009 but this version of numpy is 0x2000000", None), "2.0.0",
     "1.x", None),
    (("No module named 'numpy'", None), None, None, None),
])
def test_numpy_abi_in_numpys_own_words(texts, numpy, built_for, module) -> None:
    found = numpy_abi(*texts, numpy_version=numpy)
    assert (found.built_for if found else None, found.module if found else None) == (built_for, module)


def test_local_labels() -> None:
    assert [local_label(v) for v in ("2.9.1+cu126", "2.13.0+cpu", "0.4.20+cuda12.cudnn89", "2.9.1")] == [
        "cu126", "cpu", "cuda12.cudnn89", None]
    assert [cuda_of_label(x) for x in ("cu126", "cu130", "cu118", "cpu", "rocm6.2")] == [
        (12, 6), (13, 0), (11, 8), None, None]
    assert cuda_major("cuda12.cudnn89") == 12


def test_numpy_abi_names_the_package_from_the_traceback() -> None:
    failed = ReportBuilder().framework("pytorch", "torch", "2.5.1+cpu", outcome=Outcome.FAILED,
                                       error="numpy.core.multiarray failed to import")
    report = failed.build()
    report = replace(report, frameworks=tuple(replace(r, probe=replace(r.probe, output_tail=NUMPY_2_SAYS))
                                              for r in report.frameworks))
    inv = Inventory(report.target, (_d("torch", "2.5.1+cpu"), _d("pandas", "1.5.3"), _d("numpy", "2.0.2")))
    found = diagnose(report, CATALOG, inv, environ={})
    [abi] = [d for d in found if d.code == "numpy-abi-mismatch"]
    assert abi.message == ("pandas (imported by PyTorch) was compiled against NumPy 1.x and cannot run with NumPy "
                           "2.0.2: \"A module that was compiled using NumPy 1.x cannot be run in NumPy 2.0.2\"")
    assert abi.hint == ("install a release of pandas built for NumPy 2 (pip install -U pandas), or keep NumPy 1 "
                        "for it: pip install 'numpy<2'")
    [failure] = [d for d in found if d.code == "import-failed"]
    assert "numpy-abi-mismatch" in failure.hint and "force-reinstall" not in failure.hint


def test_a_healthy_companion_is_no_finding() -> None:
    ok = CompanionProbe("torchvision", "torchvision", Outcome.OK, op="torchvision-nms", step="op")
    builder = ReportBuilder().framework("pytorch", "torch", "2.5.1+cu124", companions=(
        _d("torchvision", "0.20.1+cu124", "torch==2.5.1"),), companion_probes=(ok,))
    assert _found(builder, code="companion-broken") == []


def test_a_companion_built_for_another_cuda_variant_names_both_tags() -> None:
    broken = CompanionProbe("torchvision", "torchvision", Outcome.FAILED, step="import", error_type="RuntimeError",
                            error_message="Detected that PyTorch and torchvision were compiled with different CUDA "
                                          "major versions. PyTorch has CUDA Version=12.4 and torchvision has CUDA "
                                          "Version=11.8. Please reinstall the torchvision that matches your PyTorch "
                                          "install.")
    builder = ReportBuilder().framework("pytorch", "torch", "2.5.1+cu124", companions=(
        _d("torchvision", "0.20.1+cu118", "torch==2.5.1"),), companion_probes=(broken,))
    [d] = _found(builder, code="companion-broken")
    assert d.message.endswith("; it is a CUDA 11.8 build (+cu118), torch 2.5.1+cu124 a CUDA 12.4 one")
    assert "RuntimeError: Detected that PyTorch and torchvision were compiled with different CUDA" in d.message
    assert d.hint.startswith("install the torchvision build for +cu124, from the wheel index torch came from: "
                             "pip install --force-reinstall 'torchvision==0.20.1'")
    [variant] = _found(builder, code="cuda-variant-mismatch")
    assert variant.severity is Severity.ERROR and variant.message == (
        "torch 2.5.1+cu124 is a CUDA 12.4 build, torchvision 0.20.1+cu118 a CUDA 11.8 one: its C++ operators "
        "will not load against this torch")


def test_torch_variants_within_one_cuda_major_warn_and_cpu_against_cuda_is_an_error() -> None:
    within = ReportBuilder().framework("pytorch", "torch", "2.5.1+cu124", companions=(
        _d("torchaudio", "2.5.1+cu121"),))
    [w] = _found(within, code="cuda-variant-mismatch")
    assert w.severity is Severity.WARNING and "torchaudio 2.5.1+cu121 a CUDA 12.1 one" in w.message
    cpu = ReportBuilder().framework("pytorch", "torch", "2.5.1+cpu", companions=(_d("torchvision", "0.20.1+cu124"),))
    [e] = _found(cpu, code="cuda-variant-mismatch")
    assert e.severity is Severity.ERROR and "torch 2.5.1+cpu is a CPU-only build" in e.message
    untagged = ReportBuilder().framework("pytorch", "torch", "2.5.1", companions=(_d("torchvision", "0.20.1+cu124"),))
    assert _found(untagged, code="cuda-variant-mismatch") == []  # no tag on torch: nothing to compare


def test_jax_plugins_against_jaxlib_and_each_other() -> None:
    builder = ReportBuilder().framework("jax", "jax", "0.10.2", companions=(
        _d("jaxlib", "0.10.2"), _d("jax-cuda13-plugin", "0.9.2"), _d("jax-cuda12-plugin", "0.10.2")))
    found = sorted(_found(builder, code="cuda-variant-mismatch"), key=lambda d: d.severity.rank)
    assert [(d.severity, d.message) for d in found] == [
        (Severity.WARNING, "jax's CUDA plugins for CUDA 12 and 13 are installed at once (jax-cuda13-plugin 0.9.2, "
                           "jax-cuda12-plugin 0.10.2): jax loads one and the other's libraries may shadow it"),
        (Severity.ERROR, "jax-cuda13-plugin 0.9.2 does not match jaxlib 0.10.2: jax loads a CUDA plugin only at "
                         "jaxlib's own release, so it sees no GPU")]
    assert found[0].hint == "keep the plugin for your driver's CUDA: pip uninstall -y jax-cuda12-plugin"
    old = ReportBuilder().framework("jax", "jax", "0.4.20", companions=(
        _d("jaxlib", "0.4.20+cuda11.cudnn86"), _d("jax-cuda12-plugin", "0.4.20")))
    [d] = _found(old, code="cuda-variant-mismatch")
    assert d.message == "jaxlib 0.4.20+cuda11.cudnn86 is built for CUDA 11, but jax-cuda12-plugin 0.4.20 is for CUDA 12"


def test_nvidia_wheels_of_two_cuda_majors() -> None:
    torch = _d("torch", "2.9.1+cu130", "nvidia-cudnn-cu13==9.13.0.50")
    builder = ReportBuilder().framework("pytorch", "torch", "2.9.1+cu130")
    report = builder.build()
    inv = Inventory(report.target, (torch, _d("nvidia-cudnn-cu13", "9.13.0.50"), _d("nvidia-cudnn-cu12", "9.1.0.70"),
                                    _d("nvidia-cublas-cu12", "12.4.5.8")))
    [d] = [d for d in diagnose(report, CATALOG, inv, environ={}) if d.code == "cuda-variant-mismatch"]
    assert d.severity is Severity.WARNING
    assert d.message.startswith("nvidia-* wheels for more than one CUDA major are installed (CUDA 12: "
                                "nvidia-cublas-cu12 12.4.5.8, nvidia-cudnn-cu12 9.1.0.70; CUDA 13: nvidia-cudnn-cu13")
    assert d.hint == "remove the wheels nothing installed requires: pip uninstall -y nvidia-cublas-cu12 nvidia-cudnn-cu12"
    one = Inventory(report.target, (torch, _d("nvidia-cudnn-cu13", "9.13.0.50")))
    assert [d for d in diagnose(report, CATALOG, one, environ={}) if d.code == "cuda-variant-mismatch"] == []
