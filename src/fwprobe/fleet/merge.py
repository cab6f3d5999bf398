"""Fold scan reports into a fleet view and judge it: version drift, missing GPUs, unhealthy
nodes, stale reports. Pure: plain data in, FleetReport out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from fwprobe.fleet.model import FleetFramework, FleetReport, Node, NodeFramework, Skipped
from fwprobe.model import Diagnosis, Severity

SUPPORTED = "fwprobe.report/1"
STALE_HOURS = 24.0

FLEET_CODES = ("version-drift", "node-gpus-missing", "node-unhealthy", "stale-report")


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def fold(source: str, data: Any) -> Node | str:
    """A Node from one scan report, or the reason it is not one. Keeps nothing else of it."""
    if not isinstance(data, dict):
        return "not a fwprobe report (not a JSON object)"
    schema = data.get("schema")
    if not isinstance(schema, str) or not schema.startswith("fwprobe.report/"):
        return f"not a fwprobe scan report (schema {schema!r})"
    if schema != SUPPORTED:
        return f"schema {schema} is not {SUPPORTED}: written by another fwprobe version; upgrade fwprobe to merge it"
    host = _dict(data.get("host"))
    hostname = _str(host.get("hostname")) or source
    ray_node = _str(_dict(host.get("scheduler")).get("FWPROBE_RAY_NODE_ID"))
    if ray_node:  # several Ray nodes may share one machine (and its hostname)
        hostname = f"{hostname}/{ray_node[:12]}"
    when = _str(data.get("generated_at"))
    if when is None or _time(when) is None:
        return "no valid generated_at time"
    system = _dict(data.get("system"))
    gpus = [g for g in system.get("gpus") or [] if isinstance(g, dict)]
    frameworks = []
    diagnoses = [d for d in data.get("diagnoses") or [] if isinstance(d, dict)]
    for fw in data.get("frameworks") or []:
        if not isinstance(fw, dict) or not fw.get("installed"):
            continue
        dists = [d for d in fw.get("distributions") or [] if isinstance(d, dict) and not d.get("shadowed")]
        probe = _dict(fw.get("probe"))
        accel = [d for d in probe.get("devices") or [] if isinstance(d, dict) and d.get("kind") != "cpu"]
        runs = [e for e in probe.get("exercise") or [] if isinstance(e, dict)]
        frameworks.append(NodeFramework(
            id=str(fw.get("id")), version=_str(dists[0].get("version")) if dists else None,
            outcome=_str(probe.get("outcome")), accelerators=len(accel),
            accelerator_kind=_str(accel[0].get("kind")) if accel else None,
            build_cuda=_str(_dict(probe.get("build")).get("cuda")),
            exercise=f"{sum(1 for e in runs if e.get('passed'))}/{len(runs)} passed" if runs else None,
            error_codes=tuple(sorted({str(d.get("code")) for d in diagnoses
                                      if d.get("severity") == "error" and d.get("framework") == fw.get("id")}))))
    return Node(host=hostname, generated_at=when, source=source,
                scheduler={str(k): str(v) for k, v in _dict(host.get("scheduler")).items()},
                driver_version=_str(system.get("driver_version")),
                cuda_driver_version=_str(system.get("cuda_driver_version")),
                gpus=len(gpus), gpu_models=tuple(sorted({str(g.get("name")) for g in gpus})),
                frameworks=tuple(frameworks),
                error_codes=tuple(sorted({str(d.get("code")) for d in diagnoses if d.get("severity") == "error"})),
                cuda_devices=_cuda_devices(gpus, system.get("mig_devices")))


def _cuda_devices(gpus: list[dict[str, Any]], mig_devices: Any) -> int:
    """What one CUDA process enumerates on the node (NVIDIA MIG User Guide, "CUDA Device
    Enumeration"): a single MIG device once any exists, and no non-MIG GPU beside it; else
    every GPU not in MIG mode (a MIG-enabled GPU without MIG devices offers nothing)."""
    mig_on = [g for g in gpus if str(g.get("mig_mode") or "").lower() == "enabled"]
    if mig_on and isinstance(mig_devices, list) and mig_devices:
        return 1
    return len(gpus) - len(mig_on)


def _time(text: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def merge(sources: Iterable[tuple[str, Any, str | None]], generated_at: str, fwprobe_version: str,
          stale_hours: float = STALE_HOURS) -> FleetReport:
    """The fleet view of every source; bad ones are ``skipped`` with their reason, and the same
    host twice keeps the newest report."""
    nodes: dict[str, Node] = {}
    skipped: list[Skipped] = []
    for source, data, reason in sources:
        if reason is not None:
            skipped.append(Skipped(source, reason))
            continue
        node = fold(source, data)
        if isinstance(node, str):
            skipped.append(Skipped(source, node))
            continue
        old = nodes.get(node.host)
        if old is not None:
            keep, drop = (node, old) if _time(node.generated_at) > _time(old.generated_at) else (old, node)  # type: ignore[operator]
            skipped.append(Skipped(drop.source, f"an older report of {node.host} (the one from "
                                                f"{keep.generated_at} is kept)"))
            node = keep
        nodes[node.host] = node
    ordered = tuple(sorted(nodes.values(), key=lambda n: n.host))
    frameworks = _frameworks(ordered)
    return FleetReport(generated_at=generated_at, fwprobe_version=fwprobe_version, nodes=ordered,
                       frameworks=frameworks, diagnoses=_diagnose(ordered, frameworks, stale_hours),
                       skipped=tuple(skipped))


def _frameworks(nodes: tuple[Node, ...]) -> tuple[FleetFramework, ...]:
    ids = list(dict.fromkeys(f.id for n in nodes for f in n.frameworks))
    out = []
    for fid in ids:
        versions: dict[str, list[str]] = {}
        installed = importing = accel = 0
        for n in nodes:
            for f in n.frameworks:
                if f.id != fid:
                    continue
                installed += 1
                importing += f.outcome == "ok"
                accel += f.accelerators > 0
                versions.setdefault(f.version or "?", []).append(n.host)
        out.append(FleetFramework(fid, versions, installed, importing, accel))
    return tuple(out)


def _drift(what: str, by_value: dict[str, list[str]]) -> Diagnosis | None:
    if len(by_value) < 2:
        return None
    ranked = sorted(by_value.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    majority, hosts = ranked[0]
    outliers = "; ".join(f"{v} on {', '.join(h)}" for v, h in ranked[1:])
    return Diagnosis("version-drift", Severity.WARNING,
                     f"{what} differs across nodes: {majority} on {len(hosts)} node(s) (the majority); {outliers}",
                     f"bring the outliers to {majority} (or pin one version in the image all nodes use)")


def _diagnose(nodes: tuple[Node, ...], frameworks: tuple[FleetFramework, ...],
              stale_hours: float) -> tuple[Diagnosis, ...]:
    found: list[Diagnosis] = []
    for fw in frameworks:
        d = _drift(f"{fw.id} version", fw.versions)
        if d is not None:
            found.append(Diagnosis(d.code, d.severity, d.message, d.hint, fw.id))
        builds: dict[str, list[str]] = {}
        for n in nodes:
            for f in n.frameworks:
                if f.id == fw.id and f.build_cuda:
                    builds.setdefault(f.build_cuda, []).append(n.host)
        d = _drift(f"{fw.id}'s CUDA build", builds)
        if d is not None:
            found.append(Diagnosis(d.code, d.severity, d.message, d.hint, fw.id))
    drivers: dict[str, list[str]] = {}
    for n in nodes:
        if n.driver_version:
            drivers.setdefault(n.driver_version, []).append(n.host)
    d = _drift("the NVIDIA driver", drivers)
    if d is not None:
        found.append(d)

    best: dict[tuple[str, tuple[str, ...]], int] = {}  # (framework, gpu models) -> most seen by a peer
    for n in nodes:
        for f in n.frameworks:
            key = (f.id, n.gpu_models)
            best[key] = max(best.get(key, 0), f.accelerators)
    for n in nodes:
        for f in n.frameworks:
            if f.outcome != "ok" or (n.cuda_devices == 0 and best.get((f.id, n.gpu_models), 0) == 0):
                continue
            expected = max(n.cuda_devices, best.get((f.id, n.gpu_models), 0))
            if f.accelerators < expected and (f.accelerators > 0 or f.build_cuda):
                shows = (f"the driver shows {n.gpus}" if n.cuda_devices == n.gpus
                         else f"one CUDA process can use {n.cuda_devices} here (MIG)")
                why = (shows if n.cuda_devices > f.accelerators
                       else f"its peers with {', '.join(n.gpu_models) or 'the same GPUs'} see {expected}")
                found.append(Diagnosis("node-gpus-missing", Severity.ERROR,
                                       f"{n.host}: {f.id} sees {f.accelerators} GPU(s), but {why}",
                                       f"run `fwprobe scan -f {f.id}` on {n.host} for its own diagnosis", f.id))

    by_code: dict[str, list[str]] = {}
    for n in nodes:
        for code in n.error_codes:
            by_code.setdefault(code, []).append(n.host)
    for code, hosts in sorted(by_code.items()):
        found.append(Diagnosis("node-unhealthy", Severity.ERROR,
                               f"{len(hosts)} node(s) with error {code}: {', '.join(hosts)}",
                               f"see each node's report (fwprobe scan on the node) for the fix of {code}"))

    times = {n.host: _time(n.generated_at) for n in nodes}
    newest = max((t for t in times.values() if t is not None), default=None)
    if newest is not None:
        limit = dt.timedelta(hours=stale_hours)
        stale = sorted(h for h, t in times.items() if t is not None and newest - t > limit)
        if stale:
            found.append(Diagnosis("stale-report", Severity.WARNING,
                                   f"{len(stale)} report(s) more than {stale_hours:g} h older than the newest "
                                   f"({newest.isoformat()}): {', '.join(stale)}",
                                   "rescan those nodes; a stale report describes a machine that may have changed"))
    return tuple(sorted(found, key=lambda d: -d.severity.rank))
