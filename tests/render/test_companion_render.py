"""Companions in every scan format: a short line under the framework in the table, a list under the
Markdown table, the whole outcome in JSON; a companion's error text is outside text (escaped)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fakes.catalogs import FAKE_CATALOG
from fakes.frameworks import FAKE_TORCH_CUDA, write_module

# screen clear, an OSC 8 hyperlink, rich markup, a new Markdown row and a heading after line breaks
HOSTILE = "\x1b[2J\x1b]8;;http://evil.invalid/\x1b\\x\x1b]8;;\x1b\\[bold red]red\n| a | b |\n# heading <b>"


def _scan(site: Path, tmp_path: Path, fmt: str) -> str:
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(FAKE_CATALOG)
    done = subprocess.run([sys.executable, "-m", "fwprobe", "scan", "--python", sys.executable, "--keep-pythonpath",
                           "--catalog", str(catalog), "-f", "pytorch", "--no-index", "--format", fmt],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "300"})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_broken_companion_in_table_markdown_and_json(site: Path, tmp_path: Path, no_gpu_tools) -> None:
    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1+cu124")
    write_module(site, "torchvision", f"raise RuntimeError({HOSTILE!r})\n", "torchvision", "0.20.1")

    table = _scan(site, tmp_path, "table")
    assert "+ torchvision failed: RuntimeError" in table
    assert "\x1b" not in table and "[bold red]red" in table  # shown as written, never run or parsed

    markdown = _scan(site, tmp_path, "markdown")
    [line] = [x for x in markdown.splitlines() if x.startswith("- PyTorch: ")]
    assert line.startswith("- PyTorch: **torchvision failed: RuntimeError** (")
    assert "\x1b" not in markdown and "<b>" not in markdown
    assert not [x for x in markdown.splitlines() if x.startswith(("| a", "# heading"))]  # no row, no heading

    data = json.loads(_scan(site, tmp_path, "json"))
    [c] = data["frameworks"][0]["probe"]["companions"]
    assert c == {"distribution": "torchvision", "module": "torchvision", "outcome": "failed",
                 "op": "torchvision-nms", "step": "import", "version": None, "seconds": c["seconds"],
                 "error_type": "RuntimeError", "error_message": HOSTILE, "output_tail": None}
