"""`--format prometheus` through the CLI: the file node_exporter's textfile collector reads, and
`check`'s exit status, with fake frameworks and a fake nvidia-smi."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from typer.testing import CliRunner

from fakes.exposition import parse, promtool_check, series
from fakes.frameworks import FAKE_TORCH_CUDA, FAKE_TORCH_NEW_GPU, write_module
from fwprobe.cli import app

runner = CliRunner()
A100 = "NVIDIA A100-SXM4-80GB"


def test_the_textfile_directory_holds_only_the_new_file(site: Path, fake_nvidia_smi: Path, tmp_path: Path) -> None:
    """-o DIR/fwprobe.prom: a temp file beside it renamed over the old one (a new inode: the
    collector reads the old file or the new one, never half of either), nothing else left in
    DIR, readable by node_exporter's user under the usual umask."""
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    textfiles = tmp_path / "textfile"
    textfiles.mkdir()
    target = textfiles / "fwprobe.prom"
    old_mask = os.umask(0o022)
    try:
        first = runner.invoke(app, ["scan", "--no-index", "--keep-pythonpath", "-f", "torch", "--format", "prometheus",
                                    "-o", str(target)])
        assert first.exit_code == 0, first.output
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        target.write_text("# an older scan\n")
        before = target.stat().st_ino
        again = runner.invoke(app, ["scan", "--no-index", "--keep-pythonpath", "-f", "torch", "--exercise",
                                    "--format", "prometheus", "-o", str(target)])
    finally:
        os.umask(old_mask)
    assert again.exit_code == 0, again.output
    assert os.listdir(textfiles) == ["fwprobe.prom"]
    assert target.stat().st_ino != before  # replaced by a rename, not rewritten in place
    text = target.read_text(encoding="utf-8")
    assert "older scan" not in text and stdout_free(again.stdout)
    assert series(text, "fwprobe_device_usable") == {
        **{(("framework", "pytorch"), ("index", str(i)), ("kind", "cuda"), ("name", A100)): 1 for i in (0, 1)},
        (("framework", "pytorch"), ("index", "0"), ("kind", "cpu"), ("name", "cpu")): 1}
    assert series(text, "fwprobe_nvidia_driver_info") == {(("cuda_version", "12.4"), ("driver_version", "550.54.15")): 1}
    (duration,) = series(text, "fwprobe_scan_duration_seconds").values()
    assert duration > 0
    promtool_check(text)


def stdout_free(stdout: str) -> bool:
    """With -o, nothing of the report goes to stdout."""
    return "fwprobe_" not in stdout


def test_check_keeps_its_exit_status(site: Path, fake_nvidia_smi: Path, tmp_path: Path) -> None:
    out = tmp_path / "check.prom"
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    passed = runner.invoke(app, ["check", "--no-index", "--keep-pythonpath", "-f", "torch", "--require-gpu", "torch",
                                 "--format", "prometheus", "-o", str(out)])
    assert passed.exit_code == 0, passed.output
    assert series(out.read_text(), "fwprobe_check_success") == {(): 1}
    assert series(out.read_text(), "fwprobe_check_passed") == {(("check", "require-gpu torch"),): 1,
                                                               (("check", "fail-on error"),): 1}
    write_module(site, "torch", FAKE_TORCH_NEW_GPU, "torch", "2.5.1+cu124")  # sees 2 GPUs, computes on none
    failed = runner.invoke(app, ["check", "--no-index", "--keep-pythonpath", "-f", "torch", "--require-gpu", "torch",
                                 "--fail-on", "none", "--format", "prometheus", "-o", str(out)])
    assert failed.exit_code == 1, failed.output
    assert series(out.read_text(), "fwprobe_check_success") == {(): 0}
    assert series(out.read_text(), "fwprobe_device_usable")[
        (("framework", "pytorch"), ("index", "0"), ("kind", "cuda"), ("name", A100))] == 0
    promtool_check(out.read_text())


def test_under_github_actions_stdout_stays_metrics(site: Path, fake_nvidia_smi: Path, monkeypatch) -> None:
    """The failed checks' workflow annotations go to stderr when the metrics are on stdout."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    write_module(site, "torch", FAKE_TORCH_NEW_GPU, "torch", "2.5.1+cu124")
    done = runner.invoke(app, ["check", "--no-index", "--keep-pythonpath", "-f", "torch", "--require-gpu", "torch",
                               "--format", "prometheus"])
    assert done.exit_code == 1, done.output
    assert "::error title=fwprobe require-gpu torch::" in done.stderr
    assert series(done.stdout, "fwprobe_check_success") == {(): 0}
    promtool_check(done.stdout)


def test_status_has_no_prometheus_format() -> None:
    done = runner.invoke(app, ["status", "--format", "prometheus"])
    assert done.exit_code == 2
    assert "--format must be one of: table, json, markdown" in done.stderr


def test_no_import_scan_is_metrics_too(tmp_path: Path, no_gpu_tools: None) -> None:
    done = runner.invoke(app, ["scan", "--no-index", "--no-import", "--python", "self", "--format", "prometheus"])
    assert done.exit_code == 0, done.output
    names = {n for n, _, _ in parse(done.stdout)}
    assert {"fwprobe_scan_timestamp_seconds", "fwprobe_scan_duration_seconds", "fwprobe_framework_installed",
            "fwprobe_nvidia_gpus", "fwprobe_diagnoses"} <= names
    assert "fwprobe_nvidia_smi_ok" not in names  # no nvidia-smi on PATH: no series rather than a failure
    promtool_check(done.stdout)
