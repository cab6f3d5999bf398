"""Dataclasses of the report. The JSON schema (``fwprobe.report/1``) is ``Report.to_dict()``.

Stable keys: new keys may be added within ``fwprobe.report/1``; renaming or removing one bumps
the schema. Enum fields serialise as their string values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

SCHEMA = "fwprobe.report/1"


class Outcome(str, Enum):
    """How a framework's probe ended."""

    OK = "ok"  # imported, and the framework answered the queries
    FAILED = "failed"  # raised on import
    CRASHED = "crashed"  # killed by a signal or exited without an answer
    TIMEOUT = "timeout"  # did not finish within --timeout
    SKIPPED = "skipped"  # --no-import, or not installed


class Status(str, Enum):
    """Observed release status, from the package index."""

    ACTIVE = "active"
    STALE = "stale"
    UNMAINTAINED = "unmaintained"
    ARCHIVED = "archived"
    DEPRECATED = "deprecated"
    UNKNOWN = "unknown"


class Verdict(str, Enum):
    CONFIRMED = "confirmed"
    CONTRADICTED = "contradicted"
    UNVERIFIED = "unverified"


class IndexErrorKind(str, Enum):
    """Why the index gave no usable answer for a distribution (advice switches on this)."""

    UNREACHABLE = "unreachable"  # no connection (DNS, refused, a redirect to nowhere)
    TIMEOUT = "timeout"  # no complete answer within the deadline
    NOT_FOUND = "not-found"  # 404
    TOO_LARGE = "too-large"  # the answer passed the size cap (on the wire or decompressed)
    TLS = "tls"  # certificate verification or handshake failed
    BAD_RESPONSE = "bad-response"  # an HTTP error, a wrong content type, invalid or wrong-shaped data
    NOT_CACHED = "not-cached"  # --offline and nothing (usable) in the cache


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


@dataclass(frozen=True)
class Interpreter:
    executable: str
    version: str
    implementation: str
    platform: str
    machine: str
    prefix: str
    virtualenv: bool
    conda: bool
    selected_by: str = ""  # which rule chose this interpreter ("active virtualenv (VIRTUAL_ENV=...)")


@dataclass(frozen=True)
class Distribution:
    name: str
    version: str
    location: str
    installer: str | None = None
    editable: bool = False
    shadowed: bool = False  # a second copy later on sys.path; ``import`` never finds it
    requires: tuple[str, ...] = ()  # Requires-Dist, from the distribution's own metadata
    yanked: bool | None = None  # filled from the index when known
    yanked_reason: str | None = None


@dataclass(frozen=True)
class Device:
    kind: str  # cuda | rocm | mps | xpu | tpu | cpu | ...
    index: int
    name: str | None = None
    memory_bytes: int | None = None
    capability: str | None = None  # CUDA compute capability, "8.0", where the framework says


@dataclass(frozen=True)
class Exercise:
    """One tiny computation on one device (64x64 matmul of ones), its result checked exactly."""

    kind: str  # a Device's kind, or "backend" (keras: one op through its active backend)
    index: int
    passed: bool
    seconds: float | None = None
    error_type: str | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class LoadedLibrary:
    """A CUDA/ROCm-family shared library mapped into the probe's process (/proc/self/maps)."""

    name: str  # libcudnn, libcudart, ...
    path: str
    version: str | None = None  # from the file name: "12" of libcudart.so.12


@dataclass(frozen=True)
class CompanionProbe:
    """One companion imported in the framework's probe process, after the framework, and its
    smallest native operation run (``op``): its own outcome, never the framework's."""

    distribution: str
    module: str
    outcome: Outcome  # ok | failed (raised) | timeout (its share of the time) | crashed (took the process)
    op: str | None = None
    step: str | None = None  # import | op: how far it got
    version: str | None = None  # the module's __version__
    seconds: float | None = None
    error_type: str | None = None
    error_message: str | None = None
    output_tail: str | None = None  # what it wrote to stderr meanwhile (NumPy's ABI message goes there)


@dataclass(frozen=True)
class Build:
    cuda: str | None = None
    cudnn: str | None = None
    rocm: str | None = None
    cpu_only: bool | None = None


@dataclass(frozen=True)
class ProbeResult:
    outcome: Outcome
    seconds: float = 0.0
    version: str | None = None
    module_file: str | None = None
    import_seconds: float | None = None
    phase: str | None = None  # import | query | done: how far the probe got
    error_type: str | None = None
    error_message: str | None = None
    signal: str | None = None
    exit_code: int | None = None
    output_tail: str | None = None
    build: Build = field(default_factory=Build)
    devices: tuple[Device, ...] = ()
    exercise: tuple[Exercise, ...] = ()  # empty unless --exercise
    libraries: tuple[LoadedLibrary, ...] = ()  # Linux: what the process really loaded
    arch_list: tuple[str, ...] = ()  # kernel architectures the build carries (sm_80, compute_90)
    execution: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    companions: tuple[CompanionProbe, ...] = ()  # the catalog's companion checks, those installed

    @property
    def accelerators(self) -> tuple[Device, ...]:
        return tuple(d for d in self.devices if d.kind != "cpu")


@dataclass(frozen=True)
class Release:
    version: str
    date: dt.datetime | None  # upload time of the earliest file (UTC); JSON: ISO 8601 with Z
    yanked: bool = False
    yanked_reason: str | None = None
    prerelease: bool = False

    @property
    def day(self) -> dt.date | None:
        """The calendar day of the upload, or None when the index gave no time."""
        return self.date.date() if self.date is not None else None


@dataclass(frozen=True)
class ProjectMeta:
    """The newest release's metadata from the index's per-project JSON, where the index offers it."""

    version: str | None = None
    requires_dist: tuple[str, ...] = ()
    classifiers: tuple[str, ...] = ()
    maintainer: str | None = None  # author / maintainer names and emails, joined
    requires_python: str | None = None
    error: str | None = None  # why there is none (the index has no JSON API, a timeout...)


@dataclass(frozen=True)
class DistRelease:
    """What the package index says about one distribution."""

    name: str
    ok: bool
    error: str | None = None
    error_kind: IndexErrorKind | None = None
    newest: Release | None = None
    newest_prerelease: Release | None = None
    releases_last_365_days: int = 0
    release_count: int = 0
    project_status: str | None = None  # PEP 792 marker: active | archived | quarantined | deprecated
    project_status_reason: str | None = None
    from_cache: bool = False
    upload_times: bool = True  # False when the index publishes none (HTML pages, JSON pages before PEP 700)
    newest_files: tuple[str, ...] = ()  # file names of the newest stable release (wheel tags)
    newest_requires_python: str | None = None
    meta: ProjectMeta | None = None  # per-project JSON, fetched by `status` only
    # the full history, for assess; left out of the JSON report (it can run to thousands)
    releases: tuple[Release, ...] = field(default=(), metadata={"json": False})


@dataclass(frozen=True)
class ForkStatus:
    """What the index says about one fork of a framework."""

    distribution: str
    status: Status
    newest: str | None = None
    date: dt.date | None = None
    error: str | None = None


@dataclass(frozen=True)
class ClaimVerdict:
    """One checkable statement of the catalog, and what evidence says of it."""

    id: str
    column: str  # the seed table's column: features | execution | use_cases | claim | maintainer
    statement: str
    verdict: Verdict
    evidence: str
    source: str  # "index", or "probe of torch 2.13.0 in /path/python"
    checked: str  # the date, ISO


@dataclass(frozen=True)
class StatusAssessment:
    observed: Status
    verdict: Verdict
    evidence: str
    newest: Release | None = None
    newest_distribution: str | None = None
    days_since_release: int | None = None
    releases_last_365_days: int = 0
    forks: tuple[ForkStatus, ...] = ()
    installed_behind: int | None = None  # releases between installed and newest
    headline: str = ""  # the evidence's first statement (what a one-line message quotes)
    installable: bool | None = None  # the newest release installs on a CPython still supported upstream
    health: tuple[str, ...] = ()  # further signals with their evidence (Inactive classifier, ...)


@dataclass(frozen=True)
class Diagnosis:
    code: str
    severity: Severity
    message: str
    hint: str
    framework: str | None = None


@dataclass(frozen=True)
class FrameworkResult:
    id: str
    name: str
    claim: str
    claimed_status: str
    installed: bool
    distributions: tuple[Distribution, ...] = ()
    companions: tuple[Distribution, ...] = ()
    probe: ProbeResult | None = None
    index: tuple[DistRelease, ...] = ()
    status: StatusAssessment | None = None
    claims: tuple[ClaimVerdict, ...] = ()  # `status`: every checkable claim of the catalog
    # not installed in the target, but found here on PYTHONPATH, which probes drop by default
    pythonpath: str | None = None

    @property
    def answered(self) -> ProbeResult | None:
        """The probe when it imported and answered (outcome ok), else None."""
        return self.probe if self.probe is not None and self.probe.outcome is Outcome.OK else None

    @property
    def active_distribution(self) -> Distribution | None:
        """The copy ``import`` finds: first on sys.path."""
        for dist in self.distributions:
            if not dist.shadowed:
                return dist
        return None


@dataclass(frozen=True)
class Gpu:
    index: int
    name: str
    memory_mib: int | None = None
    uuid: str | None = None
    compute_capability: str | None = None  # "9.0"; absent on drivers that cannot report it
    memory_used_mib: int | None = None
    mig_mode: str | None = None  # Enabled | Disabled
    persistence_mode: str | None = None
    pci_bus_id: str | None = None


@dataclass(frozen=True)
class MigDevice:
    """One MIG device (a compute instance in its GPU instance), from ``nvidia-smi`` and ``-L``."""

    gpu_index: int  # the parent GPU's index
    index: int  # the MIG device's index within its GPU ("MIG Dev" / "Device N")
    profile: str | None = None  # 1g.10gb, 1c.3g.71gb
    uuid: str | None = None  # MIG-<uuid>, or MIG-GPU-<uuid>/<gi>/<ci> on R450/R460 drivers
    gpu_instance_id: int | None = None
    compute_instance_id: int | None = None
    memory_mib: int | None = None  # the GPU instance's memory (shared by its compute instances)
    memory_used_mib: int | None = None


@dataclass(frozen=True)
class System:
    nvidia_smi: str | None = None  # path, or None when absent
    driver_version: str | None = None
    cuda_driver_version: str | None = None  # the newest CUDA the driver supports
    gpus: tuple[Gpu, ...] = ()
    nvidia_error: str | None = None  # nvidia-smi's whole message (verbatim) when it failed
    cuda_visible_devices: str | None = None  # None: unset
    cuda_toolkit: str | None = None  # nvcc's release; not the driver, not the framework build
    rocm_version: str | None = None
    facts: tuple[str, ...] = ()  # one-line human statements
    nvidia_exit_code: int | None = None  # nvidia-smi's exit status when it was not 0
    nvidia_warnings: tuple[str, ...] = ()  # WARNING lines of an answer that is complete (exit 14: infoROM)
    mig_devices: tuple[MigDevice, ...] = ()


@dataclass(frozen=True)
class Host:
    """The machine fwprobe ran on (and, in a fleet, which node a report came from)."""

    hostname: str
    os: str | None = None
    os_version: str | None = None
    kernel: str | None = None
    libc: str | None = None
    libc_version: str | None = None
    cpu: str | None = None
    logical_cores: int | None = None
    memory_bytes: int | None = None
    container: str | None = None  # docker | podman | kubernetes | None
    wsl: bool = False
    env: dict[str, str] = field(default_factory=dict)  # variables that steer frameworks, redacted
    scheduler: dict[str, str] = field(default_factory=dict)  # slurm / kubernetes / ray context


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    reason: str


@dataclass(frozen=True)
class Report:
    generated_at: str
    fwprobe_version: str
    target: Interpreter | None
    system: System | None
    frameworks: tuple[FrameworkResult, ...]
    host: Host | None = None
    diagnoses: tuple[Diagnosis, ...] = ()
    checks: tuple[Check, ...] = ()
    index_url: str | None = None  # redacted
    options: dict[str, Any] = field(default_factory=dict)
    schema: str = SCHEMA

    def to_dict(self) -> dict[str, Any]:
        data = _plain(self)
        assert isinstance(data, dict)
        return {"schema": data.pop("schema"), **data}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False) + "\n"


def _plain(obj: Any) -> Any:
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, dt.datetime):
        return obj.isoformat().replace("+00:00", "Z")
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                if f.metadata.get("json", True)}
    if isinstance(obj, (list, tuple)):
        return [_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    return obj
