"""The fixes users act on, pinned: import hints (catalog, NumPy, unmet requirement, generic),
known-bad pairs from compat.toml, GPU hints picked from the framework's own reason, and the rule
registry those rules stand on (built reports in, findings out; no subprocess)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from fakes.reports import CATALOG, SITE, ReportBuilder
from fwprobe.assess import RULES, diagnose
from fwprobe.assess.diagnoses import registry
from fwprobe.assess.diagnoses.facts import cuda_enumerable
from fwprobe.assess.diagnoses.gpu import reason_fix
from fwprobe.inventory import Inventory
from fwprobe.model import Distribution, Gpu, MigDevice, Outcome, Report, Severity, System


def _d(name: str, version: str, *requires: str) -> Distribution:
    return Distribution(name, version, SITE, requires=requires)


def _all(report: Report, *extra: Distribution, environ: dict[str, str] | None = None, inventory: bool = True):
    inv = Inventory(report.target, tuple(d for r in report.frameworks for d in r.distributions) + extra)
    return diagnose(report, CATALOG, inv if inventory else None, environ=environ or {})


def _one(report: Report, code: str, *extra: Distribution, environ: dict[str, str] | None = None):
    [d] = [d for d in _all(report, *extra, environ=environ) if d.code == code]
    return d


# --- import-failed ------------------------------------------------------------------------------

def test_theano_on_a_new_numpy_points_at_pytensor_or_an_old_stack() -> None:
    report = ReportBuilder().framework("theano", "Theano", "1.0.5", outcome=Outcome.FAILED,
                                       error="AttributeError: module 'numpy.distutils.__config__' has no attribute "
                                             "'blas_opt_info'").build()
    d = _one(report, "import-failed")
    assert d.message.startswith("Theano 1.0.5 failed to import: ImportError: AttributeError: module")
    assert d.hint == ("Theano 1.0.5 reads numpy.distutils' BLAS config, gone in NumPy >= 1.22: pip install "
                      "'numpy<1.22' on an old Python, or move to pytensor")
    compiled = ReportBuilder().framework("theano", "Theano", "1.0.5", outcome=Outcome.FAILED,
                                         error="Compilation failed (return status=1): PyInt_AsLong").build()
    assert _one(compiled, "import-failed").hint.startswith("Theano 1.0.5 cannot compile its C extensions on this "
                                                           "Python/NumPy and is unmaintained: move to its maintained fork")


def test_keras_names_the_backend_that_is_installed_and_where_tensorflow_came_from() -> None:
    report = (ReportBuilder()
              .framework("keras", "keras", "3.15.1", outcome=Outcome.FAILED, error="No module named 'tensorflow'",
                         details={"keras_backend_source": {"backend": "tensorflow", "source": "keras.json"},
                                  "other": 3})
              .framework("jax", "jax", "0.7.1").build())
    assert _one(report, "import-failed").hint == (
        "Keras uses the TensorFlow backend (from keras.json), which is not installed; jax is: set KERAS_BACKEND=jax "
        "(or \"backend\": \"jax\" in keras.json under $KERAS_HOME or ~/.keras)")


def test_keras_missing_something_unnamed_keeps_the_placeholder_name() -> None:
    report = ReportBuilder().framework("keras", "keras", "3.15.1", outcome=Outcome.FAILED,
                                       error="No module named").build()
    assert _one(report, "import-failed").hint.startswith("Keras 3 needs a backend and found none (missing): ")


def test_an_import_that_misses_a_dependency_reinstalls_with_its_requirements() -> None:
    report = ReportBuilder().framework("jax", "jax", "0.4.35", outcome=Outcome.FAILED,
                                       error="No module named 'ml_dtypes'").build()
    d = _one(report, "import-failed")
    assert d.hint == "a dependency is missing: pip install --force-reinstall jax==0.4.35 (reinstalls its requirements)"
    assert d.message == "JAX 0.4.35 failed to import: ImportError: No module named 'ml_dtypes'"


def test_the_generic_import_hint_names_the_target_interpreter() -> None:
    report = ReportBuilder().framework("jax", "jax", "0.4.35", outcome=Outcome.FAILED, error="boom").build()
    assert _one(report, "import-failed").hint == (
        "run `/envs/test/bin/python -c \"import jax\"` to see the full traceback; reinstalling often helps: "
        "pip install --force-reinstall jax==0.4.35")
    no_target = replace(report, target=None)
    [d] = [d for d in diagnose(no_target, CATALOG, environ={}) if d.code == "import-failed"]
    assert d.hint.startswith("run `python -c \"import jax\"`")


def test_an_import_failing_on_numpy_abi_points_at_numpy_in_both_directions() -> None:
    built_1 = ReportBuilder().framework("pytorch", "torch", "2.5.1", outcome=Outcome.FAILED,
                                        error="numpy.core.multiarray failed to import").build()
    assert _one(built_1, "import-failed", _d("numpy", "2.1.0")).hint == (
        "an extension built for another NumPy: see numpy-abi-mismatch (pip install 'numpy<2', or a release built "
        "for NumPy 2)")
    built_2 = ReportBuilder().framework("pytorch", "torch", "2.5.1", outcome=Outcome.FAILED,
                                        error="numpy.dtype size changed, may indicate binary incompatibility").build()
    assert _one(built_2, "import-failed", _d("numpy", "1.26.4")).hint == (
        "an extension built for another NumPy: see numpy-abi-mismatch (a release built for this NumPy)")


def test_an_import_failing_beside_an_unmet_requirement_fixes_that_requirement() -> None:
    report = ReportBuilder().framework("jax", "jax", "0.10.2", outcome=Outcome.FAILED,
                                       error="RuntimeError: jaxlib version 0.9.2 is older than 0.10.1").build()
    jax = _d("jax", "0.10.2", "jaxlib<=0.10.2,>=0.10.1", "numpy>=1.26")
    report = replace(report, frameworks=(replace(report.frameworks[0], distributions=(jax,)),))
    d = _one(report, "import-failed", _d("jaxlib", "0.9.2"))
    assert d.hint == ("pip install 'jaxlib<=0.10.2,>=0.10.1' (jax 0.10.2 requires jaxlib<=0.10.2,>=0.10.1; jaxlib "
                      "0.9.2 is installed)")
    missing = _one(report, "import-failed", _d("numpy", "2.0.0"))
    assert missing.hint == ("pip install 'jaxlib<=0.10.2,>=0.10.1' (jax 0.10.2 requires jaxlib<=0.10.2,>=0.10.1; "
                            "jaxlib not installed)")


def test_an_import_failing_beside_two_unmet_requirements_fixes_both_in_one_line() -> None:
    report = ReportBuilder().framework("jax", "jax", "0.10.2", outcome=Outcome.FAILED,
                                       error="ImportError: cannot import name 'contract' from 'opt_einsum'").build()
    jax = _d("jax", "0.10.2", "numpy>=1.26", "opt_einsum")
    report = replace(report, frameworks=(replace(report.frameworks[0], distributions=(jax,)),))
    d = _one(report, "import-failed", _d("numpy", "1.24.0"))
    assert d.hint == ("pip install 'numpy>=1.26'; pip install opt_einsum (jax 0.10.2 requires numpy>=1.26; numpy "
                      "1.24.0 is installed, jax 0.10.2 requires opt_einsum; opt_einsum not installed)")


def test_crash_and_timeout_hints_name_the_target_and_the_import() -> None:
    crashed = ReportBuilder().framework("pytorch", "torch", "2.5.1", outcome=Outcome.CRASHED).build()
    crashed = replace(crashed, frameworks=(replace(crashed.frameworks[0], probe=replace(
        crashed.frameworks[0].probe, error_message="killed by SIGSEGV", phase="query")),))
    d = _one(crashed, "import-crashed")
    assert d.message == "PyTorch 2.5.1 crashed the interpreter while querying devices: killed by SIGSEGV"
    assert d.hint == ("run `/envs/test/bin/python -X faulthandler -c \"import torch\"` for a stack; crashes on import "
                      "usually mean a binary wheel built for another Python, NumPy or CPU: reinstall the framework "
                      "for this interpreter")
    hung = ReportBuilder().framework("pytorch", "torch", "2.5.1", outcome=Outcome.TIMEOUT).build()
    hung = replace(hung, frameworks=(replace(hung.frameworks[0], probe=replace(
        hung.frameworks[0].probe, error_message="no answer within 30 s (importing)")),))
    d = _one(hung, "probe-timeout")
    assert d.message == "PyTorch 2.5.1: no answer within 30 s (importing)"
    assert d.hint == ("raise --timeout (a first import may compile caches), or look for a hang with "
                      "`/envs/test/bin/python -X importtime -c \"import torch\"`")


# --- incompatible-pair (catalog/compat.toml) ------------------------------------------------------

def _tf(version: str, *extra: tuple[str, str]) -> Report:
    return ReportBuilder().framework("tensorflow", "tensorflow", version, extra_dists=extra).build()


def test_keras_3_beside_tensorflow_215() -> None:
    d = _one(_tf("2.15.1"), "incompatible-pair", _d("keras", "3.3.3"))
    assert d.severity is Severity.ERROR and d.framework == "tensorflow"
    assert d.message == ("TensorFlow 2.15.1 predates Keras 3, but keras 3.3.3 is installed: tf.keras and `import "
                         "keras` now disagree, and Keras 3 cannot use this TensorFlow as its backend "
                         "[tensorflow-before-2.16-with-keras-3]")
    assert d.hint == "pip install 'keras<3' (Keras 2 for this TensorFlow), or upgrade: pip install 'tensorflow>=2.16'"
    assert [x for x in _all(_tf("2.16.1"), _d("keras", "3.3.3")) if x.code == "incompatible-pair"] == []
    assert [x for x in _all(_tf("2.15.1"), _d("keras", "2.15.0")) if x.code == "incompatible-pair"] == []
    assert [x for x in _all(_tf("2.15.1"), _d("keras", "banana")) if x.code == "incompatible-pair"] == []


def test_a_pair_its_requires_dist_already_shows_is_requirement_not_mets() -> None:
    tf = _d("tensorflow", "2.15.1", "keras<2.16,>=2.15.0")
    report = replace(_tf("2.15.1"), frameworks=(replace(_tf("2.15.1").frameworks[0], distributions=(tf,)),))
    codes = [x.code for x in _all(report, _d("keras", "3.3.3"))]
    assert "requirement-not-met" in codes and "incompatible-pair" not in codes


def test_legacy_keras_needs_tf_keras_at_tensorflows_release() -> None:
    env = {"TF_USE_LEGACY_KERAS": "1"}
    missing = _one(_tf("2.17.0"), "incompatible-pair", environ=env)
    assert missing.message == ("TF_USE_LEGACY_KERAS is set with TensorFlow 2.17.0, but tf-keras is not installed: "
                               "tf.keras will fail to import [legacy-keras-without-tf-keras]")
    assert missing.hint == "pip install 'tf-keras~=2.17.0' (the tf-keras release matching TensorFlow), or unset TF_USE_LEGACY_KERAS"
    other = _one(_tf("2.17.0"), "incompatible-pair", _d("tf-keras", "2.16.0"), environ=env)
    assert other.message == ("TF_USE_LEGACY_KERAS is set, but tf-keras 2.16.0 does not match TensorFlow 2.17.0 "
                             "[legacy-keras-tf-keras-mismatch]")
    assert other.hint == "pip install 'tf-keras~=2.17.0'"
    assert [x for x in _all(_tf("2.17.0"), _d("tf-keras", "2.17.1"), environ=env) if x.code == "incompatible-pair"] == []
    assert [x for x in _all(_tf("2.17.0")) if x.code == "incompatible-pair"] == []  # the variable unset
    assert [x for x in _all(_tf("2.17.0"), environ={"TF_USE_LEGACY_KERAS": ""})
            if x.code == "incompatible-pair"] == []
    assert [x for x in _all(_tf("2.17.0"), environ=env, inventory=False) if x.code == "incompatible-pair"] == []


# --- GPU hints from the framework's own reason ------------------------------------------------------

@pytest.mark.parametrize("reason, cuda, fix", [
    ("Could not load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file; "
     "Could not load dynamic library 'libcublasLt.so.12'", "12.3",
     "a CUDA library the build needs does not load: install the pip wheel that provides it (nvidia-cudnn-cu12, "
     "nvidia-cublas-cu12), or the framework's CUDA extra (e.g. `pip install 'tensorflow[and-cuda]'`, "
     "`pip install -U 'jax[cuda12]'`); check that LD_LIBRARY_PATH does not point at another CUDA"),
    ("Unable to load cuSPARSE", "13.0",
     "a CUDA library the build needs does not load: install the pip wheel that provides it (the nvidia-*-cu13 "
     "wheels), or the framework's CUDA extra (e.g. `pip install 'tensorflow[and-cuda]'`, `pip install -U "
     "'jax[cuda12]'`); check that LD_LIBRARY_PATH does not point at another CUDA"),
    ("CUDA backend failed to initialize: Found cuDNN version 8907, but JAX was built against version 9100", None,
     "a CUDA library older than this build needs is loaded: upgrade the pip nvidia-* wheels with the framework "
     "(e.g. `pip install -U 'jax[cuda12]'`), and drop LD_LIBRARY_PATH entries that put an older system copy first"),
    ("OUTDATED CUDNN installation", "13.1",
     "a CUDA library older than this build needs is loaded: upgrade the pip nvidia-* wheels with the framework "
     "(e.g. `pip install -U 'jax[cuda13]'`), and drop LD_LIBRARY_PATH entries that put an older system copy first"),
])
def test_the_fix_follows_the_library_the_framework_names(reason: str, cuda: str | None, fix: str) -> None:
    assert reason_fix(reason, cuda) == fix


def test_a_cpu_build_on_a_gpu_host_gets_the_catalogs_install_hint_with_the_drivers_cuda() -> None:
    report = ReportBuilder(gpus=2, cuda_driver="12.4").framework("pytorch", "torch", "2.5.1+cpu", outcome=None).build()
    d = _one(report, "cpu-only-build-on-gpu-host")
    assert d.message == "PyTorch 2.5.1+cpu is a CPU-only build, but this machine has 2 NVIDIA GPU(s) (NVIDIA A100-SXM4-80GB)"
    assert "CUDA release <= 12.4" in d.hint and "{" not in d.hint
    no_cuda = ReportBuilder(gpus=1, cuda_driver=None).framework("pytorch", "torch", "2.5.1+cpu.cxx11", outcome=None)
    d = _one(no_cuda.build(), "cpu-only-build-on-gpu-host")
    assert "CUDA release <= your driver's CUDA version" in d.hint
    gpu_build = ReportBuilder(gpus=1).framework("pytorch", "torch", "2.5.1+cu124", outcome=None).build()
    assert [x for x in _all(gpu_build) if x.code == "cpu-only-build-on-gpu-host"] == []


def test_a_cpu_only_distribution_name_is_cpu_only_without_importing() -> None:
    report = ReportBuilder(gpus=1).framework("tensorflow", "tensorflow-cpu", "2.17.0", outcome=None).build()
    d = _one(report, "cpu-only-build-on-gpu-host")
    assert d.message.startswith("TensorFlow 2.17.0 is a CPU-only build")
    odd = ReportBuilder(gpus=1).framework("pytorch", "torch", "not-pep-440", outcome=None).build()
    assert [x for x in _all(odd) if x.code == "cpu-only-build-on-gpu-host"] == []


def test_gpu_not_visible_quotes_a_long_reason_on_one_line() -> None:
    said = "line one\n\n  line two  \n" + "x" * 700
    report = ReportBuilder(gpus=1).framework("pytorch", "torch", "2.5.1", cuda="12.4", cpu_only=False,
                                             details={"gpu_reason": {"message": said}}).build()
    d = _one(report, "gpu-not-visible")
    quoted = d.message.split(" (", 1)[1][:-1]
    assert quoted.startswith("PyTorch: line one / line two / xxx") and len(quoted) == 600


# --- which CUDA devices one process can enumerate ---------------------------------------------------

def _gpus(n: int, mig: tuple[int, ...] = ()) -> tuple[Gpu, ...]:
    return tuple(Gpu(i, "NVIDIA H100", 81559, f"GPU-{i}aaaaaaa-0000", mig_mode="Enabled" if i in mig else "Disabled")
                 for i in range(n))


@pytest.mark.parametrize("cvd, expected", [
    (None, 4), ("0,1,2", 3), ("3,2", 2), ("0,7,1", 1), ("GPU-1aaa,GPU-2aaa", 2), ("GPU-aaaa", 0), ("GPU-", 0),
])
def test_what_one_process_enumerates_on_a_plain_node(cvd: str | None, expected: int) -> None:
    assert cuda_enumerable(System(gpus=_gpus(4), cuda_visible_devices=cvd)) == expected


def test_what_one_process_enumerates_beside_mig() -> None:
    migs = tuple(MigDevice(0, gi, 0, f"MIG-{gi}bbbbbbb", "1g.10gb") for gi in (1, 2))
    system = System(gpus=_gpus(2, mig=(0,)), mig_devices=migs)
    assert cuda_enumerable(system) == 1
    assert cuda_enumerable(replace(system, cuda_visible_devices="1")) == 1
    assert cuda_enumerable(replace(system, cuda_visible_devices="0")) == 1
    assert cuda_enumerable(replace(system, cuda_visible_devices="MIG-1bbb,MIG-2bbb")) == 1
    assert cuda_enumerable(replace(system, cuda_visible_devices="MIG-9zzz,1")) == 0
    assert cuda_enumerable(replace(system, mig_devices=())) == 1  # GPU 1 alone
    assert cuda_enumerable(System()) is None


# --- the registry the rules stand on ------------------------------------------------------------------

def test_a_new_rule_registers_with_what_it_declares_and_runs_by_scope() -> None:
    def whole(ctx: registry.Context) -> Iterator[registry.Finding]:
        """A test rule about the whole environment, registered for this test only."""
        yield registry.Finding("seen once", "do {python} this", severity=Severity.INFO, framework="pytorch")

    def each(ctx: registry.Context, s: registry.Subject) -> Iterator[registry.Finding]:
        """A test rule per framework, seeing frameworks that are not installed too."""
        yield registry.Finding(f"saw {s.fw.id}", "nothing to do")

    try:
        registry.rule("zz-test-whole", Severity.WARNING, scope="environment", audience="catalog")(whole)
        registry.rule("zz-test-each", Severity.ERROR, installed_only=False)(each)
        r = RULES["zz-test-whole"]
        assert (r.code, r.severity, r.check, r.scope, r.installed_only, r.audience) == (
            "zz-test-whole", Severity.WARNING, whole, "environment", True, "catalog")
        assert r.doc == "A test rule about the whole environment, registered for this test only."
        assert "zz-test-whole" in registry.catalog_codes() and "zz-test-each" not in registry.catalog_codes()
        report = (ReportBuilder().framework("pytorch", "torch", "2.5.1").framework("jax", None).build())
        found = diagnose(report, CATALOG, environ={})
        mine = [(d.code, d.severity, d.message, d.hint, d.framework) for d in found if d.code.startswith("zz-")]
        assert mine == [("zz-test-each", Severity.ERROR, "saw pytorch", "nothing to do", "pytorch"),
                        ("zz-test-each", Severity.ERROR, "saw jax", "nothing to do", "jax"),
                        ("zz-test-whole", Severity.INFO, "seen once", "do /envs/test/bin/python this", "pytorch")]
    finally:
        RULES.pop("zz-test-whole", None)
        RULES.pop("zz-test-each", None)


@pytest.mark.parametrize("kwargs, message", [
    ({"scope": "node"}, "unknown rule scope 'node'"),
    ({"audience": "maintainers"}, "unknown rule audience 'maintainers'"),
])
def test_a_rule_with_an_unknown_scope_or_audience_is_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        registry.rule("zz-test-bad", Severity.INFO, **kwargs)
    assert "zz-test-bad" not in RULES


def test_a_rule_without_a_docstring_is_refused() -> None:
    def undocumented(ctx: registry.Context) -> Iterator[registry.Finding]:
        yield from ()

    with pytest.raises(ValueError, match="diagnosis rule 'zz-test-nodoc' needs a docstring"):
        registry.rule("zz-test-nodoc", Severity.INFO, scope="environment")(undocumented)
    assert "zz-test-nodoc" not in RULES


# --- what is installed: duplicates, yanked, dead projects, PYTHONPATH --------------------------------

def _with(report: Report, **changes) -> Report:
    return replace(report, frameworks=(replace(report.frameworks[0], **changes), *report.frameworks[1:]))


def test_tensorflow_from_two_distributions_keeps_the_first_name() -> None:
    report = ReportBuilder().framework("tensorflow", "tensorflow", "2.17.0", outcome=None,
                                       extra_dists=(("tensorflow-cpu", "2.16.1"),)).build()
    d = _one(report, "conflicting-distributions")
    assert d.message == ("TensorFlow is installed from 2 distributions at once (tensorflow 2.17.0 + tensorflow-cpu "
                         "2.16.1); they write the same files, so what imports is whichever was installed last")
    assert d.hint == "pip uninstall -y tensorflow tensorflow-cpu && pip install tensorflow (keep exactly one)"


def test_a_yanked_install_names_the_reason_and_the_way_off_it() -> None:
    from fwprobe.model import Status, StatusAssessment, Verdict

    status = StatusAssessment(Status.ACTIVE, Verdict.CONFIRMED, "e", headline="h")
    report = ReportBuilder().framework("pytorch", "torch", "2.5.0", status=status).build()
    yanked = _with(report, distributions=(Distribution("torch", "2.5.0", SITE, yanked=True,
                                                       yanked_reason="broken CUDA wheel"),))
    d = _one(yanked, "yanked-installed")
    assert d.message == "torch 2.5.0 is yanked on the index: broken CUDA wheel"
    assert d.hint == "pip install --upgrade 'torch!=2.5.0'"
    bare = _with(report, distributions=(Distribution("torch", "2.5.0", SITE, yanked=True),))
    assert _one(bare, "yanked-installed").message == "torch 2.5.0 is yanked on the index"
    unknown = _with(yanked, status=None)  # no index asked: nothing known about yanking
    assert [x for x in _all(unknown) if x.code == "yanked-installed"] == []


def test_an_unmaintained_install_names_an_active_fork_to_move_to() -> None:
    from fwprobe.model import ForkStatus, Status, StatusAssessment, Verdict

    forks = (ForkStatus("theano-pymc", Status.UNMAINTAINED), ForkStatus("pytensor", Status.ACTIVE, "2.30.0"))
    status = StatusAssessment(Status.UNMAINTAINED, Verdict.CONFIRMED, "e", forks=forks,
                              headline="newest release theano 1.0.5 on 2020-07-27")
    report = ReportBuilder().framework("theano", "Theano", "1.0.5", status=status).build()
    d = _one(report, "unmaintained-installed")
    assert d.message == ("Theano 1.0.5 is installed, but the project is unmaintained: newest release theano 1.0.5 "
                         "on 2020-07-27")
    assert d.hint == "plan a move to a maintained alternative such as pytensor (pip install pytensor)"
    alone = _with(report, status=replace(status, forks=forks[:1], observed=Status.ARCHIVED))
    assert _one(alone, "unmaintained-installed").hint == "plan a move to a maintained alternative"
    assert "the project is archived" in _one(alone, "unmaintained-installed").message
    stale = _with(report, status=replace(status, observed=Status.STALE))
    assert [x for x in _all(stale) if x.code == "unmaintained-installed"] == []


def test_a_framework_only_on_pythonpath_is_named_with_the_way_to_probe_it() -> None:
    report = ReportBuilder().framework("jax", None).build()
    on_path = _with(report, pythonpath="/home/u/src/jax")
    d = _one(on_path, "pythonpath-only")
    assert d.message == ("JAX is not installed in the target, but PYTHONPATH provides it (/home/u/src/jax); fwprobe "
                         "scans without PYTHONPATH by default")
    assert d.hint == ("rerun with --keep-pythonpath to probe it as your shell imports it, or install it into the "
                      "environment")
    installed = ReportBuilder().framework("jax", "jax", "0.4.35").build()
    assert [x for x in _all(_with(installed, pythonpath="/src")) if x.code == "pythonpath-only"] == []
    assert [x for x in _all(report) if x.code == "pythonpath-only"] == []


def test_a_contradicted_claim_quotes_the_catalog_and_the_evidence() -> None:
    from fwprobe.model import Status, StatusAssessment, Verdict

    status = StatusAssessment(Status.UNMAINTAINED, Verdict.CONTRADICTED, "newest release theano 1.0.5 on 2020-07-27")
    report = ReportBuilder().framework("pytorch", None, status=status).build()
    d = _one(report, "claim-contradicted")
    assert d.severity is Severity.INFO
    assert d.message == (f"the catalog says PyTorch is \"{report.frameworks[0].claim}\", but the index shows "
                         "unmaintained: newest release theano 1.0.5 on 2020-07-27")
    assert d.hint == "update the catalog's claim (fwprobe status --format markdown drafts the table)"


# --- the machine: CUDA_VISIBLE_DEVICES and nvidia-smi's failures --------------------------------------

def test_cuda_visible_devices_hiding_all_names_the_indices_that_exist() -> None:
    report = ReportBuilder(gpus=4, cuda_visible_devices="7").framework("pytorch", "torch", "2.5.1").build()
    d = _one(report, "cuda-visible-devices-hides-all")
    assert d.severity is Severity.ERROR
    assert d.message == "CUDA_VISIBLE_DEVICES=7 names GPU 7, but this machine has 4 (indices 0-3)"
    assert d.hint == ("unset CUDA_VISIBLE_DEVICES, or set it to indices that exist (0-3) or to GPU or MIG device "
                      "UUIDs from `nvidia-smi -L`")
    none = ReportBuilder(cuda_visible_devices="-1").framework("pytorch", "torch", "2.5.1").build()
    d = _one(none, "cuda-visible-devices-hides-all")
    assert d.severity is Severity.WARNING and "(0-0)" in d.hint


def _smi(error: str, status: int | None, container: str | None = None) -> Report:
    from fwprobe.model import Host

    report = ReportBuilder().framework("pytorch", "torch", "2.5.1").build()
    report = replace(report, system=System(nvidia_smi="/usr/bin/nvidia-smi", nvidia_error=error,
                                           nvidia_exit_code=status))
    return replace(report, host=Host("node-1", "Ubuntu", "22.04", container=container)) if container else report


def test_the_lost_gpu_is_named_by_its_bus_id() -> None:
    d = _one(_smi("Unable to determine the device handle for GPU0000:41:00.0: Unknown Error", 15), "gpu-fallen-off-bus")
    assert d.message.startswith("the NVIDIA driver has lost GPU 0000:41:00.0; nvidia-smi (exit status 15): Unable")
    assert d.hint.startswith("reboot to recover the GPU; `sudo dmesg | grep -i xid` shows why")
    assert _one(_smi("GPU is lost", 15), "gpu-fallen-off-bus").message.startswith("the NVIDIA driver has lost GPU ?;")


def test_a_driver_library_mismatch_names_the_library_version() -> None:
    d = _one(_smi("Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 550.127", 18),
             "nvidia-driver-library-mismatch")
    assert d.message.startswith("the NVIDIA kernel module and driver libraries (550.127) are different versions")
    plain = _one(_smi("Failed to initialize NVML: Driver/library version mismatch", 18), "nvidia-driver-library-mismatch")
    assert plain.message.startswith("the NVIDIA kernel module and driver libraries are different versions")


def test_a_driver_that_does_not_answer_gets_the_fix_of_where_it_runs() -> None:
    said = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."
    host = _one(_smi(said, 9), "nvidia-driver-not-loaded").hint
    assert host.startswith("on the host, check `lsmod | grep nvidia` and `sudo modprobe nvidia`")
    assert host.endswith("; in a container, start the container with the NVIDIA runtime and its GPUs (`docker run "
                         "--gpus all`, Kubernetes: a `nvidia.com/gpu` resource limit)")
    inside = _one(_smi(said, 9, container="docker"), "nvidia-driver-not-loaded").hint
    assert inside.startswith("this runs in docker: start the container with the NVIDIA runtime")
    assert inside.endswith("if the host's own `nvidia-smi` fails too, on the host, check `lsmod | grep nvidia` and "
                           "`sudo modprobe nvidia`; after a kernel update rebuild the module (DKMS: `sudo dkms "
                           "autoinstall`) or reinstall the driver, then reboot")


def test_nvml_unknown_error_in_a_container_and_a_hanging_nvidia_smi() -> None:
    d = _one(_smi("Failed to initialize NVML: Unknown Error", 255, container="docker"), "nvidia-smi-failed")
    assert d.message == "nvidia-smi failed in this docker container; nvidia-smi (exit status 255): Failed to initialize NVML: Unknown Error"
    assert d.hint.startswith("a container that had its GPUs and lost them")
    hung = _one(_smi("no answer within 10 s", None), "nvidia-smi-failed")
    assert hung.message == "nvidia-smi gave no answer within 10 s, so the GPUs are unknown"
    assert hung.hint.startswith("a hanging nvidia-smi usually means a GPU or the driver is in a bad state")


def test_an_unknown_nvidia_smi_warning_gets_the_generic_hint() -> None:
    report = ReportBuilder().framework("pytorch", "torch", "2.5.1").build()
    report = replace(report, system=System(nvidia_smi="/usr/bin/nvidia-smi", nvidia_warnings=("WARNING: something new",)))
    d = _one(report, "nvidia-smi-warning")
    assert d.message == "nvidia-smi answered with a warning: WARNING: something new"
    assert d.hint == "run `nvidia-smi` by hand to see the warning in context"


def test_without_an_inventory_nvidia_pins_are_not_judged() -> None:
    report = ReportBuilder().framework("pytorch", "torch", "2.5.1").build()
    torch = Distribution("torch", "2.5.1", SITE, requires=("nvidia-cudnn-cu12==9.1.0.70",))
    report = _with(report, distributions=(torch,))
    assert [x for x in diagnose(report, CATALOG, None, environ={}) if x.code == "nvidia-wheel-mismatch"] == []
