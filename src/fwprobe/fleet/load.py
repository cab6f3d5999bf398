"""Where fleet reports come from: files, directories (every *.json inside) or '-' (JSON lines on
stdin). Yields (source, parsed JSON or None, reason) one at a time, so no raw report is held
after it is folded in. Never raises for a bad input: it becomes a reason."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

MAX_REPORT_BYTES = 64 * 2**20  # a scan report is tens of KB; anything this big is not one


def _from_file(path: Path) -> tuple[str, Any, str | None]:
    source = str(path)
    try:
        size = path.stat().st_size
        if size == 0:
            return source, None, "empty file (0 bytes)"
        if size > MAX_REPORT_BYTES:
            return source, None, f"larger than {MAX_REPORT_BYTES // 2**20} MB: not a fwprobe report"
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return source, None, f"cannot read: {getattr(exc, 'strerror', None) or exc}"
    try:
        return source, json.loads(text), None
    except ValueError as exc:
        return source, None, f"not JSON (truncated?): {exc}"


def _from_lines(stream: TextIO, label: str) -> Iterator[tuple[str, Any, str | None]]:
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        source = f"{label}:{number}"
        try:
            yield source, json.loads(line), None
        except ValueError as exc:
            yield source, None, f"not JSON: {exc}"


def iter_sources(paths: Iterable[str], stdin: TextIO | None = None) -> Iterator[tuple[str, Any, str | None]]:
    """(source, data, reason): data is the parsed JSON, or None with the reason it was skipped."""
    for raw in paths:
        if raw == "-":
            yield from _from_lines(stdin or sys.stdin, "stdin")
            continue
        path = Path(raw)
        if path.is_dir():
            try:
                files = sorted(p for p in path.iterdir() if p.suffix == ".json" and p.is_file())
            except OSError as exc:
                yield str(path), None, f"cannot list the directory: {exc.strerror or exc}"
                continue
            if not files:
                yield str(path), None, "no *.json files in this directory"
            for file in files:
                yield _from_file(file)
        elif path.exists():
            yield _from_file(path)
        else:
            yield str(path), None, "no such file or directory"
