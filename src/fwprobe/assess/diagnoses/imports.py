"""Rules about how a framework's probe ended: import failed, crashed, or timed out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fwprobe.assess.binary import numpy_abi
from fwprobe.assess.diagnoses.registry import Context, Finding, Subject, rule
from fwprobe.assess.messages import fill, first_line
from fwprobe.assess.requirements import Unmet, requirement_fix
from fwprobe.catalog import normalize
from fwprobe.model import Outcome, Severity


def _where(s: Subject) -> str:
    probe = s.probe
    version = (probe.version if probe else None) or (s.live[0].version if s.live else "")
    return f"{s.fw.name} {version}".strip()


def _placeholders(details: dict[str, Any]) -> dict[str, str]:
    """A probe's details as template values: strings as they are, one level of dicts dotted."""
    values: dict[str, str] = {}
    for key, value in details.items():
        if isinstance(value, str):
            values[key] = value
        elif isinstance(value, dict):
            values.update({f"{key}.{k}": v for k, v in value.items() if isinstance(v, str)})
    return values


def import_hint(ctx: Context, s: Subject) -> str:
    """The catalog's first matching import hint for this failure, else generic advice."""
    probe = s.probe
    assert probe is not None
    msg = probe.error_message or ""
    dist = s.result.active_distribution
    pin = f"{dist.name}=={dist.version}" if dist else s.fw.distributions[0]
    for hint in s.fw.import_hints:
        m = re.search(hint.match, msg)
        if m is None:
            continue
        installed = [k for k in hint.if_installed if ctx.is_installed(k)]
        if hint.if_installed and not installed:
            continue
        values = {"pin": pin, "import_name": s.fw.import_name, **_placeholders(probe.details)}
        values.update({k: v if v is not None else k for k, v in m.groupdict().items()})
        if installed:
            values["installed"] = installed[0]
        return fill(hint.hint, values)
    numpy = ctx.installed_version("numpy")
    abi = numpy_abi(msg, probe.output_tail, numpy_version=numpy[1] if numpy else None)
    if abi is not None:
        return "an extension built for another NumPy: see numpy-abi-mismatch (" + (
            "pip install 'numpy<2', or a release built for NumPy 2" if abi.built_for == "1.x" else
            "a release built for this NumPy") + ")"
    unmet = _own_unmet(ctx, s)
    if unmet:  # what pip check shows is the likelier cause than a damaged install: fix that piece
        return "; ".join(dict.fromkeys(requirement_fix(ctx.catalog, u) for u in unmet)) + \
            f" ({', '.join(_unmet_text(u) for u in unmet)})"
    if "No module named" in msg:
        return f"a dependency is missing: pip install --force-reinstall {pin} (reinstalls its requirements)"
    return (f"run `{{python}} -c \"import {s.fw.import_name}\"` to see the full traceback; "
            f"reinstalling often helps: pip install --force-reinstall {pin}")


def _own_unmet(ctx: Context, s: Subject) -> list[Unmet]:
    """The unmet requirements of the framework's own distributions, those between frameworks and
    companions first (jax requiring another jaxlib)."""
    own = {normalize(d.name) for d in s.live}
    mine = [u for u in ctx.unmet if normalize(u.requirer) in own]
    return [u for u in mine if u.required_in_stack] or mine


def _unmet_text(u: Unmet) -> str:
    have = f"{u.installed} is installed" if u.installed is not None else "not installed"
    return f"{u.requirer} {u.requirer_version} requires {u.requirement}; {u.name} {have}"


@rule("import-failed", Severity.ERROR)
def import_failed(ctx: Context, s: Subject) -> Iterator[Finding]:
    """Importing the framework raised; the hint comes from the catalog's import hints for that
    framework (a pattern on the error message), else from the framework's unmet requirements
    (requirement-not-met: jax needing a newer jaxlib), else generic reinstall advice."""
    probe = s.probe
    if probe is not None and probe.outcome is Outcome.FAILED:
        yield Finding(f"{_where(s)} failed to import: {probe.error_type}: {first_line(probe.error_message)}",
                      import_hint(ctx, s))


@rule("import-crashed", Severity.ERROR)
def import_crashed(ctx: Context, s: Subject) -> Iterator[Finding]:
    """The interpreter died while importing or querying the framework (a signal, or an exit with
    no answer): usually a binary wheel built for another Python, NumPy or CPU."""
    probe = s.probe
    if probe is not None and probe.outcome is Outcome.CRASHED:
        during = "importing" if probe.phase in (None, "import") else "querying devices"
        yield Finding(f"{_where(s)} crashed the interpreter while {during}: {probe.error_message}",
                      f"run `{{python}} -X faulthandler -c \"import {s.fw.import_name}\"` for a stack; "
                      "crashes on import usually mean a binary wheel built for another Python, NumPy "
                      "or CPU: reinstall the framework for this interpreter")


@rule("probe-timeout", Severity.WARNING)
def probe_timeout(ctx: Context, s: Subject) -> Iterator[Finding]:
    """The probe gave no answer within --timeout; the message says whether it hung importing or
    after importing (querying devices)."""
    probe = s.probe
    if probe is not None and probe.outcome is Outcome.TIMEOUT:
        yield Finding(f"{_where(s)}: {probe.error_message}",
                      "raise --timeout (a first import may compile caches), or look for a hang with "
                      f"`{{python}} -X importtime -c \"import {s.fw.import_name}\"`")
