"""The advice fwprobe prints names only options the command has."""

from __future__ import annotations

import socket
from pathlib import Path

from typer.testing import CliRunner

from fakes.catalogs import STATUS_CATALOG
from fwprobe.cli import app

runner = CliRunner()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed once this returns: nothing listens there


def test_an_unreachable_index_advice_fits_each_command(tmp_path: Path) -> None:
    cat = tmp_path / "cat.toml"
    cat.write_text(STATUS_CATALOG)
    url = f"http://127.0.0.1:{_closed_port()}/simple/"
    status = runner.invoke(app, ["status", "--catalog", str(cat), "--index-url", url, "--format", "json",
                                 "--index-timeout", "2"])
    assert "did not answer" in status.stderr and "--no-index" not in status.stderr
    scan = runner.invoke(app, ["scan", "--no-import", "--catalog", str(cat), "--index-url", url, "--format", "json",
                               "--index-timeout", "2"])
    assert "did not answer" in scan.stderr and "--no-index" in scan.stderr
