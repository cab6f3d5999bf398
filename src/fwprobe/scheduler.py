"""Which scheduler (if any) ran this scan, and the engine's id for the node: from the environment. Pure."""

from __future__ import annotations

from collections.abc import Mapping

# set by a fleet runner (fleet/runner.py) for the scan it places on a node: the engine's name
# and its id for the node (several nodes of one engine may share a machine and its host name)
SCHEDULER_VAR, NODE_ID_VAR = "FWPROBE_SCHEDULER", "FWPROBE_NODE_ID"
SLURM = ("SLURM_JOB_ID", "SLURMD_NODENAME", "SLURM_PROCID")
KUBERNETES = ("NODE_NAME", "POD_NAME", "KUBERNETES_SERVICE_HOST")


def scheduler_context(environ: Mapping[str, str]) -> dict[str, str]:
    """{"scheduler": "slurm" | "kubernetes" | a fleet runner's engine ("ray"), "node_id" where the
    engine gave one, and the variables that say where} or {}. A runner's own context comes first:
    it placed the scan."""
    node = {"node_id": environ[NODE_ID_VAR]} if environ.get(NODE_ID_VAR) else {}
    if environ.get(SCHEDULER_VAR):
        return {"scheduler": environ[SCHEDULER_VAR], **node}
    for name, keys in (("slurm", SLURM), ("kubernetes", KUBERNETES)):
        found = {k: environ[k] for k in keys if environ.get(k)}
        if found and (name != "kubernetes" or "KUBERNETES_SERVICE_HOST" in found):
            return {"scheduler": name, **found, **node}
    return node
