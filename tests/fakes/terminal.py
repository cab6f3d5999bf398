"""Helpers for tests that read what a person would see: a pseudo-terminal's output, a GitHub
Markdown table's cells, whether a process still lives."""

from __future__ import annotations

import os


def read_all(master: int) -> str:
    """Everything written to a pseudo-terminal until its other end closes; closes ``master``."""
    chunks = []
    try:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the terminal's other end is closed
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def gfm_cells(row: str) -> int:
    """Cells of a GitHub Markdown table row: pipes split it unless a backslash escapes them."""
    count, i = 0, 0
    while i < len(row):
        if row[i] == "\\":
            i += 2
            continue
        count += row[i] == "|"
        i += 1
    return count - 1


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not count; Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
