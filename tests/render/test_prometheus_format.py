"""`--format prometheus`: the label escape, the metrics a report becomes, and promtool's verdict.

The text is read back with a strict parser of the exposition format (one sample per line, label
values decoded as Prometheus decodes them), so a test sees what Prometheus would store. promtool
(Debian's `prometheus` package; .ci/run installs it) checks the output where it is installed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from fakes.exposition import parse, promtool_check, series
from fakes.reports import ReportBuilder
from fwprobe.model import (
    Check,
    Device,
    Diagnosis,
    Distribution,
    Exercise,
    FrameworkResult,
    Gpu,
    MigDevice,
    Outcome,
    ProbeResult,
    Release,
    Report,
    Severity,
    Status,
    StatusAssessment,
    Verdict,
)
from fwprobe.render import escape, prometheus

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "report.prom"
# quotes, backslashes (one before a quote, one before an n), LF, CR, ESC sequences, BEL, NEL,
# a line separator, a bidi override, a lone surrogate (an undecodable byte kept by surrogateescape)
HOSTILE = 'A100 "x" \\" \\n\nline2\r\n# HELP fake\x1b[2J\x1b]8;;http://evil.invalid/\x07\x85\u2028\u202e}\udcff'

# --- the escape -----------------------------------------------------------------------------


@pytest.mark.parametrize("data, escaped", [
    ("NVIDIA A100-SXM4-80GB", "NVIDIA A100-SXM4-80GB"),
    ('say "hi"', 'say \\"hi\\"'),
    ("C:\\cuda\\bin", "C:\\\\cuda\\\\bin"),
    ("two\nlines", "two\\nlines"),
    ('\\"', '\\\\\\"'),  # a backslash before a quote in the data cannot end the value
    ("a\rb", "a\\\\rb"),  # CR: shown as \r text, its backslash escaped
    ("\x1b[2J", "\\\\x1b[2J"),
    ("\u2028\u202e\x85", "\\\\u2028\\\\u202e\\\\x85"),
    ("\udcff", "\\\\udcff"),
    ("", ""),
    (12, "12"),
])
def test_prom_label_escapes_per_the_exposition_format(data: object, escaped: str) -> None:
    assert escape.prom_label(data) == escaped


def test_prom_label_decodes_to_the_data_with_its_line_feeds() -> None:
    line = f'm{{a="{escape.prom_label(HOSTILE)}"}} 1\n'
    assert len(line.splitlines()) == 1 and line.encode("utf-8")
    ((_, labels, _),) = [(n, lab, v) for n, lab, v in _parse_untyped(line)]
    assert labels["a"] == escape.terminal(HOSTILE, multiline=True)
    assert "\nline2" in labels["a"]  # the line feed itself comes back


def _parse_untyped(line: str) -> list[tuple[str, dict[str, str], float]]:
    return parse("# TYPE m gauge\n" + line)


# --- the metrics ----------------------------------------------------------------------------


def _report() -> Report:
    """Torch on 2 GPUs (one fails its exercise), a failed import, index status, a check."""
    status = StatusAssessment(Status.ACTIVE, Verdict.CONFIRMED, "newest release torch 2.6.0",
                              Release("2.6.0", dt.datetime(2026, 10, 28, 6, 0, tzinfo=dt.timezone.utc)),
                              "torch", 26, 8, (), 3)
    report = (ReportBuilder(gpus=2).framework("pytorch", "torch", "2.5.1+cu124", devices=("cuda", "cuda", "cpu"),
                                              cuda="12.4", cpu_only=False, status=status)
              .framework("jax", "jax", "0.4.35", outcome=Outcome.FAILED, error="no module named jaxlib")
              .framework("keras").build())
    torch = report.frameworks[0]
    assert torch.probe is not None
    probe = dataclasses.replace(torch.probe, import_seconds=1.9, exercise=(
        Exercise("cuda", 0, True, 0.01), Exercise("cuda", 1, False, 0.2, "RuntimeError", "illegal memory access"),
        Exercise("cpu", 2, True, 0.001)))
    return dataclasses.replace(
        report, frameworks=(dataclasses.replace(torch, probe=probe), *report.frameworks[1:]),
        diagnoses=(Diagnosis("device-unusable", Severity.ERROR, "cuda:1 failed", "hint", "pytorch"),
                   Diagnosis("device-unusable", Severity.ERROR, "cuda:0 failed", "hint", "pytorch"),
                   Diagnosis("import-failed", Severity.ERROR, "no module named jaxlib", "pip install jaxlib", "jax"),
                   Diagnosis("nvidia-smi-warning", Severity.WARNING, "infoROM", "hint")),
        checks=(Check("require-gpu torch", False, "cannot compute on cuda:1"),),
        options={"scan_seconds": 2.5})


def test_every_fact_of_the_report_becomes_its_series() -> None:
    text = prometheus.render(_report())
    assert series(text, "fwprobe_scan_timestamp_seconds") == {(): dt.datetime(2026, 11, 23, 12, tzinfo=dt.timezone.utc).timestamp()}
    assert series(text, "fwprobe_scan_duration_seconds") == {(): 2.5}
    assert series(text, "fwprobe_framework_installed") == {
        (("framework", "pytorch"),): 1, (("framework", "jax"),): 1, (("framework", "keras"),): 0}
    info = series(text, "fwprobe_framework_info")
    assert info[(("cpu_only", "false"), ("cuda", "12.4"), ("cudnn", ""), ("distribution", "torch"),
                 ("framework", "pytorch"), ("rocm", ""), ("version", "2.5.1+cu124"))] == 1
    assert len(info) == 2  # keras is not installed
    imports = series(text, "fwprobe_framework_import")
    assert {k: v for k, v in imports.items() if v} == {
        (("framework", "pytorch"), ("outcome", "ok")): 1, (("framework", "jax"), ("outcome", "failed")): 1}
    assert len(imports) == 2 * len(Outcome)  # every state, 0 where it is not
    assert series(text, "fwprobe_framework_import_duration_seconds") == {(("framework", "pytorch"),): 1.9}
    assert series(text, "fwprobe_framework_accelerators") == {(("framework", "pytorch"),): 2}
    a100 = "NVIDIA A100-SXM4-80GB"
    assert series(text, "fwprobe_device_visible") == {
        (("framework", "pytorch"), ("index", "0"), ("kind", "cuda"), ("name", a100)): 1,
        (("framework", "pytorch"), ("index", "1"), ("kind", "cuda"), ("name", a100)): 1,
        (("framework", "pytorch"), ("index", "2"), ("kind", "cpu"), ("name", "cpu")): 1}
    assert series(text, "fwprobe_device_usable") == {
        (("framework", "pytorch"), ("index", "0"), ("kind", "cuda"), ("name", a100)): 1,
        (("framework", "pytorch"), ("index", "1"), ("kind", "cuda"), ("name", a100)): 0,
        (("framework", "pytorch"), ("index", "2"), ("kind", "cpu"), ("name", "cpu")): 1}
    # two findings of one code on one framework are one series counting 2; messages are no label
    assert series(text, "fwprobe_diagnosis") == {
        (("code", "device-unusable"), ("framework", "pytorch"), ("severity", "error")): 2,
        (("code", "import-failed"), ("framework", "jax"), ("severity", "error")): 1,
        (("code", "nvidia-smi-warning"), ("framework", ""), ("severity", "warning")): 1}
    assert series(text, "fwprobe_diagnoses") == {
        (("severity", "info"),): 0, (("severity", "warning"),): 1, (("severity", "error"),): 3}
    assert series(text, "fwprobe_nvidia_driver_info") == {(("cuda_version", "12.4"), ("driver_version", "550.54.15")): 1}
    assert series(text, "fwprobe_nvidia_gpus") == {(): 2}
    assert len(series(text, "fwprobe_nvidia_gpu_info")) == 2
    assert series(text, "fwprobe_nvidia_smi_ok") == {(): 1}
    # the index: state set, newest release, age in seconds from its upload to the scan
    status = series(text, "fwprobe_framework_release_status")
    assert len(status) == len(Status) and status[(("framework", "pytorch"), ("status", "active"))] == 1
    assert sum(status.values()) == 1
    assert series(text, "fwprobe_framework_newest_release_info") == {
        (("distribution", "torch"), ("framework", "pytorch"), ("prerelease", "false"), ("version", "2.6.0")): 1}
    assert series(text, "fwprobe_framework_release_age_seconds") == {(("framework", "pytorch"),): 26 * 86400 + 6 * 3600}
    assert series(text, "fwprobe_framework_recent_releases") == {(("framework", "pytorch"),): 8}
    assert series(text, "fwprobe_framework_releases_behind") == {(("framework", "pytorch"),): 3}
    assert series(text, "fwprobe_check_passed") == {(("check", "require-gpu torch"),): 0}
    assert series(text, "fwprobe_check_success") == {(): 0}
    assert "illegal memory access" not in text and "pip install" not in text  # no unbounded text as labels
    promtool_check(text)


def test_what_was_not_asked_has_no_series() -> None:
    """No index: no release series; no nvidia-smi: no driver, and 0 GPUs; scan: no checks;
    a report without a system (status) still renders."""
    text = prometheus.render(ReportBuilder().framework("pytorch", "torch", "2.5.1+cpu").build())
    names = {n for n, _, _ in parse(text)}
    assert not {n for n in names if "release" in n or n.startswith(("fwprobe_check", "fwprobe_nvidia_driver"))}
    assert "fwprobe_nvidia_smi_ok" not in names and series(text, "fwprobe_nvidia_gpus") == {(): 0}
    assert "fwprobe_scan_duration_seconds" not in names  # a hand-built report says nothing of it
    bare = dataclasses.replace(ReportBuilder().build(), system=None, target=None)
    assert {n for n, _, _ in parse(prometheus.render(bare))} == {
        "fwprobe_scan_timestamp_seconds", "fwprobe_scan_info", "fwprobe_diagnoses"}
    promtool_check(text)


def test_nvidia_smi_failure_and_mig_devices() -> None:
    report = ReportBuilder(gpus=1).build()
    assert report.system is not None
    failed = dataclasses.replace(report, system=dataclasses.replace(
        report.system, nvidia_error="Failed to initialize NVML: Driver/library version mismatch", gpus=(),
        driver_version=None))
    assert series(prometheus.render(failed), "fwprobe_nvidia_smi_ok") == {(): 0}
    mig = dataclasses.replace(report, system=dataclasses.replace(
        report.system, gpus=(Gpu(0, "NVIDIA H100 80GB HBM3", 81559, "GPU-1", "9.0", mig_mode="Enabled"),),
        mig_devices=(MigDevice(0, 0, "1g.10gb", "MIG-a"), MigDevice(0, 1, "1g.10gb", "MIG-b"))))
    text = prometheus.render(mig)
    assert series(text, "fwprobe_nvidia_gpu_info") == {
        (("compute_capability", "9.0"), ("gpu", "0"), ("mig_mode", "Enabled"), ("name", "NVIDIA H100 80GB HBM3"),
         ("uuid", "GPU-1")): 1}
    assert set(series(text, "fwprobe_nvidia_mig_device_info")) == {
        (("gpu", "0"), ("mig_device", "0"), ("profile", "1g.10gb"), ("uuid", "MIG-a")),
        (("gpu", "0"), ("mig_device", "1"), ("profile", "1g.10gb"), ("uuid", "MIG-b"))}
    promtool_check(text)


def _hostile_report() -> Report:
    report = ReportBuilder(gpus=1).build()
    assert report.system is not None and report.target is not None
    torch = FrameworkResult(
        "pytorch", "PyTorch", "", "active", True, (Distribution(HOSTILE, HOSTILE, "/x"),),
        probe=ProbeResult(Outcome.OK, version=HOSTILE, devices=(Device(HOSTILE, 0, HOSTILE), Device("cuda", 1, HOSTILE)),
                          exercise=(Exercise(HOSTILE, 0, False, error_message=HOSTILE),)),
        status=StatusAssessment(Status.ACTIVE, Verdict.CONFIRMED, HOSTILE, Release(HOSTILE, None), HOSTILE, 3))
    return dataclasses.replace(
        report, fwprobe_version=HOSTILE, target=dataclasses.replace(report.target, executable=HOSTILE, version=HOSTILE),
        system=dataclasses.replace(report.system, driver_version=HOSTILE, cuda_driver_version=HOSTILE,
                                   gpus=(Gpu(0, HOSTILE, uuid=HOSTILE, compute_capability=HOSTILE),)),
        frameworks=(torch,), diagnoses=(Diagnosis(HOSTILE, Severity.ERROR, HOSTILE, HOSTILE, HOSTILE),),
        checks=(Check(HOSTILE, False, HOSTILE),), generated_at=HOSTILE)


def test_outside_text_stays_inside_its_label() -> None:
    """Versions, device, GPU, driver and check names carrying quotes, backslashes, line breaks
    and escape sequences: every line is still one sample, each label value decodes to the data
    (controls other than LF shown as text), and promtool accepts the file."""
    text = prometheus.render(_hostile_report())
    assert "\x1b" not in text and "\r" not in text and "\x07" not in text and "\u2028" not in text
    samples = parse(text)
    shown = escape.terminal(HOSTILE, multiline=True)
    carried = [v for _, labels, _ in samples for v in labels.values() if v == shown]
    # version, distribution, python, python_version, fwprobe_version, 2 device names x 2 series (visible),
    # the exercised kind, driver, cuda, gpu name, uuid, cc, newest version + distribution, code,
    # diagnosis framework, check name...: each one whole
    assert len(carried) >= 15
    assert not [lab for _, labels, _ in samples for lab in labels.values() if "line2" in lab and lab != shown]
    assert "fwprobe_scan_timestamp_seconds" not in {n for n, _, _ in samples}  # no time to tell
    promtool_check(text)


def test_the_golden_file_passes_promtool() -> None:
    promtool_check(GOLDEN.read_text(encoding="utf-8"))
