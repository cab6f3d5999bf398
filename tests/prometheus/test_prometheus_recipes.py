"""The recipes in examples/, checked with the real tools: the alert rules with `promtool check
rules` and, on series fwprobe's own renderer wrote from diagnosed reports, `promtool test rules`;
the systemd units with `systemd-analyze verify` and their command run; the Kubernetes
DaemonSet's script run with the paths of this machine."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fakes.exposition import parse, promtool, promtool_check, series
from fakes.reports import CATALOG, ReportBuilder
from fwprobe.assess import diagnose
from fwprobe.model import Exercise, Outcome, Report
from fwprobe.render import prometheus

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "examples" / "prometheus" / "fwprobe-alerts.yml"
SYSTEMD = ROOT / "examples" / "systemd"
DAEMONSET = ROOT / "examples" / "kubernetes" / "fwprobe-daemonset.yaml"
FWPROBE = str(Path(sys.executable).with_name("fwprobe"))


def test_promtool_accepts_the_rules() -> None:
    promtool("check", "rules", str(RULES))


def _broken_node() -> Report:
    """torch built for CUDA 13.0 on a driver for 12.4, failing its computation on both GPUs;
    jax failing to import. Diagnosed by fwprobe's own rules."""
    report = (ReportBuilder(gpus=2).framework("pytorch", "torch", "2.5.1+cu130", devices=("cuda", "cuda", "cpu"),
                                              cuda="13.0", cpu_only=False)
              .framework("jax", "jax", "0.4.35", outcome=Outcome.FAILED, error="No module named 'jaxlib'").build())
    torch = report.frameworks[0]
    assert torch.probe is not None
    probe = dataclasses.replace(torch.probe, exercise=(
        Exercise("cuda", 0, False, error_message="CUDA error: no kernel image is available"),
        Exercise("cuda", 1, False, error_message="CUDA error: no kernel image is available"),
        Exercise("cpu", 2, True)))
    report = dataclasses.replace(report, frameworks=(dataclasses.replace(torch, probe=probe), *report.frameworks[1:]))
    return dataclasses.replace(report, diagnoses=diagnose(report, CATALOG, environ={}))


def _healthy_node() -> Report:
    report = ReportBuilder(gpus=2).framework("pytorch", "torch", "2.5.1+cu124", devices=("cuda", "cuda", "cpu"),
                                             cuda="12.4", cpu_only=False).build()
    return dataclasses.replace(report, diagnoses=diagnose(report, CATALOG, environ={}))


def _input_series(text: str, instance: str, scan_times: str) -> list[dict[str, str]]:
    """promtool's input series: every sample fwprobe wrote, as a scrape of ``instance`` would
    label it, holding its value for 5 hours; the scan time follows ``scan_times`` instead."""
    out = []
    for name, labels, value in parse(text):
        selector = ",".join(f"{k}={json.dumps(v)}" for k, v in {**labels, "instance": instance, "job": "node"}.items())
        values = scan_times if name == "fwprobe_scan_timestamp_seconds" else f"{value:g}x300"
        out.append({"series": f"{name}{{{selector}}}", "values": values})
    return out


def test_the_alerts_fire_on_what_fwprobe_writes(tmp_path: Path) -> None:
    broken, healthy = prometheus.render(_broken_node()), prometheus.render(_healthy_node())
    codes = {dict(k)["code"] for k in series(broken, "fwprobe_diagnosis")}
    assert {"driver-older-than-build", "device-unusable", "import-failed"} <= codes
    assert not series(healthy, "fwprobe_diagnosis")
    # the broken node is scanned all along (its scan time keeps up with the clock); the healthy
    # one's timer stopped after its scan at t=0, so its metrics age
    inputs = _input_series(broken, "gpu-1", "0+60x300") + _input_series(healthy, "gpu-2", "0x300")
    summary = "{{ $labels.framework }} cannot use its GPU on {{ $labels.instance }}"
    tests = {
        "rule_files": [str(RULES)],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": inputs,
            "alert_rule_test": [
                # after 29 minutes nothing fires yet (each alert waits 30)
                *({"eval_time": "29m", "alertname": name, "exp_alerts": []}
                  for name in ("FwprobeFrameworkCannotUseGpu", "FwprobeDriverOlderThanBuild", "FwprobeErrorDiagnosis")),
                {"eval_time": "31m", "alertname": "FwprobeFrameworkCannotUseGpu", "exp_alerts": [
                    {"exp_labels": {"severity": "critical", "instance": "gpu-1", "framework": "pytorch"},
                     "exp_annotations": {
                         "summary": summary.replace("{{ $labels.framework }}", "pytorch")
                                           .replace("{{ $labels.instance }}", "gpu-1"),
                         "description": "fwprobe found a GPU pytorch cannot compute on; `fwprobe scan --exercise` "
                                        "on the node gives the reason and the fix."}}]},
                {"eval_time": "31m", "alertname": "FwprobeDriverOlderThanBuild", "exp_alerts": [
                    {"exp_labels": {"severity": "warning", "instance": "gpu-1", "framework": "pytorch"},
                     "exp_annotations": {
                         "summary": "pytorch is built for a newer CUDA than the driver on gpu-1",
                         "description": "Upgrade the NVIDIA driver or install a build for the CUDA it supports "
                                        "(fwprobe_nvidia_driver_info shows the driver's)."}}]},
                {"eval_time": "31m", "alertname": "FwprobeErrorDiagnosis", "exp_alerts": [
                    {"exp_labels": {"severity": "warning", "instance": "gpu-1", "code": code, "framework": fw},
                     "exp_annotations": {
                         "summary": f"fwprobe: {code} {fw} on gpu-1",
                         "description": f"fwprobe reports an error-severity diagnosis {code}; `fwprobe scan` on "
                                        "the node says why and how to fix it."}}
                    for code, fw in sorted({(dict(k)["code"], dict(k)["framework"])
                                            for k in series(broken, "fwprobe_diagnosis")
                                            if dict(k)["severity"] == "error"})]},
                # 3 h 15 min after its last scan the healthy node's metrics are stale; the other's are not
                {"eval_time": "3h16m", "alertname": "FwprobeMetricsStale", "exp_alerts": [
                    {"exp_labels": {"severity": "warning", "instance": "gpu-2", "job": "node"},
                     "exp_annotations": {"summary": "fwprobe has not scanned gpu-2 for 3h 16m 0s"}}]},
            ],
        }],
    }
    unit = tmp_path / "fwprobe-alerts.test.json"
    unit.write_text(json.dumps(tests, indent=1))
    promtool("test", "rules", str(unit))


def _unit_dir(tmp_path: Path, textfiles: Path) -> Path:
    """The units with this machine's fwprobe, interpreter and a temp textfile directory."""
    units = tmp_path / "units"
    units.mkdir()
    for src in SYSTEMD.iterdir():
        text = (src.read_text().replace("/opt/fwprobe/bin/fwprobe", FWPROBE)
                .replace("/opt/train/bin/python", sys.executable)
                .replace("/var/lib/prometheus/node-exporter", str(textfiles)))
        (units / src.name).write_text(text)
    return units


def test_the_systemd_units_verify_and_their_command_writes_the_textfile(tmp_path: Path) -> None:
    textfiles = tmp_path / "textfile"
    textfiles.mkdir()
    units = _unit_dir(tmp_path, textfiles)
    service = (units / "fwprobe-textfile.service").read_text()
    assert "--format prometheus -o " in service and "UMask=0022" in service
    analyze = shutil.which("systemd-analyze")
    if analyze is not None:
        done = subprocess.run([analyze, "verify", "--man=no", str(units / "fwprobe-textfile.service"),
                               str(units / "fwprobe-textfile.timer")], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
    (command,) = re.findall(r"^ExecStart=(.*)$", service, re.M)
    argv = shlex.split(command)
    assert argv[0] == FWPROBE
    env = {**os.environ, "FWPROBE_CACHE_DIR": str(tmp_path / "cache")}
    # the unit as written asks the package index; here the index is left out (no network in tests)
    done = subprocess.run([*argv, "--no-index"], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert os.listdir(textfiles) == ["fwprobe.prom"]
    text = (textfiles / "fwprobe.prom").read_text()
    assert series(text, "fwprobe_scan_info")
    if analyze is None:
        pytest.skip("systemd-analyze not installed: the units were not verified (their command ran)")
    promtool_check(text)


def test_the_daemonset_script_prints_the_report_then_writes_the_textfile(tmp_path: Path) -> None:
    """The container's script, its paths made this machine's (fwprobe already installed; one
    round of the loop): the log's last line is the JSON report, the metrics land in the
    textfile directory."""
    lines = DAEMONSET.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- |") + 1
    indent = len(lines[start]) - len(lines[start].lstrip())
    script = "\n".join(line[indent:] for line in lines[start:]
                       if line.startswith(" " * indent) or not line.strip())
    script = script[:script.index("volumeMounts:")] if "volumeMounts:" in script else script
    assert "--format prometheus -o /textfile/fwprobe.prom" in script and "sleep 900" in script
    textfiles = tmp_path / "textfile"
    textfiles.mkdir()
    local = (script.replace("python3 -m venv /tmp/fwprobe && /tmp/fwprobe/bin/pip install -q /opt/fwprobe/fwprobe-*.whl &&",
                            "true &&")
             .replace("/tmp/fwprobe/bin/fwprobe", "@FWPROBE@").replace("/tmp/", f"{tmp_path}/")
             .replace("@FWPROBE@", FWPROBE)  # after /tmp/: the checkout itself may live under /tmp
             .replace("/textfile/", f"{textfiles}/").replace("sleep 900;", "break;")
             .replace('"$(command -v python3)"', shlex.quote(sys.executable)))
    done = subprocess.run(["/bin/sh", "-c", local], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "FWPROBE_CACHE_DIR": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["schema"] == "fwprobe.report/1"
    assert os.listdir(textfiles) == ["fwprobe.prom"]
    text = (textfiles / "fwprobe.prom").read_text()
    assert series(text, "fwprobe_scan_info")
    promtool_check(text)
