"""`fwprobe check` outputs: one line per check, JUnit XML, GitHub Actions annotations."""

from __future__ import annotations

from fwprobe.catalog import Catalog
from fwprobe.model import Check, Report
from fwprobe.render import escape


def text(report: Report, catalog: Catalog | None = None) -> str:
    """One PASS/FAIL line per check, then the totals; no data starts a line (nor so a workflow
    command under GitHub Actions): its line breaks and controls are shown as escapes."""
    out = [f"{'PASS' if c.passed else 'FAIL'} {escape.terminal(c.name)}: {escape.terminal(c.reason)}"
           for c in report.checks]
    failed = sum(not c.passed for c in report.checks)
    out.append(f"{len(report.checks) - failed} passed, {failed} failed")
    return "\n".join(out) + "\n"


def github_annotations(checks: tuple[Check, ...]) -> str:
    """Workflow commands (``::error title=...::message``) for the failed checks."""
    return "".join(f"::error title={escape.gha_property('fwprobe ' + c.name)}::{escape.gha_data(c.reason)}\n"
                   for c in checks if not c.passed)


def junit(report: Report) -> str:
    """A JUnit XML report: one testsuite, one testcase per check. Written by hand, every value
    through ``escape.xml_*``: ElementTree writes ESC raw (the file then does not parse) and a CR
    in text raw (parsers read it back as LF)."""
    checks = report.checks
    a = escape.xml_attr
    failures = sum(not c.passed for c in checks)
    out = ['<?xml version="1.0" encoding="utf-8"?>', "<testsuites>",
           f'  <testsuite name="fwprobe check" tests="{len(checks)}" failures="{failures}" errors="0" skipped="0" '
           f'timestamp="{a(report.generated_at)}">']
    if report.target is not None:
        out += ["    <properties>",
                f'      <property name="python" value="{a(report.target.executable)}" />',
                f'      <property name="python_version" value="{a(report.target.version)}" />',
                "    </properties>"]
    for c in checks:
        out.append(f'    <testcase classname="fwprobe.check" name="{a(c.name)}">')
        if c.passed:
            out.append(f"      <system-out>{escape.xml_text(c.reason)}</system-out>")
        else:
            out.append(f'      <failure message="{a(c.reason)}" type="fwprobe.CheckFailed">'
                       f"{escape.xml_text(c.reason)}</failure>")
        out.append("    </testcase>")
    out += ["  </testsuite>", "</testsuites>"]
    return "\n".join(out) + "\n"
