"""Which scheduler (if any) ran this scan: Slurm, Kubernetes or Ray, from the environment. Pure."""

from __future__ import annotations

from collections.abc import Mapping

SLURM = ("SLURM_JOB_ID", "SLURMD_NODENAME", "SLURM_PROCID")
KUBERNETES = ("NODE_NAME", "POD_NAME", "KUBERNETES_SERVICE_HOST")
RAY = ("FWPROBE_RAY_NODE_ID",)  # set by fwprobe's Ray runner for the task it places on a node


def scheduler_context(environ: Mapping[str, str]) -> dict[str, str]:
    """{"scheduler": "slurm" | "kubernetes" | "ray", and the variables that say where} or {}."""
    for name, keys in (("slurm", SLURM), ("ray", RAY), ("kubernetes", KUBERNETES)):
        found = {k: environ[k] for k in keys if environ.get(k)}
        if found and (name != "kubernetes" or "KUBERNETES_SERVICE_HOST" in found):
            return {"scheduler": name, **found}
    return {}
