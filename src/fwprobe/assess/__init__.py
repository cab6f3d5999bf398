"""Pure judgement, one module per job: nothing here touches a process, a file or the network.

- ``versions``: version parsing and comparison helpers
- ``status``: observed release status and the verdict on the catalog's claim
- ``diagnoses``: the registered diagnosis rules (one function per code)
- ``policy``: the `check` policy
"""

from __future__ import annotations

from fwprobe.assess.diagnoses import DIAGNOSIS_CODES, RULES, diagnose
from fwprobe.assess.policy import (
    SEVERITY_NAMES,
    FailOn,
    FailOnError,
    check_gpu_keys,
    evaluate_checks,
    parse_fail_on,
    parse_requirements,
)
from fwprobe.assess.status import assess_status, observed_status, verdict, with_status
from fwprobe.assess.versions import installed_release, parse_version, releases_behind

__all__ = [
    "DIAGNOSIS_CODES", "RULES", "SEVERITY_NAMES", "FailOn", "FailOnError", "assess_status", "check_gpu_keys",
    "diagnose", "evaluate_checks", "installed_release", "observed_status", "parse_fail_on", "parse_requirements",
    "parse_version", "releases_behind", "verdict", "with_status",
]
