"""Small text helpers shared by diagnoses and the check policy. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping


def first_line(text: str | None, limit: int = 240) -> str:
    """The line that says what went wrong: a compiler's first ``error:`` if any, else line 1."""
    text = (text or "").strip()
    m = re.search(r"error: (.+?)(?:\.\s|\n|$)", text)
    head = text.split(":", 1)[0] if m else ""
    line = f"{head}: ... error: {m.group(1)}" if m else (text.splitlines()[0] if text else "")
    return line if len(line) <= limit else line[: limit - 3] + "..."


def fill(template: str, values: Mapping[str, str]) -> str:
    """``template`` with each ``{name}`` (or ``{a.b}``) replaced from ``values``; unknown ones kept."""
    return re.sub(r"\{([\w.]+)\}", lambda m: values.get(m.group(1), m.group(0)), template)
