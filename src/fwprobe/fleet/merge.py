"""Nodes -> the fleet view: each source folded (``fold``), one node per identity (the newest
report wins), frameworks tallied across nodes, then judged by the fleet rules (``rules``).
Pure: (source, parsed JSON or None, reason) in, FleetReport out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fwprobe.fleet.fold import fold, parse_time
from fwprobe.fleet.model import FleetFramework, FleetReport, Node, Skipped, cyclic_gc_paused
from fwprobe.fleet.rules import STALE_HOURS, FleetView, diagnose


def merge(sources: Iterable[tuple[str, Any, str | None]], generated_at: str, fwprobe_version: str,
          stale_hours: float = STALE_HOURS) -> FleetReport:
    """The fleet view of every source; bad ones are ``skipped`` with their reason, and the same
    node twice keeps the newest report."""
    nodes: dict[str, Node] = {}
    skipped: list[Skipped] = []
    with cyclic_gc_paused():
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
                newer = parse_time(node.generated_at) > parse_time(old.generated_at)  # type: ignore[operator]
                keep, drop = (node, old) if newer else (old, node)
                skipped.append(Skipped(drop.source, f"an older report of {node.host} (the one from "
                                                    f"{keep.generated_at} is kept)"))
                node = keep
            nodes[node.host] = node
    ordered = tuple(sorted(nodes.values(), key=lambda n: n.host))
    frameworks = tally(ordered)
    return FleetReport(generated_at=generated_at, fwprobe_version=fwprobe_version, nodes=ordered,
                       frameworks=frameworks, diagnoses=diagnose(FleetView(ordered, frameworks, stale_hours)),
                       skipped=tuple(skipped))


def tally(nodes: tuple[Node, ...]) -> tuple[FleetFramework, ...]:
    """Per framework, in first-seen order: version -> hosts, and how many nodes have it installed,
    importing, and with an accelerator."""
    found: dict[str, tuple[dict[str, list[str]], list[int]]] = {}
    for n in nodes:
        for f in n.frameworks:
            versions, counts = found.setdefault(f.id, ({}, [0, 0, 0]))
            counts[0] += 1
            counts[1] += f.outcome == "ok"
            counts[2] += f.accelerators > 0
            versions.setdefault(f.version or "?", []).append(n.host)
    return tuple(FleetFramework(fid, versions, *counts) for fid, (versions, counts) in found.items())
