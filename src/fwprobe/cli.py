"""The typer app: options in, the pipeline called, a renderer picked, an exit code out.

Exit codes: 0 ok; 1 a `check` policy failed; 2 bad usage or bad input (catalog that does not
validate, an interpreter that is not Python, an index that cannot be configured).
Heavy modules (rich, requests, packaging) are imported inside commands, so `--version` and
`--help` stay fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, List, Optional

import typer

from fwprobe import __version__

if TYPE_CHECKING:
    from fwprobe.catalog import Catalog
    from fwprobe.index import IndexClient
    from fwprobe.model import Report

EXIT_OK, EXIT_POLICY, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
      fwprobe scan                        this interpreter
      fwprobe scan --python ~/venvs/train another one (venv/conda dir or python)
      fwprobe check --require-gpu torch   CI gate: exit 1 when it fails
      fwprobe status --format markdown    catalog claims vs the package index
    Exit codes: 0 ok, 1 check failed, 2 bad usage or input.
    """


def fail(message: str, advice: str = "") -> typer.Exit:
    """Print a one-line error (and advice) on stderr; the caller raises the returned Exit(2)."""
    typer.secho(f"fwprobe: error: {message}", err=True, fg="red")
    if advice:
        typer.echo(f"  {advice}", err=True)
    return typer.Exit(EXIT_USAGE)


class _RichProgress:
    """Progress on stderr, only when stderr is a terminal."""

    def __init__(self) -> None:
        self.console: Any = None
        if sys.stderr.isatty():  # rich is imported only when there is a terminal to draw on
            from rich.console import Console

            self.console = Console(stderr=True)
        self.status: Any = None
        self.total = self.done = 0
        self.label = ""

    def start(self, total: int, label: str) -> None:
        if total and self.console is not None and self.console.is_terminal:
            self.total, self.done, self.label = total, 0, label
            self.status = self.console.status(f"{label} (0/{total})")
            self.status.start()

    def advance(self, item: str, detail: str) -> None:
        self.done += 1
        if self.status is not None:
            self.console.print(f"  {item}: {detail}", style="dim", highlight=False)
            self.status.update(f"{self.label} ({self.done}/{self.total})")

    def stop(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None


def _load_catalog(path: Optional[Path]) -> Catalog:
    from fwprobe.catalog import CatalogError, load_catalog

    try:
        return load_catalog(path)
    except CatalogError as exc:
        raise fail(f"invalid catalog: {exc}") from None


def _pick_format(fmt: Optional[str], output: Optional[Path], allowed: tuple[str, ...]) -> str:
    if fmt is None:
        return "table" if output is None and sys.stdout.isatty() else "json"
    if fmt not in allowed:
        raise fail(f"--format must be one of: {', '.join(allowed)} (got {fmt!r})")
    return fmt


def _emit(text_or_renderable: Any, fmt: str, output: Optional[Path]) -> None:
    if output is not None:
        try:
            with open(output, "w", encoding="utf-8") as handle:
                if isinstance(text_or_renderable, str):
                    handle.write(text_or_renderable)
                else:
                    from rich.console import Console

                    Console(file=handle, width=140, no_color=True, force_terminal=False).print(
                        text_or_renderable)
        except OSError as exc:
            raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
        typer.echo(f"wrote {output}", err=True)
        return
    if isinstance(text_or_renderable, str):
        sys.stdout.write(text_or_renderable)
        sys.stdout.flush()
    else:
        from rich.console import Console

        Console().print(text_or_renderable)


def _render(report: Report, fmt: str, catalog: Catalog | None = None) -> Any:
    if fmt == "json":
        from fwprobe.render import json as render_json

        return render_json.render(report)
    if fmt == "markdown":
        from fwprobe.render import markdown

        return markdown.render(report, catalog)
    from fwprobe.render import table

    return table.render(report)


def _index_client(index_url: Optional[str], offline: bool, refresh: bool, timeout: float,
                  required: bool = True) -> Optional[IndexClient]:
    """The index client; when not ``required`` (scan, check) a missing configuration is a
    warning and the report simply has no release columns."""
    from fwprobe.index import IndexClient, IndexConfigError, resolve_index_url

    try:
        url = resolve_index_url(index_url)
    except IndexConfigError as exc:
        if required or index_url:
            raise fail(str(exc), "set one with --index-url URL or FWPROBE_INDEX_URL, or use --no-index") from None
        typer.secho(f"fwprobe: warning: {exc}; continuing without release status (--no-index)",
                    err=True, fg="yellow")
        return None
    return IndexClient(url, offline=offline, refresh=refresh, timeout=timeout)


def _index_advice(report: Report) -> None:
    """One line of advice on stderr when no distribution could be fetched at all."""
    from fwprobe.model import IndexErrorKind

    answers = [i for r in report.frameworks for i in r.index]
    if not answers or any(i.ok for i in answers):
        return
    kinds = {i.error_kind for i in answers}
    if kinds & {IndexErrorKind.UNREACHABLE, IndexErrorKind.TIMEOUT}:
        advice = ("the package index did not answer (in time): your network may block it; try --offline "
                  "(cached answers), a longer --index-timeout, or --no-index")
    elif IndexErrorKind.NOT_CACHED in kinds:
        advice = "nothing is cached yet for --offline: run once with network access"
    elif IndexErrorKind.TLS in kinds:
        advice = "TLS verification failed: behind a proxy that re-signs HTTPS, set REQUESTS_CA_BUNDLE"
    else:
        return
    typer.secho(f"fwprobe: warning: {advice}", err=True, fg="yellow")


_FORMAT_HELP = "table (default on a terminal), json (default otherwise; schema fwprobe.report/1)"


def _scan_report(
    python: Optional[str], framework: Optional[List[str]], no_import: bool, timeout: float,
    keep_pythonpath: bool, catalog_path: Optional[Path], no_index: bool, index_url: Optional[str],
    offline: bool, refresh: bool, index_timeout: float,
) -> tuple[Report, Catalog]:
    from fwprobe.catalog import CatalogError
    from fwprobe.core import ScanOptions, scan
    from fwprobe.target import TargetError

    if timeout <= 0:
        raise fail("--timeout must be a positive number of seconds")
    catalog = _load_catalog(catalog_path)
    client = None if no_index else _index_client(index_url, offline, refresh, index_timeout, required=False)
    options = ScanOptions(python=python, frameworks=tuple(framework or ()), do_import=not no_import,
                          timeout=timeout, keep_pythonpath=keep_pythonpath)
    try:
        report = scan(catalog, options, index=client, progress=_RichProgress())
        _index_advice(report)
        return report, catalog
    except TargetError as exc:
        raise fail(f"--python: {exc}") from None
    except CatalogError as exc:
        raise fail(str(exc)) from None


_PYTHON = typer.Option(None, "--python", "-p", metavar="PATH",
                       help="Target interpreter: a python executable, or a virtualenv/conda "
                            "environment directory (Python 3.6+; fwprobe need not be installed there). "
                            "Default: the interpreter running fwprobe.")
_FRAMEWORK = typer.Option(None, "--framework", "-f", metavar="NAME",
                          help="Only this framework (id, name, import or distribution name); repeatable.")
_NO_IMPORT = typer.Option(False, "--no-import",
                          help="Metadata only: never import a framework (fast; safe on untrusted environments).")
_TIMEOUT = typer.Option(90.0, "--timeout", metavar="SECONDS",
                        help="Per-framework probe timeout (TensorFlow's first import can be slow).")
_KEEP_PP = typer.Option(False, "--keep-pythonpath",
                        help="Pass PYTHONPATH/PYTHONHOME to the target (dropped by default).")
_CATALOG = typer.Option(None, "--catalog", metavar="PATH", help="A catalog directory or TOML file instead of the built-in one.")
_NO_INDEX = typer.Option(False, "--no-index", help="Do not ask the package index (no release/status columns).")
_INDEX_URL = typer.Option(None, "--index-url", metavar="URL",
                          help="Package index (Simple API) base URL. Default: FWPROBE_INDEX_URL, "
                               "then PIP_INDEX_URL, pip's config files, then pip's own default.")
_OFFLINE = typer.Option(False, "--offline", help="Use only the on-disk index cache; no network.")
_REFRESH = typer.Option(False, "--refresh", help="Ignore the index cache (answers are still saved).")
_INDEX_TIMEOUT = typer.Option(15.0, "--index-timeout", metavar="SECONDS",
                              help="Deadline for each index answer, however slowly it trickles (a whole run: twice this).")
_OUTPUT = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the report to FILE instead of stdout.")


@app.command("scan")
def scan_cmd(
    python: Optional[str] = _PYTHON,
    framework: Optional[List[str]] = _FRAMEWORK,
    no_import: bool = _NO_IMPORT,
    fmt: Optional[str] = typer.Option(None, "--format", metavar="FORMAT", help=_FORMAT_HELP),
    output: Optional[Path] = _OUTPUT,
    timeout: float = _TIMEOUT,
    no_index: bool = _NO_INDEX,
    index_url: Optional[str] = _INDEX_URL,
    offline: bool = _OFFLINE,
    refresh: bool = _REFRESH,
    index_timeout: float = _INDEX_TIMEOUT,
    keep_pythonpath: bool = _KEEP_PP,
    catalog_path: Optional[Path] = _CATALOG,
) -> None:
    """Installed frameworks, import health, GPU visibility and release status, with diagnoses.

    \b
    Examples:
      fwprobe scan
      fwprobe scan --python ~/venvs/train --framework torch
      fwprobe scan --no-import --no-index --format json
    """
    chosen = _pick_format(fmt, output, ("table", "json"))
    report, catalog = _scan_report(python, framework, no_import, timeout, keep_pythonpath,
                                   catalog_path, no_index, index_url, offline, refresh, index_timeout)
    _emit(_render(report, chosen, catalog), chosen, output)


@app.command("status")
def status_cmd(
    framework: Optional[List[str]] = _FRAMEWORK,
    fmt: Optional[str] = typer.Option(None, "--format", metavar="FORMAT",
                                      help="table (default on a terminal), json, markdown (the catalog's "
                                           "comparison table with verified status, for maintainers)"),
    output: Optional[Path] = _OUTPUT,
    index_url: Optional[str] = _INDEX_URL,
    offline: bool = _OFFLINE,
    refresh: bool = _REFRESH,
    index_timeout: float = _INDEX_TIMEOUT,
    catalog_path: Optional[Path] = _CATALOG,
) -> None:
    """The catalog's frameworks against the package index; no local environment needed.

    \b
    For each framework: newest release, releases in the last year, observed status
    (active / stale / unmaintained / archived / unknown) and whether that confirms the
    catalog's claim. Forks are checked where the catalog lists them.
    Examples:
      fwprobe status
      fwprobe status --format markdown -o STATUS.md
    """
    from fwprobe.catalog import CatalogError
    from fwprobe.core import status_report

    chosen = _pick_format(fmt, output, ("table", "json", "markdown"))
    catalog = _load_catalog(catalog_path)
    client = _index_client(index_url, offline, refresh, index_timeout)
    assert client is not None
    try:
        report = status_report(catalog, client, list(framework or ()), progress=_RichProgress())
    except CatalogError as exc:
        raise fail(str(exc)) from None
    _index_advice(report)
    if chosen == "table":
        from fwprobe.render import status_table

        _emit(status_table.render(report), chosen, output)
    else:
        _emit(_render(report, chosen, catalog), chosen, output)


@app.command("check")
def check_cmd(
    require: Optional[List[str]] = typer.Option(
        None, "--require", "-r", metavar="SPEC",
        help="A PEP 440 requirement that must be installed, e.g. 'torch>=2.4,<3'; repeatable."),
    require_gpu: Optional[List[str]] = typer.Option(
        None, "--require-gpu", "-g", metavar="FRAMEWORK",
        help="This framework must import and see at least one accelerator; repeatable."),
    fail_on: str = typer.Option(
        "error", "--fail-on", metavar="LEVEL|CODES",
        help="Fail on diagnoses at or above a severity (error, warning, info), on a comma list "
             "of diagnosis codes, or never (none)."),
    max_age_days: Optional[int] = typer.Option(
        None, "--max-age-days", metavar="N", min=0,
        help="Every installed framework must have had a release within N days (needs the index)."),
    junit_path: Optional[Path] = typer.Option(None, "--junit", metavar="FILE",
                                              help="Also write a JUnit XML report for CI dashboards."),
    python: Optional[str] = _PYTHON,
    framework: Optional[List[str]] = _FRAMEWORK,
    fmt: Optional[str] = typer.Option("text", "--format", metavar="FORMAT",
                                      help="text (one line per check; default) or json (the report with its checks)"),
    output: Optional[Path] = _OUTPUT,
    timeout: float = _TIMEOUT,
    no_index: bool = _NO_INDEX,
    index_url: Optional[str] = _INDEX_URL,
    offline: bool = _OFFLINE,
    refresh: bool = _REFRESH,
    index_timeout: float = _INDEX_TIMEOUT,
    keep_pythonpath: bool = _KEEP_PP,
    catalog_path: Optional[Path] = _CATALOG,
) -> None:
    """Scan, then apply a policy: exit 0 when every check passes, 1 when any fails, 2 on bad usage.

    \b
    Examples (a GPU runner):
      fwprobe check --require-gpu torch --require 'tensorflow>=2.16'
      fwprobe check --fail-on warning --max-age-days 730 --junit fwprobe.xml
    When GITHUB_ACTIONS is set, failures are also emitted as workflow error annotations.
    """
    from dataclasses import replace

    from packaging.requirements import InvalidRequirement, Requirement

    from fwprobe import assess
    from fwprobe.render import check as render_check

    if fmt not in ("text", "json"):
        raise fail(f"--format must be text or json (got {fmt!r})")
    try:
        fail_policy = assess.parse_fail_on(fail_on)
    except ValueError as exc:
        raise fail(str(exc)) from None
    requirements = []
    for spec in require or ():
        try:
            requirements.append(Requirement(spec))
        except InvalidRequirement as exc:
            raise fail(f"--require {spec!r} is not a PEP 440 requirement: {exc}") from None
    catalog = _load_catalog(catalog_path)
    known = {d for fw in catalog.frameworks for d in (*fw.distributions, *fw.companions)}
    from fwprobe.catalog import normalize

    for req in requirements:
        if normalize(req.name) not in known:
            raise fail(f"--require {req.name}: not a framework or companion in the catalog",
                       "known: " + ", ".join(sorted(known)))
    for key in require_gpu or ():
        if catalog.get(key) is None:
            raise fail(f"--require-gpu {key}: unknown framework",
                       "known: " + ", ".join(fw.id for fw in catalog.frameworks))
    if max_age_days is not None and no_index:
        raise fail("--max-age-days needs the package index; drop --no-index")
    scan_frameworks = list(framework or ())
    if scan_frameworks:  # a required framework is always scanned
        scan_frameworks += [*(require_gpu or ()), *(r.name for r in requirements)]
    report, catalog = _scan_report(python, scan_frameworks, False, timeout, keep_pythonpath,
                                   catalog_path, no_index, index_url, offline, refresh, index_timeout)
    checks = assess.evaluate_checks(report, catalog, requirements, list(require_gpu or ()), fail_policy,
                                    max_age_days)
    report = replace(report, checks=checks)
    if junit_path is not None:
        try:
            junit_path.write_text(render_check.junit(report), encoding="utf-8")
        except OSError as exc:
            raise fail(f"cannot write {junit_path}: {exc.strerror or exc}") from None
    text = report.to_json() if fmt == "json" else render_check.lines(report)
    _emit(text, fmt, output)
    if os.environ.get("GITHUB_ACTIONS"):
        annotations = render_check.github_annotations(checks)
        # keep JSON on stdout parseable: annotations then go to stderr
        (sys.stderr if fmt == "json" and output is None else sys.stdout).write(annotations)
    raise typer.Exit(EXIT_OK if all(c.passed for c in checks) else EXIT_POLICY)


def main() -> None:
    """Console entry point."""
    try:
        app(prog_name="fwprobe")
    except BrokenPipeError:  # `fwprobe scan | head`
        os._exit(0)
