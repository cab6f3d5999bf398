"""Which catalog distributions are installed in the target interpreter, from metadata only."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fwprobe.catalog import Catalog, Framework, normalize
from fwprobe.model import Distribution, Interpreter
from fwprobe.target import Workdir, inventory_answer, start_inventory


@dataclass(frozen=True)
class Inventory:
    interpreter: Interpreter
    distributions: tuple[Distribution, ...]
    # PEP 508 marker variables of the target interpreter (its own default_environment)
    markers: dict[str, str] = field(default_factory=dict)

    def of(self, names: tuple[str, ...]) -> tuple[Distribution, ...]:
        """Installed distributions among ``names`` (normalised), in sys.path order."""
        wanted = set(names)
        return tuple(d for d in self.distributions if normalize(d.name) in wanted)

    def installed(self, fw: Framework) -> tuple[Distribution, ...]:
        return self.of(fw.distributions)


def read_inventory(python: str, catalog: Catalog, workdir: Workdir, timeout: float = 30.0,
                   keep_pythonpath: bool = False) -> Inventory:
    """Run the agent's metadata scan in ``python``. Never imports a framework.

    Raises TargetError when ``python`` is not a usable interpreter.
    """
    child = start_inventory(python, catalog.inventory_names(), timeout, workdir, keep_pythonpath)
    return parse_inventory(inventory_answer(python, child, workdir))


def parse_inventory(raw: dict[str, Any]) -> Inventory:
    info = raw.get("interpreter", {})
    interp = Interpreter(
        executable=str(info.get("executable", "")),
        version=str(info.get("version", "")),
        implementation=str(info.get("implementation", "")),
        platform=str(info.get("platform", "")),
        machine=str(info.get("machine", "")),
        prefix=str(info.get("prefix", "")),
        virtualenv=info.get("prefix") != info.get("base_prefix"),
        conda=bool(info.get("conda")),
    )
    dists = tuple(
        Distribution(name=str(d["name"]), version=str(d.get("version", "")),
                     location=str(d.get("location", "")), installer=d.get("installer"),
                     editable=bool(d.get("editable")), shadowed=bool(d.get("shadowed")),
                     requires=tuple(str(r) for r in d.get("requires") or ()))
        for d in raw.get("distributions", []) if isinstance(d, dict) and d.get("name")
    )
    markers = info.get("markers")
    return Inventory(interp, dists, {str(k): str(v) for k, v in markers.items()} if isinstance(markers, dict) else {})


def on_pythonpath(fw: Framework, environ: Mapping[str, str]) -> str | None:
    """Where ``PYTHONPATH`` (dropped for the target unless --keep-pythonpath) provides ``fw``:
    its package or module, or a dist-info / egg-info of one of its distributions. Metadata and
    file names only: never imports."""
    top = fw.import_name.split(".")[0]
    wanted = set(fw.distributions)
    for entry in filter(None, environ.get("PYTHONPATH", "").split(os.pathsep)):
        folder = Path(entry)
        for candidate in (folder / top / "__init__.py", folder / f"{top}.py"):
            if candidate.is_file():
                return str(candidate.parent if candidate.name == "__init__.py" else candidate)
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in sorted(names):
            stem, _, suffix = name.rpartition(".")
            if suffix in ("dist-info", "egg-info") and normalize(stem.split("-")[0]) in wanted:
                return str(folder / name)
    return None
