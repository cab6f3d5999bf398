"""End to end with the real tools: fwprobe writes fwprobe.prom into a directory, Debian's
prometheus-node-exporter publishes it through its textfile collector, Debian's prometheus scrapes
that (and loads examples/prometheus/fwprobe-alerts.yml), all on 127.0.0.1 with free ports,
started and stopped here; the assertions go through Prometheus's HTTP API.

Skipped unless both binaries are installed (.ci/run installs them as root).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fakes.catalogs import FAKE_CATALOG
from fakes.frameworks import FAKE_TORCH_NEW_GPU, write_module

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "examples" / "prometheus" / "fwprobe-alerts.yml"
INDEX = ROOT / "tests" / "fixtures" / "index" / "activeproj.json"
NODE_EXPORTER = shutil.which("prometheus-node-exporter") or shutil.which("node_exporter")
PROMETHEUS = shutil.which("prometheus")
NOW = "2026-11-23T00:00:00+00:00"
# a GPU name with what a label must carry: quotes, backslashes, a line feed, an escape sequence
GPU_NAME = 'NVIDIA "A100" C:\\gpu\\n\nsecond line\x1b[0m'

pytestmark = [
    pytest.mark.prometheus,
    pytest.mark.skipif(NODE_EXPORTER is None or PROMETHEUS is None,
                       reason="needs Debian's prometheus and prometheus-node-exporter (.ci/run installs them as root)"),
]

# the fake catalog's torch and raisefw, and a framework the index on 127.0.0.1 knows
CATALOG = FAKE_CATALOG + '''
[[framework]]
id = "active"
name = "Active"
import_name = "activeproj"
probe = "torch"
distributions = ["activeproj"]
claim = "actively developed"
claimed_status = "active"
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Stack:
    textfiles: Path
    url: str  # Prometheus
    logs: Path

    def query(self, expr: str) -> list[dict[str, Any]]:
        with urllib.request.urlopen(f"{self.url}/api/v1/query?{urllib.parse.urlencode({'query': expr})}",
                                    timeout=10) as answer:
            data = json.load(answer)
        assert data["status"] == "success", data
        return list(data["data"]["result"])

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.url}{path}", timeout=10) as answer:
            return json.load(answer)["data"]

    def wait_for(self, expr: str, deadline_s: float = 90) -> list[dict[str, Any]]:
        """The query's result once it is not empty (scrapes run every second); fails after the
        deadline with both tools' logs."""
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            try:
                result = self.query(expr)
            except OSError:
                result = []
            if result:
                return result
            time.sleep(0.5)
        pytest.fail(f"no result for {expr} within {deadline_s} s\n" + "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(self.logs.glob("*.log"))))


def _start(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    textfiles = tmp_path / "textfile"
    textfiles.mkdir()
    logs = tmp_path / "logs"
    logs.mkdir()
    assert NODE_EXPORTER is not None and PROMETHEUS is not None
    node_port, prom_port = _free_port(), _free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(json.dumps({  # JSON is YAML
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [{"job_name": "node", "static_configs": [{"targets": [f"127.0.0.1:{node_port}"]}]}],
    }))
    procs = []
    try:
        procs.append(_start([NODE_EXPORTER, f"--web.listen-address=127.0.0.1:{node_port}",
                             "--collector.disable-defaults", "--collector.textfile",
                             f"--collector.textfile.directory={textfiles}"], logs / "node_exporter.log"))
        procs.append(_start([PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                             f"--web.listen-address=127.0.0.1:{prom_port}"], logs / "prometheus.log"))
        yield Stack(textfiles, f"http://127.0.0.1:{prom_port}", logs)
    finally:
        for proc in reversed(procs):
            _stop(proc)
    assert all(p.poll() is not None for p in procs)  # nothing left running


def _oracle_newest() -> tuple[str, float]:
    """From the index fixture itself: the newest release (pre-releases count as activity) and
    the scan's time minus its first upload."""
    firsts: dict[str, dt.datetime] = {}
    for f in json.loads(INDEX.read_text())["files"]:
        version = f["filename"].split("-")[1].removesuffix(".tar.gz")
        when = dt.datetime.fromisoformat(f["upload-time"].replace("Z", "+00:00"))
        firsts[version] = min(when, firsts.get(version, when))
    version, upload = max(firsts.items(), key=lambda item: item[1])
    return version, (dt.datetime.fromisoformat(NOW) - upload).total_seconds()


def _value(result: list[dict[str, Any]]) -> float:
    (sample,) = result
    return float(sample["value"][1])


def test_prometheus_receives_fwprobes_series_through_the_textfile_collector(
        stack: Stack, site: Path, fake_nvidia_smi: Path, index_server: Any, tmp_path: Path) -> None:
    # torch built for CUDA 13.0 on a driver supporting 12.4, listing 2 GPUs it cannot compute on;
    # a framework whose import fails; one whose release history comes from the index on 127.0.0.1
    torch = (FAKE_TORCH_NEW_GPU.replace('cuda="12.4"', 'cuda="13.0"')
             .replace('self.name = "NVIDIA A100-SXM4-80GB"', f"self.name = {GPU_NAME!r}")
             .replace('def get_device_name(i): return "NVIDIA A100-SXM4-80GB"', f"def get_device_name(i): return {GPU_NAME!r}"))
    assert 'cuda="13.0"' in torch and repr(GPU_NAME) in torch
    write_module(site, "torch", torch, "torch", "2.5.1+cu130")
    write_module(site, "raisefw", 'raise ImportError("no module named _C")\n', "raisefw", "0.1")
    write_module(site, "activeproj", "__version__ = '1.3.0'\n", "activeproj", "1.3.0")
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(CATALOG)
    fwprobe = [sys.executable, "-m", "fwprobe", "scan", "--catalog", str(catalog), "--keep-pythonpath",
               "-f", "pytorch", "-f", "raisefw", "-f", "active", "--exercise", "--index-url", index_server.url]
    env = {**os.environ, "FWPROBE_NOW": NOW}
    done = subprocess.run([*fwprobe, "--format", "prometheus", "-o", str(stack.textfiles / "fwprobe.prom")],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert os.listdir(stack.textfiles) == ["fwprobe.prom"]

    # the collector read the file without complaint, and Prometheus scraped it
    stack.wait_for('fwprobe_framework_import{framework="pytorch"}')
    assert _value(stack.query("node_textfile_scrape_error")) == 0
    assert stack.query('node_textfile_mtime_seconds{file=~".*fwprobe.prom"}')

    def one(expr: str) -> float:
        return _value(stack.query(expr))

    assert one('fwprobe_framework_import{framework="pytorch",outcome="ok"}') == 1
    assert one('fwprobe_framework_import{framework="raisefw",outcome="failed"}') == 1
    assert one('fwprobe_framework_import{framework="raisefw",outcome="ok"}') == 0
    assert one('fwprobe_framework_installed{framework="pytorch"}') == 1
    info = stack.query('fwprobe_framework_info{framework="pytorch"}')
    assert [(s["metric"]["distribution"], s["metric"]["version"], s["metric"]["cuda"]) for s in info] == [
        ("torch", "2.5.1+cu130", "13.0")]
    # devices: both GPUs visible, neither usable, the name arriving whole (ESC shown as text)
    visible = stack.query('fwprobe_device_visible{framework="pytorch",kind="cuda"}')
    assert sorted(s["metric"]["index"] for s in visible) == ["0", "1"]
    assert {s["metric"]["name"] for s in visible} == {GPU_NAME.replace("\x1b", "\\x1b")}
    assert [float(s["value"][1]) for s in stack.query('fwprobe_device_usable{framework="pytorch",kind="cuda"}')] == [0, 0]
    assert one('fwprobe_device_usable{framework="pytorch",kind="cpu"}') == 1
    assert one('fwprobe_framework_accelerators{framework="pytorch"}') == 2
    # the driver and nvidia-smi's GPUs
    (driver,) = stack.query("fwprobe_nvidia_driver_info")
    assert (driver["metric"]["driver_version"], driver["metric"]["cuda_version"]) == ("550.54.15", "12.4")
    assert one("fwprobe_nvidia_gpus") == 2 and len(stack.query("fwprobe_nvidia_gpu_info")) == 2
    # diagnoses by code and severity
    assert one('fwprobe_diagnosis{code="driver-older-than-build",severity="error",framework="pytorch"}') == 1
    assert one('fwprobe_diagnosis{code="import-failed",severity="error",framework="raisefw"}') == 1
    assert one('fwprobe_diagnosis{code="device-unusable",framework="pytorch"}') >= 1
    assert one('fwprobe_diagnoses{severity="error"}') == one('sum(fwprobe_diagnosis{severity="error"})')
    # the index: release age in seconds, from the fixture's upload time to the scan
    version, age = _oracle_newest()
    assert one('fwprobe_framework_release_age_seconds{framework="active"}') == age
    assert one('fwprobe_framework_release_status{framework="active",status="active"}') == 1
    assert one(f'fwprobe_framework_newest_release_info{{framework="active",version="{version}",prerelease="true"}}') == 1
    # when the scan ran and how long it took
    assert one("fwprobe_scan_timestamp_seconds") == dt.datetime.fromisoformat(NOW).timestamp()
    assert one("fwprobe_scan_duration_seconds") > 0

    # the example alert rules evaluate on these series: the three alerts the scan calls for are
    # pending (each waits 30 minutes before it fires)
    alerts = stack.get("/api/v1/alerts")["alerts"]
    end = time.monotonic() + 60
    wanted = {("FwprobeFrameworkCannotUseGpu", "pytorch"), ("FwprobeDriverOlderThanBuild", "pytorch"),
              ("FwprobeErrorDiagnosis", "raisefw")}
    while not wanted <= {(a["labels"]["alertname"], a["labels"].get("framework")) for a in alerts} \
            and time.monotonic() < end:
        time.sleep(0.5)
        alerts = stack.get("/api/v1/alerts")["alerts"]
    assert wanted <= {(a["labels"]["alertname"], a["labels"].get("framework")) for a in alerts}, alerts
    rules = [r for g in stack.get("/api/v1/rules")["groups"] for r in g["rules"]]
    assert {r["name"] for r in rules} == {"FwprobeFrameworkCannotUseGpu", "FwprobeDriverOlderThanBuild",
                                          "FwprobeErrorDiagnosis", "FwprobeMetricsStale"}
    assert all(r["health"] == "ok" for r in rules), rules
