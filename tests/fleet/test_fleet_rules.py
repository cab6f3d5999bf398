"""Fleet diagnosis codes come from one registry: each rule registered once with a docstring, and
every list of codes a user reads (--fail-on's help, the README, docs/) agrees with it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes import ROOT
from fwprobe.assess.diagnoses import DIAGNOSIS_CODES
from fwprobe.fleet import rules
from fwprobe.fleet.rules import FLEET_CODES, FLEET_RULES, Finding, FleetView, fleet_rule
from fwprobe.model import Severity

DOC_PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CODE = re.compile(r"`([a-z]+(?:-[a-z]+)+)`")


def test_every_fleet_code_is_one_documented_rule() -> None:
    assert FLEET_CODES == tuple(FLEET_RULES) == rules.fleet_codes()
    assert FLEET_CODES == ("version-drift", "node-gpus-missing", "node-unhealthy", "stale-report")
    for code, rule in FLEET_RULES.items():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)+", code), code
        assert rule.code == code and len(rule.doc) > 40, f"{code}: the docstring is the code's documentation"
        assert Severity(rule.severity).value == rule.severity  # a Severity's name, checked when it runs
        assert rule.doc == " ".join((rule.check.__doc__ or "").split())
    assert not set(FLEET_CODES) & set(DIAGNOSIS_CODES)  # --fail-on and explain tell them apart


def test_a_fleet_code_is_registered_once_and_needs_a_docstring() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        fleet_rule("stale-report", "warning")(lambda view: iter(()))

    def undocumented(view: FleetView) -> Iterator[Finding]:
        yield from ()

    with pytest.raises(ValueError, match="needs a docstring"):
        fleet_rule("brand-new-fleet-code", "info")(undocumented)
    assert "brand-new-fleet-code" not in FLEET_RULES


def test_a_new_rule_is_run_and_accepted_by_fail_on_at_once(monkeypatch) -> None:
    """The recipe for a fleet diagnosis: one decorated function; merge runs it, --fail-on takes its code."""
    monkeypatch.setattr(rules, "FLEET_RULES", dict(FLEET_RULES))

    @fleet_rule("single-node-fleet", "info")
    def single_node(view: FleetView) -> Iterator[Finding]:
        """A fleet of one node: nothing to compare it with."""
        if len(view.nodes) == 1:
            yield Finding(f"only {view.nodes[0].host}", "merge the reports of every node")

    from fwprobe.fleet.merge import merge

    report = {"schema": "fwprobe.report/1", "generated_at": "2026-11-23T12:00:00+00:00", "host": {"hostname": "n1"}}
    fleet = merge([("n1.json", report, None)], "2026-11-23T13:00:00+00:00", "test")
    assert [(d.code, d.severity, d.message) for d in fleet.diagnoses] == [("single-node-fleet", Severity.INFO,
                                                                          "only n1")]
    policy = rules.parse_fail_on("single-node-fleet,stale-report")
    assert policy is not None and policy.fails(Severity.INFO, "single-node-fleet")
    assert "single-node-fleet" in rules.fail_on_help()


def test_fail_on_takes_severities_fleet_codes_or_none() -> None:
    assert rules.parse_fail_on(" None ") is None
    policy = rules.parse_fail_on("warning")
    assert policy is not None and policy.fails(Severity.WARNING, "version-drift")
    assert not policy.fails(Severity.INFO, "version-drift")
    with pytest.raises(ValueError, match="unknown: gpu-not-visible"):
        rules.parse_fail_on("gpu-not-visible")  # a node code: the node's own report has it


@pytest.mark.parametrize("command", ["merge", "fleet"])
def test_fail_on_help_lists_the_registry(command: str) -> None:
    done = subprocess.run([sys.executable, "-m", "fwprobe", command, "--help"], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    bare = "".join(done.stdout.split())  # the wrapping undone (click breaks lines at a code's hyphens too)
    assert "".join(f"comma list of codes ({', '.join(FLEET_CODES)})".split()) in bare


def _passages(text: str) -> Iterator[str]:
    """The blocks of a page that speak of fleet diagnoses or fleet codes: the paragraph (or table)
    that names them, or, under a heading that does, its whole section."""
    blocks = re.split(r"\n[ \t]*\n", text)
    for at, block in enumerate(blocks):
        if not re.search(r"fleet (diagnos|codes?\b)", block, re.I):
            continue
        if block.lstrip().startswith("#"):
            section = []
            for following in blocks[at + 1:]:
                if following.lstrip().startswith("#"):
                    break
                section.append(following)
            block = "\n\n".join([block, *section])
        yield block


def _check_page(name: str, text: str) -> int:
    """How many passages of the page name the fleet codes; AssertionError where they disagree
    with the registry."""
    documented = 0
    for passage in _passages(text):
        named = list(dict.fromkeys(c for c in CODE.findall(passage) if c not in DIAGNOSIS_CODES))
        if not named:
            continue  # spoken of in words only
        assert named == list(FLEET_CODES), f"{name} names fleet codes {named}, the registry has {FLEET_CODES}"
        documented += 1
        for code, severity, doc in re.findall(r"^\| `([a-z-]+)` \| (\w+) \| (.*) \|$", passage, re.M):
            rule = FLEET_RULES[code]
            assert (severity, doc) == (rule.severity, rule.doc.replace("|", "\\|")), f"{name}: {code}"
    return documented


def test_the_docs_name_the_fleet_codes_the_registry_has() -> None:
    """Wherever the README or docs/ speak of fleet diagnoses, the codes they name are the
    registry's, all of them, in its order; a table row gives the rule's severity and docstring."""
    documented = sum(_check_page(page.name, page.read_text(encoding="utf-8")) for page in DOC_PAGES)
    assert documented, "no page names the fleet codes (README.md or docs/)"


def test_the_docs_check_catches_a_stale_list() -> None:
    table = "## Fleet diagnoses\n\n" + rules.markdown_table()
    assert _check_page("table", table) == 1
    prose = "Fleet diagnoses: " + ", ".join(f"`{c}`" for c in FLEET_CODES) + ".\n"
    assert _check_page("prose", prose) == 1
    for stale in (prose.replace(", `stale-report`", ""),  # a code left out
                  prose.replace("`node-unhealthy`", "`node-sick`"),  # a code renamed
                  table.replace("| error |", "| warning |", 1),  # a severity changed
                  table.replace("across the nodes", "across nodes")):  # a docstring changed
        with pytest.raises(AssertionError):
            _check_page("stale", stale)


def test_the_fleet_code_table_is_written_from_the_rules() -> None:
    """``python -m fwprobe.fleet.rules`` prints the table the docs carry."""
    table = subprocess.run([sys.executable, "-m", "fwprobe.fleet.rules"], capture_output=True, text=True,
                           timeout=60, check=True).stdout
    assert table == rules.markdown_table()
    rows = re.findall(r"^\| `([a-z-]+)` \| (\w+) \| (.*) \|$", table, re.M)
    assert [(c, s) for c, s, _ in rows] == [(c, r.severity) for c, r in FLEET_RULES.items()]
    assert all(doc == FLEET_RULES[c].doc for c, _, doc in rows)


def test_each_fleet_code_has_an_explanation() -> None:
    """For `fwprobe explain CODE` beside the node rules' entries."""
    text = rules.explain("stale-report")
    assert text is not None and text.startswith("stale-report (warning, across the nodes of fwprobe merge / fleet)")
    assert "--stale-hours" in text and text.endswith("Rule: fwprobe.fleet.rules.stale_report\n")
    assert all(rules.explain(code) for code in FLEET_CODES)
    assert rules.explain("gpu-not-visible") is None


def test_rules_are_pure() -> None:
    source = Path(rules.__file__).read_text(encoding="utf-8")
    assert not re.search(r"^import (os|subprocess|socket)|os\.environ|open\(", source, re.M)
