"""One scan report (parsed JSON) -> one fleet ``Node``, or the reason it is not one. Pure.

A node is known by its host name plus the id the engine that ran the scan gives it
(``host.scheduler.node_id``, written by a fleet runner: several Ray nodes may share one machine
and its host name); a scan with no such id (Slurm, Kubernetes, a plain `fwprobe scan`) is known
by its host name alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fwprobe.fleet.model import Node, NodeFramework

SUPPORTED = "fwprobe.report/1"
# reports of fwprobe versions before runners wrote node_id: the Ray runner's own variable
LEGACY_NODE_ID = ("FWPROBE_RAY_NODE_ID",)


def parse_time(text: str) -> dt.datetime | None:
    """An ISO 8601 time (``Z`` accepted; a naive one read as UTC), or None."""
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any] | tuple[()]:
    return value if isinstance(value, list) else ()


def _live_version(distributions: list[Any] | tuple[()]) -> str | None:
    """The version of the first copy import finds (shadowed ones left out)."""
    for d in distributions:
        if isinstance(d, dict) and not d.get("shadowed"):
            return _str(d.get("version"))
    return None


def _exercise(runs: list[Any] | tuple[()]) -> str | None:
    """"2/2 passed", or None when nothing was exercised."""
    if not runs:
        return None
    done = [e for e in runs if isinstance(e, dict)]
    return f"{sum(1 for e in done if e.get('passed'))}/{len(done)} passed" if done else None


def node_name(hostname: str, scheduler: dict[str, Any]) -> str:
    """The node's identity in the fleet: the host name, plus the engine's node id where it gave one."""
    node_id = _str(scheduler.get("node_id"))
    for key in LEGACY_NODE_ID:
        node_id = node_id or _str(scheduler.get(key))
    return f"{hostname}/{node_id[:12]}" if node_id else hostname


def fold(source: str, data: Any) -> Node | str:
    """A Node from one scan report, or the reason it is not one. Keeps nothing else of it."""
    if not isinstance(data, dict):
        return "not a fwprobe report (not a JSON object)"
    schema = data.get("schema")
    if schema != SUPPORTED:
        if not isinstance(schema, str) or not schema.startswith("fwprobe.report/"):
            return f"not a fwprobe scan report (schema {schema!r})"
        return f"schema {schema} is not {SUPPORTED}: written by another fwprobe version; upgrade fwprobe to merge it"
    when = _str(data.get("generated_at"))
    if when is None or parse_time(when) is None:
        return "no valid generated_at time"
    host = _dict(data.get("host"))
    scheduler = _dict(host.get("scheduler"))
    system = _dict(data.get("system"))
    gpus = [g for g in _list(system.get("gpus")) if isinstance(g, dict)]
    # (code, framework) of each error-level finding of the node's own report
    errors = [(str(d.get("code")), d.get("framework")) for d in _list(data.get("diagnoses"))
              if isinstance(d, dict) and d.get("severity") == "error"]
    frameworks = []
    for fw in _list(data.get("frameworks")):
        if not isinstance(fw, dict) or not fw.get("installed"):
            continue
        fid = fw.get("id")
        probe = _dict(fw.get("probe"))
        accel = [d for d in _list(probe.get("devices")) if isinstance(d, dict) and d.get("kind") != "cpu"]
        frameworks.append(NodeFramework(
            str(fid), _live_version(_list(fw.get("distributions"))), _str(probe.get("outcome")), len(accel),
            _str(accel[0].get("kind")) if accel else None, _str(_dict(probe.get("build")).get("cuda")),
            _exercise(_list(probe.get("exercise"))),
            tuple(sorted({code for code, of in errors if of == fid})) if errors else ()))
    return Node(node_name(_str(host.get("hostname")) or source, scheduler), when, source,
                {str(k): str(v) for k, v in scheduler.items()},
                _str(system.get("driver_version")), _str(system.get("cuda_driver_version")),
                len(gpus), tuple(sorted({str(g.get("name")) for g in gpus})), tuple(frameworks),
                tuple(sorted({code for code, _ in errors})), cuda_devices(gpus, system.get("mig_devices")))


def cuda_devices(gpus: list[dict[str, Any]], mig_devices: Any) -> int:
    """What one CUDA process enumerates on the node (NVIDIA MIG User Guide, "CUDA Device
    Enumeration"): a single MIG device once any exists, and no non-MIG GPU beside it; else
    every GPU not in MIG mode (a MIG-enabled GPU without MIG devices offers nothing)."""
    mig_on = [g for g in gpus if str(g.get("mig_mode") or "").lower() == "enabled"]
    if mig_on and isinstance(mig_devices, list) and mig_devices:
        return 1
    return len(gpus) - len(mig_on)
