"""Rules about the catalog's own claims."""

from __future__ import annotations

from collections.abc import Iterator

from fwprobe.assess.diagnoses.registry import Context, Finding, Subject, rule
from fwprobe.model import Severity, Verdict


@rule("claim-contradicted", Severity.INFO, installed_only=False, audience="catalog")
def claim_contradicted(ctx: Context, s: Subject) -> Iterator[Finding]:
    """The package index contradicts the catalog's status claim (with the evidence); for the
    catalog's maintainers, whether or not the framework is installed: shown by status, and by
    scan and check only with --claims (it never fails a check)."""
    status = s.result.status
    if status is not None and status.verdict is Verdict.CONTRADICTED:
        yield Finding(f"the catalog says {s.result.name} is \"{s.result.claim}\", but the index shows "
                      f"{status.observed.value}: {status.evidence}",
                      "update the catalog's claim (fwprobe status --format markdown drafts the table)")
