"""Progress on stderr for people at a terminal: the observer core.scan and status_report call.

rich is imported only when stderr is a terminal, and only when work starts (once a scan's
children run, not on the way to starting them). Each line names an item and what became of it,
both outside text as far as the terminal is concerned (escape.text).
"""

from __future__ import annotations

import sys
from typing import Any

from fwprobe.render import escape


class RichProgress:
    """A spinner with a count, and one dim line per finished item; nothing when not a terminal."""

    def __init__(self) -> None:
        self.console: Any = None
        self.status: Any = None
        self.total = self.done = 0
        self.label = ""

    def start(self, total: int, label: str) -> None:
        if total and self.console is None and sys.stderr.isatty():
            from rich.console import Console

            self.console = Console(stderr=True)
        if total and self.console is not None and self.console.is_terminal:
            self.total, self.done, self.label = total, 0, label
            self.status = self.console.status(escape.text(f"{label} (0/{total})"))
            self.status.start()

    def advance(self, item: str, detail: str) -> None:
        self.done += 1
        if self.status is not None:
            self.console.print(escape.text(f"  {item}: {detail}", style="dim"), highlight=False)
            self.status.update(escape.text(f"{self.label} ({self.done}/{self.total})"))

    def stop(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None
