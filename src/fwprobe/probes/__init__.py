"""Probes: import each framework in its own child of the target interpreter, in parallel.

``agent``   the code that runs inside the target (stdlib only, Python 2.7/3.6+)
``launch``  starts the children and waits for them (no fwprobe model: a scan starts them first)
``results`` turns how each ended, and what it wrote, into a ``ProbeResult``
"""
