"""Rules about distributions that do not fit together: requirements not met across the stack
(what pip check shows, from metadata), and the known-bad combinations metadata cannot show
(``catalog/compat.toml``)."""

from __future__ import annotations

from collections.abc import Iterator

from packaging.specifiers import SpecifierSet

from fwprobe.assess.diagnoses.registry import Context, Finding, rule
from fwprobe.assess.messages import fill
from fwprobe.assess.requirements import Unmet, requirement_fix
from fwprobe.assess.versions import parse_version, release_tuple
from fwprobe.catalog import CompatRule, normalize
from fwprobe.model import Severity


def _describe(u: Unmet) -> str:
    via = f" (through its extra [{u.extra}])" if u.extra else ""
    if u.installed is None:
        return f"{u.requirer} {u.requirer_version} requires {u.requirement}{via}, which is not installed"
    return f"{u.requirer} {u.requirer_version} requires {u.requirement}{via}, but {u.name} {u.installed} is installed"


def _is_nvidia_pin(ctx: Context, u: Unmet) -> bool:
    """A framework's own nvidia-* pin: nvidia-wheel-mismatch's finding, not repeated here."""
    fw = ctx.catalog.get(u.requirer)
    return (normalize(u.name).startswith("nvidia-") and fw is not None and normalize(u.requirer) in fw.distributions
            and u.specifier.startswith("==") and "," not in u.specifier)


@rule("requirement-not-met", Severity.ERROR, scope="environment")
def requirement_not_met(ctx: Context) -> Iterator[Finding]:
    """A requirement in a framework's stack is not met, as `pip check` would say (the framework,
    its companions and what they pull in; Requires-Dist markers evaluated for the target
    interpreter; the pins of extras visibly installed, e.g. jax[cuda13]'s plugin): an error when
    both sides are frameworks or companions, a warning otherwise. The fix installs the missing piece
    at a version that satisfies it. From metadata alone (works with --no-import); a framework's exact
    nvidia-* pins are nvidia-wheel-mismatch's."""
    for u in ctx.unmet:
        if _is_nvidia_pin(ctx, u):
            continue
        severity = Severity.ERROR if u.requirer_in_stack and u.required_in_stack else Severity.WARNING
        yield Finding(_describe(u), requirement_fix(ctx.catalog, u), severity=severity, framework=u.framework)


def _broken(ctx: Context, rule_: CompatRule) -> Finding | None:
    when = ctx.installed_version(rule_.when)
    if when is None or (rule_.env and not ctx.env.get(rule_.env)):
        return None
    wv = parse_version(when[1])
    if rule_.when_version and (wv is None or not SpecifierSet(rule_.when_version).contains(wv, prereleases=True)):
        return None
    other = ctx.installed_version(rule_.other)
    if rule_.test == "other-missing":
        bad = other is None
    elif other is None:
        return None
    elif rule_.test == "same-release":
        bad = release_tuple(other[1]) != release_tuple(when[1])
    else:
        ov = parse_version(other[1])
        bad = ov is not None and SpecifierSet(rule_.other_version).contains(ov, prereleases=True)
    if not bad:
        return None
    values = {"when": when[0], "when_version": when[1], "other": rule_.other,
              "other_version": other[1] if other else "(not installed)",
              "when_release": ".".join(map(str, release_tuple(when[1]) or ())),
              "other_release": ".".join(map(str, release_tuple(other[1]) or ())) if other else ""}
    fw = ctx.catalog.get(rule_.when)
    return Finding(fill(rule_.message, values) + f" [{rule_.id}]", fill(rule_.hint, values),
                   framework=fw.id if fw is not None else None)


@rule("incompatible-pair", Severity.ERROR, scope="environment")
def incompatible_pair(ctx: Context) -> Iterator[Finding]:
    """Two installed distributions known not to work together where metadata does not say so, one
    finding per rule in ``catalog/compat.toml`` (Keras 3 beside a TensorFlow older than its keras
    pin; TF_USE_LEGACY_KERAS without a matching tf-keras); a pair whose Requires-Dist already
    shows it is requirement-not-met's. Needs the target's inventory."""
    if ctx.inventory is None:
        return
    shown = {(normalize(u.requirer), u.key) for u in ctx.unmet}
    for rule_ in ctx.catalog.compat:
        when = ctx.installed_version(rule_.when)
        if when is not None and (normalize(when[0]), rule_.other) in shown:
            continue
        finding = _broken(ctx, rule_)
        if finding is not None:
            yield finding
