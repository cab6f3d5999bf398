"""Dataclasses of the fleet view; its JSON schema is ``fwprobe.fleet/1`` (``FleetReport.to_json``)."""

from __future__ import annotations

import dataclasses
import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from json.encoder import encode_basestring_ascii as _quote  # C, where built
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # the data model loads when a fleet is judged, not with the CLI (fleet.rules)
    from fwprobe.model import Diagnosis

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
        from fwprobe.model import _plain

        data = _plain(self)
        assert isinstance(data, dict)
        return {"schema": data.pop("schema"), **data}

    def to_json(self) -> str:
        """What ``json.dumps(self.to_dict(), indent=2) + "\\n"`` writes, byte for byte, in about a
        fifth of its time: with an indent the stdlib encodes in Python, generator by generator,
        and 10,000 nodes are ~600,000 values (bench/bench_fleet.py)."""
        try:
            with cyclic_gc_paused():
                return _json(self, "\n") + "\n"
        finally:
            _ROWS.clear()


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a block that builds the fleet or its JSON, as it was
    after. Parsed reports, nodes and their JSON hold no reference cycle (each is freed by its
    reference count): with 10,000 nodes kept, the collector only walks them again and again
    (~4% of a merge, bench/bench_fleet.py)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _json(value: Any, newline: str) -> str:
    """``value`` as json.dumps(..., indent=2) writes it where ``newline`` ("\\n" and the indent of
    the line it starts on) puts it; dataclasses and enums as ``_plain`` turns them into JSON."""
    kind = type(value)
    if kind is str:
        return _quote(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    inner = newline + "  "
    if kind is tuple or kind is list:
        if not value:
            return "[]"
        return "[" + inner + ("," + inner).join([_quote(x) if type(x) is str else _json(x, inner)
                                                 for x in value]) + newline + "]"
    if kind is dict:
        if not value:
            return "{}"
        return "{" + inner + ("," + inner).join([_quote(str(k)) + ": " + (_quote(x) if type(x) is str else _json(x, inner))
                                                 for k, x in value.items()]) + newline + "}"
    encode = _ENCODERS.get(kind)
    if encode is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        encode = _ENCODERS[kind] = _encoder(kind)
    if encode is not None:
        if kind is not NodeFramework:
            return encode(value, newline)
        row = _ROWS.get((value, newline))  # most nodes share their framework rows: each written once
        if row is None:
            row = _ROWS[value, newline] = encode(value, newline)
        return row
    if isinstance(value, Enum):
        return _json(value.value, newline)
    from fwprobe.model import _plain

    return json.dumps(_plain(value))  # anything else (a float, a date): as _plain and json.dumps make it


_ENCODERS: dict[type, Callable[[Any, str], str]] = {}
_ROWS: dict[tuple[NodeFramework, str], str] = {}  # framework rows already written, during one to_json


def _encoder(cls: type) -> Callable[[Any, str], str]:
    """The function that writes one ``cls`` object: its JSON fields (a FleetReport's ``schema``
    first, as ``to_dict`` puts it) inlined into one expression, generated once per class, as dataclasses
    generates ``__init__``; a string, None or an int is written in place, anything else goes
    through ``_json``."""
    names = [f.name for f in dataclasses.fields(cls) if f.metadata.get("json", True)]
    if cls is FleetReport:
        names.sort(key=lambda name: name != "schema")
    if not names:
        return lambda value, newline: "{}"
    parts = []
    for n, name in enumerate(names):
        opens = "'{'" if n == 0 else "','"
        key = _quote(name) + ": "
        parts.append(f"{opens}, i, {key!r}, (q(v{n}) if type(v{n}) is str else 'null' if v{n} is None "
                     f"else r(v{n}) if type(v{n}) is int else enc(v{n}, i))")
    source = "\n".join([
        "def encode(value, newline):",
        "    i = newline + '  '",
        *(f"    v{n} = value.{name}" for n, name in enumerate(names)),
        f"    return ''.join(({', '.join(parts)}, newline, '}}'))",
    ])
    scope: dict[str, Any] = {"q": _quote, "r": int.__repr__, "enc": _json}
    exec(source, scope)  # generated from the dataclass's own field names
    return scope["encode"]  # type: ignore[no-any-return]
