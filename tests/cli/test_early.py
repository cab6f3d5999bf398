"""`fwprobe scan` starts its children before the CLI loads (fwprobe.early): the guess from argv
agrees with the CLI, the scan uses those children only for its own plan, and nothing started
early outlives a usage error."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from fakes.catalogs import FAKE_CATALOG
from fakes.frameworks import FAKE_TORCH_CPU, HANG, write_module
from fwprobe import cli, core, early
from fwprobe.catalog import load_catalog
from fwprobe.core import ScanOptions, scan
from fwprobe.options import SCAN_OPTIONS
from fwprobe.runner import Child

runner = CliRunner()

_READABLE = [
    ["scan"],
    ["scan", "-p", "/opt/env/bin/python", "-f", "torch", "--framework=jax", "--timeout", "5", "--no-import",
     "--keep-pythonpath", "--catalog", "cat.toml", "--format", "json", "-o", "r.json", "--no-index",
     "--index-url", "http://127.0.0.1:9/simple", "--offline", "--refresh", "--index-timeout", "3", "--claims"],
    ["scan", "--python", "/a/python", "--python=/b/python", "--exercise", "--timeout=12.5", "-f", "torch"],
]


@pytest.mark.parametrize("argv", _READABLE)
def test_the_guess_is_what_the_cli_reads(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def load(path: Path | None) -> str:
        seen["catalog"] = None if path is None else str(path)
        return "catalog"

    def scan_report(catalog: object, options: ScanOptions, index: object, claims: bool) -> None:
        seen["options"] = options
        raise typer.Exit(0)

    monkeypatch.setattr(cli, "_load_catalog", load)
    monkeypatch.setattr(cli, "_scan_report", scan_report)
    result = runner.invoke(cli.app, argv)
    assert result.exit_code == 0, result.output
    assert early.guess_options(argv) == (seen["catalog"], seen["options"])


@pytest.mark.parametrize("argv", [
    ["status"], ["--version"], ["scan", "--help"], ["scan", "-ftorch"], ["scan", "--python"],
    ["scan", "--timeout", "soon"], ["scan", "stray"], ["scan", "--no-import=1"], ["scan", "--bogus"],
    ["scan", "--", "-f"],
])
def test_what_the_guess_cannot_read_simply_starts_nothing(argv: list[str]) -> None:
    assert early.guess_options(argv) is None


_SAMPLE = {"python": "/x/bin/python", "framework": "torch", "fmt": "json", "output": "o.json", "timeout": "7.5",
           "index_url": "http://127.0.0.1:9/simple", "index_timeout": "3", "catalog_path": "c.toml"}


@pytest.mark.parametrize("argv", [
    ["scan", flag, *([_SAMPLE[o.name]] if o.takes_value else [])] for o in SCAN_OPTIONS for flag in o.flags])
def test_every_option_in_the_table_reads_the_same_through_both_parsers(argv: list[str],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Each scan option, each spelling, through early's reading and typer's: the same options."""
    test_the_guess_is_what_the_cli_reads(argv, monkeypatch)


def test_scan_check_and_fleet_build_their_options_from_the_table() -> None:
    commands = typer.main.get_command(cli.app).commands  # type: ignore[attr-defined]
    for name, shared in (("scan", {o.name for o in SCAN_OPTIONS}),
                         ("check", {o.name for o in SCAN_OPTIONS} - {"no_import"}),  # check always imports
                         ("fleet", {"framework", "no_import", "exercise", "fmt", "output", "keep_pythonpath"})):
        params = {p.name: p for p in commands[name].params}
        for key in shared:
            option = next(o for o in SCAN_OPTIONS if o.name == key)
            if key == "exercise" and name == "check":
                continue  # check's own --exercise/--no-exercise (on with --require-gpu)
            assert key in params, (name, key)
            assert set(option.flags) <= set(params[key].opts), (name, key)
            if key != "fmt":  # --format's help is each command's list of renderers
                assert params[key].help == option.help, (name, key)


def test_the_guess_knows_every_option_of_scan() -> None:
    """A new scan option must be added to fwprobe.early too (or the early start never happens)."""
    command = typer.main.get_command(cli.app).commands["scan"]  # type: ignore[attr-defined]
    options = {opt: param.is_flag for param in command.params for opt in param.opts}
    assert options == {**{o: False for o in early._VALUES}, **{o: True for o in early._FLAGS}}


def _argv(cat: Path, *frameworks: str) -> list[str]:
    argv = ["scan", "--python", sys.executable, "--keep-pythonpath", "--catalog", str(cat), "--no-index"]
    for name in frameworks:
        argv += ["-f", name]
    return argv


@pytest.fixture
def cat(tmp_path: Path) -> Path:
    path = tmp_path / "cat.toml"
    path.write_text(FAKE_CATALOG)
    return path


def test_the_scan_uses_the_children_started_early(site: Path, cat: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_module(site, "torch", FAKE_TORCH_CPU, "torch", "2.5.1+cpu")
    early.start(_argv(cat, "torch"))
    children = early.take()
    assert children is not None and set(children.probes.running) == {"pytorch"}

    def no_new_children(plan: core.Plan) -> None:
        raise AssertionError("the scan started children of its own")

    monkeypatch.setattr(core, "Children", no_new_children)
    report = scan(load_catalog(cat), ScanOptions(python=sys.executable, frameworks=("torch",), keep_pythonpath=True),
                  early=children)
    probe = report.frameworks[0].probe
    assert probe is not None and probe.outcome.value == "ok" and probe.version == "2.5.1+cpu"
    assert not os.path.exists(children.workdir.path)


def test_children_started_for_another_plan_are_killed(site: Path, cat: Path) -> None:
    write_module(site, "torch", FAKE_TORCH_CPU, "torch", "2.5.1+cpu")
    write_module(site, "hangfw", HANG, "hangfw")
    early.start(_argv(cat, "hangfw"))
    children = early.take()
    assert children is not None
    (hanging, _path), = children.probes.running.values()
    report = scan(load_catalog(cat), ScanOptions(python=sys.executable, frameworks=("torch",), keep_pythonpath=True),
                  early=children)
    assert [r.id for r in report.frameworks] == ["pytorch"]
    assert report.frameworks[0].probe is not None and report.frameworks[0].probe.outcome.value == "ok"
    assert hanging.poll() is not None  # killed, not left to its 90 s timeout
    assert not os.path.exists(children.workdir.path)


def test_a_usage_error_after_the_early_start_leaves_nothing(site: Path, cat: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """`__main__` starts the hanging probe, then the CLI rejects --format: exit 2, and the probe
    and the work dir are gone."""
    from fwprobe import __main__

    write_module(site, "hangfw", HANG, "hangfw")
    started: list[core.Children] = []
    probes: list[Child] = []
    real_start = early.start

    def start(argv: list[str]) -> None:
        real_start(argv)
        assert early._children is not None
        started.append(early._children)
        probes.extend(child for child, _path in early._children.probes.running.values())

    monkeypatch.setattr(early, "start", start)
    monkeypatch.setattr(__main__.gc, "freeze", lambda: None)  # main's last act; not in the test process
    monkeypatch.setattr(sys, "argv", ["fwprobe", *_argv(cat, "hangfw"), "--format", "no-such-format"])
    with pytest.raises(SystemExit) as exit_:
        __main__.main()
    assert exit_.value.code == 2
    (children,) = started
    assert not os.path.exists(children.workdir.path)
    assert len(probes) == 1 and probes[0].poll() is not None  # killed, not left to its 90 s timeout
    assert children.inventory.poll() is not None


def test_ctrl_c_while_fwprobe_loads_exits_130_and_leaves_nothing(site: Path, cat: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The interrupt lands while `__main__` starts the children (before the CLI could map it):
    held back until fwprobe has loaded, then exit 130, and the early children are gone."""
    import signal

    from fwprobe import __main__

    write_module(site, "hangfw", HANG, "hangfw")
    started: list[core.Children] = []
    real_start = early.start

    def start(argv: list[str]) -> None:
        real_start(argv)
        assert early._children is not None
        started.append(early._children)
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, mid-load

    monkeypatch.setattr(early, "start", start)
    monkeypatch.setattr(__main__.gc, "freeze", lambda: None)
    monkeypatch.setattr(sys, "argv", ["fwprobe", *_argv(cat, "hangfw")])
    with pytest.raises(SystemExit) as exit_:
        __main__.main()
    assert exit_.value.code == 130
    (children,) = started
    assert not os.path.exists(children.workdir.path) and children.inventory.poll() is not None
