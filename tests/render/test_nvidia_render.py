"""Markdown and table show MIG devices, and say "nvidia-smi failed: ..." (the whole message) when
nvidia-smi exists but fails, "none found" only when it is absent."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

from rich.console import Console

from fakes.nvidia import FAILURES, replay_system
from fakes.reports import ReportBuilder
from fwprobe.model import System
from fwprobe.render import scan_markdown, scan_table

H100_MIG = "linux-x86_64__nvidia-h100-mig__590.48.01.txt"


def _report(system: System):
    return replace(ReportBuilder().build(), system=system)


def _table_text(system: System) -> str:
    buf = io.StringIO()
    Console(file=buf, width=200, no_color=True, force_terminal=False).print(scan_table.render(_report(system)))
    return buf.getvalue()


def test_a_failing_nvidia_smi_is_not_none_found() -> None:
    message, status, _ = FAILURES["driver-library-mismatch"]
    failed = System(nvidia_smi="/usr/bin/nvidia-smi", nvidia_error=message, nvidia_exit_code=status,
                    facts=(f"nvidia-smi failed (exit status {status}): {' / '.join(message.splitlines())}",))
    md = scan_markdown.render(_report(failed))
    assert ("- **NVIDIA driver**: nvidia-smi failed: Failed to initialize NVML: Driver/library version mismatch / "
            "NVML library version: 535.161") in md
    assert "none found" not in md
    assert "nvidia-smi failed (exit status 18): Failed to initialize NVML" in _table_text(failed)
    assert "- **NVIDIA driver**: none found" in scan_markdown.render(_report(System()))


def test_mig_devices_in_markdown_and_table(tmp_path: Path) -> None:
    system = replay_system(H100_MIG, tmp_path / "bin")
    md = scan_markdown.render(_report(system))
    assert "- **GPU 0**: NVIDIA H100 80GB HBM3, 81559 MiB, compute 9.0, MIG enabled" in md
    assert "  - MIG device 0: 3g.40gb, 40448 MiB `MIG-00000000-0000-0000-0000-000000000000`" in md
    assert md.count("  - MIG device ") == 4
    text = _table_text(system)
    assert "MIG device 3: 1g.10gb, 9984 MiB MIG-00000003-0000-0000-0000-000000000003" in text
    assert "MIG enabled, 4 MIG device(s): 3g.40gb, 2g.20gb, 1g.10gb, 1g.10gb" in text
