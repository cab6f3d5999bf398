"""Scan's options, declared once: their flags, value, default and help.

``cli`` builds typer's parameters for `scan`, `check` and `fleet` from this table, and
``early`` reads argv with it before typer loads; ``early_key`` says which of them decide a
scan's children (the rest are read past). Stdlib only: ``early`` imports this before anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_TIMEOUT = 90.0  # TensorFlow's first import on a cold disk can take tens of seconds

EXERCISE_HELP = ("Prove each device usable: run one tiny computation (a 64x64 matmul of ones, checked "
                 "exactly) on every device each framework lists, cpu included. Probe children never "
                 "preallocate GPU memory (TF_FORCE_GPU_ALLOW_GROWTH, XLA_PYTHON_CLIENT_PREALLOCATE).")


@dataclass(frozen=True)
class Option:
    name: str  # the command's parameter name
    flags: tuple[str, ...]
    takes_value: bool
    default: Any
    help: str
    metavar: str | None = None
    # the key early.guess_options reads it into ("": read past, it does not change the children)
    early_key: str = ""


SCAN_OPTIONS: tuple[Option, ...] = (
    Option("python", ("--python", "-p"), True, None,
           "Target interpreter: a python executable, or a virtualenv/conda environment directory (Python 3.6+; "
           "fwprobe need not be installed there). Default: the environment you are in: VIRTUAL_ENV, CONDA_PREFIX, "
           "a .venv here or in a parent, python3 on PATH; 'self' means fwprobe's own.", "PATH", "python"),
    Option("framework", ("--framework", "-f"), True, None,
           "Only this framework (id, name, import or distribution name); repeatable.", "NAME", "framework"),
    Option("no_import", ("--no-import",), False, False,
           "Metadata only: never import a framework (fast; safe on untrusted environments).", early_key="no_import"),
    Option("exercise", ("--exercise",), False, False, EXERCISE_HELP, early_key="exercise"),
    Option("fmt", ("--format",), True, None, "", "FORMAT"),  # its help comes from the render registry
    Option("output", ("--output", "-o"), True, None,
           "Write the report to FILE instead of stdout, whole (a temporary file renamed); {host} and {time} are "
           "filled in (e.g. -o reports/{host}.json, one file per node).", "FILE"),
    Option("timeout", ("--timeout",), True, DEFAULT_TIMEOUT,
           "Per-framework probe timeout, also bounding the metadata scan (TensorFlow's first import can be slow).",
           "SECONDS", "timeout"),
    Option("no_index", ("--no-index",), False, False, "Do not ask the package index (no release/status columns)."),
    Option("index_url", ("--index-url",), True, None,
           "Package index (Simple API) base URL. Default: FWPROBE_INDEX_URL, then PIP_INDEX_URL, pip's config "
           "files, then pip's own default.", "URL"),
    Option("offline", ("--offline",), False, False, "Use only the on-disk index cache; no network."),
    Option("refresh", ("--refresh",), False, False, "Ignore the index cache (answers are still saved)."),
    Option("index_timeout", ("--index-timeout",), True, 15.0,
           "Deadline for each index answer, however slowly it trickles (a whole run: twice this).", "SECONDS"),
    Option("keep_pythonpath", ("--keep-pythonpath",), False, False,
           "Pass PYTHONPATH/PYTHONHOME to the target (dropped by default).", early_key="keep_pythonpath"),
    Option("catalog_path", ("--catalog",), True, None,
           "A catalog directory or TOML file instead of the built-in one.", "PATH", "catalog"),
    Option("claims", ("--claims",), False, False,
           "Also show findings about the catalog's own claims (claim-contradicted), which are for its maintainers "
           "(fwprobe status shows them); they never fail a check."),
)

BY_NAME = {o.name: o for o in SCAN_OPTIONS}


def check_probing(timeout: float, no_import: bool = False, exercise: bool = False) -> None:
    """The values every command that probes shares (scan, check, status --python, fleet);
    raises UsageError (exit 2) before any work starts."""
    from fwprobe.errors import UsageError

    if timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    if exercise and no_import:
        raise UsageError("--exercise needs to import the frameworks; drop --no-import")
