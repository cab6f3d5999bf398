"""Pure parsers of the raw facts the agent gathers: mapped library paths, kernel arch lists.

The agent only collects text; the judgement of what it means lives here, tested on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from fwprobe.model import LoadedLibrary

_LIB = re.compile(r"(?P<name>lib[\w-]+?)\.so(?:\.(?P<version>[\d.]+))?$")


def parse_maps_line(line: str) -> str | None:
    """The path of a mapped file from one ``/proc/<pid>/maps`` line, or None (anonymous maps)."""
    parts = line.split(None, 5)
    if len(parts) == 6 and parts[5].startswith("/"):
        return parts[5].replace(" (deleted)", "")
    return None


def loaded_libraries(lines: Iterable[str]) -> tuple[LoadedLibrary, ...]:
    """One LoadedLibrary per distinct path in ``/proc/<pid>/maps`` lines, named and versioned
    from the file name (libcudart.so.12 -> libcudart, "12")."""
    seen: dict[str, LoadedLibrary] = {}
    for line in lines:
        path = parse_maps_line(line) if isinstance(line, str) else None
        if path is None or path in seen:
            continue
        m = _LIB.search(path.rsplit("/", 1)[-1])
        if m:
            seen[path] = LoadedLibrary(m.group("name"), path, m.group("version"))
    return tuple(seen.values())


def parse_arch(entry: str) -> tuple[str, int, int] | None:
    """("sm" | "compute", major, minor) from "sm_90", "sm_90a", "compute_80", "sm_120"; else None."""
    m = re.fullmatch(r"(sm|compute)_(\d+)(\d)[a-z]?", entry.strip())
    return (m.group(1), int(m.group(2)), int(m.group(3))) if m else None


def arch_covers(arch_list: Iterable[str], capability: str) -> bool | None:
    """Whether a build with ``arch_list`` runs on a device of ``capability`` ("8.6").

    SASS (sm_XY) runs on devices of the same major version at or above it; PTX (compute_XY) is
    JIT-compiled for any device at or above it. None when either side cannot be read.
    """
    m = re.fullmatch(r"(\d+)\.(\d+)", capability or "")
    archs = [a for a in (parse_arch(x) for x in arch_list) if a is not None]
    if not m or not archs:
        return None
    major, minor = int(m.group(1)), int(m.group(2))
    for kind, a_major, a_minor in archs:
        if kind == "sm" and a_major == major and a_minor <= minor:
            return True
        if kind == "compute" and (a_major, a_minor) <= (major, minor):
            return True
    return False
