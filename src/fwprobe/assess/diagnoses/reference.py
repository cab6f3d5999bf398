"""The diagnosis reference, written from the registry: each rule's code, severity and docstring.

``docs/diagnoses.md`` is this module's ``markdown()`` (``python -m
fwprobe.assess.diagnoses.reference > docs/diagnoses.md``; tests/test_docs.py keeps the file
current), and ``fwprobe explain CODE`` prints ``explain(code)``: one source, no second
hand-written table to drift.
"""

from __future__ import annotations

import textwrap

from fwprobe.assess.diagnoses import RULE_MODULES, RULES

INTRO = """# Diagnoses

Each finding has a code, a severity, a message and a fix. Every code is one registered rule in
`src/fwprobe/assess/diagnoses/`, and this page is written from the rules themselves
(`python -m fwprobe.assess.diagnoses.reference > docs/diagnoses.md`; a test keeps it current).
`fwprobe explain CODE` prints one entry. The severity is the usual one; a few rules lower or
raise it per case (as their text says). `--fail-on` (check) accepts every code below.
"""


def _row(code: str) -> str:
    rule = RULES[code]
    return f"| `{code}` | {rule.severity.value} | {rule.doc.replace('|', chr(92) + '|')} |"


def markdown() -> str:
    """docs/diagnoses.md: the intro, then one table per topic module, in registration order."""
    lines = [INTRO]
    for module in RULE_MODULES:
        codes = [c for c, r in RULES.items() if r.check.__module__.rsplit(".", 1)[-1] == module]
        if not codes:
            continue
        lines += [f"## {module}", "", "| code | severity | what it means |", "|---|---|---|"]
        lines += [_row(c) for c in codes]
        lines.append("")
    return "\n".join(lines)


def explain(code: str) -> str | None:
    """One rule's entry as plain text, or None for an unknown code."""
    rule = RULES.get(code)
    if rule is None:
        return None
    scope = "once per machine" if rule.scope == "environment" else (
        "per framework" + (", installed or not" if not rule.installed_only else ", installed only"))
    return (f"{code} ({rule.severity.value}, {scope})\n\n{textwrap.fill(rule.doc, 78)}\n\n"
            f"Rule: {rule.check.__module__}.{rule.check.__name__}\n")


if __name__ == "__main__":
    import sys

    sys.stdout.write(markdown())
