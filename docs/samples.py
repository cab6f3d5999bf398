"""The README's sample outputs, made by running their commands for real.

    .venv/bin/python docs/samples.py          # rewrite every sample block in README.md

Each sample sits in README.md between ``<!-- sample NAME -->`` and ``<!-- /sample -->``, under the
command that made it. They run against `.venv-frameworks` (built by `.ci/run`: CPU torch, keras,
theano, pytensor) on this GPU-less machine, with the package index pip is configured for. The
output is written as it came, except: the checkout's path is shown as `.`, the home directory as
`~`, and the index URL as `<index URL>` (the README names no registry). `tests/test_docs.py`
reruns each command and checks its sample still says what the command says (the same frameworks,
versions, outcomes, checks and diagnosis codes).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


@dataclass(frozen=True)
class Sample:
    name: str
    shown: str  # the command as the README shows it
    argv: tuple[str, ...]  # fwprobe's arguments
    env: tuple[tuple[str, str], ...] = ()


SAMPLES = (
    Sample("scan", "KERAS_BACKEND=torch fwprobe scan --python .venv-frameworks",
           ("scan", "--python", ".venv-frameworks", "--format", "table"), (("KERAS_BACKEND", "torch"),)),
    Sample("check", "fwprobe check --python .venv-frameworks --require-gpu torch --require 'torch>=2.4,<3' "
                    "--require 'tensorflow>=2.16' --fail-on error --max-age-days 730",
           ("check", "--python", ".venv-frameworks", "--require-gpu", "torch", "--require", "torch>=2.4,<3",
            "--require", "tensorflow>=2.16", "--fail-on", "error", "--max-age-days", "730"),
           (("KERAS_BACKEND", "torch"),)),
)


def run(sample: Sample, fmt: str | None = None) -> tuple[int, str]:
    """(exit status, stdout) of the sample's command, at 100 columns; ``fmt`` overrides --format."""
    argv = list(sample.argv)
    if fmt is not None:
        argv = [a for i, a in enumerate(argv) if a != "--format" and (i == 0 or argv[i - 1] != "--format")]
        argv += ["--format", fmt]
    env = {**os.environ, "COLUMNS": "100", **dict(sample.env)}
    env.pop("GITHUB_ACTIONS", None)
    done = subprocess.run([sys.executable, "-m", "fwprobe", *argv], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    return done.returncode, done.stdout


def index_url() -> str | None:
    done = subprocess.run([sys.executable, "-c", "from fwprobe.index import resolve_index_url as r; print(r())"],
                          capture_output=True, text=True, timeout=60)
    return done.stdout.strip() or None


def shown(text: str, url: str | None) -> str:
    """The output as the README shows it: the checkout as `.`, home as `~`, no index URL."""
    text = text.replace(str(ROOT) + "/", "./").replace(str(ROOT), ".")
    home = str(Path.home())
    if home not in ("", "/"):
        text = text.replace(home + "/", "~/")
    if url:
        text = text.replace(url, "<index URL>").replace(url.rstrip("/"), "<index URL>")
    text = re.sub(r"https?://\S+", "<index URL>", text)  # no address reaches the README
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def blocks(readme: str) -> dict[str, str]:
    """Each sample block's text in the README, by name."""
    return {m.group(1): m.group(2) for m in re.finditer(
        r"<!-- sample (\w+) -->\n```\n(.*?)```\n<!-- /sample -->", readme, re.S)}


def refresh() -> None:
    readme = README.read_text(encoding="utf-8")
    url = index_url()
    for sample in SAMPLES:
        _status, out = run(sample)
        block = f"<!-- sample {sample.name} -->\n```\n{shown(out, url)}```\n<!-- /sample -->"
        readme, count = re.subn(rf"<!-- sample {sample.name} -->\n.*?<!-- /sample -->", lambda _m, b=block: b, readme,
                                flags=re.S)
        if count != 1:
            raise SystemExit(f"README.md has {count} blocks for sample {sample.name!r}")
    README.write_text(readme, encoding="utf-8")


def facts(sample: Sample) -> dict[str, object]:
    """What the sample's command says, from its JSON: what the README's block must show."""
    status, out = run(sample, "json")
    report = json.loads(out)
    return {"status": status, "report": report}


if __name__ == "__main__":
    refresh()
