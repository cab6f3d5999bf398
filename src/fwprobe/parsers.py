"""Pure parsers of outside formats: mapped library paths, kernel arch lists, nvidia-smi's output.

The agent and system.py only collect text; the judgement of what it means lives here, tested on
its own against real captures (tests/fixtures/nvidia/).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from fwprobe.model import Gpu, LoadedLibrary, MigDevice

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


# --- nvidia-smi ---------------------------------------------------------------------------------

# Drivers >= 610 print "KMD Version" / "CUDA UMD Version" where older ones print "Driver Version" /
# "CUDA Version" (the default table, --version and -q alike).
_SMI_DRIVER = re.compile(r"(?:KMD|DRIVER|Driver) [Vv]ersion\s*:\s*(\d[\w.-]*)")
_SMI_CUDA = re.compile(r"CUDA (?:UMD )?[Vv]ersion\s*:\s*(\d[\d.]*)")
_REJECTED = re.compile(r'Field "([^"]+)" is not a valid field to query')
_MIG_ROW = re.compile(r"^\|\s*(\d+)\s+(\d+|N/A)\s+(\d+|N/A)\s+(\d+)\s*\|\s*(\d+)MiB\s*/\s*(\d+)MiB")
_LIST_GPU = re.compile(r"^GPU (\d+): (.*?) \(UUID: ([^)]+)\)")
_LIST_MIG = re.compile(r"^\s+MIG (\S+)\s+Device\s+(\d+): \(UUID: ([^)]+)\)")


def parse_smi_header(text: str) -> tuple[str | None, str | None, bool]:
    """(driver version, CUDA version, whether the driver names itself "KMD") from ``nvidia-smi``'s
    default table or ``--version``: both the 610+ labels and the older ones."""
    driver = _SMI_DRIVER.search(text)
    cuda = _SMI_CUDA.search(text)
    return (driver.group(1) if driver else None, cuda.group(1) if cuda else None,
            re.search(r"KMD [Vv]ersion", text) is not None)


def rejected_field(text: str) -> str | None:
    """The field nvidia-smi named in ``Field "X" is not a valid field to query.``, else None."""
    m = _REJECTED.search(text.replace("\u201c", '"').replace("\u201d", '"'))  # Windows prints curly quotes
    return m.group(1) if m else None


def smi_warnings(text: str) -> tuple[str, ...]:
    """nvidia-smi's ``WARNING: ...`` lines (exit 14: ``WARNING: infoROM is corrupted at gpu ...``)."""
    return tuple(line.strip() for line in text.splitlines() if line.strip().startswith("WARNING:"))


def smi_value(text: str | None) -> str | None:
    """A CSV cell, or None for nvidia-smi's placeholders ([N/A], [Not Supported], ...)."""
    if text is None:
        return None
    text = text.strip()
    return None if not text or text.startswith("[") or text in ("N/A", "Not Supported") else text


def _int(text: str | None) -> int | None:
    value = smi_value(text)
    head = value.split()[0] if value else ""
    return int(head) if head.isdigit() else None


def parse_gpu_csv(text: str, fields: tuple[str, ...]) -> tuple[tuple[Gpu, ...], str | None]:
    """GPUs and the driver version from ``nvidia-smi --query-gpu=FIELDS --format=csv,noheader``;
    columns are read by field name, so a field left out is absent, not shifted. The driver version
    comes from ``kmd_version`` (610+) or ``driver_version``."""
    gpus: list[Gpu] = []
    driver = None
    for line in text.splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != len(fields):
            continue
        row = dict(zip(fields, parts))
        index = row.get("index", "")
        if not index.isdigit():
            continue
        gpus.append(Gpu(index=int(index), name=row.get("name", ""),
                        memory_mib=_int(row.get("memory.total")), uuid=smi_value(row.get("uuid")),
                        compute_capability=smi_value(row.get("compute_cap")),
                        memory_used_mib=_int(row.get("memory.used")),
                        mig_mode=smi_value(row.get("mig.mode.current")),
                        persistence_mode=smi_value(row.get("persistence_mode")),
                        pci_bus_id=smi_value(row.get("pci.bus_id"))))
        driver = driver or smi_value(row.get("kmd_version")) or smi_value(row.get("driver_version"))
    return tuple(gpus), driver


def parse_mig_table(text: str) -> tuple[MigDevice, ...]:
    """MIG devices from the "MIG devices:" section of ``nvidia-smi``'s default table: parent GPU,
    GPU instance, compute instance, MIG device index and memory (used / total MiB)."""
    _, _, section = text.partition("MIG devices:")
    section = section.split("Processes:")[0]
    found = []
    for line in section.splitlines():
        m = _MIG_ROW.match(line)
        if m:
            gi, ci = m.group(2), m.group(3)
            found.append(MigDevice(gpu_index=int(m.group(1)), index=int(m.group(4)),
                                   gpu_instance_id=int(gi) if gi.isdigit() else None,
                                   compute_instance_id=int(ci) if ci.isdigit() else None,
                                   memory_used_mib=int(m.group(5)), memory_mib=int(m.group(6))))
    return tuple(found)


def parse_gpu_list(text: str) -> tuple[dict[int, str], tuple[MigDevice, ...]]:
    """({GPU index: GPU UUID}, MIG devices) from ``nvidia-smi -L``. A MIG line belongs to the GPU
    line above it; R450/R460 drivers name MIG devices ``MIG-GPU-<uuid>/<gi>/<ci>``."""
    gpus: dict[int, str] = {}
    migs: list[MigDevice] = []
    current: int | None = None
    for line in text.splitlines():
        g = _LIST_GPU.match(line)
        if g:
            current = int(g.group(1))
            gpus[current] = g.group(3)
            continue
        m = _LIST_MIG.match(line)
        if m and current is not None:
            uuid = m.group(3)
            old = re.fullmatch(r"MIG-GPU-[^/]+/(\d+)/(\d+)", uuid)
            migs.append(MigDevice(gpu_index=current, index=int(m.group(2)), profile=m.group(1), uuid=uuid,
                                  gpu_instance_id=int(old.group(1)) if old else None,
                                  compute_instance_id=int(old.group(2)) if old else None))
    return gpus, tuple(migs)


def merge_mig(table: tuple[MigDevice, ...], listed: tuple[MigDevice, ...]) -> tuple[MigDevice, ...]:
    """The table's MIG devices (ids, memory) joined with ``-L``'s (profile, UUID) on (GPU, index);
    a device only one of them shows is kept with what that one knows."""
    by_key = {(d.gpu_index, d.index): d for d in listed}
    merged = []
    for d in table:
        extra = by_key.pop((d.gpu_index, d.index), None)
        if extra is not None:
            d = MigDevice(d.gpu_index, d.index, extra.profile, extra.uuid,
                          d.gpu_instance_id if d.gpu_instance_id is not None else extra.gpu_instance_id,
                          d.compute_instance_id if d.compute_instance_id is not None else extra.compute_instance_id,
                          d.memory_mib, d.memory_used_mib)
        merged.append(d)
    merged.extend(by_key.values())
    return tuple(sorted(merged, key=lambda d: (d.gpu_index, d.index)))


def cudnn_version(raw: str) -> str:
    """cuDNN's integer version as a dotted one: 90100 -> 9.1.0 (cuDNN 9+: major * 10000 + minor * 100
    + patch, cudnn_version.h), 8902 -> 8.9.2 (up to 8: major * 1000 + ...). Anything else (TF's "9",
    an already dotted "9.1.0") is returned as it is."""
    if not raw.isdigit() or len(raw) < 4:
        return raw
    n = int(raw)
    major, rest = divmod(n, 10000) if n >= 90000 else divmod(n, 1000)
    return f"{major}.{rest // 100}.{rest % 100}"
