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
from fwprobe.fleet import rules as fleet_rules
from fwprobe.fleet import runner as fleet_runner
from fwprobe.fleet.fold import fold
from fwprobe.fleet.load import MAX_REPORT_BYTES, iter_sources
from fwprobe.fleet.merge import merge, tally
from fwprobe.fleet.model import Node, NodeFramework
from fwprobe.fleet.rules import Finding, FleetView
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



# --- one report folded into a node ----------------------------------------------------------------

NOON = "2026-11-23T12:00:00+00:00"


def _raw(host: str = "n1", when: Any = NOON, **fields: Any) -> dict[str, Any]:
    return {"schema": "fwprobe.report/1", "generated_at": when, "host": {"hostname": host}, **fields}


def _node(data: Any) -> Node:
    node = fold("r.json", data)
    assert isinstance(node, Node), node
    return node


def test_a_report_that_is_no_object_or_has_no_valid_time_is_skipped_with_its_reason() -> None:
    assert fold("a.json", [_raw()]) == "not a fwprobe report (not a JSON object)"
    assert fold("b.json", _raw(when="yesterday")) == "no valid generated_at time"
    assert fold("c.json", _raw(when=None)) == "no valid generated_at time"


def test_the_live_copy_counts_and_frameworks_not_installed_are_left_out() -> None:
    torch = {"id": "pytorch", "installed": True,
             "distributions": [{"name": "torch", "version": "2.4.0", "shadowed": True},
                               {"name": "torch", "version": "2.5.1"}],
             "probe": {"outcome": "ok", "devices": [{"kind": "cuda"}, {"kind": "cpu"}], "exercise": [None, "x"]}}
    node = _node(_raw(frameworks=["garbled", {"id": "tensorflow", "installed": False}, torch]))
    # a garbled exercise list is "not exercised", not "0/0 passed"
    assert node.frameworks == (NodeFramework("pytorch", "2.5.1", "ok", 1, "cuda", None, None, ()),)


def test_a_field_of_the_wrong_type_or_empty_is_no_value() -> None:
    node = _node(_raw(host="", system={"driver_version": 535, "cuda_driver_version": ""}))
    assert (node.host, node.driver_version, node.cuda_driver_version) == ("r.json", None, None)


def test_what_one_cuda_process_can_use_on_a_node_with_mig() -> None:
    def gpus(*modes: str) -> list[dict[str, Any]]:
        return [{"index": i, "name": "NVIDIA A100-SXM4-80GB", "mig_mode": m} for i, m in enumerate(modes)]

    # nvidia-smi writes "Enabled": a GPU in MIG mode with no MIG device offers nothing
    assert _node(_raw(system={"gpus": gpus("Disabled", "Enabled", "Disabled"), "mig_devices": []})).cuda_devices == 2
    assert _node(_raw(system={"gpus": gpus("Disabled", "Enabled", "Disabled"),
                              "mig_devices": [{"gpu": 1, "name": "MIG 1g.10gb"}]})).cuda_devices == 1
    # MIG devices listed but no GPU says it is in MIG mode: every GPU counts
    assert _node(_raw(system={"gpus": gpus("Disabled", "Disabled", "Disabled"),
                              "mig_devices": [{"gpu": 1}]})).cuda_devices == 3


def test_the_newest_report_of_a_host_wins_across_time_zones() -> None:
    east = ("east.json", _raw(when="2026-11-23T13:30:00+02:00"), None)  # 11:30 UTC
    utc = ("utc.json", _raw(when="2026-11-23T12:00:00+00:00"), None)
    fleet = merge([east, utc], "2026-11-23T13:00:00+00:00", "test")
    assert [(n.host, n.source) for n in fleet.nodes] == [("n1", "utc.json")]
    assert [(s.source, s.reason) for s in fleet.skipped] == [
        ("east.json", "an older report of n1 (the one from 2026-11-23T12:00:00+00:00 is kept)")]


# --- fleet rules ----------------------------------------------------------------------------------

def _fw(fid: str = "pytorch", sees: int = 0, cuda: str | None = "12.4", outcome: str = "ok",
        version: str = "2.5.1") -> NodeFramework:
    return NodeFramework(fid, version, outcome, sees, "cuda" if sees else None, cuda)


def _n(host: str, *frameworks: NodeFramework, gpus: int = 0, cuda_devices: int | None = None,
       errors: tuple[str, ...] = ()) -> Node:
    return Node(host, NOON, f"{host}.json", gpus=gpus, gpu_models=("NVIDIA A100-SXM4-80GB",) * bool(gpus),
                frameworks=frameworks, error_codes=errors, cuda_devices=gpus if cuda_devices is None else cuda_devices)


def _findings(code: str, *nodes: Node) -> list[str]:
    view = FleetView(nodes, tally(nodes))
    return [d.message for d in fleet_rules.diagnose(view) if d.code == code]


def test_a_cuda_build_seeing_none_of_the_nodes_gpus_is_missing_them() -> None:
    assert _findings("node-gpus-missing", _n("one", _fw(), gpus=1), _n("two", _fw(), gpus=2)) == [
        "one: pytorch sees 0 GPU(s), but the driver shows 1", "two: pytorch sees 0 GPU(s), but the driver shows 2"]


def test_a_build_without_a_cuda_version_that_sees_too_few_is_missing_gpus() -> None:
    # a framework after a failed one on the same node is still judged
    node = _n("n1", _fw("tensorflow", outcome="failed"), _fw(sees=1, cuda=None), gpus=2)
    assert _findings("node-gpus-missing", node) == ["n1: pytorch sees 1 GPU(s), but the driver shows 2"]


def test_nodes_without_nvidia_smi_are_compared_with_their_peers() -> None:
    """Containers without nvidia-smi list no GPU: a node is measured against the peers that see
    some; a framework no node sees a GPU with is left alone, and the next one still judged."""
    a = _n("a", _fw("jax"), _fw(sees=2))
    b = _n("b", _fw("jax"), _fw(sees=0))
    assert _findings("node-gpus-missing", a, b) == ["b: pytorch sees 0 GPU(s), but its peers with the same GPUs see 2"]


def test_a_mig_node_names_what_one_cuda_process_can_use() -> None:
    assert _findings("node-gpus-missing", _n("mig", _fw(), gpus=2, cuda_devices=1)) == [
        "mig: pytorch sees 0 GPU(s), but one CUDA process can use 1 here (MIG)"]


def test_drift_and_unhealthy_nodes_name_every_host() -> None:
    nodes = [_n(h, _fw(version=v), errors=("gpu-not-visible",) if h in ("n5", "n6") else ())
             for h, v in (("n1", "2.5.1"), ("n2", "2.5.1"), ("n3", "2.5.1"), ("n4", "2.4.0"), ("n5", "2.4.0"),
                          ("n6", "2.3.0"))]
    assert _findings("version-drift", *nodes) == [
        "pytorch version differs across nodes: 2.5.1 on 3 node(s) (the majority); 2.4.0 on n4, n5; 2.3.0 on n6"]
    assert _findings("node-unhealthy", *nodes) == ["2 node(s) with error gpu-not-visible: n5, n6"]


def test_fail_on_help_lists_every_fleet_code() -> None:
    assert fleet_rules.fail_on_help() == (
        "Exit 1 on fleet diagnoses at or above a severity (error, warning, info) or with one of a comma list of "
        "codes (version-drift, node-gpus-missing, node-unhealthy, stale-report); none (default) never fails.")


def test_explain_a_fleet_code_shows_its_rule_wrapped_at_78_columns() -> None:
    result = CliRunner().invoke(app, ["explain", "node-gpus-missing"])
    assert result.exit_code == 0, result.output
    text = fleet_rules.explain("node-gpus-missing")
    assert text is not None and text in result.stdout
    assert " ".join(text.split()).startswith(
        "node-gpus-missing (error, across the nodes of fwprobe merge / fleet) A framework that imports on a node "
        "but sees fewer GPUs than one CUDA process can use there (the driver's GPUs; a single MIG device on a MIG "
        "node), or fewer than its peers with the same GPU models see. A CPU-only build that sees none is left to "
        "the node's own scan. Rule: fwprobe.fleet.rules.node_gpus_missing")
    assert max(len(line) for line in text.splitlines()) == 78


def test_the_fleet_codes_table_escapes_a_pipe_in_a_rules_doc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fleet_rules, "FLEET_RULES", dict(fleet_rules.FLEET_RULES))

    @fleet_rules.fleet_rule("test-pipe", "info")
    def pipe(view: FleetView) -> Iterator[Finding]:
        """Nodes whose a|b differ."""
        yield from ()

    assert fleet_rules.markdown_table().splitlines()[-1] == "| `test-pipe` | info | Nodes whose a\\|b differ. |"


def test_of_two_reports_of_a_host_from_the_same_second_the_first_given_is_kept() -> None:
    first, second = ("1.json", _raw(), None), ("2.json", _raw(when="2026-11-23T12:00:00Z"), None)
    fleet = merge([first, second], "2026-11-23T13:00:00+00:00", "test")
    assert [n.source for n in fleet.nodes] == ["1.json"] and [s.source for s in fleet.skipped] == ["2.json"]


def test_merge_judges_staleness_by_the_hours_it_is_given() -> None:
    sources = [("a.json", _raw("a"), None), ("b.json", _raw("b", when="2026-11-23T10:00:00+00:00"), None)]
    fleet = merge(sources, "2026-11-23T13:00:00+00:00", "test", stale_hours=1)
    assert [d.message for d in fleet.diagnoses if d.code == "stale-report"] == [
        "1 report(s) more than 1 h older than the newest (2026-11-23T12:00:00+00:00): b"]
