"""Probes through real subprocesses against fake frameworks."""

from __future__ import annotations

import sys
from pathlib import Path

from fakes.frameworks import (
    FAKE_JAX_GPU,
    FAKE_JAXLIB,
    FAKE_TF_GPU,
    FAKE_TORCH_CUDA,
    HANG,
    HANG_IN_QUERY,
    NOISY,
    RAISES,
    SEGV,
    write_module,
)
from fwprobe.model import Outcome
from fwprobe.probes.results import interpret, run_probes
from fwprobe.runner import Finished
from fwprobe.target import Workdir


def _probe(catalog, ids, timeout=30.0, evidence=False):
    fws = [catalog.get(i) for i in ids]
    with Workdir() as w:
        return run_probes(sys.executable, fws, timeout, w, keep_pythonpath=True, evidence=evidence)


def test_fake_torch_reports_two_gpus_and_its_cuda_build(site: Path, fake_catalog) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    r = _probe(fake_catalog, ["pytorch"])["pytorch"]
    assert r.outcome is Outcome.OK
    assert r.version == "2.5.1+cu124"
    assert (r.build.cuda, r.build.cudnn, r.build.cpu_only) == ("12.4", "90100", False)
    gpus = r.accelerators
    assert [(d.kind, d.index, d.name, d.memory_bytes) for d in gpus] == [
        ("cuda", 0, "NVIDIA A100-SXM4-80GB", 85899345920), ("cuda", 1, "NVIDIA A100-SXM4-80GB", 85899345920)]
    assert r.execution["torchscript"] is True and "eager_default" not in r.execution


def test_claim_evidence_that_costs_a_computation_runs_only_when_asked(site: Path, fake_catalog) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    r = _probe(fake_catalog, ["pytorch"], evidence=True)["pytorch"]
    assert r.outcome is Outcome.OK and r.execution["eager_default"] is True


def test_fake_tensorflow_lists_a_gpu_with_its_name(site: Path, fake_catalog) -> None:
    write_module(site, "tensorflow", FAKE_TF_GPU, "tensorflow", "2.17.0")
    r = _probe(fake_catalog, ["tensorflow"])["tensorflow"]
    assert r.outcome is Outcome.OK
    assert (r.build.cuda, r.build.cudnn, r.build.cpu_only) == ("12.3", "8", False)
    assert [(d.kind, d.name) for d in r.devices] == [("cpu", "/physical_device:CPU:0"), ("cuda", "NVIDIA L4")]
    assert r.execution["eager_default"] is True


def test_fake_jax_with_gpu_devices_and_cuda_plugin(site: Path, fake_catalog) -> None:
    write_module(site, "jax", FAKE_JAX_GPU, "jax", "0.4.35")
    write_module(site, "jaxlib", FAKE_JAXLIB, "jaxlib", "0.4.35")
    write_module(site, "jax_cuda12_plugin", "", "jax-cuda12-plugin", "0.4.35")
    r = _probe(fake_catalog, ["jax"])["jax"]
    assert r.outcome is Outcome.OK
    assert [d.kind for d in r.devices] == ["cuda"] * 4
    assert r.devices[0].name == "NVIDIA H100 80GB HBM3"
    assert r.build.cpu_only is False and r.build.cuda == "12"
    assert r.details["default_backend"] == "gpu"


def test_hang_crash_raise_and_noise_are_isolated_from_each_other(site: Path, fake_catalog) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1")
    write_module(site, "hangfw", HANG, "hangfw")
    write_module(site, "segvfw", SEGV, "segvfw")
    write_module(site, "raisefw", RAISES, "raisefw")
    write_module(site, "noisyfw", NOISY, "noisyfw")
    results = _probe(fake_catalog, ["pytorch", "hangfw", "segvfw", "raisefw", "noisyfw"], timeout=4.0)
    assert results["pytorch"].outcome is Outcome.OK
    assert len(results["pytorch"].accelerators) == 2

    hang = results["hangfw"]
    assert hang.outcome is Outcome.TIMEOUT and hang.phase == "import"
    assert "while importing" in (hang.error_message or "")

    segv = results["segvfw"]
    assert segv.outcome is Outcome.CRASHED and segv.signal == "SIGSEGV"

    raised = results["raisefw"]
    assert raised.outcome is Outcome.FAILED
    assert raised.error_type == "ImportError" and "libcudart.so.12" in (raised.error_message or "")

    noisy = results["noisyfw"]  # megabytes on stdout/stderr do not corrupt the answer
    assert noisy.outcome is Outcome.OK and len(noisy.accelerators) == 2
    assert noisy.output_tail is None


def test_a_hang_after_import_keeps_the_partial_answer(site: Path, fake_catalog) -> None:
    write_module(site, "slowquery", HANG_IN_QUERY, "slowquery")
    r = _probe(fake_catalog, ["slowquery"], timeout=4.0)["slowquery"]
    assert r.outcome is Outcome.TIMEOUT
    assert r.phase == "query" and r.version == "2.5.1+cu124"
    assert "while querying devices" in (r.error_message or "")


def test_interpret_exit_without_answer_is_a_crash() -> None:
    done = Finished(("python",), returncode=3, timed_out=False, seconds=0.1, output_tail="boom")
    r = interpret(done, None)
    assert r.outcome is Outcome.CRASHED and r.exit_code == 3 and r.output_tail == "boom"


FAKE_TORCH_ROCM_MPS_XPU = """
class _NS(object):
    def __init__(self, **kw):
        self.__dict__.update(kw)
__version__ = "2.5.1+rocm6.2"
version = _NS(cuda=None, hip="6.2.41133")
class _Props(object):
    total_memory = 68702699520
class cuda(object):
    @staticmethod
    def is_available(): return True
    @staticmethod
    def device_count(): return 1
    @staticmethod
    def get_device_name(i): return "AMD Instinct MI210"
    @staticmethod
    def get_device_properties(i): return _Props()
backends = _NS(cudnn=_NS(version=lambda: None), mps=_NS(is_available=lambda: True))
xpu = _NS(is_available=lambda: True, device_count=lambda: 2, get_device_name=lambda i: "Intel Data Center GPU Max 1100")
"""


def test_rocm_mps_and_xpu_devices_are_named_by_kind(site: Path, fake_catalog) -> None:
    write_module(site, "torch", FAKE_TORCH_ROCM_MPS_XPU, "torch", "2.5.1+rocm6.2")
    r = _probe(fake_catalog, ["pytorch"])["pytorch"]
    assert r.outcome is Outcome.OK
    assert (r.build.rocm, r.build.cuda, r.build.cpu_only) == ("6.2.41133", None, False)
    assert [(d.kind, d.name) for d in r.accelerators] == [
        ("rocm", "AMD Instinct MI210"), ("mps", "Apple MPS"),
        ("xpu", "Intel Data Center GPU Max 1100"), ("xpu", "Intel Data Center GPU Max 1100")]
    assert r.accelerators[0].memory_bytes == 68702699520


def test_an_exit_during_import_is_a_crash_with_its_status(site: Path, fake_catalog) -> None:
    write_module(site, "segvfw", "import os\nos._exit(3)\n", "segvfw")
    r = _probe(fake_catalog, ["segvfw"])["segvfw"]
    assert r.outcome is Outcome.CRASHED and r.exit_code == 3
    assert "exited with status 3 without finishing" in (r.error_message or "")


def test_a_query_that_raises_is_a_note_not_a_failure(site: Path, fake_catalog) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA.replace("def device_count(): return 2",
                                                        "def device_count(): raise RuntimeError('CUDA driver initialization failed')"),
                 "torch", "2.5.1")
    r = _probe(fake_catalog, ["pytorch"])["pytorch"]
    assert r.outcome is Outcome.OK and r.accelerators == ()
    assert any("CUDA driver initialization failed" in n for n in r.notes)


FAKE_KERAS3 = """
import os, json
__version__ = "3.6.0"
class config(object):
    @staticmethod
    def backend():  # Keras 3 reads KERAS_BACKEND, then $KERAS_HOME/keras.json
        home = os.environ.get("KERAS_HOME") or os.path.expanduser("~/.keras")
        with open(os.path.join(home, "keras.json")) as f:
            return os.environ.get("KERAS_BACKEND") or json.load(f)["backend"]
"""


def test_keras_backend_from_the_config_file_names_the_file(site: Path, fake_catalog, tmp_path: Path,
                                                           monkeypatch) -> None:
    from fwprobe.catalog import load_catalog

    home = tmp_path / "keras-home"
    home.mkdir()
    (home / "keras.json").write_text('{"backend": "jax", "floatx": "float32"}')
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    write_module(site, "keras", FAKE_KERAS3, "keras", "3.6.0")
    catalog = load_catalog()
    with Workdir() as w:
        r = run_probes(sys.executable, [catalog.get("keras")], 30, w, keep_pythonpath=True)["keras"]
    assert r.outcome is Outcome.OK and r.details["keras_backend"] == "jax"
    assert r.details["keras_backend_source"] == {"backend": "jax", "source": str(home / "keras.json")}


FAKE_PYTENSOR3 = """
from pytensor import tensor
__version__ = "3.0.7"
class PyTensorConfigParser(object):  # PyTensor 3 has no `device` option: reading it raises AttributeError
    floatX = "float64"
    cxx = "/usr/bin/g++"
    mode = "Mode"
    @property
    def compiledir(self):
        raise OSError("compiledir is not writable")
config = PyTensorConfigParser()
def function(inputs, outputs):
    return lambda *args: None
"""
FAKE_PYTENSOR3_TENSOR = """
class TensorVariable(object):
    def __init__(self, owner=None):
        self.owner = owner
def matrix(name=None):
    return TensorVariable()
def dot(a, b):
    return TensorVariable(owner=("dot", a, b))
"""


def test_a_config_option_this_version_lacks_is_none_and_one_that_fails_is_a_note(site: Path) -> None:
    from fwprobe.catalog import load_catalog

    write_module(site, "pytensor", FAKE_PYTENSOR3, "pytensor", "3.0.7")
    (site / "pytensor" / "tensor.py").write_text(FAKE_PYTENSOR3_TENSOR)
    r = _probe(load_catalog(), ["pytensor"])["pytensor"]
    assert r.outcome is Outcome.OK
    cfg = r.details["theano_config"]
    assert (cfg["device"], cfg["floatX"], cfg["cxx"], cfg["mode"], cfg["compiledir"]) == (
        None, "float64", "/usr/bin/g++", "Mode", None)
    assert not any("config.device" in n for n in r.notes)
    assert any("config.compiledir" in n and "not writable" in n for n in r.notes)
    assert [d.kind for d in r.devices] == ["cpu"] and r.execution["symbolic_graph"] is True
