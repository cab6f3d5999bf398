"""The seam for fleet engines: something that runs one scan on every node and hands the reports back.

fwprobe schedules nothing; an engine the cluster already runs does (Ray today). A runner is one
adapter module behind an optional extra, registered in ``ENGINES``; `fwprobe fleet` picks one by
its option, gives it the same ``ScanOptions`` for every node and merges what it yields, exactly
as `fwprobe merge` merges files (``load.iter_sources`` yields the same triples).

Node identity: the scan placed on a node runs with ``FWPROBE_SCHEDULER`` (the engine's name) and
``FWPROBE_NODE_ID`` (the engine's id for the node) in its environment (``scan_on_node`` sets
them), which the report's ``host.scheduler`` records as ``scheduler`` and ``node_id``; the merge
knows the node by its host name plus that id, so two nodes of one machine stay two nodes.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Callable, Protocol, runtime_checkable

from fwprobe.errors import UsageError
from fwprobe.scheduler import NODE_ID_VAR, SCHEDULER_VAR

if TYPE_CHECKING:
    from fwprobe.plan import ScanOptions

Source = tuple[str, Any, "str | None"]  # (source, parsed report JSON or None, the reason it is None)


@runtime_checkable
class FleetRunner(Protocol):
    """Runs one scan per node of a cluster and yields each node's outcome as it comes."""

    engine: str  # the name host.scheduler.scheduler records ("ray")

    def run(self, options: ScanOptions, timeout: float) -> Iterator[Source]:
        """(source, report JSON or None, reason) per node, one scan per node with ``options``;
        a node without a report within ``timeout`` seconds, or whose scan failed, is a source with
        its reason, never an exception. A cluster that cannot be reached at all is a UsageError."""
        ...


# engine name -> "module:factory"; the factory takes the option's value (the cluster's address)
ENGINES: dict[str, str] = {
    "ray": "fwprobe.fleet.ray_runner:RayRunner",
}


def runner_for(addresses: Mapping[str, str | None]) -> FleetRunner:
    """The runner of the one engine given an address (``{"ray": "auto"}``); a UsageError for
    none, several, or an engine not in ``ENGINES``. Imports only the chosen adapter."""
    given = {engine: address for engine, address in addresses.items() if address is not None}
    if len(given) != 1:
        options = ", ".join(f"--{e} ADDRESS" for e in ENGINES)
        raise UsageError("fleet needs exactly one engine to run the scans" + (f" (got {', '.join(given)})" if given else ""),
                         f"give one of: {options}; or run `fwprobe scan` on each node and `fwprobe merge` the reports")
    ((engine, address),) = given.items()
    if engine not in ENGINES:
        raise UsageError(f"no fleet engine named {engine!r}", "known: " + ", ".join(ENGINES))
    module, _, name = ENGINES[engine].partition(":")
    factory: Callable[[str], FleetRunner] = getattr(importlib.import_module(module), name)
    return factory(address)


def scan_on_node(engine: str, node_id: str, options: ScanOptions) -> dict[str, Any]:
    """The body of a runner's task, on the node: one fwprobe scan as a report dict, its
    host.scheduler naming ``engine`` and ``node_id``; no package index (a thousand nodes need not
    ask it). The environment is left as it was found (engines reuse their worker processes)."""
    from fwprobe.catalog import load_catalog
    from fwprobe.core import scan

    saved = {k: os.environ.get(k) for k in (SCHEDULER_VAR, NODE_ID_VAR)}
    os.environ[SCHEDULER_VAR], os.environ[NODE_ID_VAR] = engine, node_id
    try:
        return scan(load_catalog(), options).to_dict()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
