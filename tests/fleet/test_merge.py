"""`fwprobe merge`: a small fleet with drift, a missing GPU, a failed import, a stale report, a
duplicate host and bad files; golden outputs for every format."""

from __future__ import annotations

import io
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from fakes.catalogs import FAKE_CATALOG
from fakes.reports import ReportBuilder
from fwprobe.assess import diagnose
from fwprobe.catalog import load_catalog
from fwprobe.cli import app
from fwprobe.fleet.load import iter_sources
from fwprobe.fleet.merge import merge
from fwprobe.model import Host, Outcome
from fwprobe.render import fleet as render_fleet

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
CATALOG = load_catalog()
runner = CliRunner()


def _node(host: str, torch: str = "2.5.1+cu124", seen: int = 2, when: str = "2026-11-23T12:00:00+00:00",
          driver: str | None = None, tf_fails: bool = False, slurm: bool = True) -> str:
    b = ReportBuilder(gpus=2).framework("pytorch", "torch", torch, cuda="12.4", cpu_only=False,
                                        devices=("cuda",) * seen + ("cpu",))
    if tf_fails:
        b.framework("tensorflow", "tensorflow", "2.17.0", outcome=Outcome.FAILED,
                    error="libcudart.so.12: cannot open shared object file")
    report = b.build()
    if driver:
        report = replace(report, system=replace(report.system, driver_version=driver))
    sched = {"scheduler": "slurm", "SLURM_JOB_ID": "4242", "SLURMD_NODENAME": host} if slurm else {}
    report = replace(report, generated_at=when, host=Host(host, "Ubuntu", "22.04", scheduler=sched))
    report = replace(report, diagnoses=diagnose(report, CATALOG, environ={}))
    return report.to_json()


@pytest.fixture
def fleet_dir(tmp_path: Path) -> Path:
    d = tmp_path / "reports"
    d.mkdir()
    (d / "node-1.json").write_text(_node("node-1"))
    (d / "node-1-old.json").write_text(_node("node-1", torch="2.3.0", when="2026-11-23T08:00:00+00:00"))
    (d / "node-2.json").write_text(_node("node-2", tf_fails=True))
    (d / "node-3.json").write_text(_node("node-3", driver="535.104.05"))
    (d / "node-4.json").write_text(_node("node-4", torch="2.4.0"))
    (d / "node-5.json").write_text(_node("node-5", seen=1))
    (d / "node-6.json").write_text(_node("node-6", when="2026-11-20T12:00:00+00:00"))
    (d / "garbled.json").write_text("{ this is not json")
    (d / "truncated.json").write_text(_node("node-7")[:300])
    (d / "status.json").write_text(json.dumps({"schema": "fwprobe.fleet/1", "nodes": []}))
    (d / "empty.json").write_text("")
    (d / "future.json").write_text(_node("node-8").replace("fwprobe.report/1", "fwprobe.report/2"))
    (d / "notes.txt").write_text("not a report, and not *.json: never read")
    return d


def _merged(fleet_dir: Path):
    return merge(iter_sources([str(fleet_dir)]), "2026-11-23T13:00:00+00:00", "test")


def test_the_fleet_view(fleet_dir: Path) -> None:
    fleet = _merged(fleet_dir)
    assert [n.host for n in fleet.nodes] == ["node-1", "node-2", "node-3", "node-4", "node-5", "node-6"]
    assert fleet.nodes[0].scheduler["SLURM_JOB_ID"] == "4242"
    torch = next(f for f in fleet.frameworks if f.id == "pytorch")
    assert torch.versions == {"2.5.1+cu124": ["node-1", "node-2", "node-3", "node-5", "node-6"], "2.4.0": ["node-4"]}
    assert (torch.installed, torch.importing, torch.with_accelerator) == (6, 6, 6)
    codes = [(d.code, d.message) for d in fleet.diagnoses]
    assert ("version-drift", "pytorch version differs across nodes: 2.5.1+cu124 on 5 node(s) (the majority); "
                             "2.4.0 on node-4") in codes
    assert any(c == "version-drift" and "NVIDIA driver" in m and "535.104.05 on node-3" in m for c, m in codes)
    assert ("node-gpus-missing", "node-5: pytorch sees 1 GPU(s), but the driver shows 2") in codes
    assert ("node-unhealthy", "1 node(s) with error import-failed: node-2") in codes
    assert any(c == "stale-report" and m.endswith(": node-6") for c, m in codes)
    skipped = {Path(s.source).name: s.reason for s in fleet.skipped}
    assert set(skipped) == {"node-1-old.json", "garbled.json", "truncated.json", "status.json", "empty.json",
                            "future.json"}
    assert skipped["node-1-old.json"].startswith("an older report of node-1")
    assert skipped["empty.json"] == "empty file (0 bytes)"
    assert "not JSON" in skipped["garbled.json"] and "not JSON" in skipped["truncated.json"]
    assert "not a fwprobe scan report" in skipped["status.json"]
    assert "fwprobe.report/2 is not fwprobe.report/1" in skipped["future.json"]


def test_every_fleet_rule_fires_in_the_fixture_fleet(fleet_dir: Path) -> None:
    """A new fleet rule (fleet/rules.py) extends the fixture so that it fires here."""
    from fwprobe.fleet.rules import FLEET_CODES

    assert {d.code for d in _merged(fleet_dir).diagnoses} == set(FLEET_CODES)


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("FWPROBE_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()


def _relative(fleet, base: Path):
    return replace(fleet, skipped=tuple(replace(s, source=os.path.relpath(s.source, base)) for s in fleet.skipped),
                   nodes=tuple(replace(n, source=os.path.relpath(n.source, base)) for n in fleet.nodes))


def test_golden_outputs(fleet_dir: Path) -> None:
    fleet = _relative(_merged(fleet_dir), fleet_dir.parent)
    _golden("fleet.json", render_fleet.json(fleet))
    _golden("fleet.markdown", render_fleet.markdown(fleet))
    buf = io.StringIO()
    Console(file=buf, width=160, no_color=True, force_terminal=False).print(render_fleet.table(fleet))
    _golden("fleet.table", buf.getvalue())
    assert json.loads(render_fleet.json(fleet))["schema"] == "fwprobe.fleet/1"
    from fwprobe.render import renderers

    assert {r.format.value for r in renderers("merge")} == {"json", "markdown", "table"}


def test_merge_cli_directory_stdin_and_fail_on(fleet_dir: Path) -> None:
    ok = runner.invoke(app, ["merge", str(fleet_dir), "--format", "json"])
    assert ok.exit_code == 0, ok.output
    assert len(json.loads(ok.stdout)["nodes"]) == 6 and "skipped" in ok.stderr
    gated = runner.invoke(app, ["merge", str(fleet_dir), "--format", "json", "--fail-on", "error"])
    assert gated.exit_code == 1
    by_code = runner.invoke(app, ["merge", str(fleet_dir), "--format", "json", "--fail-on", "stale-report"])
    assert by_code.exit_code == 1
    lines = _node("node-a") .replace("\n", " ") + "\n" + _node("node-b").replace("\n", " ") + "\nnot json\n"
    piped = runner.invoke(app, ["merge", "-", "--format", "json"], input=lines)
    assert piped.exit_code == 0, piped.output
    data = json.loads(piped.stdout)
    assert [n["host"] for n in data["nodes"]] == ["node-a", "node-b"] and data["skipped"][0]["source"] == "stdin:3"


def test_merge_reads_what_scan_prints_concatenated_on_stdin(tmp_path: Path, site: Path) -> None:
    """`cat a.json b.json | fwprobe merge -`: pretty-printed reports, as `scan --format json`
    writes them, back to back, then one cut off."""
    cat = tmp_path / "cat.toml"
    cat.write_text(FAKE_CATALOG)
    scanned = runner.invoke(app, ["scan", "--no-index", "--no-import", "--catalog", str(cat), "--format", "json"])
    assert scanned.exit_code == 0, scanned.output
    real = json.loads(scanned.stdout)
    second = json.dumps({**real, "host": {**real["host"], "hostname": "node-b}{\\\""}}, indent=2)
    stream = scanned.stdout + second + second.replace("node-b", "node-c")[:200]
    piped = runner.invoke(app, ["merge", "-", "--format", "json"], input=stream)
    assert piped.exit_code == 0, piped.output
    data = json.loads(piped.stdout)
    assert sorted(n["host"] for n in data["nodes"]) == sorted([real["host"]["hostname"], "node-b}{\\\""])
    assert [s["reason"] for s in data["skipped"]] == ["not JSON: the stream ends inside a document (truncated?)"]


def test_merge_bad_input_is_exit_2_with_reasons(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["merge", str(empty), str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "no *.json files in this directory" in result.stderr and "no such file or directory" in result.stderr
    assert "no fwprobe scan report among the inputs" in result.stderr
    bad = runner.invoke(app, ["merge", str(empty), "--fail-on", "gpu-not-visible"])
    assert bad.exit_code == 2 and "unknown: gpu-not-visible" in bad.stderr


def test_an_unreadable_directory_is_skipped(tmp_path: Path, monkeypatch) -> None:
    d = tmp_path / "locked"
    d.mkdir()

    def refuse(path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "scandir", refuse)  # what chmod 000 gives a non-root user
    ((_source, data, reason),) = list(iter_sources([str(d)]))
    assert data is None and reason == "cannot list the directory: Permission denied"


def test_files_that_are_not_reports_each_get_their_reason(tmp_path: Path) -> None:
    """Read with one bounded read and no stat: empty, too big, not UTF-8, a directory named
    *.json, a link to a report (followed), a file named only '.json' (no suffix: not listed)."""
    from fwprobe.fleet import load

    d = tmp_path / "in"
    d.mkdir()
    (d / "a-empty.json").write_bytes(b"")
    (d / "b-latin1.json").write_bytes(b'{"host": "caf\xe9"}')
    (d / "c-dir.json").mkdir()
    (d / "d-big.json").write_bytes(b" " * (load.MAX_REPORT_BYTES + 1))
    (d / "e-link.json").symlink_to(tmp_path / "target")
    (tmp_path / "target").write_text(_node("linked"))
    (d / ".json").write_text(_node("hidden"))
    reasons = {Path(s).name: r for s, _data, r in iter_sources([str(d) + "/"])}
    assert reasons == {"a-empty.json": "empty file (0 bytes)",
                       "b-latin1.json": reasons["b-latin1.json"],
                       "d-big.json": "larger than 64 MB: not a fwprobe report",
                       "e-link.json": None}
    assert reasons["b-latin1.json"].startswith("cannot read: 'utf-8' codec can't decode byte 0xe9")
    ((_s, _d, endless),) = iter_sources(["/dev/zero"])  # not a regular file: read no further than the cap
    assert endless == "larger than 64 MB: not a fwprobe report"
    sources = [s for s, _data, _r in iter_sources([str(tmp_path / "." / "in")])]
    assert sources == [str(d / n) for n in ("a-empty.json", "b-latin1.json", "d-big.json", "e-link.json")]


def test_scan_output_placeholders(tmp_path: Path, site: Path) -> None:
    import socket

    from fakes.frameworks import write_dist

    write_dist(site, "torch", "2.5.1")
    out = tmp_path / "reports" / "{host}.json"
    result = runner.invoke(app, ["scan", "--no-import", "--no-index", "--keep-pythonpath", "-f", "torch",
                                 "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    written = tmp_path / "reports" / f"{socket.gethostname()}.json"
    assert json.loads(written.read_text())["host"]["hostname"] == socket.gethostname()


def test_the_ray_task_body_removes_rays_gpu_mask_for_the_scan_only(site: Path, fake_nvidia_smi, monkeypatch) -> None:
    from fakes.frameworks import FAKE_TORCH_CUDA, write_module
    from fwprobe.fleet.ray_runner import scan_here
    from fwprobe.plan import ScanOptions

    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")  # what Ray sets for a task reserving no GPU
    monkeypatch.delenv("RAY_EXPERIMENTAL_NOSET_CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.delenv("FWPROBE_NODE_ID", raising=False)
    import sys

    data = json.loads(scan_here("abc123node", ScanOptions(python=sys.executable, frameworks=("torch",),
                                                          keep_pythonpath=True)))
    assert data["host"]["scheduler"]["gpu_mask"] == "removed CUDA_VISIBLE_DEVICES='' that Ray set for a task reserving no GPU"
    assert data["host"]["scheduler"]["scheduler"] == "ray" and data["host"]["scheduler"]["node_id"] == "abc123node"
    assert data["system"]["cuda_visible_devices"] is None
    torch = next(f for f in data["frameworks"] if f["id"] == "pytorch")
    assert len([d for d in torch["probe"]["devices"] if d["kind"] == "cuda"]) == 2
    assert os.environ["CUDA_VISIBLE_DEVICES"] == ""  # the worker's environment as Ray left it
    assert "FWPROBE_NODE_ID" not in os.environ and "FWPROBE_SCHEDULER" not in os.environ


def test_an_unreachable_or_silent_ray_head_is_a_usage_error_not_a_hang() -> None:
    import socket
    import threading

    from fwprobe.errors import UsageError
    from fwprobe.fleet.ray_runner import _connect

    class SilentRay:  # ray.init(address=...) as Ray behaves when the head never answers: it waits
        @staticmethod
        def init(address: str, **kwargs) -> None:
            threading.Event().wait(60)

    with pytest.raises(UsageError, match=r"cannot reach the Ray head at 127\.0\.0\.1:1"):
        _connect(SilentRay, "127.0.0.1:1", 5.0)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    try:  # a port that accepts TCP but never speaks Ray
        with pytest.raises(UsageError, match=r"did not accept a connection within 0\.5 s"):
            _connect(SilentRay, f"127.0.0.1:{listener.getsockname()[1]}", 0.5)
    finally:
        listener.close()


def test_a_mig_node_whose_framework_sees_one_mig_device_is_not_missing_gpus(tmp_path: Path) -> None:
    """An H100 carved into 4 MIG devices: one CUDA process enumerates a single one (NVIDIA MIG
    User Guide), so torch seeing 1 is whole; a plain 2-GPU node whose torch sees 1 is not."""
    mig = json.loads(_node("mig-1", seen=1))
    mig["system"]["gpus"] = [{**mig["system"]["gpus"][0], "name": "NVIDIA H100 80GB HBM3", "mig_mode": "Enabled"}]
    mig["system"]["mig_devices"] = [{"gpu_index": 0, "index": i, "profile": p, "uuid": f"MIG-{i}"}
                                    for i, p in enumerate(("3g.40gb", "2g.20gb", "1g.10gb", "1g.10gb"))]
    d = tmp_path / "reports"
    d.mkdir()
    (d / "mig-1.json").write_text(json.dumps(mig))
    (d / "plain-1.json").write_text(_node("plain-1", seen=1))
    fleet = merge(iter_sources([str(d)]), "2026-11-23T13:00:00+00:00", "test")
    missing = [x for x in fleet.diagnoses if x.code == "node-gpus-missing"]
    assert [x.message for x in missing] == ["plain-1: pytorch sees 1 GPU(s), but the driver shows 2"]
    assert {n.host: n.cuda_devices for n in fleet.nodes} == {"mig-1": 1, "plain-1": 2}
