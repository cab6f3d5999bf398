"""Golden-output tests for every renderer, from a hand-built report (no processes, no network).

Regenerate after an intended change: FWPROBE_UPDATE_GOLDEN=1 pytest tests/test_render.py
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from pathlib import Path

import pytest
from rich.console import Console

from fwprobe.catalog import load_catalog
from fwprobe.model import (
    SCHEMA,
    Build,
    Check,
    ClaimVerdict,
    Device,
    Diagnosis,
    Distribution,
    Exercise,
    ForkStatus,
    FrameworkResult,
    Gpu,
    Host,
    Interpreter,
    Outcome,
    ProbeResult,
    Release,
    Report,
    Severity,
    Status,
    StatusAssessment,
    System,
    Verdict,
)
from fwprobe.render import RENDERERS, Format, check

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def _utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.timezone.utc)


def sample_report() -> Report:
    site = "/envs/train/lib/python3.11/site-packages"
    torch = FrameworkResult(
        id="pytorch", name="PyTorch", claim="actively developed (Meta)", claimed_status="active",
        installed=True, distributions=(Distribution("torch", "2.5.1+cu124", site, "pip"),),
        companions=(Distribution("torchvision", "0.20.1", site, "pip", requires=("torch==2.5.1",)),),
        probe=ProbeResult(Outcome.OK, seconds=2.31, version="2.5.1+cu124", import_seconds=1.9, phase="done",
                          build=Build(cuda="12.4", cudnn="90100", cpu_only=False),
                          devices=(Device("cuda", 0, "NVIDIA A100-SXM4-80GB", 85899345920),
                                   Device("cuda", 1, "NVIDIA A100-SXM4-80GB", 85899345920), Device("cpu", 0, "cpu")),
                          exercise=(Exercise("cuda", 0, True, 0.012), Exercise("cuda", 1, False, 0.3, "RuntimeError",
                                                                             "CUDA error: an illegal memory access was encountered"),
                                    Exercise("cpu", 0, True, 0.001)),
                          execution={"eager_default": True}),
        status=StatusAssessment(Status.ACTIVE, Verdict.CONFIRMED,
                                "newest release torch 2.6.0 on 2026-10-28, 26 days ago; 8 release(s) in the last 365 days",
                                Release("2.6.0", _utc(2026, 10, 28, 0, 0, 0)), "torch", 26, 8, (), 3),
        claims=(ClaimVerdict("torch-eager", "execution", "PyTorch executes eagerly by default", Verdict.CONFIRMED,
                             "execution.eager_default is True", "probe of 2.5.1+cu124 in /envs/train/bin/python", "2026-11-23"),
                ClaimVerdict("torchscript-current", "execution", "TorchScript is a current way to compile and deploy",
                             Verdict.CONTRADICTED, "execution.torchscript_deprecated is True (torch.jit.script warns: "
                             "`torch.jit.script` is deprecated. Please switch to `torch.compile` or `torch.export`.)",
                             "probe of 2.5.1+cu124 in /envs/train/bin/python", "2026-11-23"),
                ClaimVerdict("torch-export", "features", "torch.export exists", Verdict.CONFIRMED,
                             "execution.torch_export is True", "probe of 2.5.1+cu124 in /envs/train/bin/python", "2026-11-23"),
                ClaimVerdict("torch-maintainer", "maintainer", "maintained by Meta / the PyTorch Foundation",
                             Verdict.CONFIRMED, "the index names PyTorch Team; packages@pytorch.org", "index", "2026-11-23")))
    tf = FrameworkResult(
        id="tensorflow", name="TensorFlow", claim="actively developed (Google)", claimed_status="active",
        installed=True, distributions=(Distribution("tensorflow", "2.15.0", site), Distribution("tensorflow-cpu", "2.15.0", site)),
        probe=ProbeResult(Outcome.TIMEOUT, seconds=90.0, phase="import", error_message="no answer within 90 s (while importing)"))
    keras = FrameworkResult(
        id="keras", name="Keras", claim="integrated into TensorFlow as tf.keras", claimed_status="integrated",
        installed=True, distributions=(Distribution("keras", "3.4.0", site, yanked=True, yanked_reason="bad wheel"),),
        probe=ProbeResult(Outcome.OK, version="3.4.0", import_seconds=3.1,
                          details={"keras_backend": "torch",
                                   "keras_backend_source": {"backend": "torch", "source": "KERAS_BACKEND environment variable"}}),
        status=StatusAssessment(Status.ACTIVE, Verdict.CONTRADICTED,
                                "the standalone keras distribution has releases of its own, not only as part of tensorflow: "
                                "newest release keras 3.15.1 on 2026-07-29, 117 days ago",
                                Release("3.15.1", _utc(2026, 7, 29, 0, 0, 0)), "keras", 117, 11),
        claims=(ClaimVerdict("keras-runs-on-tensorflow", "execution", "Keras runs on TensorFlow", Verdict.CONTRADICTED,
                             "details.keras_backend is 'torch'", "probe of 3.4.0 in /envs/train/bin/python", "2026-11-23"),
                ClaimVerdict("keras-requires-tensorflow", "claim", "Keras is part of TensorFlow", Verdict.CONTRADICTED,
                             "keras 3.15.1's Requires-Dist does not name tensorflow (it requires: numpy, rich)", "index",
                             "2026-11-23")))
    theano = FrameworkResult(
        id="theano", name="Theano", claim="largely unmaintained; community forks exist", claimed_status="unmaintained",
        installed=True, distributions=(Distribution("Theano", "1.0.5", site),),
        probe=ProbeResult(Outcome.FAILED, version=None, error_type="Exception",
                          error_message="Compilation failed (return status=1): mod.cpp:499:25: error: 'PyInt_AsLong' was not declared"),
        status=StatusAssessment(Status.UNMAINTAINED, Verdict.CONFIRMED,
                                "newest release theano 1.0.5 on 2020-07-27, 2310 days ago; active fork(s): pytensor 3.3.8 (2026-11-07)",
                                Release("1.0.5", _utc(2020, 7, 27, 16, 13, 11)), "theano", 2310, 0,
                                (ForkStatus("pytensor", Status.ACTIVE, "3.3.8", dt.date(2026, 11, 7)),
                                 ForkStatus("aesara", Status.UNMAINTAINED, "2.9.4", dt.date(2024, 8, 28)))))
    jax = FrameworkResult(id="jax", name="JAX", claim="actively developed (Google)", claimed_status="active",
                          installed=True, distributions=(Distribution("jax", "0.4.35", site),),
                          probe=ProbeResult(Outcome.CRASHED, signal="SIGSEGV", error_message="killed by SIGSEGV"),
                          status=StatusAssessment(Status.UNKNOWN, Verdict.UNVERIFIED, "unknown: jax: not found on the index (404)"))
    pytensor = FrameworkResult(id="pytensor", name="PyTensor", claim="actively developed", claimed_status="active",
                               installed=False,
                               claims=(ClaimVerdict("pytensor-static-graph", "execution", "PyTensor builds a static symbolic graph",
                                                    Verdict.UNVERIFIED, "no successful probe (no --python names an environment with it)",
                                                    "probe", "2026-11-23"),))
    return Report(
        generated_at="2026-11-23T12:00:00+00:00", fwprobe_version="0.1.0",
        host=Host("gpu-node-7", "Ubuntu", "22.04", "5.15.0-122-generic", "glibc", "2.35", "AMD EPYC 7763 64-Core Processor",
                  128, 1081719472128, "docker", False,
                  {"CUDA_VISIBLE_DEVICES": "0,1", "HF_TOKEN": "***", "LD_LIBRARY_PATH": "/home/ada/cuda/lib64"}),
        target=Interpreter("/envs/train/bin/python", "3.11.7", "cpython", "linux", "x86_64", "/envs/train", True, False,
                           "active virtualenv (VIRTUAL_ENV=/envs/train)"),
        system=System(nvidia_smi="/usr/bin/nvidia-smi", driver_version="550.54.15", cuda_driver_version="12.4",
                      gpus=(Gpu(0, "NVIDIA A100-SXM4-80GB", 81920, "GPU-0"), Gpu(1, "NVIDIA A100-SXM4-80GB", 81920, "GPU-1")),
                      facts=("NVIDIA driver 550.54.15 (supports CUDA 12.4), 2 GPU(s)",)),
        frameworks=(tf, keras, theano, torch, jax, pytensor),
        diagnoses=(Diagnosis("conflicting-distributions", Severity.ERROR,
                             "TensorFlow is installed from 2 distributions at once (tensorflow 2.15.0 + tensorflow-cpu 2.15.0)",
                             "pip uninstall -y tensorflow tensorflow-cpu && pip install tensorflow", "tensorflow"),
                   Diagnosis("yanked-installed", Severity.WARNING, "keras 3.4.0 is yanked on the index: bad wheel",
                             "pip install --upgrade 'keras!=3.4.0'", "keras")),
        checks=(Check("require-gpu torch", True, "PyTorch 2.5.1+cu124 sees 2 cuda device(s): NVIDIA A100-SXM4-80GB"),
                Check("require tensorflow>=2.16", False, "tensorflow 2.15.0 is installed, which does not satisfy >=2.16")),
        index_url="https://***@example.org/simple/",
        options={"python": "/envs/train/bin/python", "import": True, "timeout": 90.0},
    )


def _text(renderable) -> str:
    buf = io.StringIO()
    Console(file=buf, width=120, no_color=True, force_terminal=False, legacy_windows=False).print(renderable)
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"


def _golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("FWPROBE_UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with FWPROBE_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


GOLDEN_OF = {("scan", "table"): "report.table", ("scan", "json"): "report.json",
             ("scan", "markdown"): "scan.markdown",
             ("status", "table"): "status.table", ("status", "json"): "report.json",
             ("status", "markdown"): "report.markdown", ("check", "text"): "check.txt",
             ("check", "json"): "report.json",
             ("scan", "prometheus"): "report.prom", ("check", "prometheus"): "report.prom"}


def test_every_format_has_a_renderer_and_every_renderer_a_golden() -> None:
    assert {r.format for r in RENDERERS} == set(Format)
    # merge renders a fleet, not a scan report: its goldens are in tests/fleet/test_merge.py
    assert {(r.command, r.format.value) for r in RENDERERS if r.command != "merge"} == set(GOLDEN_OF)


@pytest.mark.parametrize("renderer", [r for r in RENDERERS if r.command != "merge"],
                         ids=lambda r: f"{r.command}-{r.format.value}")
def test_every_registered_renderer_matches_its_golden(renderer, monkeypatch) -> None:
    monkeypatch.setenv("HOME", "/home/ada")
    out = renderer(sample_report(), load_catalog())
    _golden(GOLDEN_OF[(renderer.command, renderer.format.value)], out if isinstance(out, str) else _text(out))


def test_check_lines_and_junit_golden() -> None:
    report = sample_report()
    _golden("check.txt", check.text(report))
    _golden("check.junit.xml", check.junit(report))


def test_json_schema_keys_are_stable() -> None:
    data = json.loads(sample_report().to_json())
    assert data["schema"] == SCHEMA and next(iter(data)) == "schema"
    assert list(data) == ["schema", "generated_at", "fwprobe_version", "target", "system", "frameworks", "host",
                          "diagnoses", "checks", "index_url", "options"]
    fw = data["frameworks"][3]
    assert list(fw) == ["id", "name", "claim", "claimed_status", "installed", "distributions", "companions",
                        "probe", "index", "status", "claims", "pythonpath"]
    assert "releases" not in json.dumps(data["frameworks"][0]["index"])


@pytest.mark.parametrize("config, shown", [
    ({"device": "cuda0", "floatX": "float32"}, "device=cuda0 floatX=float32"),
    ({"device": None, "floatX": "float64", "mode": "Mode"}, "floatX=float64"),  # PyTensor 3: no device option
])
def test_the_build_column_of_theano_and_pytensor_shows_what_is_set(config, shown) -> None:
    from fwprobe.render.scan_table import _build

    r = FrameworkResult(id="pytensor", name="PyTensor", claim="", claimed_status="active", installed=True,
                        probe=ProbeResult(Outcome.OK, version="3.0.7", details={"theano_config": config}))
    assert _build(r).plain == shown
