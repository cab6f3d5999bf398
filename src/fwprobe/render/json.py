"""JSON: the versioned report schema (``fwprobe.report/1``)."""

from __future__ import annotations

from fwprobe.model import Report


def render(report: Report) -> str:
    return report.to_json()
