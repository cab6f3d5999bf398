"""The seam for fleet engines (fleet/runner.py), proven by following CONTRIBUTING's "Add a fleet
engine" recipe once: an engine that runs each "node" as one real scan on this machine, registered
in ENGINES and picked by `fwprobe fleet`; and node identity (host name plus the engine's node id)."""

from __future__ import annotations

import json
import os
import socket
import sys
import types
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

from fwprobe.cli import app
from fwprobe.errors import UsageError
from fwprobe.fleet import runner as fleet_runner
from fwprobe.fleet.fold import fold
from fwprobe.fleet.merge import merge
from fwprobe.fleet.runner import FleetRunner, Source, runner_for, scan_on_node
from fwprobe.plan import ScanOptions
from fwprobe.scheduler import scheduler_context

HOST = socket.gethostname()


class LocalRunner:
    """Recipe step 1: a class with ``engine`` and ``run(options, timeout)``. Its "nodes" share
    this machine (and its host name), as Ray's test cluster does; each runs the task body every
    engine runs on a node (``scan_on_node``): a real scan. node-c's task fails."""

    engine = "local"
    received: ClassVar[list[tuple[str, ScanOptions, float]]] = []

    def __init__(self, address: str) -> None:
        self.address = address

    def run(self, options: ScanOptions, timeout: float) -> Iterator[Source]:
        LocalRunner.received.append((self.address, options, timeout))
        for node_id in ("node-a", "node-b"):
            yield f"local {node_id}", json.loads(json.dumps(scan_on_node(self.engine, node_id, options))), None
        yield "local node-c", None, "the scan task failed: OSError: no space left on device"


OPTIONS = ScanOptions(python=sys.executable, frameworks=("torch",), do_import=False, timeout=30.0)


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("FWPROBE_SCHEDULER", "FWPROBE_NODE_ID", "SLURM_JOB_ID", "SLURMD_NODENAME", "SLURM_PROCID",
                "KUBERNETES_SERVICE_HOST", "NODE_NAME", "POD_NAME"):
        monkeypatch.delenv(var, raising=False)
    LocalRunner.received.clear()


def test_a_runner_yields_one_node_per_engine_node_on_one_machine() -> None:
    local = LocalRunner("here")
    assert isinstance(local, FleetRunner)
    fleet = merge(local.run(OPTIONS, 60.0), "2026-11-23T13:00:00+00:00", "test")
    assert [n.host for n in fleet.nodes] == [f"{HOST}/node-a", f"{HOST}/node-b"]  # one host name, two nodes
    assert [n.scheduler for n in fleet.nodes] == [{"scheduler": "local", "node_id": "node-a"},
                                                  {"scheduler": "local", "node_id": "node-b"}]
    assert [(s.source, s.reason) for s in fleet.skipped] == [
        ("local node-c", "the scan task failed: OSError: no space left on device")]
    assert "FWPROBE_SCHEDULER" not in os.environ and "FWPROBE_NODE_ID" not in os.environ  # as it found them


def test_fleet_runs_the_engine_registered_for_its_option(monkeypatch: pytest.MonkeyPatch) -> None:
    """Recipe step 2: the engine's "module:factory" in ENGINES under its option's name; fleet_cmd
    builds the ScanOptions once and hands the same to every node (here --ray routed to it)."""
    module = types.ModuleType("fwprobe_test_engine")
    module.LocalRunner = LocalRunner  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fwprobe_test_engine", module)
    monkeypatch.setitem(fleet_runner.ENGINES, "ray", "fwprobe_test_engine:LocalRunner")
    result = CliRunner().invoke(app, ["fleet", "--ray", "head:6379", "-f", "torch", "--no-import",
                                      "--python", sys.executable, "--format", "json", "--timeout", "200",
                                      "--fail-on", "node-unhealthy"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [n["host"] for n in data["nodes"]] == [f"{HOST}/node-a", f"{HOST}/node-b"]
    assert "local node-c: the scan task failed" in result.stderr
    ((address, options, timeout),) = LocalRunner.received
    assert (address, timeout) == ("head:6379", 200.0)
    # each probe within the node's deadline, capped at the scan default
    assert options == ScanOptions(python=sys.executable, frameworks=("torch",), do_import=False, timeout=90.0)


def test_fleet_needs_exactly_one_known_engine() -> None:
    with pytest.raises(UsageError, match="exactly one engine") as err:
        runner_for({"ray": None})
    assert err.value.advice is not None and "--ray ADDRESS" in err.value.advice
    with pytest.raises(UsageError, match="no fleet engine named 'pbs'"):
        runner_for({"pbs": "head"})
    result = CliRunner().invoke(app, ["fleet", "--format", "json"])
    assert result.exit_code == 2 and "fleet needs exactly one engine" in result.stderr


def test_the_scheduler_context_carries_the_engines_node_id() -> None:
    assert scheduler_context({"FWPROBE_SCHEDULER": "ray", "FWPROBE_NODE_ID": "f00d", "SLURM_JOB_ID": "7"}) == {
        "scheduler": "ray", "node_id": "f00d"}  # the runner that placed the scan knows best
    assert scheduler_context({"SLURM_JOB_ID": "7", "FWPROBE_NODE_ID": "n-7"}) == {
        "scheduler": "slurm", "SLURM_JOB_ID": "7", "node_id": "n-7"}  # an id given by hand to a plain scan
    assert scheduler_context({"FWPROBE_NODE_ID": "n-7"}) == {"node_id": "n-7"}
    assert scheduler_context({"SLURM_JOB_ID": "7", "SLURMD_NODENAME": "gpu-1"}) == {
        "scheduler": "slurm", "SLURM_JOB_ID": "7", "SLURMD_NODENAME": "gpu-1"}


def _report(host: str, scheduler: dict[str, Any], when: str = "2026-11-23T12:00:00+00:00") -> dict[str, Any]:
    return {"schema": "fwprobe.report/1", "generated_at": when, "host": {"hostname": host, "scheduler": scheduler}}


def test_a_node_is_its_host_name_plus_the_engines_id() -> None:
    ray_id = "a3f9c1d2e4b5" + "0" * 44
    node = fold("r.json", _report("worker", {"scheduler": "ray", "node_id": ray_id}))
    assert not isinstance(node, str) and node.host == "worker/a3f9c1d2e4b5"
    # a report an earlier fwprobe's Ray runner wrote: the same identity
    legacy = fold("old.json", _report("worker", {"scheduler": "ray", "FWPROBE_RAY_NODE_ID": ray_id}))
    assert not isinstance(legacy, str) and legacy.host == "worker/a3f9c1d2e4b5"
    # Slurm (and Kubernetes) give no node id: the host name is the node, and its newest report wins
    sources = [("a.json", _report("gpu-1", {"scheduler": "slurm", "SLURM_JOB_ID": "7"}), None),
               ("b.json", _report("gpu-1", {"scheduler": "slurm", "SLURM_JOB_ID": "8"},
                                  "2026-11-23T12:30:00+00:00"), None)]
    fleet = merge(sources, "2026-11-23T13:00:00+00:00", "test")
    assert [(n.host, n.source) for n in fleet.nodes] == [("gpu-1", "b.json")]
    assert [s.source for s in fleet.skipped] == ["a.json"]
