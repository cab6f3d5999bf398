"""Start a `fwprobe scan`'s children before the CLI stack is imported.

A scan spends its time waiting for the frameworks' imports in its children, so they should start
as soon as possible; importing typer and building the command takes ~35 ms before the CLI knows
its options. So ``__main__`` first reads the few options that decide the children straight from
argv (``guess_options``) and starts them (``start``). The CLI still parses argv itself, and
``core.scan`` uses these children only when its plan equals theirs (``take``); otherwise they
are killed. A wrong guess costs time, never a wrong report.

Anything this module does not read simply (``--help``, an unknown option, ``-ftorch``, a bad
value, a catalog or interpreter error) means no early start: the CLI then does it all, and
reports the problem as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fwprobe.options import SCAN_OPTIONS

if TYPE_CHECKING:  # imported in start(): __main__ imports this module before it holds Ctrl-C back
    from fwprobe.plan import Children, ScanOptions

# scan's options, from the one table the CLI builds its own from (fwprobe.options);
# "": read past, they do not change what the children do
_VALUES = {flag: o.early_key for o in SCAN_OPTIONS if o.takes_value for flag in o.flags}
_FLAGS = {flag: o.early_key for o in SCAN_OPTIONS if not o.takes_value for flag in o.flags}

_children: Children | None = None  # started by start(), until take() hands them to the scan


def guess_options(argv: list[str]) -> tuple[str | None, ScanOptions] | None:
    """(--catalog, the scan's options) as the CLI will read them from ``argv``, or None when
    ``argv`` is not a `scan` this function can read simply."""
    if argv[:1] != ["scan"]:
        return None
    from fwprobe.options import DEFAULT_TIMEOUT
    from fwprobe.plan import ScanOptions

    values: dict[str, list[str]] = {"python": [], "framework": [], "timeout": [], "catalog": []}
    flags: set[str] = set()
    rest = argv[1:]
    while rest:
        token = rest.pop(0)
        name, eq, value = token.partition("=") if token.startswith("--") else (token, "", "")
        if name in _VALUES:
            if not eq:
                if not rest:
                    return None
                value = rest.pop(0)
            if _VALUES[name]:
                values[_VALUES[name]].append(value)
        elif name in _FLAGS and not eq:
            flags.add(_FLAGS[name])
        else:
            return None  # --help, a positional argument, an option this function does not know
    last = {key: given[-1] if given else None for key, given in values.items()}  # the CLI's rule, too
    try:
        timeout = float(last["timeout"]) if last["timeout"] is not None else DEFAULT_TIMEOUT
    except ValueError:
        return None
    options = ScanOptions(python=last["python"], frameworks=tuple(values["framework"]),
                          do_import="no_import" not in flags, timeout=timeout,
                          keep_pythonpath="keep_pythonpath" in flags, exercise="exercise" in flags)
    return last["catalog"], options


def start(argv: list[str]) -> None:
    """Start the children ``argv`` asks for, if it is a scan this module can read."""
    global _children
    guessed = guess_options(argv)
    if guessed is None:
        return
    catalog_path, options = guessed
    from fwprobe.catalog import load_catalog
    from fwprobe.plan import Children, make_plan

    try:  # the catalog's version specifiers are left to the CLI, which reads it all
        _children = Children(make_plan(load_catalog(catalog_path, check_versions=False), options))
    except Exception:  # noqa: BLE001 - a bad catalog, --python or framework name: the CLI reports it
        return


def take() -> Children | None:
    """The children started early, handed out once (to the scan this process runs)."""
    global _children
    children, _children = _children, None
    return children


def close() -> None:
    """End what no scan took (a usage error, an interrupt); ``core.scan`` closes what it took."""
    children = take()
    if children is not None:
        children.close()
