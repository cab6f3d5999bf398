"""Renderers, one module per format, in a registry keyed by (command, format).

Renderers return a string or a rich renderable; they never print. The CLI takes each command's
allowed formats, their help and the dispatch from here: adding a format is one module and one
``Renderer`` line below. Modules are named, not imported, so ``--help`` never loads rich.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fwprobe.catalog import Catalog
    from fwprobe.model import Report


class Format(str, Enum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    TEXT = "text"
    PROMETHEUS = "prometheus"


@dataclass(frozen=True)
class Renderer:
    command: str
    format: Format
    target: str  # "module:function"; the function takes (report, catalog)
    help: str

    def __call__(self, report: Report | Any, catalog: Catalog | None) -> Any:
        module, func = self.target.split(":")
        return getattr(importlib.import_module(module), func)(report, catalog)


RENDERERS: tuple[Renderer, ...] = (
    Renderer("scan", Format.TABLE, "fwprobe.render.scan_table:render", "a table for people (default on a terminal)"),
    Renderer("scan", Format.JSON, "fwprobe.render.json:render",
             "the report, schema fwprobe.report/1 (default when not a terminal)"),
    Renderer("scan", Format.MARKDOWN, "fwprobe.render.scan_markdown:render",
             "a compact report to paste into a bug report"),
    Renderer("scan", Format.PROMETHEUS, "fwprobe.render.prometheus:render",
             "metrics for node_exporter's textfile collector (-o DIR/fwprobe.prom)"),
    Renderer("status", Format.TABLE, "fwprobe.render.status_table:render", "a table with evidence beneath it"),
    Renderer("status", Format.JSON, "fwprobe.render.json:render", "the report, schema fwprobe.report/1"),
    Renderer("status", Format.MARKDOWN, "fwprobe.render.status_markdown:render",
             "the catalog's comparison table with verified status, for maintainers"),
    Renderer("check", Format.TEXT, "fwprobe.render.check:text", "one PASS/FAIL line per check (default)"),
    Renderer("check", Format.JSON, "fwprobe.render.json:render", "the report with its checks"),
    Renderer("check", Format.PROMETHEUS, "fwprobe.render.prometheus:render",
             "metrics with a series per check, for node_exporter's textfile collector"),
    Renderer("merge", Format.TABLE, "fwprobe.render.fleet:table", "one row per node (default on a terminal)"),
    Renderer("merge", Format.JSON, "fwprobe.render.fleet:json", "the fleet view, schema fwprobe.fleet/1"),
    Renderer("merge", Format.MARKDOWN, "fwprobe.render.fleet:markdown", "the fleet view for an issue or a wiki"),
)


def renderers(command: str) -> tuple[Renderer, ...]:
    """The formats ``command`` offers, its default first."""
    return tuple(r for r in RENDERERS if r.command == command)


def get(command: str, fmt: str) -> Renderer | None:
    return next((r for r in renderers(command) if r.format.value == fmt), None)


def formats_help(command: str) -> str:
    return "; ".join(f"{r.format.value}: {r.help}" for r in renderers(command))


def pick(command: str, fmt: str | None, output: object = None) -> Renderer:
    """The renderer for ``--format`` (default: the table on a terminal, else the first machine
    format, e.g. JSON when piped or written to ``output``). Raises UsageError for a format the
    command does not offer."""
    import sys

    from fwprobe.errors import UsageError

    offered = renderers(command)
    if fmt is None:
        on_terminal = output is None and sys.stdout.isatty()
        return offered[0] if on_terminal or offered[0].format is not Format.TABLE else offered[1]
    chosen = get(command, fmt)
    if chosen is None:
        raise UsageError(f"--format must be one of: {', '.join(r.format.value for r in offered)} (got {fmt!r})")
    return chosen
