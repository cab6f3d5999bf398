"""The documentation says what the code does: the diagnosis reference is written from the rules,
every page is reachable from the README, every documented command parses, and the README's
samples still say what their commands say."""

from __future__ import annotations

import importlib.util
import re
import shlex
import sys
from pathlib import Path

import pytest
import typer

from fakes import ROOT
from fwprobe.assess.diagnoses import DIAGNOSIS_CODES
from fwprobe.assess.diagnoses.reference import markdown
from fwprobe.cli import app

README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, ROOT / "CONTRIBUTING.md", *sorted(DOCS.glob("*.md"))]


def test_the_diagnosis_reference_is_written_from_the_rules() -> None:
    """After a rule changes: .venv/bin/python -m fwprobe.assess.diagnoses.reference > docs/diagnoses.md"""
    assert (DOCS / "diagnoses.md").read_text(encoding="utf-8") == markdown()
    listed = re.findall(r"^\| `([a-z-]+)` \|", markdown(), re.M)
    assert listed == list(DIAGNOSIS_CODES)


def test_the_readme_is_short_and_reaches_every_page() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    linked = set(re.findall(r"\]\((docs/[\w.-]+\.md)\)", text))
    assert linked == {f"docs/{p.name}" for p in DOCS.glob("*.md")}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_links_between_pages_lead_somewhere(page: Path) -> None:
    for target in re.findall(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
        assert (page.parent / target).resolve().exists(), f"{page.name} links to a missing {target}"


def _documented_commands() -> list[tuple[str, list[str]]]:
    """Every `fwprobe ...` command in the pages: lines of their code blocks, and inline code."""
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        fenced = "\n".join(re.findall(r"^```(?:sh|bash|shell)?\n(.*?)^```", text, re.S | re.M))
        fenced = fenced.replace("\\\n", " ")  # a shell line continued
        candidates = re.findall(r"`(fwprobe [^`]+)`", text) + re.findall(
            r"^\s*(?:[A-Z_]+=\S+ )*(?:\S*/)?(?:srun [^f]*)?(fwprobe [^|&#\n]+)", fenced, re.M)
        for line in candidates:
            line = line.split("  (")[0].strip()
            if "..." in line or line.rstrip().endswith(("CODE", "COMMAND --help", "FW")):
                continue  # a pattern (`fwprobe COMMAND --help`), not a command
            try:
                words = shlex.split(line)
            except ValueError:
                continue
            found.append((page.name, words[1:]))
    return found


COMMANDS = _documented_commands()


def test_the_pages_document_commands() -> None:
    assert len(COMMANDS) > 20 and {w[0] for _page, w in COMMANDS if w} >= {"scan", "check", "status", "merge",
                                                                             "fleet", "explain"}


@pytest.mark.parametrize("page, words", COMMANDS, ids=[f"{p}:{' '.join(w)[:60]}" for p, w in COMMANDS])
def test_every_documented_command_parses(page: str, words: list[str]) -> None:
    """Each documented command line is accepted by the CLI's parser (options, values, arguments)."""
    group = typer.main.get_command(app)
    if not words or words[0].startswith("-"):
        group.make_context("fwprobe", list(words))  # `fwprobe --version` and the like
        return
    command = group.commands[words[0]]  # type: ignore[attr-defined]
    if len(words) > 1:  # a bare `fwprobe merge` in prose names the command, its arguments elsewhere
        command.make_context(f"fwprobe {words[0]}", list(words[1:]))


def _samples():  # docs/samples.py, loaded from its path
    spec = importlib.util.spec_from_file_location("fwprobe_doc_samples", DOCS / "samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


@pytest.mark.real
@pytest.mark.skipif(not (ROOT / ".venv-frameworks" / "bin" / "python").exists(), reason="no .venv-frameworks")
@pytest.mark.parametrize("name", ["scan", "check"])
def test_the_readme_samples_say_what_their_commands_say(name: str) -> None:
    """Rerun a sample's command (as JSON) and find its facts in the README's block: frameworks,
    versions, import outcomes, diagnosis codes, checks. After a deliberate change:
    .venv/bin/python docs/samples.py"""
    samples = _samples()
    sample = next(s for s in samples.SAMPLES if s.name == name)
    block = samples.blocks(README.read_text(encoding="utf-8"))[name]
    report = samples.facts(sample)["report"]
    flat = " ".join(block.replace("│", " ").split())
    if name == "scan":
        for fw in report["frameworks"]:
            assert fw["name"] in flat
            if fw["installed"]:
                dist = fw["distributions"][0]
                assert f"{dist['name']} {dist['version']}" in flat
                outcome = fw["probe"]["outcome"]
                assert outcome in flat
        shown = set(re.findall(r"\b(" + "|".join(map(re.escape, DIAGNOSIS_CODES)) + r")\b", flat))
        assert shown == {d["code"] for d in report["diagnoses"]}
    else:
        lines = [line for line in block.splitlines() if line.startswith(("PASS ", "FAIL "))]
        said = [f"{'PASS' if c['passed'] else 'FAIL'} {c['name']}" for c in report["checks"]]
        assert [line.split(":")[0] for line in lines] == said
