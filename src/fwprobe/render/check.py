"""`fwprobe check` outputs: one line per check, JUnit XML, GitHub Actions annotations."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from fwprobe.catalog import Catalog
from fwprobe.model import Check, Report


def text(report: Report, catalog: Catalog | None = None) -> str:
    """One PASS/FAIL line per check, then the totals."""
    out = [f"{'PASS' if c.passed else 'FAIL'} {c.name}: {c.reason}" for c in report.checks]
    failed = sum(not c.passed for c in report.checks)
    out.append(f"{len(report.checks) - failed} passed, {failed} failed")
    return "\n".join(out) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotations(checks: tuple[Check, ...]) -> str:
    """Workflow commands (``::error title=...::message``) for the failed checks."""
    return "".join(f"::error title={_escape_property('fwprobe ' + c.name)}::{_escape_data(c.reason)}\n"
                   for c in checks if not c.passed)


def junit(report: Report) -> str:
    """A JUnit XML report: one testsuite, one testcase per check."""
    checks = report.checks
    suite = ET.Element("testsuite", name="fwprobe check", tests=str(len(checks)),
                       failures=str(sum(not c.passed for c in checks)), errors="0", skipped="0",
                       timestamp=report.generated_at)
    if report.target is not None:
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="python", value=report.target.executable)
        ET.SubElement(props, "property", name="python_version", value=report.target.version)
    for c in checks:
        case = ET.SubElement(suite, "testcase", classname="fwprobe.check", name=c.name)
        if c.passed:
            ET.SubElement(case, "system-out").text = c.reason
        else:
            ET.SubElement(case, "failure", message=c.reason, type="fwprobe.CheckFailed").text = c.reason
    suites = ET.Element("testsuites")
    suites.append(suite)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
