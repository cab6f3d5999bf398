"""The diagnosis rule registry: each rule is one function, registered with its code and severity.

A rule's docstring is its documentation (``fwprobe`` derives the list of codes from here, and a
test checks the README against it). Rules are pure: they read the ``Context`` (report, catalog,
inventory, environment variables) and yield ``Finding``s; they never touch ``os.environ``,
processes, files or the network.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Callable

from fwprobe.assess.diagnoses.facts import visible_devices_problem
from fwprobe.catalog import Catalog, Framework, normalize
from fwprobe.model import Diagnosis, Distribution, FrameworkResult, ProbeResult, Report, Severity, System

if TYPE_CHECKING:
    from fwprobe.assess.requirements import Unmet
    from fwprobe.inventory import Inventory


@dataclass(frozen=True)
class Finding:
    """What a rule found. ``severity`` overrides the rule's registered one (e.g. error only when
    GPUs exist); ``framework`` overrides the subject's id (rules over the whole environment)."""

    message: str
    hint: str
    severity: Severity | None = None
    framework: str | None = None


@dataclass(frozen=True)
class Subject:
    """One framework's result, already paired with its catalog record."""

    result: FrameworkResult
    fw: Framework

    @property
    def probe(self) -> ProbeResult | None:
        return self.result.probe

    @property
    def live(self) -> tuple[Distribution, ...]:
        """Installed copies that ``import`` can find (shadowed ones left out)."""
        return tuple(d for d in self.result.distributions if not d.shadowed)


@dataclass
class Context:
    """Everything a rule may read: the report, the catalog, the target's inventory (absent for
    `status`, which has no target) and the environment variables, passed in, never read here."""

    report: Report
    catalog: Catalog
    env: Mapping[str, str]
    inventory: Inventory | None = None
    subjects: tuple[Subject, ...] = field(default=())

    @property
    def system(self) -> System:
        return self.report.system or System()

    @property
    def python(self) -> str:
        return self.report.target.executable if self.report.target else "python"

    @cached_property
    def hidden_gpus(self) -> str | None:
        """Why CUDA_VISIBLE_DEVICES hides every GPU, or None."""
        return visible_devices_problem(self.system)

    @cached_property
    def unmet(self) -> tuple[Unmet, ...]:
        """The stack's requirements that what is installed does not meet (pip check's view, for
        the target interpreter); empty without an inventory."""
        if self.inventory is None:
            return ()
        from fwprobe.assess.requirements import marker_environment, unmet_requirements

        env = marker_environment(self.report.target, self.inventory.markers)
        return unmet_requirements(self.catalog, self.inventory.distributions, env)

    def is_installed(self, key: str) -> bool:
        """Whether the framework named ``key`` (any catalog key) is installed in the target."""
        fw = self.catalog.get(key)
        if fw is None:
            return False
        if any(s.result.installed for s in self.subjects if s.fw.id == fw.id):
            return True
        return self.inventory is not None and bool(self.inventory.installed(fw))

    def installed_version(self, name: str) -> tuple[str, str] | None:
        """(distribution, version) that import would find for ``name``: any spelling of a framework."""
        if self.inventory is None:
            return None
        fw = self.catalog.get(name)
        names = fw.distributions if fw is not None and normalize(name) in fw.distributions else (normalize(name),)
        for dist in self.inventory.of(names):
            if not dist.shadowed:
                return dist.name, dist.version
        return None


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity  # the usual severity; a Finding may override it
    check: Callable[..., Iterator[Finding]]  # (ctx) or (ctx, subject), by scope
    scope: str  # "framework": called once per framework; "environment": once per report
    installed_only: bool
    doc: str
    # "catalog": a finding about the catalog's own truth, for its maintainers (status), shown by
    # scan and check only when asked (--claims) and never failing a check
    audience: str = "user"

    def run(self, ctx: Context) -> Iterator[Diagnosis]:
        findings: list[tuple[Finding, str | None]]
        if self.scope == "environment":
            findings = [(f, None) for f in self.check(ctx)]
        else:
            findings = [(f, s.fw.id) for s in ctx.subjects
                        if s.result.installed or not self.installed_only
                        for f in self.check(ctx, s)]
        for finding, fw_id in findings:
            yield Diagnosis(self.code, finding.severity or self.severity, finding.message,
                            finding.hint.replace("{python}", ctx.python), finding.framework or fw_id)


RULES: dict[str, Rule] = {}


def rule(code: str, severity: Severity, scope: str = "framework", installed_only: bool = True,
         audience: str = "user") -> Callable[[Callable[..., Iterator[Finding]]], Callable[..., Iterator[Finding]]]:
    """Register a diagnosis rule under ``code``. Framework rules take (ctx, subject) and by
    default see only installed frameworks; environment rules take (ctx)."""
    if scope not in ("framework", "environment"):
        raise ValueError(f"unknown rule scope {scope!r}")
    if audience not in ("user", "catalog"):
        raise ValueError(f"unknown rule audience {audience!r}")

    def register(fn: Callable[..., Iterator[Finding]]) -> Callable[..., Iterator[Finding]]:
        if code in RULES:
            raise ValueError(f"diagnosis code {code!r} is registered twice")
        doc = " ".join((fn.__doc__ or "").split())
        if not doc:
            raise ValueError(f"diagnosis rule {code!r} needs a docstring: it is the code's documentation")
        RULES[code] = Rule(code, severity, fn, scope, installed_only, doc, audience)
        return fn

    return register


def catalog_codes() -> frozenset[str]:
    """The codes of findings about the catalog itself (audience "catalog")."""
    return frozenset(code for code, r in RULES.items() if r.audience == "catalog")
