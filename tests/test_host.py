"""os-release(5) as the OS reads it: the file chosen by the spec's fallback, values read with shell
rules. The oracle is sh itself (os-release files are meant to be sourced by shell scripts), run
on the `distro` library's corpus of real files (tests/fixtures/os-release/README.md)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from fwprobe.host import UNKNOWN_RELEASE, linux_release, parse_os_release_values, read_os_release

CORPUS = Path(__file__).resolve().parent / "fixtures" / "os-release"
ROOTS = sorted(p for p in CORPUS.iterdir() if p.is_dir())
SH = shutil.which("sh")

# the file os-release(5) names, chosen by sh; then every variable it sets, NUL-separated
_SOURCE = """
for f in "$1/etc/os-release" "$1/usr/lib/os-release"; do
  if [ -r "$f" ]; then set -a; . "$f"; set +a; env -0; exit 0; fi
done
exit 3
"""


def _sh_values(root: Path) -> dict[str, str] | None:
    """What sh sets when it sources the os-release file under ``root`` (None: there is none)."""
    assert SH is not None
    base = subprocess.run(["env", "-i", SH, "-c", "env -0"], capture_output=True, check=True).stdout
    done = subprocess.run(["env", "-i", SH, "-c", _SOURCE, "sh", str(root)], capture_output=True)
    if done.returncode == 3:
        return None
    assert done.returncode == 0, done.stderr

    def pairs(out: bytes) -> dict[str, str]:
        return dict(item.decode().split("=", 1) for item in out.split(b"\0") if item)

    before = pairs(base)
    return {k: v for k, v in pairs(done.stdout).items() if before.get(k) != v and k != "_"}


pytestmark = pytest.mark.skipif(SH is None, reason="no sh to compare with")


def test_the_corpus_holds_both_layouts() -> None:
    assert len(ROOTS) > 40
    assert any((r / "etc/os-release").is_symlink() for r in ROOTS)  # etc -> ../usr/lib/os-release
    assert any(not (r / "etc/os-release").exists() and (r / "usr/lib/os-release").exists() for r in ROOTS)
    assert any(read_os_release(r) is None for r in ROOTS)


@pytest.mark.parametrize("root", ROOTS, ids=lambda p: p.name)
def test_every_real_os_release_reads_as_sh_reads_it(root: Path) -> None:
    expected = _sh_values(root)
    text = read_os_release(root)
    if expected is None:
        assert text is None and linux_release(root) == (UNKNOWN_RELEASE, None)
        return
    assert text is not None
    assert parse_os_release_values(text) == expected
    name, version = linux_release(root)
    assert name == (expected.get("NAME") or expected.get("PRETTY_NAME"))
    assert version == expected.get("VERSION_ID")


def test_usr_lib_is_read_only_where_etc_has_none(tmp_path: Path) -> None:
    (tmp_path / "usr/lib").mkdir(parents=True)
    (tmp_path / "usr/lib/os-release").write_text('NAME="Fallback OS"\nVERSION_ID=1\n')
    assert linux_release(tmp_path) == ("Fallback OS", "1")
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/os-release").symlink_to("/nonexistent/os-release")  # dangling: absent
    assert linux_release(tmp_path) == ("Fallback OS", "1")
    (tmp_path / "etc/os-release").unlink()
    (tmp_path / "etc/os-release").write_text('NAME="Etc OS"\n')
    assert linux_release(tmp_path) == ("Etc OS", None)  # /etc wins, even without VERSION_ID


QUOTING = [
    'VERSION_ID="24.04" # LTS\n',
    "# a comment line\n\nNAME='single # not a comment'\n",
    'PRETTY_NAME="Foo \\"Bar\\" costs \\$5 and \\`uname\\` \\\\ too"\n',
    "NAME=Plain\\ name\nID=plain # trailing\n",
    "VARIANT='it'\\''s'\nVERSION=\"a\"'b'c\n",
]


@pytest.mark.parametrize("text", QUOTING)
def test_quotes_escapes_and_comments_as_sh_reads_them(tmp_path: Path, text: str) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/os-release").write_text(text)
    expected = _sh_values(tmp_path)
    assert expected and parse_os_release_values(text) == expected


def test_an_unbalanced_quote_costs_its_line_not_the_file(tmp_path: Path) -> None:
    text = 'NAME="unbalanced\nID=after\n'
    (tmp_path / "os-release").write_text(text)
    assert SH is not None
    sourced = subprocess.run([SH, "-c", '. "$1"', "sh", str(tmp_path / "os-release")], capture_output=True)
    assert sourced.returncode != 0  # sh refuses the whole file
    assert parse_os_release_values(text) == {"ID": "after"}
