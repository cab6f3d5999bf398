"""The one clock: now, or ``FWPROBE_NOW`` for reproducible reports and tests.

A module of its own so that the index client and the pipeline can both use it without
importing each other.
"""

from __future__ import annotations

import datetime as dt
import os


def now_utc() -> dt.datetime:
    """Now (UTC), or FWPROBE_NOW (an ISO date/time) when it is set and valid."""
    fixed = os.environ.get("FWPROBE_NOW")
    if fixed:
        try:
            when = dt.datetime.fromisoformat(fixed)
        except ValueError:
            when = None
        if when is not None:
            return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc)
