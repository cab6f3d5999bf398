"""The typer app: options in, the pipeline called, a renderer picked, an exit code out.

Exit codes: 0 ok; 1 a `check` policy failed; 2 bad usage or bad input (any ``UsageError``:
a catalog that does not validate, an interpreter that is not Python, an index that cannot be
configured), mapped in one place (``_usage_errors``); 130 interrupted.
Heavy modules (rich, requests, packaging) are imported inside commands, so `--version` and
`--help` stay fast. Formats, their help and their dispatch come from ``fwprobe.render``.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, List, Optional, TypeVar

import typer

from fwprobe import __version__, options, render
from fwprobe.errors import UsageError
from fwprobe.fleet import rules as fleet_rules  # the fleet codes for --fail-on's help (no data model)
from fwprobe.index_options import IndexOptions
from fwprobe.render import escape

if TYPE_CHECKING:
    from fwprobe.catalog import Catalog
    from fwprobe.core import ScanOptions
    from fwprobe.model import Report

EXIT_OK, EXIT_POLICY, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help is plain text: "fwprobe[ray]" is an extra, not markup
    context_settings={"help_option_names": ["-h", "--help"]},
)

F = TypeVar("F", bound=Callable[..., Any])


def _usage_errors(command: F) -> F:
    """The one place a UsageError becomes a message on stderr and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except UsageError as exc:  # its text may quote a catalog, a path, an index's answer
            _warn(f"error: {exc}", "red")
            if exc.advice:
                typer.echo(f"  {escape.terminal(exc.advice)}", err=True)
            raise typer.Exit(EXIT_USAGE) from None

    return wrapper  # type: ignore[return-value]


def _warn(message: str, color: str = "yellow") -> None:
    """One line on stderr, "fwprobe: MESSAGE"; what the message quotes is data (escape.terminal)."""
    typer.secho(f"fwprobe: {escape.terminal(message)}", err=True, fg=color)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fwprobe {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """Probe deep-learning environments: which frameworks are installed, whether they import
    and see the GPU, and whether the package index confirms the catalog's status claims.

    \b
    Examples:
      fwprobe scan                        the environment you are in
      fwprobe scan --python ~/venvs/train another one (venv/conda dir or python)
      fwprobe check --require-gpu torch   CI gate: exit 1 when it fails
      fwprobe status --format markdown    catalog claims vs the package index
    Exit codes: 0 ok, 1 check failed, 2 bad usage or input.
    """


def _load_catalog(path: Optional[Path]) -> Catalog:
    from fwprobe.catalog import CatalogError, load_catalog

    try:
        return load_catalog(path)
    except CatalogError as exc:
        raise CatalogError(f"invalid catalog: {exc}") from None


def _emit(rendered: Any, output: Optional[Path], host: Optional[str], when: str) -> None:
    """The rendered report to stdout or ``output`` (written whole; {host} and {time} filled in:
    ``host`` is the report's own, None for this machine; ``when`` its generation time)."""
    from fwprobe.output import emit

    written = emit(rendered, output, host, when)
    if written is not None:
        typer.echo(f"wrote {escape.terminal(written)}", err=True)


def _host_of(report: Report) -> Optional[str]:
    return report.host.hostname if report.host is not None else None


def _index_advice(report: Report, without_index: str = ", or --no-index") -> None:
    from fwprobe.index_options import advice

    said = advice(report, without_index)
    if said:
        _warn(f"warning: {said}")


def _scan_report(catalog: Catalog, scan_options: ScanOptions, index: IndexOptions, claims: bool) -> Report:
    from dataclasses import replace

    from fwprobe import early
    from fwprobe.assess.diagnoses.registry import catalog_codes
    from fwprobe.core import scan
    from fwprobe.render.progress import RichProgress

    report = scan(catalog, scan_options, index=lambda: index.client(required=False, warn=_warn),
                  progress=RichProgress(), early=early.take())
    _index_advice(report)
    if not claims:  # the catalog's own truth is for `status` (and whoever asks with --claims)
        report = replace(report, diagnoses=tuple(d for d in report.diagnoses if d.code not in catalog_codes()))
    return report


def _scan_options(python: Optional[str], framework: Optional[List[str]], no_import: bool, timeout: float,
                  keep_pythonpath: bool, exercise: bool = False) -> ScanOptions:
    from fwprobe.core import ScanOptions

    options.check_probing(timeout, no_import, exercise)
    return ScanOptions(python=python, frameworks=tuple(framework or ()), do_import=not no_import,
                       timeout=timeout, keep_pythonpath=keep_pythonpath, exercise=exercise)


def _opt(name: str, **override: Any) -> Any:
    """The typer parameter of scan option ``name``, from the one table (fwprobe.options);
    ``override`` changes its default or help for one command."""
    o = options.BY_NAME[name]
    return typer.Option(override.get("default", o.default), *o.flags, metavar=o.metavar,
                        help=override.get("help", o.help))




def _format_option(command: str, default: Optional[str] = None) -> Any:
    return _opt("fmt", default=default, help=render.formats_help(command))


@app.command("scan")
@_usage_errors
def scan_cmd(
    python: Optional[str] = _opt("python"),
    framework: Optional[List[str]] = _opt("framework"),
    no_import: bool = _opt("no_import"),
    exercise: bool = _opt("exercise"),
    fmt: Optional[str] = _format_option("scan"),
    output: Optional[Path] = _opt("output"),
    timeout: float = _opt("timeout"),
    no_index: bool = _opt("no_index"),
    index_url: Optional[str] = _opt("index_url"),
    offline: bool = _opt("offline"),
    refresh: bool = _opt("refresh"),
    index_timeout: float = _opt("index_timeout"),
    keep_pythonpath: bool = _opt("keep_pythonpath"),
    catalog_path: Optional[Path] = _opt("catalog_path"),
    claims: bool = _opt("claims"),
) -> None:
    """Installed frameworks, import health, GPU visibility and release status, with diagnoses.

    On a terminal the report is a table; piped or redirected it is JSON (--format table keeps
    the table).

    \b
    Examples:
      fwprobe scan
      fwprobe scan --python ~/venvs/train --framework torch
      fwprobe scan --no-import --no-index --format json
      fwprobe scan --exercise --format markdown   (paste into a bug report)
    """
    renderer = render.pick("scan", fmt, output)
    catalog = _load_catalog(catalog_path)
    report = _scan_report(catalog, _scan_options(python, framework, no_import, timeout, keep_pythonpath, exercise),
                          IndexOptions(no_index, index_url, offline, refresh, index_timeout), claims)
    _emit(renderer(report, catalog), output, _host_of(report), report.generated_at)


@app.command("status")
@_usage_errors
def status_cmd(
    framework: Optional[List[str]] = _opt("framework"),
    fmt: Optional[str] = _format_option("status"),
    output: Optional[Path] = _opt("output"),
    index_url: Optional[str] = _opt("index_url"),
    offline: bool = _opt("offline"),
    refresh: bool = _opt("refresh"),
    index_timeout: float = _opt("index_timeout"),
    catalog_path: Optional[Path] = _opt("catalog_path"),
    pythons: Optional[List[str]] = typer.Option(
        None, "--python", "-p", metavar="PATH",
        help="Also probe the frameworks installed in this interpreter (venv/conda dir or python) for "
             "evidence on execution and feature claims; repeatable (several envs, several versions)."),
    timeout: float = _opt("timeout"),
) -> None:
    """The catalog's frameworks against the package index; no local environment needed.

    For each framework: newest release, releases in the last year, observed status (active,
    stale, unmaintained, archived, unknown) and whether that confirms the catalog's claim; every
    other checkable claim of its row (execution model, features, dependencies, maintainer)
    judged on index metadata and, with --python, on probes.

    \b
    Examples:
      fwprobe status
      fwprobe status --python ~/venvs/torch --python ~/venvs/tf \\
          --format markdown -o STATUS.md
    """
    from fwprobe.core import status_report
    from fwprobe.render.progress import RichProgress

    renderer = render.pick("status", fmt, output)
    catalog = _load_catalog(catalog_path)
    client = IndexOptions(False, index_url, offline, refresh, index_timeout).client(required=True, warn=_warn)
    assert client is not None
    options.check_probing(timeout)
    report = status_report(catalog, client, list(framework or ()), progress=RichProgress(),
                           pythons=tuple(pythons or ()), probe_timeout=timeout)
    _index_advice(report, without_index="")
    _emit(renderer(report, catalog), output, None, report.generated_at)


@app.command("check")
@_usage_errors
def check_cmd(
    require: Optional[List[str]] = typer.Option(
        None, "--require", "-r", metavar="SPEC",
        help="A PEP 440 requirement that must be installed, e.g. 'torch>=2.4,<3'; repeatable."),
    require_gpu: Optional[List[str]] = typer.Option(
        None, "--require-gpu", "-g", metavar="FRAMEWORK",
        help="This framework must import, see at least one accelerator and (unless --no-exercise) "
             "compute on every one it sees; repeatable."),
    fail_on: str = typer.Option(
        "error", "--fail-on", metavar="LEVEL|CODES",
        help="Fail on diagnoses at or above a severity (error, warning, info), on a comma list "
             "of diagnosis codes, or never (none)."),
    max_age_days: Optional[int] = typer.Option(
        None, "--max-age-days", metavar="N", min=0,
        help="Every installed framework must have had a release within N days (needs the index)."),
    junit_path: Optional[Path] = typer.Option(None, "--junit", metavar="FILE",
                                              help="Also write a JUnit XML report for CI dashboards ({host}, {time} filled in)."),
    exercise: Optional[bool] = typer.Option(
        None, "--exercise/--no-exercise",
        help=options.EXERCISE_HELP + " Default: on when --require-gpu is given (CI wants usable, not visible)."),
    python: Optional[str] = _opt("python"),
    framework: Optional[List[str]] = _opt("framework"),
    fmt: Optional[str] = _format_option("check", "text"),
    output: Optional[Path] = _opt("output"),
    timeout: float = _opt("timeout"),
    no_index: bool = _opt("no_index"),
    index_url: Optional[str] = _opt("index_url"),
    offline: bool = _opt("offline"),
    refresh: bool = _opt("refresh"),
    index_timeout: float = _opt("index_timeout"),
    keep_pythonpath: bool = _opt("keep_pythonpath"),
    catalog_path: Optional[Path] = _opt("catalog_path"),
    claims: bool = _opt("claims"),
) -> None:
    """Scan, then apply a policy: exit 0 when every check passes, 1 when any fails, 2 on bad usage.

    When GITHUB_ACTIONS is set, failures are also printed as workflow error annotations.

    \b
    Examples (a GPU runner):
      fwprobe check --require-gpu torch --require 'tensorflow>=2.16'
      fwprobe check --fail-on warning --max-age-days 730 --junit fwprobe.xml
    """
    from dataclasses import replace

    from fwprobe import assess
    from fwprobe.render import check as render_check

    renderer = render.pick("check", fmt, output)
    policy = assess.parse_fail_on(fail_on)
    catalog = _load_catalog(catalog_path)
    requirements = assess.parse_requirements(require or (), catalog)
    assess.check_gpu_keys(require_gpu or (), catalog)
    if max_age_days is not None and no_index:
        raise UsageError("--max-age-days needs the package index; drop --no-index")
    scan_frameworks = list(framework or ())
    if scan_frameworks:  # a required framework is always scanned
        scan_frameworks += [*(require_gpu or ()), *(r.name for r in requirements)]
    do_exercise = bool(require_gpu) if exercise is None else exercise
    report = _scan_report(catalog, _scan_options(python, scan_frameworks, False, timeout, keep_pythonpath,
                                                 do_exercise),
                          IndexOptions(no_index, index_url, offline, refresh, index_timeout), claims)
    checks = assess.evaluate_checks(report, catalog, requirements, list(require_gpu or ()), policy, max_age_days)
    report = replace(report, checks=checks)
    if junit_path is not None:
        from fwprobe.output import fill, write_atomic

        write_atomic(Path(fill(str(junit_path), _host_of(report), report.generated_at)), render_check.junit(report))
    _emit(renderer(report, catalog), output, _host_of(report), report.generated_at)
    if os.environ.get("GITHUB_ACTIONS"):
        annotations = render_check.github_annotations(checks)
        # keep JSON and metrics on stdout parseable: annotations then go to stderr
        data_out = renderer.format in (render.Format.JSON, render.Format.PROMETHEUS) and output is None
        (sys.stderr if data_out else sys.stdout).write(annotations)
    raise typer.Exit(EXIT_OK if all(c.passed for c in checks) else EXIT_POLICY)


@app.command("merge")
@_usage_errors
def merge_cmd(
    paths: List[str] = typer.Argument(..., metavar="PATH...",
                                      help="Scan reports (JSON files), directories of them (*.json), or - "
                                           "for reports on stdin (JSON documents, pretty-printed or one per "
                                           "line)."),
    fmt: Optional[str] = _format_option("merge"),
    output: Optional[Path] = _opt("output"),
    fail_on: str = typer.Option("none", "--fail-on", metavar="LEVEL|CODES", help=fleet_rules.fail_on_help()),
    stale_hours: float = typer.Option(24.0, "--stale-hours", metavar="H",
                                      help="A report this much older than the newest is stale-report."),
) -> None:
    """Fold many nodes' scan reports into one fleet view (schema fwprobe.fleet/1).

    Each node runs `fwprobe scan --format json -o reports/{host}.json` under the engine the
    cluster already has (Slurm: srun --ntasks-per-node=1 ...; Kubernetes: a DaemonSet). A file
    that is not a fwprobe report is skipped with its reason; the same host twice keeps the
    newest report. On a terminal the view is a table; piped it is JSON.

    \b
    Examples:
      fwprobe merge reports/
      fwprobe merge reports/ --format markdown --fail-on error
      cat reports/*.json | fwprobe merge -
    """
    from fwprobe.clock import now_utc
    from fwprobe.fleet.load import iter_sources
    from fwprobe.fleet.merge import merge

    renderer = render.pick("merge", fmt, output)
    policy = fleet_rules.parse_fail_on(fail_on)
    if stale_hours <= 0:
        raise UsageError("--stale-hours must be positive")
    fleet = merge(iter_sources(paths), now_utc().isoformat(timespec="seconds"), __version__, stale_hours)
    for skipped in fleet.skipped:
        _warn(f"skipped {skipped.source}: {skipped.reason}")
    if not fleet.nodes:
        raise UsageError("no fwprobe scan report among the inputs",
                         "write them with: fwprobe scan --format json -o reports/{host}.json")
    _emit(renderer(fleet, None), output, None, fleet.generated_at)
    failing = policy is not None and any(policy.fails(d.severity, d.code) for d in fleet.diagnoses)
    raise typer.Exit(EXIT_POLICY if failing else EXIT_OK)


@app.command("fleet")
@_usage_errors
def fleet_cmd(
    ray_address: Optional[str] = typer.Option(None, "--ray", metavar="ADDRESS",
                                              help="Run the scans with Ray: the cluster's address (host:6379, "
                                                   "ray://host:10001) or 'auto'."),
    python: Optional[str] = typer.Option(None, "--python", "-p", metavar="PATH",
                                         help="The interpreter to scan on every node (default: the one the "
                                              "engine's workers run in)."),
    framework: Optional[List[str]] = _opt("framework"),
    no_import: bool = _opt("no_import"),
    exercise: bool = _opt("exercise"),
    timeout: float = typer.Option(120.0, "--timeout", metavar="SECONDS",
                                  help="Per-node deadline: a node with no report by then is a row with the reason."),
    fmt: Optional[str] = _format_option("merge"),
    output: Optional[Path] = _opt("output"),
    fail_on: str = typer.Option("none", "--fail-on", metavar="LEVEL|CODES", help=fleet_rules.fail_on_help()),
    keep_pythonpath: bool = _opt("keep_pythonpath"),
) -> None:
    """Scan every alive node of a cluster through the engine it runs (Ray: --ray), then merge the
    reports as `fwprobe merge` does.

    Ray: one task per node, pinned to it, reserving no CPU or GPU. Needs Ray beside fwprobe: from
    a checkout, pip install '.[ray]' (on the nodes too).

    \b
    Examples:
      fwprobe fleet --ray auto
      fwprobe fleet --ray head:6379 -f torch --exercise --format markdown
    """
    from fwprobe.clock import now_utc
    from fwprobe.fleet.merge import merge
    from fwprobe.fleet.runner import runner_for

    renderer = render.pick("merge", fmt, output)
    policy = fleet_rules.parse_fail_on(fail_on)
    # the same ScanOptions for every node; each probe within the node's deadline
    scan_options = _scan_options(python, framework, no_import, min(timeout, options.DEFAULT_TIMEOUT), keep_pythonpath,
                                 exercise)
    options.check_probing(timeout)
    runner = runner_for({"ray": ray_address})
    if python is None:  # said once: a framework only in the jobs' environment would be "not installed"
        _warn("note: without --python each node scans the interpreter the engine's workers run in; a "
              "framework installed only in your jobs' environment is not seen there (pass --python PATH)")
    fleet = merge(runner.run(scan_options, timeout), now_utc().isoformat(timespec="seconds"), __version__)
    for skipped in fleet.skipped:
        _warn(f"{skipped.source}: {skipped.reason}")
    _emit(renderer(fleet, None), output, None, fleet.generated_at)
    failing = policy is not None and any(policy.fails(d.severity, d.code) for d in fleet.diagnoses)
    raise typer.Exit(EXIT_POLICY if failing else EXIT_OK)


@app.command("explain")
@_usage_errors
def explain_cmd(code: str = typer.Argument(..., metavar="CODE", help="A diagnosis code, e.g. gpu-not-visible.")) -> None:
    """What a diagnosis code (scan's, or merge's fleet codes) means, when it fires and how severe
    it is (from the rule itself).

    \b
    Examples:
      fwprobe explain gpu-not-visible
      fwprobe explain pythonpath-only
      fwprobe explain version-drift
    """
    from fwprobe.assess.diagnoses.reference import explain

    wanted = code.strip().lower()
    text = explain(wanted) or fleet_rules.explain(wanted)  # a scan's codes, then merge's fleet codes
    if text is None:
        from fwprobe.assess.diagnoses import DIAGNOSIS_CODES

        raise UsageError(f"unknown diagnosis code {code!r}",
                         "codes: " + ", ".join(DIAGNOSIS_CODES) + "; fleet codes: " + ", ".join(fleet_rules.FLEET_CODES))
    typer.echo(text, nl=False)


def main() -> None:
    """Console entry point."""
    try:
        app(prog_name="fwprobe")
    except BrokenPipeError:  # `fwprobe scan | head`
        os._exit(0)
