"""The fleet view: many nodes' scan reports folded into one (`fwprobe merge`), schema fwprobe.fleet/1.

Pure except ``load`` (which reads files): engine runners (Ray, Slurm, Kubernetes) only deliver
reports; nothing here schedules anything.
"""

from fwprobe.fleet.load import iter_sources
from fwprobe.fleet.merge import FLEET_CODES, fold, merge
from fwprobe.fleet.model import FleetReport

__all__ = ["FLEET_CODES", "FleetReport", "fold", "iter_sources", "merge"]
