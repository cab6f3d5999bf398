"""Mutation testing of fwprobe's judgement: how often the suite notices a broken line (not a test).

    .venv/bin/python bench/mutation.py [--group rules|status|index|redaction|parsers|fleet ...]
                                       [--jobs N] [--workdir DIR [--no-run]] [--ref COMMIT] [--confirm]
                                       [--survivors] [--json FILE]

Needs the `mutation` extra (`pip install -e '.[mutation]'`: mutmut 3.8). Takes tens of minutes
for every group on a 2-core machine (a group alone: a few minutes); not run by CI.

For each group (all of them without --group, one after the other) it:

1. copies the checkout's working tree (src/, tests/, catalog/, the docs...; with --ref, that
   commit's files instead: the suite must pass on what is copied) into a fresh
   scratch directory (a temporary one, or --workdir/<group>); the checkout itself is never
   written to;
2. **transforms the copy so that mutmut sees every rule's logic**: mutmut 3 does not mutate
   decorated functions, so each module-level function decorated with a registry decorator
   (``@rule(...)``, ``@fleet_rule(...)``: any decorator call whose name ends in ``rule``) and
   each ``@property`` / ``@cached_property`` method has its body moved into a plain function
   beside it (``_<name>__body``, same parameters), which the decorated one returns the result
   of. The docstring stays on the decorated function (it is the rule's documentation), so the
   registry, the README check and the behaviour are the same;
3. writes a ``[tool.mutmut]`` table into the copy's pyproject.toml (only that group's modules
   mutated, against that group's tests: ``TESTS``) and runs ``mutmut run`` there: mutmut runs,
   for each mutant, every selected test that reaches the mutated function. With --confirm, each
   mutant that survives is run again against the wide in-process selection (``WIDE_TESTS``: cli,
   render, probes' parsers...), as a kill there counts too. Tests that start fwprobe in a
   subprocess cannot kill a mutant: a child imports the unmutated checkout;
4. prints, per module and per group: mutants, killed (timeouts count as killed), survived (and
   "no tests"), and the kill rate twice: over all mutants, and with **wording-only** mutants
   left out. A mutant is wording-only when the mutated function differs from the original only
   inside string literals that are prose (a message or a hint: the literal holds a space or is
   part of an f-string), not when the literal is logic (a comparison operand, a dict key or
   subscript, a member of a tuple/list/set compared against, a regular expression, or a
   one-word literal such as ``"cuda"``).

--survivors lists each surviving mutant that is not wording-only, as a diff: the gaps to close.
After writing tests for them, --update --workdir DIR re-runs only what may have changed: the
survivors of the kept run against the working tree's tests, and every mutant of a module whose
source changed since (minutes, where a fresh run of the rules takes half an hour).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# group -> the modules it mutates (paths relative to the repository root, fnmatch patterns)
GROUPS: dict[str, tuple[str, ...]] = {
    "rules": ("src/fwprobe/assess/diagnoses/*.py", "src/fwprobe/assess/requirements.py",
              "src/fwprobe/assess/binary.py"),
    "status": ("src/fwprobe/assess/status.py", "src/fwprobe/assess/versions.py", "src/fwprobe/assess/claims.py",
               "src/fwprobe/assess/policy.py", "src/fwprobe/pep440.py"),
    "index": ("src/fwprobe/index/*.py",),
    "redaction": ("src/fwprobe/index/redact.py",),
    "parsers": ("src/fwprobe/parsers.py",),
    "fleet": ("src/fwprobe/fleet/*.py",),
}
# not mutated: the rules' Markdown reference (documentation output), the redaction (its own
# group), the Ray adapter (needs a Ray cluster: its tests are marked ray)
EXCLUDE: dict[str, tuple[str, ...]] = {
    "rules": ("src/fwprobe/assess/diagnoses/reference.py",),
    "index": ("src/fwprobe/index/redact.py",),
    "fleet": ("src/fwprobe/fleet/ray_runner.py",),
}
# the tests each group's mutants run against: the group's own (mutmut picks, per mutant, those
# that reach the mutated function); --confirm re-runs the survivors against WIDE_TESTS
TESTS: dict[str, tuple[str, ...]] = {
    "rules": ("tests/assess",),
    "status": ("tests/assess", "tests/cli/test_check.py"),  # the check policy is judged through `check`
    "index": ("tests/index", "tests/test_redact_gaps.py"),
    "redaction": ("tests/index", "tests/test_redact_gaps.py"),
    "parsers": ("tests/test_parsers.py", "tests/test_parsers_gaps.py", "tests/probes/test_system.py", "tests/probes/test_nvidia_captures.py",
                "tests/probes/test_gpu_reason.py", "tests/assess"),
    "fleet": ("tests/fleet", "tests/render/test_render.py"),
}
WIDE_TESTS = ("tests/assess", "tests/index", "tests/fleet", "tests/render", "tests/catalog", "tests/cli",
              "tests/probes/test_system.py", "tests/probes/test_nvidia_captures.py", "tests/probes/test_gpu_reason.py",
              "tests/probes/test_exercise.py", "tests/probes/test_probes.py", "tests/test_parsers.py",
              "tests/test_*_gaps.py")
# tests that wait out a real timeout in a subprocess: seconds per mutant, and no judgement to kill
DESELECT = ("tests/assess/test_diagnoses.py::test_probe_timeout",)
MARKERS = "not online and not real and not ray and not slurm and not prometheus and not gpu"
# what the copy holds (tests read the docs and the catalog); mutmut's own copy needs the same
COPIED = ("src", "tests", "catalog", "pyproject.toml", "README.md", "CONTRIBUTING.md", "docs", "examples", "bench")

# A mutant whose tests outlive this many times their clean run (plus 1 s) is stopped and counted as
# killed (a timeout). mutmut's default, 15, made the index group take hours on 2 cores: a mutant that
# removes a deadline leaves a test waiting on a trickling 127.0.0.1 server, sleeping, for 15 x the ~20 s
# its tests take (the CPU-time limit never fires on a sleeping test). 3 leaves room for a loaded machine.
TIMEOUT_MULTIPLIER = 3.0

# mutmut's exit codes per mutant (mutmut.stats.status_by_exit_code), folded into three outcomes
KILLED = {1, 3, 36, 24, -24, 152, 255, -11, -9, 37}  # failed test, timeout, crash, type check
SURVIVED = {0, 5, 33}  # tests passed, or no test reached it


# --- the transform: decorated bodies made visible to mutmut --------------------------------


def _decorator_name(dec: ast.expr) -> str:
    target = dec.func if isinstance(dec, ast.Call) else dec
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    return ""


def _is_registry(fn: ast.FunctionDef) -> bool:
    return any(isinstance(d, ast.Call) and _decorator_name(d).endswith("rule") for d in fn.decorator_list)


def _is_property(fn: ast.FunctionDef) -> bool:
    return len(fn.decorator_list) == 1 and _decorator_name(fn.decorator_list[0]) in ("property", "cached_property")


def _call_args(args: ast.arguments) -> str:
    parts = [a.arg for a in (*args.posonlyargs, *args.args)]
    if args.vararg:
        parts.append("*" + args.vararg.arg)
    parts += [f"{a.arg}={a.arg}" for a in args.kwonlyargs]
    if args.kwarg:
        parts.append("**" + args.kwarg.arg)
    return ", ".join(parts)


def expose_decorated(source: str) -> tuple[str, int]:
    """``source`` with each registry-decorated function's and each property's body moved into a
    plain function (or method) that the decorated one calls; and how many were moved. The same
    behaviour: the decorated function returns what the body returns (a generator for a rule)."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []  # (first line index, end line index, replacement)

    def visit(body: Sequence[ast.stmt], in_class: bool) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef) and not in_class:
                visit(node.body, True)
                continue
            if not isinstance(node, ast.FunctionDef):
                continue
            if not (_is_property(node) if in_class else _is_registry(node)):
                continue
            stmts = node.body
            doc = stmts and isinstance(stmts[0], ast.Expr) and isinstance(stmts[0].value, ast.Constant) \
                and isinstance(stmts[0].value.value, str)
            code = stmts[1:] if doc else stmts
            # nothing to move: no body, a Protocol's stub (``...``), or a body on the def's own line
            if not code or all(isinstance(x, ast.Expr) and isinstance(x.value, ast.Constant)
                               and x.value.value is Ellipsis for x in code) or code[0].lineno == node.lineno:
                continue
            first, last = code[0].lineno - 1, node.end_lineno or code[-1].end_lineno or code[0].lineno
            indent = lines[first][:len(lines[first]) - len(lines[first].lstrip())]
            head = indent[:len(indent) - 4] if len(indent) >= 4 else ""
            body_text = "".join(lines[first:last])
            name = f"_{node.name}__body"
            params = ast.unparse(node.args)
            if in_class:  # a property: self only
                call = f"{indent}return self.{name}()\n"
            else:
                call = f"{indent}return {name}({_call_args(node.args)})\n"
            plain = f"\n{head}def {name}({params}):\n{body_text}"
            edits.append((first, last, call + plain))

    visit(tree.body, False)
    for first, last, text in sorted(edits, reverse=True):
        lines[first:last] = [text]
    return "".join(lines), len(edits)


# --- scratch copy and mutmut run ------------------------------------------------------------


def _ignore(_dir: str, names: list[str]) -> set[str]:
    return {n for n in names if n in ("__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "mutants")}


def copy_tree(scratch: Path, ref: str | None) -> None:
    """The checkout's working tree (or, with ``ref``, that commit) into ``scratch``."""
    if ref is not None:
        archive = subprocess.run(["git", "archive", ref, *(n for n in COPIED if (ROOT / n).exists())], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(scratch)], input=archive, check=True)
        return
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, scratch / name, ignore=_ignore)
        elif src.exists():
            shutil.copy2(src, scratch / name)


def _tests(scratch: Path, patterns: Iterable[str]) -> list[str]:
    return sorted({str(p.relative_to(scratch)) for t in patterns for p in scratch.glob(t)})


def group_modules(scratch: Path, group: str) -> list[str]:
    """The modules ``group`` mutates, as paths relative to ``scratch``."""
    patterns, excluded = GROUPS[group], EXCLUDE.get(group, ())
    rels = (str(p.relative_to(scratch)) for p in (scratch / "src").rglob("*.py") if "mutants" not in p.parts)
    return sorted(r for r in rels if any(fnmatch(r, pat) for pat in patterns)
                  and not any(fnmatch(r, pat) for pat in excluded))


def stale_sources(scratch: Path, modules: Iterable[str]) -> list[str]:
    """The modules whose source in the working tree is no longer what ``scratch`` mutated."""
    return [rel for rel in modules if not (ROOT / rel).exists()
            or expose_decorated((ROOT / rel).read_text(encoding="utf-8"))[0]
            != (scratch / rel).read_text(encoding="utf-8")]


def refresh_tests(scratch: Path) -> None:
    """The working tree's tests (and docs) into ``scratch`` and mutmut's copy of it."""
    for name in COPIED:
        if name in ("src", "pyproject.toml") or not (ROOT / name).exists():
            continue
        for where in (scratch, scratch / "mutants"):
            target = where / name
            if target.is_dir():
                shutil.rmtree(target)
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, target, ignore=_ignore)
            else:
                shutil.copy2(ROOT / name, target)


def prepare(scratch: Path, group: str, ref: str | None) -> tuple[list[str], int]:
    """Copy the checkout into ``scratch``, expose decorated bodies, configure mutmut; the
    mutated modules and the number of bodies moved."""
    copy_tree(scratch, ref)
    modules = group_modules(scratch, group)
    moved = 0
    for rel in modules:
        path = scratch / rel
        text, n = expose_decorated(path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
        moved += n
    tests = _tests(scratch, TESTS[group])
    config = {
        "source_paths": ["src"],
        "only_mutate": modules,
        "also_copy": [name for name in COPIED if name not in ("src", "tests", "pyproject.toml")],
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-m", MARKERS,
                                *(arg for test in DESELECT for arg in ("--deselect", test))],
        "pytest_add_cli_args_test_selection": tests,
        "use_git_change_detection": False,
        "use_setproctitle": False,
        "timeout_multiplier": TIMEOUT_MULTIPLIER,
    }
    toml = "\n[tool.mutmut]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in config.items())
    with open(scratch / "pyproject.toml", "a", encoding="utf-8") as f:
        f.write(toml)
    return modules, moved


def run_mutmut(scratch: Path, jobs: int, log: Path, names: Sequence[str] = ()) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MUTANT_", "PYTEST_"))}
    env.pop("PYTHONPATH", None)
    with open(log, "w", encoding="utf-8") as out:
        return subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs), *names],
                              cwd=scratch, stdout=out, stderr=subprocess.STDOUT, env=env, check=False).returncode


# --- results --------------------------------------------------------------------------------


def _str_nodes(tree: ast.AST) -> list[tuple[ast.Constant, bool]]:
    """Every str constant in walk order, with whether it is logic rather than prose."""
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node, _is_logic(node, parents)))
    return found


# calls whose string arguments are logic: regular expressions, str and dict methods
_LOGIC_CALLS = frozenset((
    "search", "match", "fullmatch", "compile", "sub", "findall", "finditer", "split", "rsplit", "partition",
    "rpartition", "startswith", "endswith", "replace", "strip", "lstrip", "rstrip", "removeprefix",
    "removesuffix", "get", "setdefault", "pop", "count", "index", "find"))


def _is_logic(node: ast.Constant, parents: dict[int, ast.AST]) -> bool:
    parent = parents.get(id(node))
    if isinstance(parent, ast.JoinedStr):
        return False  # a piece of an f-string: message text
    if isinstance(parent, (ast.Tuple, ast.List, ast.Set)):
        parent = parents.get(id(parent), parent)
    if isinstance(parent, (ast.Compare, ast.Subscript)):
        return True
    if isinstance(parent, ast.Dict) and any(k is node for k in parent.keys):
        return True
    if isinstance(parent, ast.Call) and _decorator_name(parent) in _LOGIC_CALLS:
        return True
    return not any(c.isspace() for c in str(node.value))


def _blank(tree: ast.AST) -> str:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    return ast.dump(tree)


def wording_only(orig: str, mutant: str) -> bool:
    """Whether ``mutant`` differs from ``orig`` only inside prose string literals."""
    try:
        a, b = ast.parse(textwrap.dedent(orig)), ast.parse(textwrap.dedent(mutant))
    except SyntaxError:
        return False
    sa, sb = _str_nodes(a), _str_nodes(b)
    if len(sa) != len(sb):
        return False
    changed = [(x, logic) for (x, logic), (y, _) in zip(sa, sb) if x.value != y.value]
    if not changed or any(logic for _, logic in changed):
        return False
    return _blank(a) == _blank(b)


@dataclass
class Tally:
    mutants: int = 0
    killed: int = 0
    survived: int = 0
    other: int = 0  # skipped, suspicious, not checked
    wording: int = 0
    wording_killed: int = 0
    survivors: list[tuple[str, str]] = field(default_factory=list)
    wording_survivors: list[tuple[str, str]] = field(default_factory=list)  # message or hint text no test pins

    def add(self, other: Tally) -> None:
        for name in ("mutants", "killed", "survived", "other", "wording", "wording_killed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.survivors += other.survivors
        self.wording_survivors += other.wording_survivors

    @property
    def rate(self) -> float:
        return 100.0 * self.killed / self.mutants if self.mutants else 100.0

    @property
    def rate_logic(self) -> float:
        n = self.mutants - self.wording
        return 100.0 * (self.killed - self.wording_killed) / n if n else 100.0

    def as_dict(self) -> dict[str, object]:
        return {"mutants": self.mutants, "killed": self.killed, "survived": self.survived, "other": self.other,
                "wording_only": self.wording, "rate": round(self.rate, 1),
                "rate_without_wording": round(self.rate_logic, 1),
                "survivors": [name for name, _ in self.survivors],
                "wording_survivors": [name for name, _ in self.wording_survivors]}


Codes = dict[str, dict[str, "int | None"]]


def read_codes(scratch: Path, modules: Iterable[str]) -> Codes:
    """mutmut's exit code per mutant, per module, as its last run in ``scratch`` left them."""
    codes: Codes = {}
    for rel in modules:
        meta = scratch / "mutants" / (rel + ".meta")
        if meta.exists():
            codes[rel] = dict(json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {}))
    return codes


def collect(scratch: Path, modules: Iterable[str], codes: Codes) -> dict[str, Tally]:
    """Each module's tally from ``codes``, the mutants' sources read in ``scratch`` (run inside it)."""
    old = Path.cwd()
    os.chdir(scratch)
    try:
        import libcst as cst
        from mutmut.mutation.diff_apply import (
            get_diff_for_mutant,
            read_functions_from_index,
            read_mutant_function,
            read_mutants_module,
            read_original_function,
        )

        tallies: dict[str, Tally] = {}
        for rel in modules:
            t = tallies[rel] = Tally()
            module = None
            for key, code in sorted(codes.get(rel, {}).items()):
                functions = read_functions_from_index(key, rel)
                if functions is None:
                    module = module or read_mutants_module(rel)
                    functions = (read_original_function(module, key), read_mutant_function(module, key))
                orig, mutated = (cst.Module([f]).code for f in functions)
                wording = wording_only(orig, mutated)
                t.mutants += 1
                t.wording += wording
                if code in KILLED:
                    t.killed += 1
                    t.wording_killed += wording
                elif code in SURVIVED:
                    t.survived += 1
                    (t.wording_survivors if wording else t.survivors).append(
                        (key, get_diff_for_mutant(key, path=rel)))
                else:
                    t.other += 1
        return tallies
    finally:
        os.chdir(old)


def confirm(scratch: Path, jobs: int, survivors: list[str]) -> Codes:
    """Re-run ``survivors`` against WIDE_TESTS (mutmut re-collects which tests reach what); their
    new exit codes. A change of test selection resets mutmut's results, so the caller keeps the
    first run's codes for every other mutant."""
    text = (scratch / "pyproject.toml").read_text(encoding="utf-8")
    head, _, table = text.rpartition("\n[tool.mutmut]\n")
    lines = [line for line in table.splitlines() if not line.startswith("pytest_add_cli_args_test_selection")]
    lines.append(f"pytest_add_cli_args_test_selection = {json.dumps(_tests(scratch, WIDE_TESTS))}")
    (scratch / "pyproject.toml").write_text(head + "\n[tool.mutmut]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    run_mutmut(scratch, jobs, scratch / "mutmut-confirm.log", survivors)
    return read_codes(scratch, {name for name in _modules_of(scratch)})


def _modules_of(scratch: Path) -> list[str]:
    return sorted(str(p.relative_to(scratch / "mutants"))[:-len(".meta")]
                  for p in (scratch / "mutants").rglob("*.py.meta"))


def report(group: str, tallies: dict[str, Tally], seconds: float, survivors: bool) -> Tally:
    total = Tally()
    print(f"\n== {group} ({seconds / 60:.1f} min)")
    print(f"  {'module':<44} {'mutants':>7} {'killed':>6} {'survived':>8} {'other':>5} {'wording':>7} "
          f"{'rate':>6} {'w/o wording':>11}")
    for rel, t in tallies.items():
        total.add(t)
        print(f"  {rel.removeprefix('src/fwprobe/'):<44} {t.mutants:>7} {t.killed:>6} {t.survived:>8} {t.other:>5} "
              f"{t.wording:>7} {t.rate:>5.1f}% {t.rate_logic:>10.1f}%")
    print(f"  {'TOTAL ' + group:<44} {total.mutants:>7} {total.killed:>6} {total.survived:>8} {total.other:>5} "
          f"{total.wording:>7} {total.rate:>5.1f}% {total.rate_logic:>10.1f}%")
    if survivors:
        for _, diff in total.survivors:
            print(textwrap.indent(diff, "    "))
        if total.wording_survivors:
            print(f"  wording-only survivors of {group} (text no test pins):")
            for _, diff in total.wording_survivors:
                print(textwrap.indent(diff, "    "))
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--group", action="append", choices=sorted(GROUPS), help="run only this group (repeatable)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="mutants run at once")
    ap.add_argument("--workdir", type=Path, help="keep each group's scratch copy in DIR/<group> (else a temp dir)")
    ap.add_argument("--no-run", action="store_true",
                    help="with --workdir: tally the results an earlier run left there, without running mutmut")
    ap.add_argument("--update", action="store_true",
                    help="with --workdir: bring in the working tree's tests and sources, re-run the mutants that "
                         "survived there and every mutant of a module that changed since")
    ap.add_argument("--confirm", action="store_true",
                    help="re-run each surviving mutant against the wide test selection (WIDE_TESTS; slow)")
    ap.add_argument("--ref", help="mutate this commit (git archive) instead of the working tree")
    ap.add_argument("--survivors", action="store_true", help="print each surviving non-wording mutant's diff")
    ap.add_argument("--json", type=Path, help="also write the tallies as JSON to this file")
    args = ap.parse_args()
    try:
        import mutmut  # noqa: F401
    except ImportError:
        print("mutmut is not installed: pip install -e '.[mutation]'", file=sys.stderr)
        return 2
    overall = Tally()
    results: dict[str, object] = {}
    failed = False
    for group in args.group or list(GROUPS):
        start = time.monotonic()
        if args.no_run or args.update:
            if not args.workdir:
                ap.error("--no-run and --update read an earlier run's --workdir")
            scratch = args.workdir.resolve() / group
            if not (scratch / "mutants").is_dir():
                print(f"{group}: no earlier run in {scratch}", file=sys.stderr)
                failed = True
                continue
            modules = group_modules(scratch, group)
            if args.update:
                if group_modules(ROOT, group) != modules:
                    print(f"{group}: its modules are not those of the run in {scratch}; run it afresh", file=sys.stderr)
                    failed = True
                    continue
                changed = stale_sources(scratch, modules)
                for rel in changed:  # mutmut mutates a source newer than its mutants again
                    (scratch / rel).write_text(expose_decorated((ROOT / rel).read_text(encoding="utf-8"))[0],
                                               encoding="utf-8")
                names = [k for rel, by_key in read_codes(scratch, modules).items() if rel not in changed
                         for k, c in by_key.items() if c in SURVIVED]
                names += [rel[len("src/"):-len(".py")].replace("/", ".") + ".*" for rel in changed]
                print(f"{group}: the working tree's tests against {len(names)} survivors (and every mutant of "
                      f"{', '.join(changed) or 'no changed module'}) in {scratch}", flush=True)
                refresh_tests(scratch)
                if names and run_mutmut(scratch, args.jobs, scratch / "mutmut-update.log", names) != 0:
                    print(f"{group}: mutmut failed; see {scratch / 'mutmut-update.log'}", file=sys.stderr)
                    failed = True
                    continue
                (scratch / "codes.json").unlink(missing_ok=True)
        else:
            if args.workdir:
                scratch = args.workdir.resolve() / group
                if scratch.exists():
                    shutil.rmtree(scratch)
                scratch.mkdir(parents=True)
            else:
                scratch = Path(tempfile.mkdtemp(prefix=f"fwprobe-mutation-{group}-"))
            modules, moved = prepare(scratch, group, args.ref)
            print(f"{group}: {len(modules)} modules, {moved} decorated bodies exposed, scratch {scratch}", flush=True)
            rc = run_mutmut(scratch, args.jobs, scratch / "mutmut.log")
            if rc != 0:
                # mutmut stops before any mutant when the unmutated suite fails: no numbers to show
                log = (scratch / "mutmut.log").read_text(encoding="utf-8", errors="replace")
                print(f"{group}: mutmut exited {rc}; its log ends:\n{log[-1500:]}", file=sys.stderr)
                failed = True
                continue
        codes = read_codes(scratch, modules)
        if args.confirm:
            first = collect(scratch, modules, codes)
            names = [name for t in first.values() for name, _ in t.survivors]
            if names:
                print(f"{group}: confirming {len(names)} survivors against the wide selection", flush=True)
                again = confirm(scratch, args.jobs, names)
                for rel, by_key in codes.items():
                    by_key.update({k: again.get(rel, {}).get(k) for k in names if k in by_key})
                (scratch / "codes.json").write_text(json.dumps(codes, indent=1), encoding="utf-8")
        elif args.no_run and (scratch / "codes.json").exists():
            codes = json.loads((scratch / "codes.json").read_text(encoding="utf-8"))
        total = report(group, collect(scratch, modules, codes), time.monotonic() - start, args.survivors)
        overall.add(total)
        results[group] = total.as_dict()
        if not args.workdir:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"\n== overall: {overall.mutants} mutants, {overall.killed} killed, {overall.survived} survived, "
          f"{overall.wording} wording-only; {overall.rate:.1f}% killed, {overall.rate_logic:.1f}% without wording")
    if args.json:
        results["overall"] = overall.as_dict()
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
