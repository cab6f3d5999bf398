"""Requirements across a framework's stack, as `pip check` judges them (pure: metadata in, facts out).

The stack: every installed framework distribution and companion of the catalog, and what their
requirements pull in, transitively. Each distribution's ``Requires-Dist`` is evaluated for the
*target* interpreter (its own PEP 508 marker variables, from the inventory), like pip check:
a requirement whose marker holds must be installed, at a version its specifier contains
(pre-releases included; a local label such as ``+cpu`` counts as pip counts it). Beyond pip
check, the extras that are visibly installed count too: an extra of a stack distribution whose
stack requirements (frameworks, companions) are all installed, e.g. ``jax[cuda13]`` with
``jax-cuda13-plugin`` present, has its pins held like the base requirements.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

from fwprobe.catalog import Catalog, normalize
from fwprobe.model import Distribution, Interpreter


@dataclass(frozen=True)
class Unmet:
    """One requirement of a stack distribution that what is installed does not meet."""

    requirer: str  # distribution name as installed ("jax")
    requirer_version: str
    name: str  # the required distribution, as the requirement spells it ("jaxlib")
    specifier: str  # "<=0.10.2,>=0.10.1" (pip's spelling); "" for any version
    installed: str | None  # the installed version; None: not installed
    extra: str | None = None  # the extra through which it applies (jax[cuda13])
    framework: str | None = None  # the catalog framework whose stack holds the requirer
    requirer_in_stack: bool = False  # the requirer is a framework or companion distribution
    required_in_stack: bool = False  # the required one is too

    @property
    def requirement(self) -> str:
        return f"{self.name}{self.specifier}"

    @property
    def key(self) -> str:
        return normalize(self.name)


def marker_environment(interpreter: Interpreter | None, markers: Mapping[str, str] | None = None) -> dict[str, str]:
    """The target's PEP 508 variables: what its own interpreter reported (the inventory), else
    what its version and platform imply."""
    if markers:
        return dict(markers)
    if interpreter is None:
        return {}
    system = {"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}.get(interpreter.platform, interpreter.platform)
    return {"platform_system": system, "sys_platform": interpreter.platform, "platform_machine": interpreter.machine,
            "python_version": ".".join(interpreter.version.split(".")[:2]), "python_full_version": interpreter.version,
            "os_name": "nt" if interpreter.platform == "win32" else "posix",
            "implementation_name": interpreter.implementation, "platform_python_implementation": "CPython"
            if interpreter.implementation == "cpython" else interpreter.implementation}


def _holds(req: Requirement, env: Mapping[str, str], extra: str) -> bool:
    if req.marker is None:
        return extra == ""
    try:
        return bool(Marker(str(req.marker)).evaluate({**env, "extra": extra}))
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
        return False


def _requirements(dist: Distribution) -> list[Requirement]:
    reqs = []
    for text in dist.requires:
        try:
            reqs.append(Requirement(text))
        except InvalidRequirement:  # pip check skips what it cannot parse, and so does fwprobe
            continue
    return reqs


def _extras(req: Requirement) -> set[str]:
    """The extras a requirement's marker names (``extra == "cuda13"``)."""
    return set(re.findall(r"""extra\s*==\s*['"]([^'"]+)['"]""", str(req.marker or "")))


def _contains(specifier: str, version: str, req: Requirement) -> bool:
    if not specifier:
        return True
    try:
        return req.specifier.contains(Version(version), prereleases=True)
    except InvalidVersion:  # pip compares a legacy version as a string: never inside a PEP 440 range
        return False


def requirement_fix(catalog: Catalog, u: Unmet) -> str:
    """Install the missing piece at a version that satisfies the requirement; when a companion
    requires its own framework at another release, keep the framework and let pip pick the
    companion built for it (never a blind reinstall of the framework)."""
    quoted = f"'{u.requirement}'" if u.specifier else u.name
    requirer_fw, required_fw = catalog.get(u.requirer), catalog.get(u.name)
    companion_of_required = (required_fw is not None and normalize(u.name) in required_fw.distributions
                             and normalize(u.requirer) in required_fw.companions)
    if u.installed is not None and companion_of_required and (requirer_fw is None or requirer_fw is not required_fw):
        public = u.installed.split("+", 1)[0]
        return (f"keep {u.name} {u.installed} and install the {u.requirer} release built for it: "
                f"pip install '{u.name}=={public}' {u.requirer} (pip picks the {u.requirer} that requires it); "
                f"or move {u.name} to what {u.requirer} {u.requirer_version} needs: pip install {quoted}")
    return f"pip install {quoted}"


def stack_owners(catalog: Catalog) -> dict[str, str]:
    """Normalised distribution name -> the framework id it belongs to (its own or a companion)."""
    owners: dict[str, str] = {}
    for fw in catalog.frameworks:
        for name in (*fw.distributions, *fw.companions):
            owners.setdefault(name, fw.id)
    return owners


def unmet_requirements(catalog: Catalog, distributions: tuple[Distribution, ...],
                       env: Mapping[str, str]) -> tuple[Unmet, ...]:
    """Every requirement in the stack that the installed distributions do not meet, in stack order
    (frameworks and companions first, as the catalog lists them, then what they pull in)."""
    installed: dict[str, Distribution] = {}
    for d in distributions:
        if not d.shadowed:
            installed.setdefault(normalize(d.name), d)
    owners = stack_owners(catalog)
    queue = [(name, owner) for name, owner in owners.items() if name in installed]
    seen = {name for name, _ in queue}
    found: list[Unmet] = []
    reported: set[tuple[str, str, str]] = set()
    while queue:
        key, owner = queue.pop(0)
        dist = installed[key]
        reqs = _requirements(dist)
        active = _active_extras(reqs, env, installed, owners)
        for req in reqs:
            rkey = normalize(req.name)
            extra = None
            if not _holds(req, env, ""):
                extra = next((e for e in sorted(_extras(req)) if e in active and _holds(req, env, e)), None)
                if extra is None or rkey not in owners:
                    continue  # an extra counts only for the stack's own pins (frameworks, companions)
            have = installed.get(rkey)
            spec = str(req.specifier)
            if have is not None and rkey not in seen and extra is None:
                seen.add(rkey)
                queue.append((rkey, owner))
            if (have is None or not _contains(spec, have.version, req)) and (key, rkey, spec) not in reported:
                reported.add((key, rkey, spec))  # jax[cuda13] and jax[cuda13-local] pin alike: once
                found.append(Unmet(dist.name, dist.version, req.name, spec, have.version if have else None, extra,
                                   owner, key in owners, rkey in owners))
    return tuple(found)


def _active_extras(reqs: list[Requirement], env: Mapping[str, str], installed: Mapping[str, Distribution],
                   owners: Mapping[str, str]) -> set[str]:
    """The extras visibly installed: each of the stack distributions they add is installed (and at
    least one is only theirs, so an extra that adds nothing new is not taken as chosen)."""
    base = {normalize(r.name) for r in reqs if _holds(r, env, "")}
    named: dict[str, set[str]] = {}
    for req in reqs:
        for extra in _extras(req):
            if _holds(req, env, extra) and normalize(req.name) in owners:
                named.setdefault(extra, set()).add(normalize(req.name))
    return {extra for extra, names in named.items()
            if all(n in installed for n in names) and names - base}
