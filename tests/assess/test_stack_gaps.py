"""The stack around a framework, at the edges a user meets: a companion that hangs, crashes or
fails its op, what it was built for in each way metadata says it, NumPy's ABI in every wording,
build variants, import hints and requirement-not-met for a target that is not fwprobe's own
interpreter (built reports and inventories in, findings out; no subprocess)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fakes.reports import CATALOG, SITE, ReportBuilder
from fwprobe.assess import diagnose
from fwprobe.assess.binary import cuda_major, cuda_of_label, local_label, numpy_abi, variant
from fwprobe.assess.requirements import marker_environment
from fwprobe.inventory import Inventory
from fwprobe.model import CompanionProbe, Distribution, Interpreter, Outcome, Report, Severity


def _d(name: str, version: str, *requires: str) -> Distribution:
    return Distribution(name, version, SITE, requires=requires)


def _found(builder: ReportBuilder | Report, *dists: Distribution, code: str, target: Interpreter | None = None):
    report = builder.build() if isinstance(builder, ReportBuilder) else builder
    if target is not None:
        report = replace(report, target=target)
    inv = Inventory(report.target, tuple(d for r in report.frameworks for d in (*r.distributions, *r.companions))
                    + dists)
    return [d for d in diagnose(report, CATALOG, inv, environ={}) if d.code == code]


def _torch_with(comp: Distribution, probe: CompanionProbe, torch: str = "2.5.1+cu124") -> ReportBuilder:
    return ReportBuilder().framework("pytorch", "torch", torch, companions=(comp,), companion_probes=(probe,))


# --- companion-broken ---------------------------------------------------------------------------

@pytest.mark.parametrize("outcome, step, said", [
    (Outcome.TIMEOUT, "import", "gave no answer importing"),
    (Outcome.TIMEOUT, "op", "gave no answer running torchvision-nms"),
    (Outcome.CRASHED, "import", "took the probe's process down importing"),
    (Outcome.CRASHED, "op", "took the probe's process down running torchvision-nms"),
    (Outcome.FAILED, "import", "failed to import"),
    (Outcome.FAILED, "op", "failed its native operation (torchvision-nms)"),
])
def test_how_a_companion_failed_is_said(outcome: Outcome, step: str, said: str) -> None:
    probe = CompanionProbe("torchvision", "torchvision", outcome, op="torchvision-nms", step=step,
                           error_type="RuntimeError", error_message="operator torchvision::nms does not exist\nmore")
    [d] = _found(_torch_with(_d("torchvision", "0.20.1+cu124"), probe), code="companion-broken")
    assert d.message.startswith(f"torchvision 0.20.1+cu124 (PyTorch companion) {said} beside torch 2.5.1+cu124: "
                                "RuntimeError: operator torchvision::nms does not exist; ")


def test_a_companion_whose_requires_dist_names_another_torch() -> None:
    probe = CompanionProbe("torchvision", "torchvision", Outcome.FAILED, op="torchvision-nms", step="op",
                           error_message="operator torchvision::nms does not exist")
    builder = ReportBuilder().framework("pytorch", "torch", "2.13.0", companions=(
        _d("torchvision", "0.29.1", "torch==2.12.0", "numpy"),), companion_probes=(probe,))
    [d] = _found(builder, code="companion-broken")
    assert d.message == ("torchvision 0.29.1 (PyTorch companion) failed its native operation (torchvision-nms) beside "
                         "torch 2.13.0: operator torchvision::nms does not exist; it was built for torch==2.12.0 (its "
                         "Requires-Dist), and torch 2.13.0 is installed")
    assert d.hint == ("keep torch 2.13.0 and install the torchvision release built for it: pip install 'torch==2.13.0' "
                      "torchvision (pip picks the torchvision that requires it); or move torch to what torchvision "
                      "0.29.1 needs: pip install 'torch==2.12.0'")


def test_a_companion_whose_pin_accepts_the_framework_gets_the_catalogs_hint() -> None:
    probe = CompanionProbe("torchvision", "torchvision", Outcome.FAILED, step="import", error_type="OSError",
                           error_message="undefined symbol: _ZN3c10")
    builder = ReportBuilder().framework("pytorch", "torch", "2.5.1", companions=(
        _d("torchvision", "0.20.1", "torch[cuda] ; extra == 'x'", "torch>=2.5"),), companion_probes=(probe,))
    [d] = _found(builder, code="companion-broken")
    assert d.message.endswith("; its Requires-Dist (torch>=2.5) accepts torch 2.5.1")
    # torchvision's catalog check carries no hint of its own: the reinstall for this torch
    assert d.hint == ("reinstall torchvision for torch 2.5.1: pip install --force-reinstall --no-cache-dir torchvision "
                      "(an 'undefined symbol' means it was compiled against another torch release; a wheel "
                      "built for this one, or a build here, fixes it)")


def test_a_companion_with_no_metadata_gets_the_catalogs_advice_for_it() -> None:
    probe = CompanionProbe("xformers", "xformers", Outcome.FAILED, step="import", error_message="boom")
    builder = ReportBuilder().framework("pytorch", "torch", "2.5.1", companions=(_d("xformers", "0.0.28"),),
                                        companion_probes=(probe,))
    [d] = _found(builder, code="companion-broken")
    assert d.message == ("xformers 0.0.28 (PyTorch companion) failed to import beside torch 2.5.1: boom; its "
                         "metadata names no torch release it was built for")
    assert d.hint == ("xformers is built for one torch release and CUDA: install the xformers wheel for the installed "
                      "torch from the same wheel index torch came from (pip install --force-reinstall xformers "
                      "--index-url <that index>)")


def test_a_companion_that_is_not_installed_or_imported_fine_is_no_finding() -> None:
    probe = CompanionProbe("torchaudio", "torchaudio", Outcome.FAILED, step="import", error_message="x")
    builder = ReportBuilder().framework("pytorch", "torch", "2.5.1", companions=(), companion_probes=(probe,))
    assert _found(builder, code="companion-broken") == []


# --- numpy-abi-mismatch -------------------------------------------------------------------------

def test_an_extension_built_for_numpy_2_under_numpy_1() -> None:
    probe = CompanionProbe("torchvision", "torchvision", Outcome.FAILED, step="import", error_type="ValueError",
                           error_message="numpy.dtype size changed, may indicate binary incompatibility. Expected 96 "
                                         "from C header, got 88 from PyObject")
    builder = ReportBuilder().framework("pytorch", "torch", "2.5.1", companions=(_d("torchvision", "0.20.1"),),
                                        companion_probes=(probe,))
    [d] = _found(builder, _d("numpy", "1.26.4"), code="numpy-abi-mismatch")
    assert d.message == ("torchvision was compiled against NumPy 2.x and cannot run with NumPy 1.26.4: \"numpy.dtype "
                         "size changed, may indicate binary incompatibility. Expected 96 from C header, got 88 from "
                         "PyObject\"")
    assert d.hint == ("torchvision was built for NumPy 2: pip install -U 'numpy>=2' (if the rest of the stack "
                      "allows), or install a torchvision release built for NumPy 1")
    assert _found(builder, _d("numpy", "1.26.4"), code="companion-broken") == []  # the ABI's finding, not this


def test_the_culprit_is_the_installed_distribution_of_the_last_package_frame() -> None:
    tail = ('Traceback (most recent call last):\n'
            '  File "/e/lib/python3.11/site-packages/torch/__init__.py", line 1, in <module>\n'
            '  File "/e/lib/python3.11/site-packages/scipy/__init__.py", line 2, in <module>\n'
            '  File "/e/lib/python3.11/site-packages/numpy/core/__init__.py", line 3, in <module>\n'
            '  File "<frozen importlib._bootstrap>", line 4\n'
            'ImportError: numpy.core.multiarray failed to import')
    report = ReportBuilder().framework("pytorch", "torch", "2.5.1", outcome=Outcome.FAILED,
                                       error="numpy.core.multiarray failed to import").build()
    report = replace(report, frameworks=(replace(report.frameworks[0],
                                                 probe=replace(report.frameworks[0].probe, output_tail=tail)),))
    [d] = _found(report, _d("SciPy", "1.11.0"), _d("numpy", "2.1.0"), code="numpy-abi-mismatch")
    assert d.message.startswith("SciPy (imported by PyTorch) was compiled against NumPy 1.x and cannot run with "
                                "NumPy 2.1.0")
    [plain] = _found(report, _d("numpy", "2.1.0"), code="numpy-abi-mismatch")  # scipy not installed: the module name
    assert plain.message.startswith("scipy (imported by PyTorch)")
    [nothing] = _found(replace(report, frameworks=(replace(report.frameworks[0], probe=replace(
        report.frameworks[0].probe, output_tail=None)),)), code="numpy-abi-mismatch")
    assert nothing.message.startswith("torch was compiled against NumPy 1.x and cannot run with the installed NumPy")


@pytest.mark.parametrize("text, numpy, built_for, quote", [
    ("module compiled against ABI version 0x2000000 but this version of numpy is 0x1000009", "1.26.4", "2.x",
     "compiled against ABI version 0x2000000 but this version of numpy is 0x1000009"),
    ("module compiled against API version 0x10 but this version of numpy is 0xe", None, "2.x",
     "compiled against API version 0x10 but this version of numpy is 0xe"),
    ("module compiled against API version 0xe but this version of numpy is 0x10", None, "1.x",
     "compiled against API version 0xe but this version of numpy is 0x10"),
    ("A module that was compiled using NumPy 1.x cannot be run in\n  NumPy 2.1.3 as it may crash", None, "1.x",
     "A module that was compiled using NumPy 1.x cannot be run in NumPy 2.1.3"),
    ("_ARRAY_API not found", "2.0.0", "1.x", "_ARRAY_API not found"),
    ("numpy.core.umath failed to import", None, "1.x", "numpy.core.umath failed to import"),
    ("numpy.dtype size changed, may indicate binary incompatibility. Expected 96  \nnext", "2.0.0", "1.x",
     "numpy.dtype size changed, may indicate binary incompatibility. Expected 96"),
    ("numpy.dtype size changed, may indicate binary incompatibility.", "1.26.0", "2.x",
     "numpy.dtype size changed, may indicate binary incompatibility."),
])
def test_numpy_abi_in_each_wording(text: str, numpy: str | None, built_for: str, quote: str) -> None:
    found = numpy_abi(text, None, numpy_version=numpy)
    assert found is not None and (found.built_for, found.quote, found.module) == (built_for, quote, None)


def test_numpy_abi_names_the_last_package_frame_that_is_not_numpy() -> None:
    text = ('File "/e/site-packages/pandas/__init__.py", line 1\n'
            'File "/e/dist-packages/matplotlib/__init__.py", line 2\n'
            'File "/e/site-packages/numpy/core/x.py", line 3\n'
            'File "/e/site-packages/importlib/x.py", line 3\n'
            '_ARRAY_API not found')
    found = numpy_abi(None, text)
    assert found is not None and found.module == "matplotlib"
    assert numpy_abi(None, "") is None and numpy_abi("No module named 'numpy'") is None
    assert numpy_abi("_ARRAY_API not found", numpy_version="1.26.4") is None  # under NumPy 1: another cause


@pytest.mark.parametrize("version, label, cuda, words, major", [
    ("2.9.1+cu126", "cu126", (12, 6), "CUDA 12.6", 12),
    ("2.5.1+CU118", "cu118", (11, 8), "CUDA 11.8", 11),
    ("0.4.20+cuda12.cudnn89", "cuda12.cudnn89", None, "cuda12.cudnn89", 12),
    ("0.4.7+cuda11.8", "cuda11.8", (11, 8), "CUDA 11.8", 11),
    ("2.5.1+cpu", "cpu", None, "CPU-only", None),
    ("2.5.1+rocm6.2", "rocm6.2", None, "ROCm 6.2", None),
    ("1.0+a+b", "a+b", None, "a+b", None),
    ("2.5.1", None, None, "?", None),
])
def test_local_labels_and_variants(version: str, label: str | None, cuda, words: str, major: int | None) -> None:
    assert local_label(version) == label
    assert cuda_of_label(label) == cuda
    assert variant(label) == words
    assert cuda_major(label) == major


# --- cuda-variant-mismatch ----------------------------------------------------------------------

def test_an_old_jaxlib_built_for_another_cuda_than_its_plugin() -> None:
    builder = ReportBuilder().framework("jax", "jax", "0.4.20", companions=(
        _d("jaxlib", "0.4.20+cuda11.cudnn86"), _d("jax-cuda12-plugin", "0.4.20")))
    [d] = _found(builder, code="cuda-variant-mismatch")
    assert d.severity is Severity.ERROR and d.framework == "jax"
    assert d.hint == "pip install -U 'jax[cuda12]' (a jaxlib without CUDA of its own, with the plugin at its release)"


def test_a_plugin_at_another_release_than_jaxlib() -> None:
    builder = ReportBuilder().framework("jax", "jax", "0.7.0", companions=(
        _d("jaxlib", "0.7.1"), _d("jax-cuda12-pjrt", "0.7.0+x")))
    [d] = _found(builder, code="cuda-variant-mismatch")
    assert d.framework == "jax"
    assert d.hint == "pip install 'jax-cuda12-pjrt==0.7.1' (or pip install -U 'jax[cuda12]' to move all three)"
    same = ReportBuilder().framework("jax", "jax", "0.7.1", companions=(
        _d("jaxlib", "0.7.1+local"), _d("jax-cuda12-plugin", "0.7.1")))
    assert _found(same, code="cuda-variant-mismatch") == []


def test_two_plugins_name_the_older_majors_for_removal() -> None:
    builder = ReportBuilder().framework("jax", "jax", "0.7.1", companions=(
        _d("jaxlib", "0.7.1"), _d("jax-cuda12-plugin", "0.7.1"), _d("jax-cuda13-plugin", "0.7.1"),
        _d("jax-cuda12-pjrt", "0.7.1")))
    [d] = _found(builder, code="cuda-variant-mismatch")
    assert d.severity is Severity.WARNING and d.framework == "jax"
    assert d.hint == "keep the plugin for your driver's CUDA: pip uninstall -y jax-cuda12-plugin jax-cuda12-pjrt"


def test_cuda_12_and_13_wheels_that_frameworks_need_each() -> None:
    builder = ReportBuilder().framework("pytorch", "torch", "2.9.1", companions=())
    report = builder.build()
    torch = _d("torch", "2.9.1", "nvidia-cudnn-cu13==9.13.0.50")
    jaxlib = _d("jax-cuda12-plugin", "0.7.1", "nvidia-cublas-cu12>=12.1; extra == 'with-cuda'",
                "nvidia-cudnn-cu12>=9.1")
    inv = Inventory(report.target, (torch, jaxlib, _d("nvidia-cudnn-cu13", "9.13.0.50"),
                                    _d("nvidia-cudnn-cu12", "9.1.0.70"), _d("nvidia-cublas-cu12", "12.4.5.8")))
    [d] = [x for x in diagnose(report, CATALOG, inv, environ={}) if x.code == "cuda-variant-mismatch"]
    assert d.hint == "remove the wheels nothing installed requires: pip uninstall -y nvidia-cublas-cu12"
    both = Inventory(report.target, (torch, _d("x", "1", "nvidia-cudnn-cu12"), _d("nvidia-cudnn-cu13", "9.13.0.50"),
                                     _d("nvidia-cudnn-cu12", "9.1.0.70")))
    [d] = [x for x in diagnose(report, CATALOG, both, environ={}) if x.code == "cuda-variant-mismatch"]
    assert d.hint == ("the frameworks here need different CUDA majors: give each its own environment, or install all "
                      "of them for one CUDA major (e.g. torch from the index of its +cu13x builds and pip install "
                      "'jax[cuda13]')")


# --- requirement-not-met for the target ---------------------------------------------------------

def _interp(version: str, platform: str = "linux", implementation: str = "cpython") -> Interpreter:
    return Interpreter(f"/envs/t/bin/python{version}", version, implementation, platform, "x86_64", "/envs/t",
                       True, False)


def test_marker_environment_of_a_target_from_its_version_and_platform() -> None:
    assert marker_environment(_interp("3.8.18", "win32")) == {
        "platform_system": "Windows", "sys_platform": "win32", "platform_machine": "x86_64",
        "python_version": "3.8", "python_full_version": "3.8.18", "os_name": "nt",
        "implementation_name": "cpython", "platform_python_implementation": "CPython"}
    mac = marker_environment(_interp("3.12.1", "darwin", "pypy"))
    assert (mac["platform_system"], mac["os_name"], mac["platform_python_implementation"]) == ("Darwin", "posix", "pypy")
    assert marker_environment(_interp("3.12.1", "freebsd14"))["platform_system"] == "freebsd14"
    assert marker_environment(None) == {}
    assert marker_environment(_interp("3.8.18"), {"python_version": "3.8"}) == {"python_version": "3.8"}


def test_requirement_not_met_for_a_python_38_target() -> None:
    builder = ReportBuilder().framework("jax", "jax", "0.4.13", companions=(
        _d("jaxlib", "0.4.13", 'numpy>=1.21; python_version < "3.9"', 'numpy>=1.26; python_version >= "3.9"',
           'scipy>=1.7; python_version < "3.9"'),))
    found = _found(builder, _d("numpy", "1.24.4"), _d("scipy", "1.10.1"), code="requirement-not-met",
                   target=_interp("3.8.18"))
    assert found == []
    newer = _found(builder, _d("numpy", "1.24.4"), code="requirement-not-met", target=_interp("3.11.7"))
    assert [d.message for d in newer] == [
        "jaxlib 0.4.13 requires numpy>=1.26, but numpy 1.24.4 is installed"]
    assert newer[0].severity is Severity.WARNING and newer[0].hint == "pip install 'numpy>=1.26'"


# --- what the first run of the mutation script showed untested (issue 24) ------------------------

def test_a_labelled_companion_beside_an_unlabelled_framework_is_not_called_another_variant() -> None:
    probe = CompanionProbe("torchvision", "torchvision", Outcome.FAILED, step="import", error_message="boom")
    builder = ReportBuilder().framework("pytorch", "torch", "2.5.1", companions=(
        _d("torchvision", "0.20.1+cu124", "pillow>=5"),), companion_probes=(probe,))
    [d] = _found(builder, code="companion-broken")  # pillow missing is not what it was built for
    assert d.message.endswith("; its metadata names no torch release it was built for")


def test_a_plugin_with_a_local_label_at_jaxlibs_release_matches() -> None:
    builder = ReportBuilder().framework("jax", "jax", "0.7.1", companions=(
        _d("jaxlib", "0.7.1"), _d("jax-cuda12-plugin", "0.7.1+cuda12")))
    assert _found(builder, code="cuda-variant-mismatch") == []


def test_torchvision_of_another_cuda_minor_gets_the_index_of_torchs_builds() -> None:
    builder = ReportBuilder().framework("pytorch", "torch", "2.5.1+cu124", companions=(_d("torchvision", "0.20.1+cu121"),))
    [d] = _found(builder, code="cuda-variant-mismatch")
    assert d.severity is Severity.WARNING and d.framework == "pytorch"
    assert d.message == ("torch 2.5.1+cu124 is a CUDA 12.4 build, torchvision 0.20.1+cu121 a CUDA 12.1 one: its "
                         "operators may fail to load")
    assert d.hint == ("install torchvision for +cu124 from the wheel index torch came from: pip install "
                      "--force-reinstall 'torchvision==0.20.1' --index-url <the index of torch's +cu124 builds>")


def test_numpy_1_installed_makes_a_failed_multiarray_import_something_else() -> None:
    report = ReportBuilder().framework("pytorch", "torch", "2.5.1", outcome=Outcome.FAILED,
                                       error="numpy.core.multiarray failed to import").build()
    [d] = _found(report, _d("numpy", "1.26.4"), code="import-failed")
    assert "numpy-abi-mismatch" not in d.hint
    assert _found(report, _d("numpy", "1.26.4"), code="numpy-abi-mismatch") == []


def test_numpys_words_on_stderr_alone_point_the_import_hint_at_numpy() -> None:
    report = ReportBuilder().framework("pytorch", "torch", "2.5.1", outcome=Outcome.FAILED,
                                       error="ImportError: initialization failed").build()
    result = report.frameworks[0]
    report = replace(report, frameworks=(replace(result, probe=replace(
        result.probe, output_tail="A module that was compiled using NumPy 1.x cannot be run in\nNumPy 2.0.2 as it may "
                                  "crash.")),))
    [d] = _found(report, _d("numpy", "2.0.2"), code="import-failed")
    assert d.hint == ("an extension built for another NumPy: see numpy-abi-mismatch (pip install 'numpy<2', or a "
                      "release built for NumPy 2)")


def test_the_culprit_is_the_last_of_several_package_frames() -> None:
    text = ('File "/e/site-packages/a_pkg/x.py"\nFile "/e/site-packages/b_pkg/x.py"\nFile "/e/site-packages/c_pkg/x.py"\n'
            "_ARRAY_API not found")
    found = numpy_abi(text)
    assert found is not None and found.module == "c_pkg"


def test_pre_releases_count_as_pip_counts_them_for_known_bad_pairs() -> None:
    report = ReportBuilder().framework("tensorflow", "tensorflow", "2.15.0rc1").build()
    [d] = _found(report, _d("keras", "3.1.0rc0"), code="incompatible-pair")
    assert "tensorflow-before-2.16-with-keras-3" in d.message


def test_a_frameworks_exact_nvidia_pin_is_not_repeated_as_a_requirement() -> None:
    builder = ReportBuilder().framework("pytorch", "torch", "2.5.1")
    report = builder.build()
    torch = _d("torch", "2.5.1", "nvidia-cudnn-cu12==9.1.0.70", "nvidia-nccl-cu12<3,>=2.20", "filelock")
    report = replace(report, frameworks=(replace(report.frameworks[0], distributions=(torch,)),))
    inv = Inventory(report.target, (torch, _d("nvidia-cudnn-cu12", "9.2.0"), _d("nvidia-nccl-cu12", "3.1"),
                                    _d("filelock", "3.0")))
    found = diagnose(report, CATALOG, inv, environ={})
    assert [d.message for d in found if d.code == "requirement-not-met"] == [
        "torch 2.5.1 requires nvidia-nccl-cu12<3,>=2.20, but nvidia-nccl-cu12 3.1 is installed"]
    assert [d.code for d in found if "nvidia-cudnn-cu12" in d.message] == ["nvidia-wheel-mismatch"]
    other = _d("cupy-cuda12x", "13.0", "nvidia-cudnn-cu12==9.1.0.70")  # not a framework: its pin is its own finding
    inv = Inventory(report.target, (torch, other, _d("nvidia-cudnn-cu12", "9.1.0.70"), _d("nvidia-nccl-cu12", "2.21"),
                                    _d("filelock", "3.0")))
    assert [d.code for d in diagnose(report, CATALOG, inv, environ={}) if d.code == "requirement-not-met"] == []


def test_requirements_without_a_version_pre_releases_and_legacy_versions() -> None:
    def unmet(*installed: Distribution, requires: tuple[str, ...]) -> list[str]:
        report = ReportBuilder().framework("jax", "jax", "0.4.31").build()
        jax = _d("jax", "0.4.31", *requires)
        report = replace(report, frameworks=(replace(report.frameworks[0], distributions=(jax,)),))
        inv = Inventory(report.target, (jax, *installed))
        return [f"{d.message} => {d.hint}" for d in diagnose(report, CATALOG, inv, environ={})
                if d.code == "requirement-not-met"]

    assert unmet(_d("numpy", "2.0"), requires=("numpy",)) == []
    assert unmet(requires=("numpy",)) == ["jax 0.4.31 requires numpy, which is not installed => pip install numpy"]
    assert unmet(_d("jaxlib", "0.4.31.dev20240601"), requires=("jaxlib>=0.4.30",)) == []  # pip counts pre-releases
    assert unmet(_d("opt-einsum", "banana"), requires=("opt-einsum>=2",)) == [
        "jax 0.4.31 requires opt-einsum>=2, but opt-einsum banana is installed => pip install 'opt-einsum>=2'"]
    # an extra's pin that does not apply comes before the base requirement that does
    assert unmet(requires=("jax-cuda12-plugin==0.4.31; extra == 'cuda12'", "ml-dtypes>=0.4")) == [
        "jax 0.4.31 requires ml-dtypes>=0.4, which is not installed => pip install 'ml-dtypes>=0.4'"]


def test_a_requirement_cycle_ends() -> None:
    report = ReportBuilder().framework("jax", "jax", "0.4.31").build()
    jax = _d("jax", "0.4.31", "sphinx>=7")
    report = replace(report, frameworks=(replace(report.frameworks[0], distributions=(jax,)),))
    inv = Inventory(report.target, (jax, _d("sphinx", "7.2", "sphinxcontrib-applehelp", "docutils>=0.18"),
                                    _d("sphinxcontrib-applehelp", "1.0.8", "sphinx>=5")))
    assert [d.message for d in diagnose(report, CATALOG, inv, environ={}) if d.code == "requirement-not-met"] == [
        "sphinx 7.2 requires docutils>=0.18, which is not installed"]
