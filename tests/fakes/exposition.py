"""Reading fwprobe's Prometheus text back: a strict parser of the exposition format (what
Prometheus would store), and promtool's verdict where Debian's `prometheus` package is installed."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_VALUE = r'"((?:[^"\\\n]|\\["\\n])*)"'
_SAMPLE = re.compile(rf"^({_NAME})(?:\{{((?:[a-zA-Z_][a-zA-Z0-9_]*={_VALUE},?)*)\}})? (\S+)$")
_LABEL = re.compile(rf"([a-zA-Z_][a-zA-Z0-9_]*)={_VALUE}")

Series = dict[tuple[tuple[str, str], ...], float]
PROMTOOL = shutil.which("promtool")  # looked up once: some tests narrow PATH to hide nvidia-smi


def parse(text: str) -> list[tuple[str, dict[str, str], float]]:
    """Every sample of ``text``, label values decoded as Prometheus decodes them (``\\\\``,
    ``\\"``, ``\\n``); fails on any line that is neither a HELP/TYPE comment nor one whole
    sample, on a sample before its TYPE, and on a repeated series."""
    assert text.endswith("\n")
    samples = []
    typed: set[str] = set()
    for line in text.splitlines():  # also splits on CR, VT, FF, NEL, U+2028: none may be in there
        if line.startswith("# TYPE "):
            name, kind = line.split()[2:]
            assert kind == "gauge" and name not in typed, line
            typed.add(name)
            continue
        if line.startswith("# HELP "):
            continue
        match = _SAMPLE.match(line)
        assert match, f"not one sample: {line!r}"
        name, inner, value = match.group(1), match.group(2) or "", match.group(4)
        assert name in typed, f"{name} without TYPE"
        labels = {k: re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), v)
                  for k, v in _LABEL.findall(inner)}
        samples.append((name, labels, float(value)))
    keys = [(n, tuple(sorted(lab.items()))) for n, lab, _ in samples]
    assert len(keys) == len(set(keys)), "a series repeated"
    return samples


def series(text: str, name: str) -> Series:
    """The samples of metric ``name``: {sorted (label, value) pairs: value}."""
    return {tuple(sorted(lab.items())): v for n, lab, v in parse(text) if n == name}


def promtool(*args: str, stdin: str | None = None) -> None:
    """``promtool ARGS`` must exit 0; skips where promtool is not installed."""
    exe = PROMTOOL
    if exe is None:
        pytest.skip("promtool not installed (Debian package prometheus; .ci/run installs it as root)")
    done = subprocess.run([exe, *args], input=stdin.encode() if stdin is not None else None, capture_output=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


def promtool_check(text: str) -> None:
    """``promtool check metrics`` accepts ``text`` (lint included)."""
    promtool("check", "metrics", stdin=text)
