"""Diagnoses: coded findings with severity, message and a concrete hint, one rule per code.

Add a diagnosis by writing one function decorated with ``@rule(code, severity)`` in the module
of its topic (or a new module imported below); its docstring documents the code.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from fwprobe.assess.diagnoses.registry import RULES, Context, Finding, Rule, Subject, rule
from fwprobe.catalog import Catalog
from fwprobe.model import Diagnosis, Report

if TYPE_CHECKING:
    from fwprobe.inventory import Inventory

__all__ = ["DIAGNOSIS_CODES", "RULES", "Context", "Finding", "Rule", "Subject", "diagnose", "rule"]


# The rule modules, in the order their codes are listed; importing one registers its rules.
RULE_MODULES = ("environment", "install", "imports", "gpu", "devices", "libraries", "compat", "companions",
                "claims")
for _name in RULE_MODULES:
    importlib.import_module(f"{__name__}.{_name}")


def diagnosis_codes() -> tuple[str, ...]:
    """Every registered code, in registration order."""
    return tuple(RULES)


DIAGNOSIS_CODES = diagnosis_codes()


def diagnose(report: Report, catalog: Catalog, inv: Inventory | None = None,
             environ: Mapping[str, str] | None = None) -> tuple[Diagnosis, ...]:
    """Every registered rule's findings, most severe first (then in rule and framework order).

    ``environ`` defaults to os.environ, read here once; rules only see the mapping.
    """
    env = dict(os.environ if environ is None else environ)
    subjects = tuple(Subject(r, fw) for r in report.frameworks if (fw := catalog.get(r.id)) is not None)
    ctx = Context(report, catalog, env, inv, subjects)
    found = [d for r in RULES.values() for d in r.run(ctx)]
    return tuple(sorted(found, key=lambda d: -d.severity.rank))
