"""Dataclasses of the fleet view; its JSON schema is ``fwprobe.fleet/1`` (``FleetReport.to_json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from fwprobe.model import Diagnosis, _plain

FLEET_SCHEMA = "fwprobe.fleet/1"


@dataclass(frozen=True)
class NodeFramework:
    id: str
    version: str | None
    outcome: str | None  # ok | failed | crashed | timeout | skipped | None (not probed)
    accelerators: int
    accelerator_kind: str | None = None
    build_cuda: str | None = None
    exercise: str | None = None  # "2/2 passed", or None when not exercised
    error_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Node:
    host: str
    generated_at: str
    source: str
    scheduler: dict[str, str] = field(default_factory=dict)
    driver_version: str | None = None
    cuda_driver_version: str | None = None
    gpus: int = 0
    gpu_models: tuple[str, ...] = ()
    frameworks: tuple[NodeFramework, ...] = ()
    error_codes: tuple[str, ...] = ()  # error-level diagnosis codes of the node's own report
    # devices one CUDA process can enumerate: the GPUs, but a single MIG device on a MIG node
    cuda_devices: int = 0


@dataclass(frozen=True)
class FleetFramework:
    id: str
    versions: dict[str, list[str]]  # version -> hosts
    installed: int
    importing: int
    with_accelerator: int


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


@dataclass(frozen=True)
class FleetReport:
    generated_at: str
    fwprobe_version: str
    nodes: tuple[Node, ...]
    frameworks: tuple[FleetFramework, ...]
    diagnoses: tuple[Diagnosis, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    schema: str = FLEET_SCHEMA

    def to_dict(self) -> dict[str, object]:
        data = _plain(self)
        assert isinstance(data, dict)
        return {"schema": data.pop("schema"), **data}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"
