"""`fwprobe scan` end to end: real subprocesses, fake frameworks, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakes.catalogs import FAKE_CATALOG
from fakes.frameworks import FAKE_TORCH_CUDA, RAISES, write_dist, write_module
from fakes.terminal import read_all
from fwprobe.cli import app

runner = CliRunner()


def _catalog(tmp_path: Path) -> str:
    path = tmp_path / "cat.toml"
    path.write_text(FAKE_CATALOG)
    return str(path)


def test_scan_json_has_schema_frameworks_and_diagnoses(tmp_path: Path, site: Path, fake_nvidia_smi) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    write_module(site, "raisefw", RAISES, "raisefw", "0.1")
    result = runner.invoke(app, ["scan", "--no-index", "--keep-pythonpath", "--catalog", _catalog(tmp_path),
                                 "-f", "torch", "-f", "raisefw", "-f", "jax"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "fwprobe.report/1"
    fws = {f["id"]: f for f in data["frameworks"]}
    assert list(fws) == ["pytorch", "raisefw", "jax"]
    assert fws["pytorch"]["probe"]["outcome"] == "ok"
    assert len([d for d in fws["pytorch"]["probe"]["devices"] if d["kind"] == "cuda"]) == 2
    assert fws["raisefw"]["probe"]["outcome"] == "failed"
    assert fws["jax"]["installed"] is False and fws["jax"]["probe"] is None
    assert data["system"]["driver_version"] == "550.54.15"
    codes = {d["code"] for d in data["diagnoses"]}
    assert "import-failed" in codes


def test_no_import_reads_metadata_only(tmp_path: Path, site: Path) -> None:
    write_module(site, "raisefw", RAISES, "raisefw", "0.1")
    result = runner.invoke(app, ["scan", "--no-import", "--no-index", "--keep-pythonpath",
                                 "--catalog", _catalog(tmp_path), "-f", "raisefw"])
    assert result.exit_code == 0, result.output
    fw = json.loads(result.stdout)["frameworks"][0]
    assert fw["distributions"][0]["version"] == "0.1"
    assert fw["probe"]["outcome"] == "skipped"


def test_output_file_and_table_format(tmp_path: Path, site: Path) -> None:
    write_dist(site, "torch", "2.5.1")
    out = tmp_path / "report.txt"
    result = runner.invoke(app, ["scan", "--no-import", "--no-index", "--keep-pythonpath", "--format", "table",
                                 "--catalog", _catalog(tmp_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    text = out.read_text()
    assert "PyTorch" in text and "torch 2.5.1" in text and "not installed" in text


def test_bad_usage_exits_2_with_a_message_not_a_traceback(tmp_path: Path) -> None:
    cases = [
        (["scan", "--python", "/nonexistent/python"], "no such file"),
        (["scan", "--no-index", "--python", "/bin/true"], "does not look like a Python"),
        (["scan", "--no-index", "--framework", "caffe"], "unknown framework 'caffe'"),
        (["scan", "--no-index", "--format", "yaml"], "--format must be one of"),
        (["scan", "--no-index", "--timeout", "0"], "--timeout must be a positive"),
    ]
    bad = tmp_path / "bad.toml"
    bad.write_text("[[framework]]\nid = 'x'\n")
    cases.append((["scan", "--no-index", "--catalog", str(bad)], "field 'name': is required"))
    for argv, message in cases:
        result = runner.invoke(app, argv)
        assert result.exit_code == 2, (argv, result.output)
        assert message in result.stderr, (argv, result.stderr)
        assert "Traceback" not in result.output


def test_module_entry_point_and_version() -> None:
    done = subprocess.run([sys.executable, "-m", "fwprobe", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("fwprobe ")


def test_no_progress_on_stderr_when_not_a_terminal(tmp_path: Path, site: Path) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1")
    done = subprocess.run([sys.executable, "-m", "fwprobe", "scan", "--no-index", "--keep-pythonpath",
                           "--catalog", _catalog(tmp_path), "-f", "torch"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert json.loads(done.stdout)["frameworks"][0]["probe"]["outcome"] == "ok"


def test_progress_goes_to_stderr_on_a_terminal(tmp_path: Path, site: Path) -> None:
    import os
    import pty

    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1")
    master, slave = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "fwprobe", "scan", "--no-index", "--keep-pythonpath",
                               "--catalog", _catalog(tmp_path), "-f", "torch"],
                              stdout=subprocess.PIPE, stderr=slave, text=True, timeout=60)
    finally:
        os.close(slave)
    terminal = read_all(master)
    assert done.returncode == 0
    assert "probing pytorch" in terminal and "pytorch: ok in" in terminal
    assert json.loads(done.stdout)["frameworks"][0]["probe"]["outcome"] == "ok"  # data stays clean


def test_interrupt_exits_130_and_leaves_no_probe_behind(tmp_path: Path, site: Path) -> None:
    import os
    import signal
    import time

    from fakes.frameworks import HANG



    write_module(site, "hangfw", HANG, "hangfw")
    marker = f"fwprobe-interrupt-{os.getpid()}"
    proc = subprocess.Popen([sys.executable, "-m", "fwprobe", "scan", "--no-index", "--keep-pythonpath",
                             "--catalog", _catalog(tmp_path), "-f", "hangfw", "--timeout", "60"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "FWPROBE_TAG": marker},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not _children_with(marker, exclude=proc.pid):
        time.sleep(0.05)
    assert _children_with(marker, exclude=proc.pid), "the probe never started"
    proc.send_signal(signal.SIGINT)
    _out, _err = proc.communicate(timeout=30)
    assert proc.returncode == 130, _err
    time.sleep(0.2)
    assert _children_with(marker, exclude=proc.pid) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_killed_fwprobe_takes_its_probes_with_it(tmp_path: Path, site: Path) -> None:
    """SIGKILL (the OOM killer, a CI job's kill -9) leaves fwprobe no clean-up: the probe ends anyway."""
    import os
    import signal
    import time

    from fakes.frameworks import HANG

    write_module(site, "hangfw", HANG, "hangfw")
    marker = f"fwprobe-killed-{os.getpid()}"
    private_tmp = tmp_path / "tmp"  # a killed fwprobe cannot remove its work dir: keep it in here
    private_tmp.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "fwprobe", "scan", "--no-index", "--keep-pythonpath",
                             "--catalog", _catalog(tmp_path), "-f", "hangfw", "--timeout", "60"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "FWPROBE_TAG": marker, "TMPDIR": str(private_tmp)})
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not _children_with(marker, exclude=proc.pid):
            time.sleep(0.05)
        assert _children_with(marker, exclude=proc.pid), "the probe never started"
        proc.kill()
        proc.wait(timeout=30)
        deadline = time.monotonic() + 20  # the kernel's SIGKILL to the probe: at once, bounded generously
        while time.monotonic() < deadline and _children_with(marker, exclude=proc.pid):
            time.sleep(0.05)
        assert _children_with(marker, exclude=proc.pid) == []
    finally:
        for pid in _children_with(marker, exclude=proc.pid):  # a failed run leaves nothing either
            os.kill(pid, signal.SIGKILL)


def _children_with(marker: str, exclude: int) -> list[int]:
    """Live probe processes whose environment carries ``marker`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == exclude:
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes() and b"\x00probe\x00" in (
                    entry / "cmdline").read_bytes():
                status = (entry / "status").read_text()
                if "State:\tZ" not in status:
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_every_command_that_probes_checks_its_probe_options_alike() -> None:
    index = ["--index-url", "http://127.0.0.1:9/simple"]  # never asked: the check comes first
    cases = [
        (["check", "--no-index", "--timeout", "0"], "--timeout must be a positive"),
        (["status", *index, "--timeout", "0"], "--timeout must be a positive"),
        (["fleet", "--ray", "auto", "--timeout", "0"], "--timeout must be a positive"),
        (["scan", "--no-index", "--exercise", "--no-import"], "--exercise needs to import"),
        (["fleet", "--ray", "auto", "--exercise", "--no-import"], "--exercise needs to import"),
    ]
    for argv, message in cases:
        result = runner.invoke(app, argv)
        assert result.exit_code == 2, (argv, result.output)
        assert message in result.stderr, (argv, result.stderr)


def test_a_framework_only_on_pythonpath_is_reported_with_the_flag_that_keeps_it(tmp_path: Path, site: Path) -> None:
    """PYTHONPATH (the ``site`` fixture) is dropped for the target by default: the shell imports
    torch from there, so "not installed" alone would mislead."""
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    args = ["scan", "--no-index", "--catalog", _catalog(tmp_path), "-f", "torch", "--python", sys.executable]
    report = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    torch = report["frameworks"][0]
    assert not torch["installed"] and torch["pythonpath"] == str(site / "torch")
    (finding,) = [d for d in report["diagnoses"] if d["code"] == "pythonpath-only"]
    assert str(site / "torch") in finding["message"] and "--keep-pythonpath" in finding["hint"]
    table = runner.invoke(app, [*args, "--format", "table"], env={"COLUMNS": "200"}).stdout
    assert "not installed" in table and "--keep-pythonpath" in table
    kept = json.loads(runner.invoke(app, [*args, "--keep-pythonpath", "--format", "json"]).stdout)
    assert kept["frameworks"][0]["installed"] and kept["frameworks"][0]["pythonpath"] is None
    assert "pythonpath-only" not in {d["code"] for d in kept["diagnoses"]}


def test_pythonpath_metadata_alone_is_found_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fwprobe.catalog import load_catalog
    from fwprobe.inventory import on_pythonpath

    fw = load_catalog().get("tensorflow")
    assert fw is not None
    (tmp_path / "tensorflow_cpu-2.15.0.dist-info").mkdir()
    found = on_pythonpath(fw, {"PYTHONPATH": f"/nonexistent{os.pathsep}{tmp_path}"})
    assert found == str(tmp_path / "tensorflow_cpu-2.15.0.dist-info")
    assert on_pythonpath(fw, {"PYTHONPATH": "/nonexistent"}) is None and on_pythonpath(fw, {}) is None
