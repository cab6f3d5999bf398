"""The incompatible-pair rule: known-bad combinations, as data in ``catalog/compat.toml``."""

from __future__ import annotations

from collections.abc import Iterator

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from fwprobe.assess.diagnoses.registry import Context, Finding, rule
from fwprobe.assess.messages import fill
from fwprobe.assess.versions import parse_version, release_tuple
from fwprobe.catalog import CompatRule, normalize
from fwprobe.model import Severity


def _violates_requires(ctx: Context, dist_name: str, other: str, other_version: str) -> tuple[str, bool]:
    """(the requirement text, whether ``other_version`` violates it) from dist's Requires-Dist."""
    assert ctx.inventory is not None
    dist = next((d for d in ctx.inventory.of((normalize(dist_name),)) if not d.shadowed), None)
    ov = parse_version(other_version)
    if dist is None or ov is None:
        return "", False
    for text in dist.requires:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if normalize(req.name) != other or (req.marker is not None and "extra" in str(req.marker)):
            continue
        try:
            ok = req.specifier.contains(Version(ov.public), prereleases=True)
        except InvalidSpecifier:  # pragma: no cover - packaging validated it already
            continue
        return f"{req.name}{req.specifier}", not ok
    return "", False


def _broken(ctx: Context, rule_: CompatRule) -> Finding | None:
    when = ctx.installed_version(rule_.when)
    if when is None or (rule_.env and not ctx.env.get(rule_.env)):
        return None
    wv = parse_version(when[1])
    if rule_.when_version and (wv is None or not SpecifierSet(rule_.when_version).contains(wv, prereleases=True)):
        return None
    other = ctx.installed_version(rule_.other)
    required = ""
    if rule_.test == "other-missing":
        bad = other is None
    elif other is None:
        return None
    elif rule_.test == "same-release":
        bad = release_tuple(other[1]) != release_tuple(when[1])
    elif rule_.test == "requires-dist":
        required, bad = _violates_requires(ctx, when[0], rule_.other, other[1])
    else:
        ov = parse_version(other[1])
        bad = ov is not None and SpecifierSet(rule_.other_version).contains(ov, prereleases=True)
    if not bad:
        return None
    values = {"when": when[0], "when_version": when[1], "other": rule_.other,
              "other_version": other[1] if other else "(not installed)", "required": required,
              "when_release": ".".join(map(str, release_tuple(when[1]) or ())),
              "other_release": ".".join(map(str, release_tuple(other[1]) or ())) if other else ""}
    fw = ctx.catalog.get(rule_.when)
    return Finding(fill(rule_.message, values) + f" [{rule_.id}]", fill(rule_.hint, values),
                   framework=fw.id if fw is not None else None)


@rule("incompatible-pair", Severity.ERROR, scope="environment")
def incompatible_pair(ctx: Context) -> Iterator[Finding]:
    """Two installed distributions known not to work together, one finding per rule in
    ``catalog/compat.toml`` (TensorFlow < 2.16 with Keras 3; torchvision built for another torch;
    TF_USE_LEGACY_KERAS without a matching tf-keras). Needs the target's inventory."""
    if ctx.inventory is None:
        return
    for rule_ in ctx.catalog.compat:
        finding = _broken(ctx, rule_)
        if finding is not None:
            yield finding
