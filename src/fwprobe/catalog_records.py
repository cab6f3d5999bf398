"""The catalog's typed records (frozen dataclasses) and the vocabulary they use.

Loading and validating ``catalog/*.toml`` into these records is ``fwprobe.catalog``'s job; this
module holds no I/O. ``from fwprobe.catalog import Framework`` keeps working (re-exported there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fwprobe.errors import UsageError

CLAIMED_STATUSES = ("active", "stale", "unmaintained", "archived", "deprecated", "integrated")


class CatalogError(UsageError):
    """A catalog file is missing, unreadable or invalid; the message names file, entry, field."""


def normalize(name: str) -> str:
    """PEP 503 normalised distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Thresholds:
    active_days: int = 365
    stale_days: int = 730
    # CPythons still supported upstream: a newest release that installs on none is unmaintained
    supported_pythons: tuple[str, ...] = ("3.10", "3.11", "3.12", "3.13", "3.14")


COMPAT_TESTS = ("other-version", "other-missing", "same-release")


@dataclass(frozen=True)
class CompatRule:
    """A known-incompatible combination that metadata does not show, evaluated by ``assess``
    (data, not code). What a Requires-Dist says is checked for every distribution of the stack
    by the requirement-not-met rule, not here.

    The rule applies when distribution ``when`` is installed at a version in ``when_version``
    (and ``env`` is set, if given). Then ``test`` decides whether ``other`` is incompatible:
    other-version: other is installed at a version in ``other_version``;
    other-missing: other is not installed;
    same-release: other is installed but its major.minor differs from when's.
    """

    id: str
    when: str
    other: str
    message: str
    hint: str
    test: str = "other-version"
    when_version: str = ""
    other_version: str = ""
    env: str = ""
    source: str = ""


@dataclass(frozen=True)
class ImportHint:
    """Advice for an import failure whose message matches ``match`` (a regular expression).

    The hint may use the match's named groups, ``{pin}`` (the installed distribution==version),
    ``{import_name}``, ``{python}`` and the probe's string details (e.g. ``{keras_backend_source}``).
    With ``if_installed``, the hint applies only when one of those frameworks (catalog keys) is
    installed; the first one found fills ``{installed}``.
    """

    match: str
    hint: str
    if_installed: tuple[str, ...] = ()


# How a claim can be checked (the evaluators live in assess/claims.py; a test keeps them in step).
EVIDENCE_KINDS = ("probe", "index-requires", "index-classifier", "index-maintainer", "index-status")
CLAIM_COLUMNS = ("features", "execution", "use_cases", "claim", "maintainer")


@dataclass(frozen=True)
class Claim:
    """One checkable statement of a framework's row, and the evidence that decides it.

    probe: the value at ``key`` (a dotted path in the probe result: execution.eager_default,
    details.keras_backend) equals ``expect``. index-requires: the newest release's Requires-Dist
    names ``key`` (expect true) or not (expect false). index-classifier: the classifiers hold
    ``key``. index-maintainer: the index's author/maintainer metadata mentions ``key``.
    index-status: distribution ``key`` (an ecosystem package: torchvision, a successor such as
    ai-edge-litert) has a release within the active threshold (expect true) or not (false).
    ``note``: a verified fact the evidence cannot fetch (a release note), added to the evidence.
    """

    id: str
    column: str
    statement: str
    evidence: str
    key: str
    expect: Any = True
    note: str = ""


@dataclass(frozen=True)
class CompanionCheck:
    """How a probe checks one companion, after the framework imported, in the same process:
    import ``module`` and run ``op`` (one of the agent's COMPANION_OPS, its smallest native
    operation; "" for none: importing loads its native code). ``hint``: the fix when it fails and
    metadata shows no cause (e.g. an extension compiled against another framework release)."""

    distribution: str
    module: str
    op: str = ""
    hint: str = ""


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    seed: bool
    import_name: str
    probe: str
    distributions: tuple[str, ...]
    companions: tuple[str, ...]
    forks: tuple[str, ...]
    features: str
    execution: str
    use_cases: str
    claim: str
    claimed_status: str
    maintainer: str
    integrated_into: str = ""
    # GPU-capable: GPU diagnoses (cpu-only build, not visible, driver) apply to it
    gpu: bool = False
    # how a CPU-only build shows in metadata alone: its distribution names, or a local version label
    cpu_only_distributions: tuple[str, ...] = ()
    cpu_only_local_versions: tuple[str, ...] = ()
    # how to install a GPU build; may use {cuda} (the driver's CUDA) and {cuda_major}
    gpu_install_hint: str = ""
    import_hints: tuple[ImportHint, ...] = ()
    # the first release whose builds carry kernels for a GPU architecture: {"sm_120": "2.7.0"}
    arch_first_release: dict[str, str] = field(default_factory=dict)
    # the claim includes "community forks exist": checked against the forks' own status
    claim_forks: bool = False
    claims: tuple[Claim, ...] = ()
    # the companions a probe imports after the framework, each with its smallest native operation
    companion_checks: tuple[CompanionCheck, ...] = ()
    source: str = ""

    @property
    def index_names(self) -> tuple[str, ...]:
        """What `status` asks the index about for this framework: its canonical distribution, its
        forks and the distributions its index-status claims name (torchtext, ai-edge-litert)."""
        claimed = tuple(normalize(c.key) for c in self.claims if c.evidence == "index-status")
        return tuple(dict.fromkeys((self.distributions[0], *self.forks, *claimed)))


@dataclass(frozen=True)
class Catalog:
    frameworks: tuple[Framework, ...]
    thresholds: Thresholds = field(default_factory=Thresholds)
    compat: tuple[CompatRule, ...] = ()

    def get(self, key: str) -> Framework | None:
        """The framework whose id, name, import name or any distribution matches ``key``."""
        k = normalize(key)
        for fw in self.frameworks:
            if k in (fw.id, normalize(fw.name), normalize(fw.import_name)) or k in fw.distributions:
                return fw
        return None

    def select(self, keys: list[str] | None) -> tuple[Framework, ...]:
        """Frameworks named by ``keys`` (all when empty); raises CatalogError for unknown names."""
        if not keys:
            return self.frameworks
        chosen: list[Framework] = []
        for key in keys:
            fw = self.get(key)
            if fw is None:
                known = ", ".join(f.id for f in self.frameworks)
                raise CatalogError(f"unknown framework {key!r}; the catalog has: {known}")
            if fw not in chosen:
                chosen.append(fw)
        return tuple(chosen)

    def inventory_names(self) -> list[str]:
        """The distributions the inventory reads: all of them ("*", a prefix of every name), so
        requirements are checked across the frameworks' whole stack, as pip check does. Metadata
        headers only, never an import."""
        return ["*"]
