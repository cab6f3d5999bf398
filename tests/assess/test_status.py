"""Status assessment (pure) and `fwprobe status` / `scan` with the index on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from fakes.catalogs import STATUS_CATALOG
from fakes.frameworks import write_dist
from fwprobe.assess import observed_status, releases_behind, verdict
from fwprobe.catalog import Thresholds
from fwprobe.cli import app
from fwprobe.core import status_report
from fwprobe.index import IndexClient
from fwprobe.model import DistRelease, Release, Status, Verdict

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)
runner = CliRunner()


def test_observed_status_thresholds() -> None:
    t, today = Thresholds(365, 730), dt.date(2026, 11, 23)
    assert observed_status(dt.date(2026, 1, 1), None, today, t) is Status.ACTIVE
    assert observed_status(today - dt.timedelta(days=365), None, today, t) is Status.ACTIVE
    assert observed_status(today - dt.timedelta(days=366), None, today, t) is Status.STALE
    assert observed_status(today - dt.timedelta(days=731), None, today, t) is Status.UNMAINTAINED
    assert observed_status(today, "archived", today, t) is Status.ARCHIVED
    assert observed_status(today, "deprecated", today, t) is Status.DEPRECATED
    assert observed_status(None, None, today, t) is Status.UNKNOWN


def test_verdicts() -> None:
    assert verdict("active", Status.ACTIVE) is Verdict.CONFIRMED
    assert verdict("active", Status.UNMAINTAINED) is Verdict.CONTRADICTED
    assert verdict("unmaintained", Status.UNMAINTAINED) is Verdict.CONFIRMED
    assert verdict("unmaintained", Status.ACTIVE) is Verdict.CONTRADICTED
    assert verdict("unmaintained", Status.STALE) is Verdict.UNVERIFIED
    assert verdict("integrated", Status.ACTIVE) is Verdict.CONTRADICTED
    assert verdict("active", Status.UNKNOWN) is Verdict.UNVERIFIED


def test_every_status_and_verdict_value_is_handled() -> None:
    from fwprobe.assess.status import _CONFIRMS
    from fwprobe.catalog import CLAIMED_STATUSES
    from fwprobe.render.scan_table import _STATUS_STYLE

    assert set(_STATUS_STYLE) == set(Status)
    assert set(_CONFIRMS) == set(CLAIMED_STATUSES)
    for claim in CLAIMED_STATUSES:
        for status in Status:
            assert verdict(claim, status) in set(Verdict)


def test_releases_behind_ignores_yanked_pre_and_local_labels() -> None:
    info = DistRelease("torch", ok=True, releases=tuple(
        Release(v, "2026-01-01", yanked=(v == "2.6.0"), prerelease=("rc" in v))
        for v in ("2.4.0", "2.5.0", "2.6.0", "2.7.0", "2.8.0rc1")))
    assert releases_behind("2.5.0+cpu", info) == 1
    assert releases_behind("not a version", info) is None


def test_status_report_against_the_index(index_server, status_catalog, tmp_path: Path) -> None:
    client = IndexClient(index_server.url, cache_dir=tmp_path, now=lambda: NOW)
    report = status_report(status_catalog, client, today=NOW)
    s = {r.id: r.status for r in report.frameworks}
    assert (s["active"].observed, s["active"].verdict) == (Status.ACTIVE, Verdict.CONFIRMED)
    assert "newest release activeproj 2.0.0rc1 on 2026-11-01, 22 days ago" in s["active"].evidence
    assert (s["silent"].observed, s["silent"].verdict) == (Status.UNMAINTAINED, Verdict.CONFIRMED)
    assert "silentproj 1.0.5 on 2020-07-27, 2310 days ago" in s["silent"].evidence
    assert "active fork(s): forkproj 2.35.0" in s["silent"].evidence
    forks = {f.distribution: f.status.value for f in s["silent"].forks}
    assert forks == {"forkproj": "active", "missingproj": "unknown"}
    assert (s["archived"].observed, s["archived"].verdict) == (Status.ARCHIVED, Verdict.CONTRADICTED)
    assert "index marks archivedproj as archived (superseded by activeproj)" in s["archived"].evidence
    assert (s["missing"].observed, s["missing"].verdict) == (Status.UNKNOWN, Verdict.UNVERIFIED)
    assert "404" in s["missing"].evidence
    codes = [(d.code, d.framework) for d in report.diagnoses]
    assert ("claim-contradicted", "archived") in codes


def test_no_active_fork_contradicts_community_forks_exist(index_server, tmp_path: Path) -> None:
    from fwprobe.catalog import load_catalog

    path = tmp_path / "c.toml"
    path.write_text(STATUS_CATALOG.replace('forks = ["forkproj", "missingproj"]', 'forks = ["archivedproj"]'))
    client = IndexClient(index_server.url, cache_dir=tmp_path / "cache", now=lambda: NOW)
    status = status_report(load_catalog(path), client, ["silent"], today=NOW).frameworks[0].status
    assert status.observed is Status.UNMAINTAINED
    assert status.verdict is Verdict.CONTRADICTED
    assert "no active fork: archivedproj archived" in status.evidence


def _cat(tmp_path: Path) -> str:
    p = tmp_path / "cat.toml"
    p.write_text(STATUS_CATALOG)
    return str(p)


def test_status_cli_markdown_lists_claims_to_update(index_server, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FWPROBE_NOW", "2026-11-23")
    result = runner.invoke(app, ["status", "--index-url", index_server.url, "--catalog", _cat(tmp_path),
                                 "--format", "markdown"])
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert md.startswith("# Framework status refresh")
    assert "Checked 2026-11-23 against" in md
    row = next(line for line in md.splitlines() if line.startswith("| Silent |"))
    assert "largely unmaintained; community forks exist ✓" in row  # the catalog's wording, marked
    section = md.split("## What changed")[1].split("##")[0]
    assert "**Archived**" in section and "**Active**" not in section
    assert "forkproj" in md.split("## Forks")[1]


def test_status_json_and_table(index_server, tmp_path: Path) -> None:
    result = runner.invoke(app, ["status", "--index-url", index_server.url, "--catalog", _cat(tmp_path),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "fwprobe.report/1" and data["target"] is None
    assert {f["id"]: f["status"]["observed"] for f in data["frameworks"]}["missing"] == "unknown"
    table = runner.invoke(app, ["status", "--index-url", index_server.url, "--catalog", _cat(tmp_path),
                                "--format", "table"], env={"COLUMNS": "250"})
    assert table.exit_code == 0 and "Silent" in table.stdout and "contradicted" in table.stdout


def test_offline_status_with_empty_cache_is_unknown_not_a_crash(index_server, tmp_path: Path) -> None:
    result = runner.invoke(app, ["status", "--offline", "--index-url", index_server.url,
                                 "--catalog", _cat(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {f["status"]["observed"] for f in data["frameworks"]} == {"unknown"}
    assert index_server.counts == {}


def test_scan_with_index_marks_yanked_install_and_redacts_the_token(index_server, tmp_path: Path,
                                                                    site: Path, no_gpu_tools) -> None:
    write_dist(site, "activeproj", "1.2.0")
    url = index_server.url.replace("http://", "http://user:hunter2-token@")
    result = runner.invoke(app, ["scan", "--no-import", "--keep-pythonpath", "--index-url", url,
                                 "--catalog", _cat(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output and "hunter2" not in result.stderr
    data = json.loads(result.stdout)
    assert data["index_url"].startswith("http://***@127.0.0.1")
    fw = data["frameworks"][0]
    assert fw["distributions"][0]["yanked"] is True
    assert fw["status"]["installed_behind"] == 1  # 1.3.0; 2.0.0rc1 is a pre-release
    codes = {d["code"] for d in data["diagnoses"]}
    assert "yanked-installed" in codes
    table = runner.invoke(app, ["scan", "--no-import", "--keep-pythonpath", "--index-url", url,
                                "--catalog", _cat(tmp_path), "--format", "table"])
    assert "hunter2" not in table.output and "yanked" in table.stdout


def test_scan_reports_unmaintained_installed_with_the_fork(index_server, tmp_path: Path, site: Path,
                                                           no_gpu_tools) -> None:
    write_dist(site, "silentproj", "1.0.5")
    result = runner.invoke(app, ["scan", "--no-import", "--keep-pythonpath", "--index-url", index_server.url,
                                 "--catalog", _cat(tmp_path), "-f", "silent", "--format", "json"])
    diag = [d for d in json.loads(result.stdout)["diagnoses"] if d["code"] == "unmaintained-installed"]
    assert diag and "forkproj" in diag[0]["hint"]


def test_scan_without_any_index_configuration_warns_and_continues(tmp_path: Path, site: Path, monkeypatch) -> None:
    import fwprobe.index.config as config

    monkeypatch.setattr(config, "pip_config_value", lambda environ=None: None)
    monkeypatch.setattr(config, "pip_default", lambda: None)
    write_dist(site, "activeproj", "1.3.0")
    result = runner.invoke(app, ["scan", "--no-import", "--keep-pythonpath", "--catalog", _cat(tmp_path),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "continuing without release status" in result.stderr
    assert json.loads(result.stdout)["frameworks"][0]["status"] is None
    status = runner.invoke(app, ["status", "--catalog", _cat(tmp_path)])
    assert status.exit_code == 2 and "no package index URL found" in status.stderr


def test_offline_with_nothing_cached_gives_advice(index_server, tmp_path: Path) -> None:
    result = runner.invoke(app, ["status", "--offline", "--index-url", index_server.url, "--catalog", _cat(tmp_path),
                                 "--format", "json"])
    assert result.exit_code == 0 and "run once with network access" in result.stderr


def test_unreachable_index_gives_network_advice(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = runner.invoke(app, ["status", "--index-url", f"http://127.0.0.1:{port}/simple/",
                                 "--catalog", _cat(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "your network may block it" in result.stderr
    assert {f["status"]["observed"] for f in json.loads(result.stdout)["frameworks"]} == {"unknown"}
