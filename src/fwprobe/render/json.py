"""JSON: the versioned report schema (``fwprobe.report/1``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fwprobe.model import Report

if TYPE_CHECKING:
    from fwprobe.catalog import Catalog


def render(report: Report, catalog: Catalog | None = None) -> str:
    return report.to_json()
