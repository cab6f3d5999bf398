"""The fleet view: many nodes' scan reports folded into one (`fwprobe merge`), schema fwprobe.fleet/1.

One room per job: ``load`` reads files, directories and stdin; ``fold`` makes one report a
``Node``; ``merge`` folds the nodes into a ``FleetReport``; ``rules`` judges it (one registered
rule per fleet code, ``FLEET_RULES``); ``runner`` is the seam for engines that run the scans
(``FleetRunner``; ``ray_runner`` is one). All pure except ``load`` and the runners; nothing
here schedules anything.

Import from the module of each job (``from fwprobe.fleet.merge import merge``): this package
loads nothing itself, so the CLI reads the fleet codes for its help without the rest.
"""
