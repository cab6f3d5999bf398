"""The Ray fleet runner (`fwprobe fleet --ray ADDRESS`): one scan on every alive node of a Ray
cluster, the reports brought back. One ``FleetRunner`` (fleet/runner.py) among possible others.
An optional extra: `pip install '.[ray]'` from a checkout; importing fwprobe never imports ray.

Each scan is a task pinned to its node (NodeAffinitySchedulingStrategy, soft=False) that
reserves no CPU and no GPU, so it runs beside the jobs already there. Ray hides GPUs from a task
that reserves none (it sets CUDA_VISIBLE_DEVICES to an empty string): the task asks Ray not to
(RAY_EXPERIMENTAL_NOSET_CUDA_VISIBLE_DEVICES=1 in its runtime env) and, should the mask be there
anyway, removes it for the scan, so the node's GPUs are seen as a job that reserved them would
see them. The report's host.scheduler says which was done (gpu_mask), and carries Ray's node id
(node_id): several Ray nodes may share one machine, and each stays a node of its own.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from fwprobe.errors import UsageError
from fwprobe.fleet.runner import Source, scan_on_node

if TYPE_CHECKING:
    from fwprobe.plan import ScanOptions

NOSET = "RAY_EXPERIMENTAL_NOSET_CUDA_VISIBLE_DEVICES"


CONNECT_SECONDS = 30.0
ADDRESS_ADVICE = "give the head's address (host:6379, ray://host:10001) or 'auto' on a cluster node"


def _reachable(address: str, seconds: float) -> str | None:
    """Why ``host:port`` does not accept a TCP connection, or None (also for 'auto')."""
    import socket
    from urllib.parse import urlsplit

    if address in ("auto", "local", ""):
        return None
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if not parts.hostname or not parts.port:
        return None
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=seconds).close()
    except OSError as exc:
        return str(exc.strerror or exc)
    return None


def _connect(ray: Any, address: str, seconds: float) -> None:
    """ray.init, bounded: Ray waits minutes for a head that does not answer."""
    import threading

    why = _reachable(address, min(seconds, 5.0))
    if why is not None:
        raise UsageError(f"cannot reach the Ray head at {address}: {why}", ADDRESS_ADVICE)
    failure: list[BaseException] = []

    def init() -> None:
        try:
            ray.init(address=address, ignore_reinit_error=True, logging_level="ERROR", log_to_driver=False)
        except BaseException as exc:  # noqa: BLE001 - ray raises many kinds for an unreachable cluster
            failure.append(exc)

    worker = threading.Thread(target=init, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise UsageError(f"the Ray cluster at {address} did not accept a connection within {seconds:g} s",
                         ADDRESS_ADVICE)
    if failure:
        raise UsageError(f"cannot connect to the Ray cluster at {address}: {failure[0]}", ADDRESS_ADVICE)


class RayUnavailable(UsageError):
    # fwprobe is not on a package index: the extra installs from a checkout (or a built wheel)
    advice = ("install Ray beside fwprobe, on this machine and on every node: from a fwprobe checkout, "
              "pip install '.[ray]' (or pip install 'ray>=2.9' into fwprobe's environment)")


def scan_here(node_id: str, options: ScanOptions) -> str:
    """The task body, on the node: one fwprobe scan as JSON, in the interpreter Ray's jobs run in
    unless ``options.python`` names another."""
    masked = os.environ.get("CUDA_VISIBLE_DEVICES") == ""
    if masked:
        del os.environ["CUDA_VISIBLE_DEVICES"]
    handling = ("removed CUDA_VISIBLE_DEVICES='' that Ray set for a task reserving no GPU" if masked
                else "Ray left CUDA_VISIBLE_DEVICES alone (RAY_EXPERIMENTAL_NOSET_CUDA_VISIBLE_DEVICES=1)"
                if os.environ.get(NOSET) else "no GPU mask from Ray")
    try:
        data = scan_on_node("ray", node_id, replace(options, python=options.python or sys.executable))
    finally:  # Ray reuses its workers: leave this one's environment as it was
        if masked:
            os.environ["CUDA_VISIBLE_DEVICES"] = ""
    host = data.get("host")
    if isinstance(host, dict):
        host.setdefault("scheduler", {})["gpu_mask"] = handling
    return json.dumps(data)


class RayRunner:
    """``FleetRunner`` for a Ray cluster at ``address`` (host:6379, ray://host:10001, or 'auto')."""

    engine = "ray"

    def __init__(self, address: str) -> None:
        self.address = address

    def run(self, options: ScanOptions, timeout: float) -> Iterator[Source]:
        """(source, report JSON or None, reason) per alive node; a node that does not answer within
        ``timeout`` seconds, or whose task fails, is a source with its reason."""
        try:
            import ray
            from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy
        except ImportError as exc:
            raise RayUnavailable(f"--ray needs the ray package, which is not installed here ({exc})") from None
        _connect(ray, self.address, min(timeout, CONNECT_SECONDS))
        try:
            task = ray.remote(num_cpus=0, num_gpus=0, max_retries=0)(scan_here)
            nodes = [n for n in ray.nodes() if n.get("Alive")]
            refs = {}
            for node in nodes:
                node_id = node["NodeID"]
                label = f"ray node {node_id[:12]} ({node.get('NodeManagerAddress', '?')})"
                strategy = NodeAffinitySchedulingStrategy(node_id=node_id, soft=False)
                refs[task.options(scheduling_strategy=strategy, runtime_env={"env_vars": {NOSET: "1"}})
                     .remote(node_id, options)] = label
            ready, pending = ray.wait(list(refs), num_returns=len(refs), timeout=timeout)
            for ref in ready:
                try:
                    yield refs[ref], json.loads(ray.get(ref)), None
                except Exception as exc:  # noqa: BLE001 - a task's failure is that node's row
                    yield refs[ref], None, f"the scan task failed: {type(exc).__name__}: {str(exc)[:300]}"
            for ref in pending:
                ray.cancel(ref, force=True)
                yield refs[ref], None, f"no answer within {timeout:g} s"
        finally:
            ray.shutdown()
