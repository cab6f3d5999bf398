"""Every command's --help, as a newcomer reads it at 80 columns."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

COMMANDS = ["", "scan", "check", "status", "merge", "fleet"]


def _help(command: str) -> str:
    args = [sys.executable, "-m", "fwprobe", *([command] if command else []), "--help"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_help_fits_80_columns_and_shows_what_it_says(command: str) -> None:
    text = _help(command)
    assert text.startswith("Usage: fwprobe")
    too_long = [line for line in text.splitlines() if len(line) > 80]
    assert too_long == [], too_long
    assert "<str>" not in text and "…" not in text  # no type placeholders, no text cut off
    assert "\x1b" not in text


def test_option_texts_are_whole() -> None:
    """Texts that were cut or eaten as markup: each appears whole once wrapping is undone."""
    flat = {c: " ".join(_help(c).split()) for c in COMMANDS}
    assert "TF_FORCE_GPU_ALLOW_GROWTH, XLA_PYTHON_CLIENT_PREALLOCATE" in flat["check"]
    assert "pip install '.[ray]'" in flat["fleet"]
    assert "piped or redirected it is JSON" in flat["scan"]


def test_explain_knows_scan_and_fleet_codes_and_refuses_others() -> None:
    import subprocess as sp

    def run(code: str) -> sp.CompletedProcess[str]:
        return sp.run([sys.executable, "-m", "fwprobe", "explain", code], capture_output=True, text=True, timeout=60)

    scan_code, fleet_code, unknown = run("gpu-not-visible"), run("version-drift"), run("no-such-code")
    assert scan_code.returncode == 0 and scan_code.stdout.startswith("gpu-not-visible (error")
    assert fleet_code.returncode == 0 and fleet_code.stdout.startswith("version-drift (warning")
    assert unknown.returncode == 2 and "gpu-not-visible" in unknown.stderr and "stale-report" in unknown.stderr
