"""What `fwprobe merge` and `fwprobe fleet` tell an operator about their inputs, at the edges:
reports on stdin indented, split, cut off or beside log lines; the 64 MB cap at its boundary in
every shape; inputs after stdin or after an unreadable directory still read; the usage error of
`fleet` without exactly one known engine, with its advice; and a reused engine worker getting its
environment back after a scan (all in process: the fleet functions and typer's CliRunner)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fwprobe.cli import app
from fwprobe.errors import UsageError
from fwprobe.fleet import load
from fwprobe.fleet import runner as fleet_runner
from fwprobe.fleet.load import MAX_REPORT_BYTES, iter_sources
from fwprobe.fleet.runner import runner_for, scan_on_node
from fwprobe.plan import ScanOptions

TOO_BIG = "larger than 64 MB: not a fwprobe report"
TRUNCATED = "not JSON: the stream ends inside a document (truncated?)"


def _stdin(text: str) -> list[tuple[str, Any, str | None]]:
    return list(iter_sources(["-"], io.StringIO(text)))


def _brief(got: list[tuple[str, Any, str | None]]) -> list[tuple[str, Any, str | None]]:
    """Each source with its data's keys and the length of a "pad" (a 64 MB value never printed)."""
    return [(source, None if data is None else {k: len(v) if k == "pad" else v for k, v in data.items()}, reason)
            for source, data, reason in got]


# --- reports on stdin ------------------------------------------------------------------------------

def test_an_indented_report_on_stdin_is_read_not_called_a_log_line() -> None:
    assert _stdin('   {"schema": "fwprobe.report/1"}\n\t[1, 2]\n') == [
        ("stdin:1", {"schema": "fwprobe.report/1"}, None), ("stdin:2", [1, 2], None)]


def test_a_log_line_on_stdin_is_skipped_with_its_text_whatever_letter_it_starts_with() -> None:
    # what TensorFlow/XLA print to the same terminal: each line named, the document after it read
    got = _stdin("XLA service 0x55d5 initialized for platform CUDA\nI0000 cuda_dnn.cc:8\n{\"a\": 1}\n")
    assert got == [("stdin:1", None, "not JSON: XLA service 0x55d5 initialized for platform CUDA"),
                   ("stdin:2", None, "not JSON: I0000 cuda_dnn.cc:8"),
                   ("stdin:3", {"a": 1}, None)]


def test_a_compact_report_broken_across_lines_is_read_whole() -> None:
    # a terminal or `fold` wrapping a one-line report: quotes and brackets right after the brace
    assert _stdin('{"a": [1,\n2], "b": "x"}\n{"c": [[1],\n[2]]}\n') == [
        ("stdin:1", {"a": [1, 2], "b": "x"}, None), ("stdin:3", {"c": [[1], [2]]}, None)]


def test_a_report_cut_off_one_level_deep_is_named_truncated() -> None:
    assert _stdin('{"schema": "fwprobe.report/1",\n') == [("stdin:1", None, TRUNCATED)]
    assert _stdin('{"a": 1}\n{\n') == [("stdin:1", {"a": 1}, None), ("stdin:2", None, TRUNCATED)]


def test_the_64_mb_cap_on_stdin_at_its_boundary_pretty_printed() -> None:
    """A document of exactly 64 MB spread over lines is read; one character more is refused with
    the cap in MB, and the report written right after it on the same line is still read."""
    head, tail = '{"pad": "', '",\n"n": 1}'
    at_cap = head + "x" * (MAX_REPORT_BYTES - len(head) - len(tail)) + tail
    over = head + "x" * (MAX_REPORT_BYTES + 1 - len(head) - len(tail)) + tail
    got = _brief(_stdin(at_cap + "\n" + over + '{"after": 2}\n'))
    assert got == [("stdin:1", {"pad": MAX_REPORT_BYTES - len(head) - len(tail), "n": 1}, None),
                   ("stdin:3", None, TOO_BIG),
                   ("stdin:4", {"after": 2}, None)]


def test_a_one_line_report_over_64_mb_on_stdin_is_refused_as_a_file_would_be(tmp_path: Path) -> None:
    """The cap does not depend on the shape: the same over-sized report compact on one line, as a
    file, or pretty-printed is refused with the same reason."""
    head = '{"pad": "'
    over = head + "x" * (MAX_REPORT_BYTES + 1 - len(head) - 2) + '"}'
    assert len(over) == MAX_REPORT_BYTES + 1
    assert _brief(_stdin(over + "\n" + '{"after": 2}\n')) == [("stdin:1", None, TOO_BIG), ("stdin:2", {"after": 2}, None)]
    big = tmp_path / "big.json"
    big.write_text(over)
    assert list(iter_sources([str(big)])) == [(str(big), None, TOO_BIG)]


# --- files and directories ------------------------------------------------------------------------

def test_a_report_file_of_exactly_64_mb_is_read(tmp_path: Path) -> None:
    head, tail = '{"pad": "', '"}'
    exact = tmp_path / "exact.json"
    exact.write_text(head + " " * (MAX_REPORT_BYTES - len(head) - len(tail)) + tail)
    assert exact.stat().st_size == MAX_REPORT_BYTES
    assert _brief(list(iter_sources([str(exact)]))) == [
        (str(exact), {"pad": MAX_REPORT_BYTES - len(head) - len(tail)}, None)]


def test_a_file_that_cannot_be_opened_is_skipped_with_the_systems_words(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked.json"
    locked.write_text('{"a": 1}')

    def refuse(path: str, mode: str = "r") -> Any:  # what chmod 000 gives a non-root user
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(load, "open", refuse, raising=False)
    assert list(iter_sources([str(locked)])) == [(str(locked), None, "cannot read: Permission denied")]


def test_inputs_after_stdin_or_an_unlistable_directory_are_still_read(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    report = tmp_path / "a.json"
    report.write_text('{"a": 1}')
    locked, empty = tmp_path / "locked", tmp_path / "empty"
    locked.mkdir()
    empty.mkdir()
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:  # what chmod 000 gives a non-root user
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    got = list(iter_sources(["-", str(locked), str(empty), str(tmp_path / "missing.json"), str(report)],
                            io.StringIO('{"b": 2}\n')))
    assert got == [("stdin:1", {"b": 2}, None),
                   (str(locked), None, "cannot list the directory: Permission denied"),
                   (str(empty), None, "no *.json files in this directory"),
                   (str(tmp_path / "missing.json"), None, "no such file or directory"),
                   (str(report), {"a": 1}, None)]


# --- fleet: choosing the engine -------------------------------------------------------------------

def test_fleet_without_an_engine_says_so_and_what_to_do_instead() -> None:
    result = CliRunner().invoke(app, ["fleet", "--format", "json"])
    assert result.exit_code == 2
    assert result.stderr == ("fwprobe: error: fleet needs exactly one engine to run the scans\n"
                             "  give one of: --ray ADDRESS; or run `fwprobe scan` on each node and "
                             "`fwprobe merge` the reports\n")


def test_several_engines_or_an_unknown_one_are_named_with_the_known_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(fleet_runner.ENGINES, "k8s", "fwprobe_test_engine:K8sRunner")
    with pytest.raises(UsageError) as several:
        runner_for({"ray": "auto", "slurm": None, "k8s": "cluster"})
    assert str(several.value) == "fleet needs exactly one engine to run the scans (got ray, k8s)"
    assert several.value.advice == ("give one of: --ray ADDRESS, --k8s ADDRESS; or run `fwprobe scan` on each "
                                    "node and `fwprobe merge` the reports")
    with pytest.raises(UsageError) as unknown:
        runner_for({"pbs": "head"})
    assert (str(unknown.value), unknown.value.advice) == ("no fleet engine named 'pbs'", "known: ray, k8s")


# --- fleet: the task body on a node ---------------------------------------------------------------

class _FakeReport:
    def __init__(self, seen: dict[str, str | None]) -> None:
        self.seen = seen

    def to_dict(self) -> dict[str, Any]:
        return {"schema": "fwprobe.report/1", "host": {"scheduler": self.seen}}


@pytest.fixture
def fake_scan(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[ScanOptions]]:
    """fwprobe.core.scan replaced by one that records the options and the node identity it saw."""
    import fwprobe.core

    calls: list[ScanOptions] = []

    def scan(catalog: Any, options: ScanOptions) -> _FakeReport:
        calls.append(options)
        return _FakeReport({k: os.environ.get(k) for k in ("FWPROBE_SCHEDULER", "FWPROBE_NODE_ID")})

    monkeypatch.setattr(fwprobe.core, "scan", scan)
    yield calls


def test_a_reused_worker_gets_its_own_node_variables_back_after_the_scan(
        fake_scan: list[ScanOptions], monkeypatch: pytest.MonkeyPatch) -> None:
    options = ScanOptions(frameworks=("torch",), do_import=False)
    monkeypatch.setenv("FWPROBE_SCHEDULER", "slurm")  # the worker's own, from the job it runs in
    monkeypatch.delenv("FWPROBE_NODE_ID", raising=False)
    report = scan_on_node("ray", "f00d", options)
    assert report["host"]["scheduler"] == {"FWPROBE_SCHEDULER": "ray", "FWPROBE_NODE_ID": "f00d"}
    assert fake_scan == [options]
    assert os.environ["FWPROBE_SCHEDULER"] == "slurm" and "FWPROBE_NODE_ID" not in os.environ
    monkeypatch.setenv("FWPROBE_NODE_ID", "n-7")
    scan_on_node("ray", "beef", options)
    assert (os.environ["FWPROBE_SCHEDULER"], os.environ["FWPROBE_NODE_ID"]) == ("slurm", "n-7")


def test_the_task_body_restores_the_environment_when_the_scan_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    import fwprobe.core

    def scan(catalog: Any, options: ScanOptions) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fwprobe.core, "scan", scan)
    monkeypatch.setenv("FWPROBE_NODE_ID", "mine")
    monkeypatch.delenv("FWPROBE_SCHEDULER", raising=False)
    with pytest.raises(OSError):
        scan_on_node("ray", "f00d", ScanOptions())
    assert os.environ["FWPROBE_NODE_ID"] == "mine" and "FWPROBE_SCHEDULER" not in os.environ

