"""Where a rendered report goes: stdout, or ``--output FILE`` for every command.

A file is written whole or not at all: into a temporary file in the same directory, then renamed
over FILE, so a reader (node_exporter's textfile collector, a dashboard tailing the directory, a
merge running at the same time) never sees half a report, and an interrupted run leaves nothing.
``{host}`` and ``{time}`` in FILE are filled in for every command (one file per node under
``srun``), the host made safe as a file name.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

from fwprobe.errors import UsageError

PLACEHOLDERS = ("{host}", "{time}")


def fill(template: str, host: str | None, when: str) -> str:
    """``template`` with {host} and {time} filled in: the host reduced to characters safe in a
    file name (a hostname is outside text: no ``/`` or ``..`` may move the file elsewhere), the
    time without ``:``."""
    if not any(p in template for p in PLACEHOLDERS):
        return template
    safe_host = re.sub(r"[^A-Za-z0-9._-]", "_", host or socket.gethostname() or "unknown-host").strip(".") or "unknown-host"
    safe_time = when.replace(":", "").replace("+0000", "Z").replace("+00:00", "Z")
    return template.replace("{host}", safe_host).replace("{time}", safe_time)


def write_atomic(path: Path, text: str) -> None:
    """``text`` into ``path`` whole (temp file beside it, then rename); parent dirs are made.
    Raises UsageError with the reason when it cannot be written; leaves no temp file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        if path.exists():  # keep the mode of the file it replaces (a textfile dir's readers)
            os.chmod(temp, path.stat().st_mode & 0o7777)
        else:
            os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    except BaseException as exc:  # a full disk, a Ctrl-C: the temp file goes, the old file stays
        try:
            os.unlink(temp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def as_text(rendered: Any) -> str:
    """A renderer's result as plain text: a string as it is, a rich renderable at 140 columns."""
    if isinstance(rendered, str):
        return rendered
    from rich.console import Console

    console = Console(width=140, no_color=True, force_terminal=False, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    try:
        console.print(rendered)
        return console.export_text()
    finally:
        console.file.close()


def emit(rendered: Any, output: str | Path | None, host: str | None, when: str) -> Path | None:
    """Write ``rendered`` to ``output`` ({host}/{time} filled in), or to stdout when None.
    Returns the path written, if any."""
    if output is not None:
        path = Path(fill(str(output), host, when))
        write_atomic(path, as_text(rendered))
        return path
    if isinstance(rendered, str):
        sys.stdout.write(rendered)
        sys.stdout.flush()
    else:
        from rich.console import Console

        Console().print(rendered)
    return None
