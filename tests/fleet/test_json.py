"""FleetReport.to_json writes, byte for byte, what json.dumps(to_dict(), indent=2) writes: the
hand-made encoder (bench/bench_fleet.py) is checked against the stdlib on hostile values."""

from __future__ import annotations

import gc
import json

from fwprobe.fleet.model import FleetFramework, FleetReport, Node, NodeFramework, Skipped
from fwprobe.model import Diagnosis, Severity

HOSTILE = ["", "plain", 'q"uote', "back\\slash", "new\nline\r\t", "\x00\x1b[31m\x7f", "caf\u00e9 \u2028 \u202e",
           "\U0001f680", "\ud800 lone surrogate", "{[,:]}", "</script>", " " * 3]


def _report() -> FleetReport:
    frameworks = tuple(NodeFramework(id=text or "x", version=text, outcome="ok" if i % 2 else None, accelerators=i,
                                     accelerator_kind=text if i else None, build_cuda=None,
                                     exercise=f"{i}/{i} passed" if i else None, error_codes=tuple(HOSTILE[:i]))
                       for i, text in enumerate(HOSTILE))
    nodes = (Node(host="n1", generated_at="2026-11-23T12:00:00+00:00", source="a.json", scheduler={}),
             Node(host=HOSTILE[4], generated_at="t", source=HOSTILE[6], scheduler={k or "empty": k for k in HOSTILE},
                  driver_version=HOSTILE[1], cuda_driver_version=None, gpus=2, gpu_models=tuple(HOSTILE),
                  frameworks=frameworks + frameworks, error_codes=("import-failed",), cuda_devices=1))
    return FleetReport(generated_at="2026-11-23T13:00:00+00:00", fwprobe_version="0.1.0", nodes=nodes,
                       frameworks=(FleetFramework("pytorch", {"2.5.1": ["n1", HOSTILE[2]], "": []}, 2, 1, 0),
                                   FleetFramework("empty", {}, 0, 0, 0)),
                       diagnoses=(Diagnosis("version-drift", Severity.WARNING, HOSTILE[5], HOSTILE[7], None),
                                  Diagnosis("node-unhealthy", Severity.ERROR, "m", "h", "pytorch")),
                       skipped=(Skipped(HOSTILE[3], HOSTILE[8]),))


def test_to_json_is_the_stdlibs_indented_json() -> None:
    report = _report()
    expected = json.dumps(report.to_dict(), indent=2) + "\n"
    assert report.to_json() == expected
    assert report.to_json() == expected  # again: the framework rows written once are not kept between calls
    assert json.loads(expected)["schema"] == "fwprobe.fleet/1" and next(iter(json.loads(expected))) == "schema"


def test_empty_and_odd_values() -> None:
    empty = FleetReport(generated_at="t", fwprobe_version="v", nodes=(), frameworks=())
    assert empty.to_json() == json.dumps(empty.to_dict(), indent=2) + "\n"
    # values of types the model does not declare still come out as the stdlib writes them
    odd = FleetReport(generated_at="t", fwprobe_version="v", frameworks=(),
                      nodes=(Node(host="h", generated_at="t", source="s", gpus=2.5, gpu_models=(True, False, None, 1.0),  # type: ignore[arg-type]
                                  scheduler={"k": [1, {"x": ()}]}),))  # type: ignore[dict-item]
    assert odd.to_json() == json.dumps(odd.to_dict(), indent=2) + "\n"


def test_the_collector_is_left_as_it_was() -> None:
    assert gc.isenabled()
    _report().to_json()
    assert gc.isenabled()
    gc.disable()
    try:
        _report().to_json()
        assert not gc.isenabled()
    finally:
        gc.enable()
