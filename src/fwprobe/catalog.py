"""Load and validate the framework catalog (``catalog/*.toml``) into typed records.

The records themselves live in ``fwprobe.catalog_records``; they are re-exported here, so
``from fwprobe.catalog import Catalog, Framework, normalize`` is the one import callers need.
"""

from __future__ import annotations

import re
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any, Callable

from fwprobe.catalog_records import (
    CLAIM_COLUMNS,
    CLAIMED_STATUSES,
    COMPAT_TESTS,
    EVIDENCE_KINDS,
    Catalog,
    CatalogError,
    Claim,
    CompanionCheck,
    CompatRule,
    Framework,
    ImportHint,
    Thresholds,
    normalize,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10 only
    import tomli as tomllib

__all__ = ["CLAIMED_STATUSES", "CLAIM_COLUMNS", "COMPAT_TESTS", "EVIDENCE_KINDS", "Catalog", "CatalogError", "Claim",
           "CompanionCheck", "CompatRule", "Framework", "ImportHint", "Thresholds", "default_catalog_dir", "device_probe_kinds",
           "load_catalog", "normalize", "probe_kinds"]


def default_catalog_dir() -> Path:
    """The catalog shipped in the wheel, or the checkout's ``catalog/`` in a source tree."""
    packaged = Path(__file__).with_name("catalog")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "catalog"


class _Entry:
    """Typed field access on one TOML table, with errors that name file, entry and field."""

    def __init__(self, path: Path, where: str, table: Any) -> None:
        self.path, self.where = path, where
        if not isinstance(table, dict):
            self.fail("", f"must be a table, got {type(table).__name__}")
        self.table: dict[str, Any] = table

    def fail(self, fld: str, msg: str) -> None:
        at = f"{self.where}, field {fld!r}" if fld else self.where
        raise CatalogError(f"{self.path}: {at}: {msg}")

    def check_keys(self, allowed: set[str]) -> None:
        for key in self.table:
            if key not in allowed:
                self.fail(key, f"unknown field (allowed: {', '.join(sorted(allowed))})")

    def get(self, fld: str, kind: type, default: Any = ..., check: Callable[[Any], str] | None = None) -> Any:
        if fld not in self.table:
            if default is ...:
                self.fail(fld, "is required")
            return default
        value = self.table[fld]
        if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
            self.fail(fld, f"must be {kind.__name__}, got {type(value).__name__} {value!r}")
        if kind is str and not value.strip() and default is ...:
            self.fail(fld, "must not be empty")
        if check:
            problem = check(value)
            if problem:
                self.fail(fld, problem)
        return value

    def names(self, fld: str, required: bool = False) -> tuple[str, ...]:
        value = self.get(fld, list, ... if required else [])
        if required and not value:
            self.fail(fld, "must list at least one distribution")
        for item in value:
            if not isinstance(item, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", item):
                self.fail(fld, f"{item!r} is not a valid distribution name")
        return tuple(dict.fromkeys(normalize(v) for v in value))


# a framework table's fields are the record's, less what loading fills in itself
_FRAMEWORK_KEYS = {f.name for f in fields(Framework)} - {"source"}
_CLAIM_KEYS = {f.name for f in fields(Claim)}
_IMPORT_HINT_KEYS = {f.name for f in fields(ImportHint)}
_COMPANION_CHECK_KEYS = {f.name for f in fields(CompanionCheck)}




def companion_ops() -> tuple[str, ...]:
    """The native operations a companion check may name: the agent's COMPANION_OPS."""
    from fwprobe.probes.agent import COMPANION_OPS

    return tuple(COMPANION_OPS)


def probe_kinds() -> tuple[str, ...]:
    """The probe kinds the catalog accepts: exactly the entries of the agent's KINDS table."""
    from fwprobe.probes.agent import KINDS  # stdlib-only module; imported when a catalog loads

    return tuple(KINDS)


def device_probe_kinds() -> tuple[str, ...]:
    """The probe kinds that list a framework's devices (the others, e.g. ``generic``, do not)."""
    from fwprobe.probes.agent import KINDS

    return tuple(name for name, kind in KINDS.items() if kind.lists_devices)


_COMPAT_KEYS = {f.name for f in fields(CompatRule)} - {"source"}


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], str]:
    return lambda v: "" if v in choices else f"{v!r} is not one of: {', '.join(choices)}"


def _specifier(value: str) -> str:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        SpecifierSet(value)
    except InvalidSpecifier:
        return f"{value!r} is not a PEP 440 version specifier"
    return ""


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        return f"{value!r} is not a regular expression: {exc}"
    return ""


def _strings(e: _Entry, fld: str) -> tuple[str, ...]:
    value = e.get(fld, list, [])
    for item in value:
        if not isinstance(item, str) or not item.strip():
            e.fail(fld, f"{item!r} must be a non-empty string")
    return tuple(value)


def _arch_table(e: _Entry) -> dict[str, str]:
    table = e.get("arch_first_release", dict, {})
    for key, value in table.items():
        if not re.fullmatch(r"sm_\d+[a-z]?", key):
            e.fail("arch_first_release", f"{key!r} is not a GPU architecture like 'sm_120'")
        if not isinstance(value, str) or not value.strip():
            e.fail("arch_first_release", f"{key}: {value!r} must be a version string")
    return dict(table)


def _parse_claims(e: _Entry) -> tuple[Claim, ...]:
    claims: list[Claim] = []
    for i, table in enumerate(e.get("claims", list, [])):
        c = _Entry(e.path, f"{e.where}, claims #{i + 1}", table)
        c.check_keys(_CLAIM_KEYS)
        claim = Claim(id=c.get("id", str, check=lambda v: "" if re.fullmatch(r"[a-z0-9][a-z0-9-]*", v)
                               else f"{v!r} must be lower-case letters, digits and '-'"),
                      column=c.get("column", str, check=_one_of(CLAIM_COLUMNS)),
                      statement=c.get("statement", str),
                      evidence=c.get("evidence", str, check=_one_of(EVIDENCE_KINDS)),
                      key=c.get("key", str), expect=c.table.get("expect", True), note=c.get("note", str, ""))
        if not isinstance(claim.expect, (bool, str)):
            c.fail("expect", f"must be a boolean or a string, got {type(claim.expect).__name__}")
        if claim.evidence == "index-status" and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", claim.key):
            c.fail("key", f"{claim.key!r} is not a distribution name")
        if claim.evidence == "index-maintainer" and _regex(claim.key):
            c.fail("key", _regex(claim.key))
        if claim.evidence != "probe" and not isinstance(claim.expect, bool):
            c.fail("expect", f"must be true or false for evidence {claim.evidence!r}")
        if any(x.id == claim.id for x in claims):
            c.fail("id", f"duplicate claim id {claim.id!r}")
        claims.append(claim)
    return tuple(claims)


def _parse_import_hints(e: _Entry) -> tuple[ImportHint, ...]:
    hints = []
    for i, table in enumerate(e.get("import_hints", list, [])):
        h = _Entry(e.path, f"{e.where}, import_hints #{i + 1}", table)
        h.check_keys(_IMPORT_HINT_KEYS)
        hints.append(ImportHint(match=h.get("match", str, check=_regex), hint=h.get("hint", str),
                                if_installed=_strings(h, "if_installed")))
    return tuple(hints)


def _parse_companion_checks(e: _Entry, companions: tuple[str, ...]) -> tuple[CompanionCheck, ...]:
    checks: list[CompanionCheck] = []
    for i, table in enumerate(e.get("companion_checks", list, [])):
        c = _Entry(e.path, f"{e.where}, companion_checks #{i + 1}", table)
        c.check_keys(_COMPANION_CHECK_KEYS)
        dist = normalize(c.get("distribution", str))
        if dist not in companions:
            c.fail("distribution", f"{dist!r} is not one of the framework's companions")
        if any(x.distribution == dist for x in checks):
            c.fail("distribution", f"{dist!r} is checked twice")
        checks.append(CompanionCheck(
            distribution=dist,
            module=c.get("module", str, check=lambda v: "" if re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", v)
                         else f"{v!r} is not a Python module name"),
            op=c.get("op", str, "", check=lambda v: "" if v == "" or v in companion_ops()
                     else f"{v!r} is not one of the agent's companion ops: {', '.join(companion_ops())}"),
            hint=c.get("hint", str, "")))
    return tuple(checks)


def _parse_framework(path: Path, index: int, table: Any) -> Framework:
    label = table.get("id") if isinstance(table, dict) and isinstance(table.get("id"), str) else None
    e = _Entry(path, f"framework #{index + 1}" + (f" ({label!r})" if label else ""), table)
    e.check_keys(_FRAMEWORK_KEYS)
    ident = e.get("id", str, check=lambda v: "" if re.fullmatch(r"[a-z0-9][a-z0-9-]*", v)
                  else f"{v!r} must be lower-case letters, digits and '-'")
    gpu = e.get("gpu", bool, False)
    if gpu and not e.table.get("gpu_install_hint"):
        e.fail("gpu_install_hint", "is required when gpu = true (how to install a GPU build)")
    if gpu and e.table.get("probe") not in device_probe_kinds():
        e.fail("gpu", f"gpu = true needs a probe kind that lists devices ({', '.join(device_probe_kinds())}); "
                      f"probe {e.table.get('probe')!r} lists none, so GPU rules could only guess")
    forks = e.names("forks")
    claim_forks = e.get("claim_forks", bool, False)
    if claim_forks and not forks:
        e.fail("claim_forks", "needs the forks listed in 'forks'")
    companions = e.names("companions")
    return Framework(
        id=ident,
        name=e.get("name", str),
        seed=e.get("seed", bool, False),
        import_name=e.get("import_name", str, check=lambda v: "" if re.fullmatch(r"[A-Za-z_][\w.]*", v)
                          else f"{v!r} is not a Python module name"),
        probe=e.get("probe", str, check=_one_of(probe_kinds())),
        distributions=e.names("distributions", required=True),
        companions=companions,
        forks=forks,
        features=e.get("features", str, ""),
        execution=e.get("execution", str, ""),
        use_cases=e.get("use_cases", str, ""),
        claim=e.get("claim", str),
        claimed_status=e.get("claimed_status", str, check=_one_of(CLAIMED_STATUSES)),
        maintainer=e.get("maintainer", str, ""),
        integrated_into=e.get("integrated_into", str, ""),
        gpu=gpu,
        cpu_only_distributions=e.names("cpu_only_distributions"),
        cpu_only_local_versions=_strings(e, "cpu_only_local_versions"),
        gpu_install_hint=e.get("gpu_install_hint", str, ""),
        import_hints=_parse_import_hints(e),
        arch_first_release=_arch_table(e),
        claim_forks=claim_forks,
        claims=_parse_claims(e),
        companion_checks=_parse_companion_checks(e, companions),
        source=str(path),
    )


def _parse_compat(path: Path, index: int, table: Any, check_versions: bool = True) -> CompatRule:
    label = table.get("id") if isinstance(table, dict) and isinstance(table.get("id"), str) else None
    e = _Entry(path, f"compat #{index + 1}" + (f" ({label!r})" if label else ""), table)
    e.check_keys(_COMPAT_KEYS)
    test = e.get("test", str, "other-version", _one_of(COMPAT_TESTS))
    specifier = _specifier if check_versions else None
    rule = CompatRule(
        id=e.get("id", str),
        when=normalize(e.get("when", str)),
        other=normalize(e.get("other", str)),
        message=e.get("message", str),
        hint=e.get("hint", str),
        test=test,
        when_version=e.get("when_version", str, "", specifier),
        other_version=e.get("other_version", str, ... if test == "other-version" else "", specifier),
        env=e.get("env", str, ""),
        source=str(path),
    )
    return rule


def load_catalog(location: str | Path | None = None, check_versions: bool = True) -> Catalog:
    """Parse and validate every ``*.toml`` in ``location`` (a directory or one file).
    ``check_versions=False`` leaves the compat rules' PEP 440 specifiers unchecked, and packaging
    (~15 ms) unimported: ``fwprobe.early`` reads the catalog so, the CLI then reads it fully.

    Raises CatalogError naming the file, entry and field of the first problem found.
    """
    root = Path(location) if location is not None else default_catalog_dir()
    if root.is_dir():
        files = sorted(root.glob("*.toml"))
        if not files:
            raise CatalogError(f"{root}: no *.toml catalog files in this directory")
    elif root.is_file():
        files = [root]
    else:
        raise CatalogError(f"{root}: no such catalog file or directory")

    frameworks: list[Framework] = []
    compat: list[CompatRule] = []
    thresholds: Thresholds | None = None
    for path in files:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise CatalogError(f"{path}: cannot read: {exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise CatalogError(f"{path}: not valid TOML: {exc}") from exc
        unknown = set(data) - {"thresholds", "framework", "compat"}
        if unknown:
            raise CatalogError(f"{path}: unknown top-level table(s): {', '.join(sorted(unknown))} "
                               "(allowed: thresholds, framework, compat)")
        if "thresholds" in data:
            if thresholds is not None:
                raise CatalogError(f"{path}: [thresholds] is defined in more than one catalog file")
            e = _Entry(path, "[thresholds]", data["thresholds"])
            e.check_keys({"active_days", "stale_days", "supported_pythons"})
            positive = lambda v: "" if v > 0 else "must be a positive number of days"  # noqa: E731
            pythons = e.get("supported_pythons", list, list(Thresholds.supported_pythons))
            if not pythons or not all(isinstance(v, str) and re.fullmatch(r"3\.\d+", v) for v in pythons):
                e.fail("supported_pythons", "must list CPython versions like \"3.12\"")
            thresholds = Thresholds(e.get("active_days", int, 365, positive),
                                    e.get("stale_days", int, 730, positive), tuple(pythons))
            if thresholds.stale_days < thresholds.active_days:
                e.fail("stale_days", "must not be smaller than active_days")
        frameworks += [_parse_framework(path, i, t) for i, t in enumerate(_tables(path, data, "framework"))]
        compat += [_parse_compat(path, i, t, check_versions) for i, t in enumerate(_tables(path, data, "compat"))]

    if not frameworks:
        raise CatalogError(f"{root}: the catalog defines no [[framework]] entries")
    _check_cross_references(frameworks)
    return Catalog(tuple(frameworks), thresholds or Thresholds(), tuple(compat))


def _tables(path: Path, data: dict[str, Any], key: str) -> list[Any]:
    tables = data.get(key, [])
    if not isinstance(tables, list):
        raise CatalogError(f"{path}: {key!r} must be an array of tables ([[{key}]])")
    return tables


def _check_cross_references(frameworks: list[Framework]) -> None:
    ids: dict[str, Framework] = {}
    owner: dict[str, Framework] = {}
    for fw in frameworks:
        if fw.id in ids:
            raise CatalogError(f"{fw.source}: framework {fw.id!r}, field 'id': duplicate "
                               f"(also defined in {ids[fw.id].source})")
        ids[fw.id] = fw
        for dist in fw.distributions:
            if dist in owner:
                raise CatalogError(f"{fw.source}: framework {fw.id!r}, field 'distributions': "
                                   f"{dist!r} already belongs to framework {owner[dist].id!r}")
            owner[dist] = fw
    keys = {k for fw in frameworks
            for k in (fw.id, normalize(fw.name), normalize(fw.import_name), *fw.distributions)}
    for fw in frameworks:
        for hint in fw.import_hints:
            for key in hint.if_installed:
                if normalize(key) not in keys:
                    raise CatalogError(f"{fw.source}: framework {fw.id!r}, field 'import_hints': "
                                       f"if_installed names {key!r}, which is no framework in the catalog")
        for dist in fw.cpu_only_distributions:
            if dist not in fw.distributions:
                raise CatalogError(f"{fw.source}: framework {fw.id!r}, field 'cpu_only_distributions': "
                                   f"{dist!r} is not one of its distributions")
        if fw.claimed_status == "integrated" and fw.integrated_into not in ids:
            raise CatalogError(f"{fw.source}: framework {fw.id!r}, field 'integrated_into': "
                               f"claimed_status 'integrated' needs the id of another framework "
                               f"(got {fw.integrated_into!r})")
