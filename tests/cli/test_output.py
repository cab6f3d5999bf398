"""--output for every command: {host} and {time} filled in by one helper, the file written whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakes.catalogs import FAKE_CATALOG, STATUS_CATALOG
from fakes.reports import ReportBuilder
from fwprobe.cli import app
from fwprobe.output import fill, write_atomic

runner = CliRunner()
HOST = fill("{host}", None, "")  # this machine's name as a file name


def _only_file(folder: Path) -> Path:
    (path,) = list(folder.iterdir())  # one file: no temp file left beside it
    return path


def test_check_fills_host_and_time_in_output_and_junit(tmp_path: Path, site: Path) -> None:
    cat = tmp_path / "cat.toml"
    cat.write_text(FAKE_CATALOG)
    out = tmp_path / "reports"
    junit = tmp_path / "junit"
    result = runner.invoke(app, ["check", "--no-index", "--catalog", str(cat), "-f", "jax", "--format", "json",
                                 "-o", str(out / "{host}-{time}.json"), "--junit", str(junit / "{host}.xml")])
    assert result.exit_code == 0, result.output
    report = _only_file(out)
    data = json.loads(report.read_text())
    assert report.name == f"{HOST}-{data['generated_at'].replace(':', '').replace('+0000', 'Z')}.json"
    assert _only_file(junit).name == f"{HOST}.xml"


def test_status_and_merge_fill_host(index_server, tmp_path: Path) -> None:
    cat = tmp_path / "cat.toml"
    cat.write_text(STATUS_CATALOG)
    result = runner.invoke(app, ["status", "--index-url", index_server.url, "--catalog", str(cat), "--format",
                                 "markdown", "-o", str(tmp_path / "st" / "st-{host}.md")])
    assert result.exit_code == 0, result.output
    assert _only_file(tmp_path / "st").read_text().startswith("# Framework status refresh")
    reports = tmp_path / "in"
    reports.mkdir()
    (reports / "a.json").write_text(ReportBuilder(gpus=1).framework("pytorch", "torch", "2.5.1").build().to_json())
    result = runner.invoke(app, ["merge", str(reports), "--format", "json", "-o", str(tmp_path / "m" / "m-{host}.json")])
    assert result.exit_code == 0, result.output
    written = _only_file(tmp_path / "m")
    assert written.name == f"m-{HOST}.json" and json.loads(written.read_text())["schema"] == "fwprobe.fleet/1"


@pytest.mark.parametrize("host, name", [("gpu-7.cluster", "gpu-7.cluster"), ("../../etc/x", "_.._etc_x"),
                                        ("a/b\x1b[2J", "a_b__2J"), ("..", "unknown-host")])
def test_a_hostname_cannot_move_the_file_elsewhere(host: str, name: str) -> None:
    assert fill("r/{host}.json", host, "2026-11-24T06:10:00+00:00") == f"r/{name}.json"
    assert "/" not in fill("{host}", host, "")


def test_write_atomic_replaces_whole_and_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "d" / "fwprobe.prom"
    write_atomic(target, "first\n")
    target.chmod(0o644)
    write_atomic(target, "second\n")
    assert target.read_text() == "second\n" and (target.stat().st_mode & 0o777) == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["fwprobe.prom"]
    from fwprobe.errors import UsageError

    (tmp_path / "file").write_text("")
    with pytest.raises(UsageError, match="cannot write"):
        write_atomic(tmp_path / "file" / "x.json", "{}")


def test_an_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    reports = tmp_path / "in"
    reports.mkdir()
    (reports / "a.json").write_text(ReportBuilder().framework("pytorch", "torch", "2.5.1").build().to_json())
    (tmp_path / "file").write_text("")
    result = runner.invoke(app, ["merge", str(reports), "-o", str(tmp_path / "file" / "out.json")])
    assert result.exit_code == 2 and "cannot write" in result.output
