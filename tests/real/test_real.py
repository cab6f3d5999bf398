"""Probes against real frameworks (CPU builds) in framework interpreters.

Interpreters: $FWPROBE_TEST_FRAMEWORKS_PYTHON (one path or several joined by ':'), else the
checkout's .venv-frameworks (.ci/run builds it with torch==2.13.0, keras, theano and pytensor)
and .venv-frameworks-tf (tensorflow-cpu and jax: too large for CI, built by hand). Each test
uses the first interpreter that has its framework and skips when none has.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from fakes import ROOT
from fwprobe.catalog import load_catalog
from fwprobe.core import ScanOptions, scan
from fwprobe.model import Outcome

pytestmark = pytest.mark.real


def _interpreters() -> list[str]:
    env = os.environ.get("FWPROBE_TEST_FRAMEWORKS_PYTHON")
    paths = [Path(p) for p in env.split(os.pathsep) if p] if env else [
        ROOT / ".venv-frameworks" / "bin" / "python", ROOT / ".venv-frameworks-tf" / "bin" / "python"]
    return [str(p) for p in paths if p.exists()]


def _with(module: str) -> str | None:
    """The first framework interpreter in which ``module`` is importable (found, not imported)."""
    for python in _interpreters():
        done = subprocess.run([python, "-c", f"import importlib.util as u; exit(u.find_spec('{module}') is None)"])
        if done.returncode == 0:
            return python
    return None


PYTHONS = {m: _with(m) for m in ("torch", "keras", "theano", "tensorflow", "jax", "pytensor", "onnxruntime")}


def _has(module: str) -> bool:
    return PYTHONS[module] is not None


KERAS_WITH_TORCH = pytest.mark.skipif(not _has("keras") or PYTHONS["keras"] != PYTHONS["torch"],
                                      reason="no keras+torch in one frameworks interpreter")


@pytest.fixture
def keras_on_torch(monkeypatch, tmp_path: Path) -> None:
    """Keras 3 with the torch backend, and a private KERAS_HOME."""
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))


def _scan(framework: str, module: str | None = None, **kw):
    catalog = load_catalog()
    python = PYTHONS[module or framework]
    return scan(catalog, ScanOptions(python=python, frameworks=(framework,), timeout=240, **kw)), catalog


@pytest.mark.skipif(not _has("torch"), reason="no torch in the frameworks interpreter")
def test_real_torch_cpu_build(no_gpu_tools) -> None:
    report, _ = _scan("torch")
    fw = report.frameworks[0]
    assert fw.installed and fw.distributions[0].name == "torch"
    p = fw.probe
    assert p is not None and p.outcome is Outcome.OK, p
    assert p.version == fw.distributions[0].version
    assert p.build.cpu_only is True and p.build.cuda is None
    assert [d.kind for d in p.devices] == ["cpu"]
    assert p.details["accelerator_api"] == {"cuda_available": False, "cuda_device_count": 0}
    assert p.execution["torch_export"] is True
    assert "eager_default" not in p.execution  # a claim's computation: only with evidence=True
    assert not [d for d in report.diagnoses if d.framework == "pytorch"]
    measured = _scan("torch", evidence=True)[0].frameworks[0].probe
    assert measured is not None and measured.execution["eager_default"] is True


@pytest.mark.skipif(not _has("torch"), reason="no torch in the frameworks interpreter")
def test_real_cpu_torch_on_a_gpu_host_is_diagnosed(fake_nvidia_smi) -> None:
    report, _ = _scan("torch")
    codes = [d.code for d in report.diagnoses]
    assert "cpu-only-build-on-gpu-host" in codes
    diag = next(d for d in report.diagnoses if d.code == "cpu-only-build-on-gpu-host")
    assert "NVIDIA A100" in diag.message and "index-url" in diag.hint


@KERAS_WITH_TORCH
def test_real_keras_reports_its_torch_backend_and_where_it_came_from(keras_on_torch) -> None:
    report, _ = _scan("keras")
    p = report.frameworks[0].probe
    assert p is not None and p.outcome is Outcome.OK, p
    assert p.details["keras_backend"] == "torch"
    assert p.details["keras_backend_source"]["source"] == "KERAS_BACKEND environment variable"


@pytest.mark.skipif(not _has("keras") or PYTHONS["keras"] == PYTHONS["tensorflow"],
                    reason="needs keras without tensorflow")
def test_real_keras_without_a_backend_fails_with_a_fix(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty-keras-home"))
    report, _ = _scan("keras")
    p = report.frameworks[0].probe
    assert p is not None and p.outcome is Outcome.FAILED
    assert "tensorflow" in (p.error_message or "")
    diag = next(d for d in report.diagnoses if d.code == "import-failed")
    assert "KERAS_BACKEND" in diag.hint
    if PYTHONS["torch"] == PYTHONS["keras"]:
        assert "torch is: set KERAS_BACKEND=torch" in diag.hint


@pytest.mark.skipif(not _has("theano"), reason="no theano in the frameworks interpreter")
def test_real_theano_reports_what_really_happens() -> None:
    report, _ = _scan("theano")
    fw = report.frameworks[0]
    assert fw.distributions[0].version == "1.0.5"
    p = fw.probe
    assert p is not None and p.outcome in (Outcome.OK, Outcome.FAILED), p
    if p.outcome is Outcome.FAILED:  # Python 3.11 + NumPy 2: its C code does not compile
        assert p.error_message
        diag = next(d for d in report.diagnoses if d.code == "import-failed")
        assert "pytensor" in diag.hint
    else:
        assert p.details["theano_config"]["device"]


@pytest.mark.skipif(not _has("tensorflow"), reason="no tensorflow in any frameworks interpreter")
def test_real_tensorflow_cpu(no_gpu_tools) -> None:
    report, _ = _scan("tensorflow")
    fw = report.frameworks[0]
    p = fw.probe
    assert p is not None and p.outcome is Outcome.OK, p
    assert p.version == fw.active_distribution.version
    assert p.build.cpu_only is True and p.build.cuda is None  # from tf.sysconfig.get_build_info()
    assert [d.kind for d in p.devices] == ["cpu"] and p.devices[0].name == "/physical_device:CPU:0"
    assert p.execution["eager_default"] is True


@pytest.mark.skipif(not _has("jax"), reason="no jax in any frameworks interpreter")
def test_real_jax_cpu(no_gpu_tools) -> None:
    report, _ = _scan("jax")
    p = report.frameworks[0].probe
    assert p is not None and p.outcome is Outcome.OK, p
    assert p.details["jaxlib_version"] and p.details["default_backend"] == "cpu"
    assert [d.kind for d in p.devices] == ["cpu"] and p.build.cpu_only is True


@pytest.mark.skipif(not _has("pytensor"), reason="no pytensor in any frameworks interpreter")
def test_real_pytensor_reads_what_exists() -> None:
    report, _ = _scan("pytensor")
    p = report.frameworks[0].probe
    assert p is not None and p.outcome is Outcome.OK, p
    cfg = p.details["theano_config"]
    assert cfg["floatX"] in ("float32", "float64") and cfg["compiledir"]
    # PyTensor 3 has no config.device: None, and no note (an option this version lacks)
    assert cfg["device"] is None or isinstance(cfg["device"], str)
    assert not any("config.device" in n for n in p.notes)


def _exercised(framework: str, module: str | None = None):
    report, _ = _scan(framework, module, exercise=True)
    p = report.frameworks[0].probe
    assert p is not None and p.outcome is Outcome.OK, p
    return report, p


@pytest.mark.skipif(not _has("torch"), reason="no torch in the frameworks interpreter")
def test_real_torch_computes_on_its_cpu(no_gpu_tools) -> None:
    report, p = _exercised("torch")
    assert [(e.kind, e.passed, e.error_type) for e in p.exercise] == [("cpu", True, None)]
    assert "device-unusable" not in [d.code for d in report.diagnoses]


@KERAS_WITH_TORCH
def test_real_keras_computes_through_its_torch_backend(keras_on_torch) -> None:
    _, p = _exercised("keras")
    assert [(e.kind, e.passed, e.error_type) for e in p.exercise] == [("backend", True, None)]


@pytest.mark.skipif(not _has("pytensor"), reason="no pytensor in the frameworks interpreter")
def test_real_pytensor_computes_a_compiled_function() -> None:
    _, p = _exercised("pytensor")
    assert [(e.kind, e.passed) for e in p.exercise] == [("cpu", True)], p.exercise


@pytest.mark.skipif(not _has("tensorflow"), reason="no tensorflow in the frameworks interpreters")
def test_real_tensorflow_computes_on_its_cpu(no_gpu_tools) -> None:
    _, p = _exercised("tensorflow")
    assert p.exercise and all(e.passed for e in p.exercise), p.exercise


@pytest.mark.skipif(not _has("jax"), reason="no jax in the frameworks interpreters")
def test_real_jax_computes_on_each_device(no_gpu_tools) -> None:
    _, p = _exercised("jax")
    assert p.exercise and all(e.passed for e in p.exercise), p.exercise


def _claims(index_server, tmp_path: Path, framework: str, module: str | None = None):
    import datetime as dt

    from fwprobe.core import status_report
    from fwprobe.index import IndexClient

    now = dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)
    client = IndexClient(index_server.url, cache_dir=tmp_path / "cache", now=lambda: now)
    report = status_report(load_catalog(), client, [framework], today=now, pythons=(PYTHONS[module or framework],),
                           probe_timeout=240)
    return {c.id: c for c in report.frameworks[0].claims}


@pytest.mark.skipif(not _has("torch"), reason="no torch in the frameworks interpreter")
def test_real_torch_proves_torchscript_deprecated_and_eager(index_server, tmp_path: Path) -> None:
    from fwprobe.model import Verdict

    claims = _claims(index_server, tmp_path, "torch")
    assert claims["torch-eager"].verdict is Verdict.CONFIRMED
    assert claims["torch-export"].verdict is Verdict.CONFIRMED
    script = claims["torchscript-current"]
    if script.verdict is Verdict.CONTRADICTED:  # torch 2.13 warns that torch.jit.script is deprecated
        assert "deprecated" in script.evidence and script.source.startswith("probe of 2.")
    else:
        assert script.verdict is Verdict.CONFIRMED  # an older torch that does not warn yet


@KERAS_WITH_TORCH
def test_real_keras_on_torch_contradicts_runs_on_tensorflow(index_server, tmp_path: Path, keras_on_torch) -> None:
    from fwprobe.model import Verdict

    c = _claims(index_server, tmp_path, "keras")["keras-runs-on-tensorflow"]
    assert c.verdict is Verdict.CONTRADICTED and c.evidence == "details.keras_backend is 'torch'"


@pytest.mark.skipif(not _has("tensorflow"), reason="no tensorflow in the frameworks interpreters")
def test_real_tensorflow_executes_eagerly(index_server, tmp_path: Path) -> None:
    from fwprobe.model import Verdict

    claims = _claims(index_server, tmp_path, "tensorflow")
    assert claims["tf2-eager"].verdict is Verdict.CONFIRMED and claims["tf-function"].verdict is Verdict.CONFIRMED


@pytest.mark.skipif(not _has("pytensor"), reason="no pytensor in the frameworks interpreter")
def test_real_pytensor_builds_a_static_graph(index_server, tmp_path: Path) -> None:
    from fwprobe.model import Verdict

    assert _claims(index_server, tmp_path, "pytensor")["pytensor-static-graph"].verdict is Verdict.CONFIRMED


# CONTRIBUTING's "add a framework" for one fwprobe knows nothing of: one record, probe "generic"
ONNXRUNTIME = """
[thresholds]
active_days = 365
stale_days = 730

[[framework]]
id = "onnxruntime"
name = "ONNX Runtime"
import_name = "onnxruntime"
probe = "generic"
distributions = ["onnxruntime", "onnxruntime-gpu"]
claim = "actively developed (Microsoft)"
claimed_status = "active"
"""


@pytest.mark.skipif(not _has("onnxruntime"), reason="no onnxruntime in a frameworks interpreter")
def test_a_framework_fwprobe_does_not_know_is_one_generic_record(tmp_path: Path) -> None:
    """The real onnxruntime wheel, scanned and exercised through a catalog record alone: its version
    and file, no devices, and --exercise says it ran nothing instead of a false device-unusable."""
    path = tmp_path / "onnx.toml"
    path.write_text(ONNXRUNTIME)
    catalog = load_catalog(path)
    python = PYTHONS["onnxruntime"]
    report = scan(catalog, ScanOptions(python=python, frameworks=("onnxruntime",), exercise=True, timeout=120))
    (result,) = report.frameworks
    probe = result.probe
    assert probe is not None and probe.outcome is Outcome.OK, probe
    version = subprocess.run([python, "-c", "import onnxruntime; print(onnxruntime.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert probe.version == version == result.active_distribution.version
    assert probe.module_file.endswith("onnxruntime/__init__.py")
    assert probe.devices == () and probe.exercise == ()
    assert any("runs no computation" in n for n in probe.notes)
    assert report.diagnoses == ()
