"""Where fleet reports come from: files, directories (every *.json inside) or '-' (JSON lines on
stdin). Yields (source, parsed JSON or None, reason) one at a time, so no raw report is held
after it is folded in. Never raises for a bad input: it becomes a reason."""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

MAX_REPORT_BYTES = 64 * 2**20  # a scan report is tens of KB; anything this big is not one


def _from_file(source: str) -> tuple[str, Any, str | None]:
    too_big = f"larger than {MAX_REPORT_BYTES // 2**20} MB: not a fwprobe report"
    try:
        with open(source, "rb") as handle:  # one open, one fstat, one read: no path stat
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):  # a pipe, a device: as much as the cap allows
                raw = handle.read(MAX_REPORT_BYTES + 1)
            elif info.st_size > MAX_REPORT_BYTES:
                return source, None, too_big
            else:  # whole (read(n) would allocate all n bytes before reading)
                raw = handle.read()
    except OSError as exc:
        return source, None, f"cannot read: {exc.strerror or exc}"
    if not raw:
        return source, None, "empty file (0 bytes)"
    if len(raw) > MAX_REPORT_BYTES:
        return source, None, too_big
    try:
        return source, json.loads(raw.decode("utf-8")), None
    except UnicodeDecodeError as exc:
        return source, None, f"cannot read: {exc}"
    except ValueError as exc:
        return source, None, f"not JSON (truncated?): {exc}"


def _json_files(folder: str) -> list[str]:
    """The *.json files in ``folder``, sorted by name (os.scandir: no stat per entry where the
    file system gives the type). Raises OSError when it cannot be listed."""
    with os.scandir(folder) as entries:
        names = sorted(e.name for e in entries if os.path.splitext(e.name)[1] == ".json" and e.is_file())
    return [os.path.join(folder, name) for name in names]


_TOKENS = re.compile(r'[{}\[\]"\\]')


def _from_stream(stream: TextIO, label: str) -> Iterator[tuple[str, Any, str | None]]:
    """JSON documents from a stream: one per line, pretty-printed (what ``scan --format json``
    prints), or concatenated; each named ``label:LINE`` by the line it starts on. A line that
    starts no document, or a document cut off by the end of the stream, is skipped with its
    reason; one document is read at a time."""
    parts: list[str] = []
    size = depth = 0
    in_string = False
    start = 0
    for number, line in enumerate(stream, 1):
        rest = line
        while rest:
            if depth == 0:
                stripped = rest.lstrip()
                if not stripped:
                    break
                if stripped[0] not in "{[":
                    yield f"{label}:{number}", None, "not JSON: " + stripped.strip()[:80]
                    break
                rest, start, parts, size = stripped, number, [], 0
                # the common case: a whole document on one line (one over the cap is measured below)
                if len(rest) <= MAX_REPORT_BYTES and rest.rstrip().endswith(("}", "]")):
                    try:
                        yield f"{label}:{number}", json.loads(rest), None
                        break
                    except ValueError:
                        pass
            end = None
            skip = -1
            for token in _TOKENS.finditer(rest):
                at, char = token.start(), token.group()
                if at == skip:
                    continue
                if in_string:
                    if char == "\\":
                        skip = at + 1
                    elif char == '"':
                        in_string = False
                elif char == '"':
                    in_string = True
                elif char in "{[":
                    depth += 1
                elif char in "}]":
                    depth -= 1
                    if depth == 0:
                        end = at + 1
                        break
            piece = rest if end is None else rest[:end]
            size += len(piece)
            if size <= MAX_REPORT_BYTES:
                parts.append(piece)
            if end is None:
                break
            rest = rest[end:]
            source = f"{label}:{start}"
            if size > MAX_REPORT_BYTES:
                yield source, None, f"larger than {MAX_REPORT_BYTES // 2**20} MB: not a fwprobe report"
                continue
            try:
                yield source, json.loads("".join(parts)), None
            except ValueError as exc:
                yield source, None, f"not JSON: {exc}"
    if depth > 0:
        yield f"{label}:{start}", None, "not JSON: the stream ends inside a document (truncated?)"


def iter_sources(paths: Iterable[str], stdin: TextIO | None = None) -> Iterator[tuple[str, Any, str | None]]:
    """(source, data, reason): data is the parsed JSON, or None with the reason it was skipped."""
    for raw in paths:
        if raw == "-":
            yield from _from_stream(stdin or sys.stdin, "stdin")
            continue
        path = str(Path(raw))  # as the user wrote it, normalised: reports/ and ./reports are one
        if os.path.isdir(path):
            try:
                files = _json_files(path)
            except OSError as exc:
                yield path, None, f"cannot list the directory: {exc.strerror or exc}"
                continue
            if not files:
                yield path, None, "no *.json files in this directory"
            for file in files:
                yield _from_file(file)
        elif os.path.exists(path):
            yield _from_file(path)
        else:
            yield path, None, "no such file or directory"
