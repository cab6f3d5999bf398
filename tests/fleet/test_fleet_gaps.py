"""What `fwprobe merge` tells an operator, at the edges: nodes whose torch builds for different
CUDA releases, a node that sees fewer GPUs than its peers, two Ray nodes on one machine, the
newest report of a host in either file order, exercise summaries and report age at the limit
(scan reports built in memory, merged in process)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from fakes.reports import ReportBuilder
from fwprobe.assess import diagnose
from fwprobe.catalog import load_catalog
from fwprobe.fleet.merge import merge
from fwprobe.model import Exercise, Host, Outcome

CATALOG = load_catalog()
NOON = "2026-11-23T12:00:00+00:00"


def _report(host: str, *, torch: str = "2.5.1", cuda: str = "12.4", gpus: int = 2, seen: int = 2,
            when: str = NOON, scheduler: dict[str, str] | None = None, driver: str | None = None,
            exercise: tuple[Exercise, ...] = (), cpu_only: bool = False) -> dict[str, Any]:
    b = ReportBuilder(gpus=gpus).framework("pytorch", "torch", torch, cuda=None if cpu_only else cuda,
                                           cpu_only=cpu_only, devices=("cuda",) * seen + ("cpu",))
    report = b.build()
    if exercise:
        fw = report.frameworks[0]
        report = replace(report, frameworks=(replace(fw, probe=replace(fw.probe, exercise=exercise)),))
    if driver:
        report = replace(report, system=replace(report.system, driver_version=driver))
    report = replace(report, generated_at=when, host=Host(host, "Ubuntu", "22.04", scheduler=scheduler or {}))
    report = replace(report, diagnoses=diagnose(report, CATALOG, environ={}))
    return json.loads(report.to_json())


def _merge(*reports: tuple[str, dict[str, Any]]):
    return merge([(source, data, None) for source, data in reports], "2026-11-23T13:00:00+00:00", "test")


def _codes(fleet, code: str) -> list:
    return [d for d in fleet.diagnoses if d.code == code]


def test_torch_built_for_another_cuda_on_one_node_is_drift() -> None:
    fleet = _merge(("a.json", _report("node-a")), ("b.json", _report("node-b")),
                   ("c.json", _report("node-c", cuda="12.1")))
    [d] = _codes(fleet, "version-drift")
    assert d.framework == "pytorch"
    assert d.message == "pytorch's CUDA build differs across nodes: 12.4 on 2 node(s) (the majority); 12.1 on node-c"
    assert d.hint == "bring the outliers to 12.4 (or pin one version in the image all nodes use)"


def test_versions_and_drivers_drift_with_ties_broken_by_value() -> None:
    fleet = _merge(("a.json", _report("node-a", torch="2.5.1", driver="550.54.15")),
                   ("b.json", _report("node-b", torch="2.4.0", driver="535.104.05")))
    assert sorted(d.message for d in _codes(fleet, "version-drift")) == [
        "pytorch version differs across nodes: 2.4.0 on 1 node(s) (the majority); 2.5.1 on node-a",
        "the NVIDIA driver differs across nodes: 535.104.05 on 1 node(s) (the majority); 550.54.15 on node-a"]
    same = _merge(("a.json", _report("node-a")), ("b.json", _report("node-b")))
    assert _codes(same, "version-drift") == []


def test_a_node_seeing_fewer_gpus_than_its_peers_with_the_same_model() -> None:
    # node-b's driver lists one A100 of two (the other fell off the bus): its peers see 2
    fleet = _merge(("a.json", _report("node-a")), ("b.json", _report("node-b", gpus=1, seen=1)))
    [d] = _codes(fleet, "node-gpus-missing")
    assert d.framework == "pytorch"
    assert d.message == "node-b: pytorch sees 1 GPU(s), but its peers with NVIDIA A100-SXM4-80GB see 2"
    assert d.hint == "run `fwprobe scan -f pytorch` on node-b for its own diagnosis"


def test_a_node_seeing_fewer_gpus_than_its_driver_shows() -> None:
    fleet = _merge(("a.json", _report("node-a", gpus=4, seen=3)))
    assert [d.message for d in _codes(fleet, "node-gpus-missing")] == [
        "node-a: pytorch sees 3 GPU(s), but the driver shows 4"]


def test_no_gpus_missing_where_nothing_says_more_are_there() -> None:
    whole = _merge(("a.json", _report("node-a")), ("b.json", _report("node-b")))
    assert _codes(whole, "node-gpus-missing") == []
    cpu_only = _merge(("a.json", _report("node-a", seen=0, cpu_only=True)))
    assert _codes(cpu_only, "node-gpus-missing") == []  # the node's own scan says cpu-only-build-on-gpu-host
    no_gpus = _merge(("a.json", _report("node-a", gpus=0, seen=0)))
    assert _codes(no_gpus, "node-gpus-missing") == []


def test_two_ray_nodes_on_one_machine_stay_two_nodes() -> None:
    first = _report("gpu-box", scheduler={"scheduler": "ray", "node_id": "a1b2c3d4e5f6a7b8c9d0"})
    second = _report("gpu-box", scheduler={"scheduler": "ray", "node_id": "ffeeddccbbaa99887766"}, seen=1)
    legacy = _report("gpu-box", scheduler={"scheduler": "ray", "FWPROBE_RAY_NODE_ID": "0123456789abcdef"})
    fleet = _merge(("1.json", first), ("2.json", second), ("3.json", legacy))
    assert [n.host for n in fleet.nodes] == ["gpu-box/0123456789ab", "gpu-box/a1b2c3d4e5f6", "gpu-box/ffeeddccbbaa"]
    assert fleet.skipped == ()
    assert [d.message for d in _codes(fleet, "node-gpus-missing")] == [
        "gpu-box/ffeeddccbbaa: pytorch sees 1 GPU(s), but the driver shows 2"]


def test_the_newest_report_of_a_host_wins_in_either_file_order() -> None:
    old = _report("node-1", torch="2.3.0", when="2026-11-23T08:00:00+00:00")
    new = _report("node-1", torch="2.5.1", when="2026-11-23T11:00:00Z")
    for order in ((("old.json", old), ("new.json", new)), (("new.json", new), ("old.json", old))):
        fleet = _merge(*order)
        assert [(n.host, n.source, n.frameworks[0].version) for n in fleet.nodes] == [("node-1", "new.json", "2.5.1")]
        assert [(s.source, s.reason) for s in fleet.skipped] == [
            ("old.json", "an older report of node-1 (the one from 2026-11-23T11:00:00Z is kept)")]
        assert _codes(fleet, "version-drift") == []


def test_the_exercise_column_counts_passed_devices() -> None:
    ran = (Exercise("cuda", 0, True, 0.1), Exercise("cuda", 1, False, 0.2, "RuntimeError", "boom"))
    fleet = _merge(("a.json", _report("node-a", exercise=ran)), ("b.json", _report("node-b")))
    assert {n.host: n.frameworks[0].exercise for n in fleet.nodes} == {"node-a": "1/2 passed", "node-b": None}
    # device-unusable is an error in node-a's own report: the fleet names the node
    [d] = _codes(fleet, "node-unhealthy")
    assert d.message == "1 node(s) with error device-unusable: node-a"
    assert d.hint == "see each node's report (fwprobe scan on the node) for the fix of device-unusable"
    assert fleet.nodes[0].frameworks[0].error_codes == ("device-unusable",)


def test_a_report_exactly_24_hours_older_is_not_yet_stale() -> None:
    at_limit = _merge(("a.json", _report("node-a")), ("b.json", _report("node-b", when="2026-11-22T12:00:00+00:00")))
    assert _codes(at_limit, "stale-report") == []
    past = _merge(("a.json", _report("node-a")), ("b.json", _report("node-b", when="2026-11-22T11:59:59+00:00")),
                  ("c.json", _report("node-c", when="2026-11-20T12:00:00")))
    [d] = _codes(past, "stale-report")
    assert d.message == ("2 report(s) more than 24 h older than the newest (2026-11-23T12:00:00+00:00): "
                         "node-b, node-c")
    assert d.hint == "rescan those nodes; a stale report describes a machine that may have changed"


def test_failed_imports_and_missing_frameworks_are_counted_per_framework() -> None:
    broken = _report("node-b")
    broken["frameworks"][0]["probe"]["outcome"] = Outcome.FAILED.value
    fleet = _merge(("a.json", _report("node-a", seen=0)), ("b.json", broken))
    [fw] = fleet.frameworks
    assert (fw.id, fw.installed, fw.importing, fw.with_accelerator) == ("pytorch", 2, 1, 1)
    assert fw.versions == {"2.5.1": ["node-a", "node-b"]}


def test_reports_on_stdin_in_every_shape_scan_and_tools_write_them() -> None:
    import io

    from fwprobe.fleet.load import iter_sources

    one = {"schema": "fwprobe.report/1", "note": "a } and a { and a \" inside a string \\\\"}
    pretty = json.dumps(one, indent=2)
    stream = ("\n" + json.dumps(one) + "\n"  # one per line
              + pretty + "\n"  # pretty-printed, as scan prints it
              + json.dumps([1, 2]) + json.dumps({"b": [{"c": "}"}]}) + "\n"  # concatenated on one line
              + "  WARNING: not a report line that goes on and on " + "x" * 100 + "\n"
              + '{"a": [1, 2,\n')  # cut off by the end of the stream
    got = list(iter_sources(["-"], io.StringIO(stream)))
    assert got == [
        ("stdin:2", one, None),
        ("stdin:3", one, None),
        (f"stdin:{3 + pretty.count(chr(10)) + 1}", [1, 2], None),
        (f"stdin:{3 + pretty.count(chr(10)) + 1}", {"b": [{"c": "}"}]}, None),
        (f"stdin:{3 + pretty.count(chr(10)) + 2}", None,
         "not JSON: WARNING: not a report line that goes on and on " + "x" * 33),
        (f"stdin:{3 + pretty.count(chr(10)) + 3}", None, "not JSON: the stream ends inside a document (truncated?)"),
    ]


def test_a_document_whose_braces_balance_but_is_not_json_is_skipped_with_its_reason() -> None:
    import io

    from fwprobe.fleet.load import iter_sources

    [(source, data, reason)] = list(iter_sources(["-"], io.StringIO('{"a": 1,\n "b": }\n')))
    assert (source, data) == ("stdin:1", None) and reason is not None and reason.startswith("not JSON: Expecting value")


def test_the_fleet_json_of_a_fresh_process_is_the_stdlibs(monkeypatch) -> None:
    from fwprobe.fleet import model

    monkeypatch.setattr(model, "_ENCODERS", {})  # as in a new process: each encoder generated on first use
    fleet = _merge(("a.json", _report("node-a", exercise=(Exercise("cuda", 0, True, 0.1),))),
                   ("b.json", _report("node-b", cuda="12.1", seen=1)), ("c.json", {"schema": "nope"}))
    text = fleet.to_json()
    assert text == json.dumps(fleet.to_dict(), indent=2) + "\n"
    assert text.startswith('{\n  "schema": "fwprobe.fleet/1",\n  "generated_at": ')
    assert model._ROWS == {}  # the shared rows are dropped once written
