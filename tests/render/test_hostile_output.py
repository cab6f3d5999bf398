"""Outside text is data, end to end: a hostile fake framework (metadata Version, __version__,
device name, import error) and hostile fleet reports, through every medium fwprobe writes.

Each output is checked for what data must never do there: drive the terminal (ESC, OSC 8
hyperlinks, OSC 52 clipboard, BEL), be read as rich markup, start a GitHub workflow command,
add a Markdown row, cell, tag, heading, fence or ``</details>``, or make JUnit XML unparseable;
JSON keeps every payload as it was.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from fakes.catalogs import FAKE_CATALOG
from fakes.frameworks import FAKE_TORCH_CUDA, write_module
from fakes.reports import ReportBuilder
from fakes.terminal import gfm_cells, read_all

# what an attacker puts into any field: screen clear, alternate screen, an OSC 8 hyperlink, an
# OSC 52 clipboard write, rich markup, workflow commands after LF and CR, HTML, a closing
# </details>, a fence, a heading, a comment, table pipes, a backslash before a pipe
PAYLOAD = ("\x1b[2J\x1b[?1049h\x1b]8;;http://evil.invalid/\x1b\\click\x1b]8;;\x1b\\\x1b]52;c;ZXZpbA==\x07"
           "[link=http://evil.invalid]x[/link][bold red]red"
           "\n::add-mask::x\r\n::set-output name=a::b\r::stop-commands::tok\n"
           "<img src=x onerror=alert(1)></details>\n```\n# heading\n<!-- |a|b| \\|c|")
# a METADATA header holds one line: the CR is what gets through there
META_VERSION = "2.5.1\r::add-mask::meta\x1b[2J<img src=x>|[bold red]"

TERMINAL_ATTACKS = ("\x1b[2J", "\x1b[?1049h", "\x1b]8;;http", "\x1b]52;", "\x07", "\x9b")
WORKFLOW = re.compile(r"^\s*::(?!error title=fwprobe )", re.M)  # fwprobe's own annotations only


def _hostile_site(site: Path) -> None:
    torch = (FAKE_TORCH_CUDA
             .replace('__version__ = "2.5.1+cu124"', f"__version__ = {PAYLOAD!r}")
             .replace('self.name = "NVIDIA A100-SXM4-80GB"', f"self.name = {PAYLOAD!r}")
             .replace('def get_device_name(i): return "NVIDIA A100-SXM4-80GB"',
                      f"def get_device_name(i): return {PAYLOAD!r}"))
    write_module(site, "torch", torch)
    info = site / "torch-2.5.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_bytes(f"Metadata-Version: 2.1\nName: torch\nVersion: {META_VERSION}\n\n".encode())
    (info / "INSTALLER").write_text("pip\n")
    write_module(site, "raisefw", f"raise ImportError({PAYLOAD!r})\n", "raisefw", "0.1")


def _fwprobe(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """fwprobe in a child under GITHUB_ACTIONS; its output decoded as written (a CR stays a CR)."""
    done = subprocess.run([sys.executable, "-m", "fwprobe", *args], capture_output=True, timeout=120,
                          env={**os.environ, "COLUMNS": "400", "GITHUB_ACTIONS": "true", **env})
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


def _run(args: list[str], catalog: Path) -> subprocess.CompletedProcess[str]:
    return _fwprobe([*args, "--catalog", str(catalog)])


def _assert_terminal_safe(text: str) -> None:
    for attack in TERMINAL_ATTACKS:
        assert attack not in text, f"{attack!r} reached the output"
    assert "\x1b" not in text and "\r" not in text
    assert not WORKFLOW.search(text), WORKFLOW.search(text)


def _assert_markdown_safe(doc: str, header_cells: int) -> None:
    _assert_terminal_safe(doc)
    rows = [line for line in doc.splitlines() if line.startswith("|")]
    assert rows and all(gfm_cells(r) == header_cells for r in rows), [r for r in rows if gfm_cells(r) != header_cells]
    assert "<img" not in doc and "<!--" not in doc
    assert doc.count("</details>") == doc.count("<details>")
    assert not [line for line in doc.splitlines() if line.lstrip().startswith("```")]
    headings = [line for line in doc.splitlines() if line.lstrip().startswith("#")]
    assert all(h.startswith(("### fwprobe report", "### Fleet")) for h in headings), headings
    assert "[link=" not in doc or "\\[link=" in doc  # shown as text, not a link


@pytest.fixture
def hostile(tmp_path: Path, site: Path, fake_nvidia_smi: Path) -> Path:
    _hostile_site(site)
    catalog = tmp_path / "cat.toml"
    catalog.write_text(FAKE_CATALOG)
    return catalog


SCAN = ["scan", "--no-index", "--keep-pythonpath", "-f", "torch", "-f", "raisefw"]


def test_json_keeps_every_payload_as_it_was(hostile: Path) -> None:
    done = _run([*SCAN, "--format", "json"], hostile)
    report = json.loads(done.stdout)
    torch, raisefw = report["frameworks"]
    assert torch["distributions"][0]["version"] == META_VERSION
    # the agent bounds a runtime version to 100 characters, marking the cut; the rest is verbatim
    assert torch["probe"]["version"] == f"{PAYLOAD[:50]} ... [{len(PAYLOAD) - 100} characters cut] ... {PAYLOAD[-50:]}"
    assert {d["name"] for d in torch["probe"]["devices"] if d["kind"] == "cuda"} == {PAYLOAD}
    assert raisefw["probe"]["error_message"] == PAYLOAD
    _assert_terminal_safe(done.stderr)


def test_the_table_shows_payloads_as_text_in_a_pipe(hostile: Path) -> None:
    done = _run([*SCAN, "--format", "table"], hostile)
    out = done.stdout
    _assert_terminal_safe(out)
    assert "\\x1b[2J" in out  # visible, not acted on
    assert "[link=http://evil.invalid]x[/link][bold red]red" in out  # markup shown as written
    assert "\\n::add-mask::x\\r\\n::set-output" in out


def test_the_table_on_a_terminal_runs_no_payload(hostile: Path) -> None:
    """rich writes its own styles on a tty; none of the payload's sequences may appear."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "fwprobe", *SCAN, "--catalog", str(hostile)],
                            stdin=slave, stdout=slave, stderr=slave, close_fds=True,
                            env={**os.environ, "COLUMNS": "400", "TERM": "xterm-256color"})
    os.close(slave)
    try:
        screen = read_all(master)
    finally:
        proc.wait(timeout=120)
    for attack in TERMINAL_ATTACKS[:-1]:
        assert attack not in screen, f"{attack!r} reached the terminal"
    assert "evil.invalid" not in "".join(re.findall(r"\x1b\]8;[^\x1b\x07]*", screen)), "a hyperlink from data"
    assert "[link=http://evil.invalid]x[/link]" in screen
    assert "\\x1b[2J" in screen


def test_markdown_keeps_its_structure(hostile: Path) -> None:
    done = _run([*SCAN, "--format", "markdown"], hostile)
    _assert_markdown_safe(done.stdout, header_cells=5)
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;/details&gt;" in done.stdout


def test_check_lines_annotations_and_junit(hostile: Path, tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    done = _run(["check", "--no-index", "--keep-pythonpath", "-f", "raisefw", "--require-gpu", "pytorch",
                 "--no-exercise", "--junit", str(junit)], hostile)
    assert done.returncode == 1, done.stderr
    _assert_terminal_safe(done.stdout)
    _assert_terminal_safe(done.stderr)
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    assert annotations and all("%0A" in a or "\n" not in a for a in annotations)
    lines = [line for line in done.stdout.splitlines() if line]
    assert all(line.startswith(("PASS ", "FAIL ", "::error title=fwprobe ")) or re.match(r"\d+ passed", line)
               for line in lines), lines
    # the JUnit file parses and carries the reasons with their CRs and line feeds
    report = json.loads(_run(["check", "--no-index", "--keep-pythonpath", "-f", "raisefw", "--require-gpu",
                              "pytorch", "--no-exercise", "--format", "json"], hostile).stdout)
    reasons = {c["name"]: c["reason"] for c in report["checks"]}
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    for case in suite.iter("testcase"):
        failure = case.find("failure")
        shown = failure.text if failure is not None else case.findtext("system-out")
        expected = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", lambda m: f"\\x{ord(m.group()):02x}", reasons[case.get("name")])
        assert shown == expected
        if failure is not None:
            assert failure.get("message") == expected
    texts = [c.findtext("failure") or c.findtext("system-out") or "" for c in suite.iter("testcase")]
    assert any("\r" in r for r in reasons.values()) and any("\r" in t for t in texts)


def _hostile_report(tmp_path: Path) -> Path:
    report = ReportBuilder(gpus=2).framework("pytorch", "torch", PAYLOAD, devices=("cuda", "cuda")).build()
    data = report.to_dict()
    data["host"] = {"hostname": PAYLOAD, "scheduler": {}}
    data["system"]["driver_version"] = PAYLOAD
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "a.json").write_text(json.dumps(data))
    data["host"] = {"hostname": "node-2|x|y", "scheduler": {}}
    (reports / "b.json").write_text(json.dumps(data))
    (reports / "bad\x1b[2J\n::add-mask::f.json").write_text("{not json " + PAYLOAD)
    return reports


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_merge_shows_other_nodes_text_as_data(tmp_path: Path, fmt: str) -> None:
    reports = _hostile_report(tmp_path)
    done = _fwprobe(["merge", str(reports), "--format", fmt])
    assert done.returncode == 0, done.stderr
    _assert_terminal_safe(done.stderr)
    assert "skipped" in done.stderr and "\\x1b[2J\\n::add-mask::f.json" in done.stderr
    if fmt == "markdown":
        # Host, Driver, GPUs, pytorch, Errors
        _assert_markdown_safe(done.stdout, header_cells=5)
        assert "node-2\\|x\\|y" in done.stdout
    else:
        _assert_terminal_safe(done.stdout)
        assert "\\x1b[2J" in done.stdout and "[link=http://evil.invalid]" in done.stdout


def test_merge_json_keeps_the_payloads(tmp_path: Path) -> None:
    reports = _hostile_report(tmp_path)
    done = _fwprobe(["merge", str(reports), "--format", "json"])
    fleet = json.loads(done.stdout)
    assert PAYLOAD in {n["host"] for n in fleet["nodes"]}
    assert {n["driver_version"] for n in fleet["nodes"]} == {PAYLOAD}


@pytest.mark.parametrize("command", ["scan", "check"])
def test_prometheus_keeps_every_payload_inside_its_label(hostile: Path, command: str) -> None:
    """Every line is a HELP/TYPE comment or one whole sample (check's annotations went to
    stderr); the device name comes back whole from its label; promtool accepts the text."""
    from fakes.exposition import parse, promtool_check
    from fwprobe.render.escape import terminal

    args = ([*SCAN, "--exercise"] if command == "scan" else
            ["check", "--no-index", "--keep-pythonpath", "-f", "raisefw", "--require-gpu", "pytorch", "--no-exercise"])
    done = _run([*args, "--format", "prometheus"], hostile)
    assert done.returncode == (0 if command == "scan" else 1), done.stderr
    _assert_terminal_safe(done.stdout)
    _assert_terminal_safe(done.stderr)
    samples = parse(done.stdout)
    values = {v for _, labels, _ in samples for v in labels.values()}
    assert terminal(PAYLOAD, multiline=True) in values  # the device name, its line feeds kept
    assert terminal(META_VERSION) in values  # the metadata version, its CR shown as \r
    assert command == "scan" or "::error title=fwprobe " in done.stderr
    promtool_check(done.stdout)
