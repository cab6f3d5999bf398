"""Fleet diagnoses: one registered rule per code, as the node rules are (``assess.diagnoses``).

A rule is a function decorated with ``@fleet_rule(code, severity)`` that reads the merged view
(``FleetView``: the nodes, one per identity, and the frameworks across them) and yields
``Finding``s; its docstring is the code's documentation (``--fail-on``'s help, the README's
fleet codes and `fwprobe explain` read it from here). Rules run in registration order. Pure.

The registry loads in about a millisecond, without the data model (severities by name,
``Diagnosis`` made when the rules run; NamedTuples, which cost a tenth of a dataclass to define),
so the CLI lists the codes in --fail-on's help at no cost to other commands' start-up.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Callable, NamedTuple

if TYPE_CHECKING:
    from fwprobe.assess.policy import FailOn
    from fwprobe.fleet.model import FleetFramework, Node
    from fwprobe.model import Diagnosis

STALE_HOURS = 24.0


class FleetView(NamedTuple):
    """What every fleet rule reads: nodes sorted by identity, frameworks in first-seen order."""

    nodes: tuple[Node, ...]
    frameworks: tuple[FleetFramework, ...]
    stale_hours: float = STALE_HOURS


class Finding(NamedTuple):
    message: str
    hint: str
    framework: str | None = None


class FleetRule(NamedTuple):
    code: str
    severity: str  # a Severity's value: "error", "warning" or "info"
    check: Callable[[FleetView], Iterator[Finding]]
    doc: str

    def run(self, view: FleetView) -> Iterator[Diagnosis]:
        from fwprobe.model import Diagnosis, Severity

        severity = Severity(self.severity)
        for f in self.check(view):
            yield Diagnosis(self.code, severity, f.message, f.hint, f.framework)


FLEET_RULES: dict[str, FleetRule] = {}


def fleet_rule(code: str, severity: str) -> Callable[[Callable[[FleetView], Iterator[Finding]]],
                                                         Callable[[FleetView], Iterator[Finding]]]:
    """Register a fleet rule under ``code`` with its usual ``severity`` ("error", "warning",
    "info"); its docstring documents the code (required)."""

    def register(fn: Callable[[FleetView], Iterator[Finding]]) -> Callable[[FleetView], Iterator[Finding]]:
        if code in FLEET_RULES:
            raise ValueError(f"fleet diagnosis code {code!r} is registered twice")
        doc = " ".join((fn.__doc__ or "").split())
        if not doc:
            raise ValueError(f"fleet rule {code!r} needs a docstring: it is the code's documentation")
        FLEET_RULES[code] = FleetRule(code, severity, fn, doc)
        return fn

    return register


def fleet_codes() -> tuple[str, ...]:
    """Every registered fleet code, in registration order."""
    return tuple(FLEET_RULES)


def parse_fail_on(text: str) -> FailOn | None:
    """``--fail-on`` of merge and fleet: None for ``none`` (nothing can fail, and the check
    policy is not loaded for it), else the check policy's parse over the fleet codes (FailOnError,
    a UsageError, naming an unknown code)."""
    if text.strip().lower() == "none":
        return None
    from fwprobe.assess.policy import parse_fail_on as parse

    return parse(text, fleet_codes())


def fail_on_help() -> str:
    """--fail-on's help for merge and fleet, its codes from the registry."""
    return ("Exit 1 on fleet diagnoses at or above a severity (error, warning, info) or with one of a comma "
            f"list of codes ({', '.join(fleet_codes())}); none (default) never fails.")


def diagnose(view: FleetView) -> tuple[Diagnosis, ...]:
    """Every rule's findings, errors first, then in registration order."""
    found = [d for r in FLEET_RULES.values() for d in r.run(view)]
    return tuple(sorted(found, key=lambda d: -d.severity.rank))


def _drift(what: str, by_value: dict[str, list[str]], framework: str | None = None) -> Iterator[Finding]:
    if len(by_value) < 2:
        return
    ranked = sorted(by_value.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    majority, hosts = ranked[0]
    outliers = "; ".join(f"{v} on {', '.join(h)}" for v, h in ranked[1:])
    yield Finding(f"{what} differs across nodes: {majority} on {len(hosts)} node(s) (the majority); {outliers}",
                  f"bring the outliers to {majority} (or pin one version in the image all nodes use)", framework)


@fleet_rule("version-drift", "warning")
def version_drift(view: FleetView) -> Iterator[Finding]:
    """A framework, its CUDA build or the NVIDIA driver at more than one version across the
    nodes: one finding each, naming the majority version and the outliers with their hosts."""
    builds: dict[str, dict[str, list[str]]] = {}  # framework -> CUDA build -> hosts
    for n in view.nodes:
        for f in n.frameworks:
            if f.build_cuda:
                builds.setdefault(f.id, {}).setdefault(f.build_cuda, []).append(n.host)
    for fw in view.frameworks:
        yield from _drift(f"{fw.id} version", fw.versions, fw.id)
        yield from _drift(f"{fw.id}'s CUDA build", builds.get(fw.id, {}), fw.id)
    drivers: dict[str, list[str]] = {}
    for n in view.nodes:
        if n.driver_version:
            drivers.setdefault(n.driver_version, []).append(n.host)
    yield from _drift("the NVIDIA driver", drivers)


@fleet_rule("node-gpus-missing", "error")
def node_gpus_missing(view: FleetView) -> Iterator[Finding]:
    """A framework that imports on a node but sees fewer GPUs than one CUDA process can use
    there (the driver's GPUs; a single MIG device on a MIG node), or fewer than its peers with
    the same GPU models see. A CPU-only build that sees none is left to the node's own scan."""
    best: dict[tuple[str, tuple[str, ...]], int] = {}  # (framework, gpu models) -> most seen by a peer
    for n in view.nodes:
        for f in n.frameworks:
            if f.accelerators:
                key = (f.id, n.gpu_models)
                best[key] = max(best.get(key, 0), f.accelerators)
    for n in view.nodes:
        for f in n.frameworks:
            if f.outcome != "ok" or not (f.accelerators or f.build_cuda):  # a CPU build seeing none: its own scan's
                continue
            peers = best.get((f.id, n.gpu_models), 0)
            if n.cuda_devices == 0 and peers == 0:
                continue
            expected = max(n.cuda_devices, peers)
            if f.accelerators < expected:
                shows = (f"the driver shows {n.gpus}" if n.cuda_devices == n.gpus
                         else f"one CUDA process can use {n.cuda_devices} here (MIG)")
                why = (shows if n.cuda_devices > f.accelerators
                       else f"its peers with {', '.join(n.gpu_models) or 'the same GPUs'} see {expected}")
                yield Finding(f"{n.host}: {f.id} sees {f.accelerators} GPU(s), but {why}",
                              f"run `fwprobe scan -f {f.id}` on {n.host} for its own diagnosis", f.id)


@fleet_rule("node-unhealthy", "error")
def node_unhealthy(view: FleetView) -> Iterator[Finding]:
    """Nodes whose own scan found an error-level diagnosis: one finding per code, with the hosts
    that have it (each node's report holds the fix)."""
    by_code: dict[str, list[str]] = {}
    for n in view.nodes:
        for code in n.error_codes:
            by_code.setdefault(code, []).append(n.host)
    for code, hosts in sorted(by_code.items()):
        yield Finding(f"{len(hosts)} node(s) with error {code}: {', '.join(hosts)}",
                      f"see each node's report (fwprobe scan on the node) for the fix of {code}")


@fleet_rule("stale-report", "warning")
def stale_report(view: FleetView) -> Iterator[Finding]:
    """Reports older than the newest one by more than --stale-hours (default 24): they describe
    machines that may have changed since."""
    import datetime as dt

    from fwprobe.fleet.fold import parse_time

    times = {n.host: parse_time(n.generated_at) for n in view.nodes}
    newest = max((t for t in times.values() if t is not None), default=None)
    if newest is None:
        return
    limit = dt.timedelta(hours=view.stale_hours)
    stale = sorted(h for h, t in times.items() if t is not None and newest - t > limit)
    if stale:
        yield Finding(f"{len(stale)} report(s) more than {view.stale_hours:g} h older than the newest "
                      f"({newest.isoformat()}): {', '.join(stale)}",
                      "rescan those nodes; a stale report describes a machine that may have changed")


FLEET_CODES = fleet_codes()  # every rule above is registered by now


def markdown_table() -> str:
    """The fleet codes as the docs show them (``python -m fwprobe.fleet.rules``): code, severity
    and the rule's docstring, in registration order."""
    rows = [f"| `{r.code}` | {r.severity} | {r.doc.replace('|', chr(92) + '|')} |" for r in FLEET_RULES.values()]
    return "\n".join(["| code | severity | what it means |", "|---|---|---|", *rows]) + "\n"


def explain(code: str) -> str | None:
    """One fleet rule's entry as plain text (as ``assess.diagnoses.reference.explain`` writes a
    node rule's, for `fwprobe explain`), or None for a code that is not a fleet code."""
    import textwrap

    rule = FLEET_RULES.get(code)
    if rule is None:
        return None
    return (f"{code} ({rule.severity}, across the nodes of fwprobe merge / fleet)\n\n{textwrap.fill(rule.doc, 78)}"
            f"\n\nRule: {rule.check.__module__}.{rule.check.__name__}\n")


if __name__ == "__main__":
    import sys

    sys.stdout.write(markdown_table())
