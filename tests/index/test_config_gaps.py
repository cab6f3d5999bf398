"""Which index fwprobe asks, as a user who configured pip reads it: the same files pip reads, merged
the way the installed pip merges them; where the index URL came from when it is wrong; and the
cache directory and its entries (issue 24)."""

from __future__ import annotations

import configparser
import json
import os
import re
import sys
from pathlib import Path

import pytest

from fwprobe.index import IndexClient, IndexConfigError, pip_config_files, pip_config_value, pip_default
from fwprobe.index import config as index_config
from fwprobe.index.cache import FORMAT, Cache, default_cache_dir
from fwprobe.index.config import resolve_index_url


def _url(name: str) -> str:
    return f"http://127.0.0.1:1/{name}/simple"


class Machine:
    """A user's machine: HOME, the XDG dirs, a venv (sys.prefix) and a fake root for /etc."""

    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path / "root"  # stands for "/": /etc/pip.conf lives at root/etc/pip.conf
        self.home = tmp_path / "home"
        self.prefix = tmp_path / "venv"
        self.xdg_a, self.xdg_b = tmp_path / "xdg-a", tmp_path / "xdg-b"
        for d in (self.root / "etc", self.home, self.prefix, self.xdg_a, self.xdg_b):
            d.mkdir(parents=True)

    @property
    def etc_pip_conf(self) -> Path:
        return self.root / "etc" / "pip.conf"

    @property
    def legacy_user(self) -> Path:
        return self.home / ".pip" / "pip.conf"

    @property
    def user(self) -> Path:
        return self.home / ".config" / "pip" / "pip.conf"

    @property
    def site(self) -> Path:
        return self.prefix / "pip.conf"

    def write(self, path: Path, text: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def index_url(self, path: Path, url: str, section: str = "global") -> Path:
        return self.write(path, f"[{section}]\nindex-url = {url}\n")


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Machine:
    """Nothing of the real machine's pip configuration leaks in: HOME, XDG_*, PIP_* and sys.prefix
    point into tmp_path, and a file under /etc is read from the fake root instead."""
    m = Machine(tmp_path)
    for var in list(os.environ):
        if var.startswith("PIP_") or var.startswith("XDG_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("HOME", str(m.home))
    monkeypatch.setenv("XDG_CONFIG_DIRS", os.pathsep.join([str(m.xdg_a), str(m.xdg_b)]))
    monkeypatch.setattr(sys, "prefix", str(m.prefix))
    real_read = configparser.RawConfigParser.read

    def read(self: configparser.RawConfigParser, filenames, encoding=None):
        path = Path(filenames)
        if path.parts[:2] == ("/", "etc"):
            path = m.root.joinpath(*path.parts[1:])
        return real_read(self, path, encoding=encoding)

    monkeypatch.setattr(configparser.RawConfigParser, "read", read)
    return m


# --- which files, in which order ----------------------------------------------------------------

def test_pip_config_files_lists_global_user_site_then_pip_config_file(machine: Machine, tmp_path: Path) -> None:
    explicit = tmp_path / "missing.conf"  # named but absent: the user's files stay in force, as in pip
    assert pip_config_files({"HOME": str(machine.home), "XDG_CONFIG_DIRS": f"{machine.xdg_a}{os.pathsep}{machine.xdg_b}",
                             "PIP_CONFIG_FILE": str(explicit)}) == [
        machine.xdg_a / "pip" / "pip.conf", machine.xdg_b / "pip" / "pip.conf", Path("/etc/pip.conf"),
        machine.legacy_user, machine.user, machine.site, explicit]


def test_without_xdg_config_dirs_the_global_files_are_etc_xdg_then_etc(machine: Machine,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_DIRS")
    assert pip_config_files()[:2] == [Path("/etc/xdg/pip/pip.conf"), Path("/etc/pip.conf")]
    machine.index_url(machine.root / "etc" / "xdg" / "pip" / "pip.conf", _url("etc-xdg"))
    assert pip_config_value() == _url("etc-xdg")
    machine.index_url(machine.etc_pip_conf, _url("etc"))
    assert pip_config_value() == _url("etc")  # /etc/pip.conf is read after the XDG dirs


def test_the_users_pip_conf_overrides_the_global_one_the_venvs_overrides_both(machine: Machine) -> None:
    machine.index_url(machine.xdg_a / "pip" / "pip.conf", _url("xdg"))
    assert pip_config_value() == _url("xdg")
    machine.index_url(machine.etc_pip_conf, _url("etc"))
    assert pip_config_value() == _url("etc")
    machine.index_url(machine.legacy_user, _url("legacy-user"))
    assert pip_config_value() == _url("legacy-user")
    machine.index_url(machine.user, _url("user"))
    assert pip_config_value() == _url("user")  # ~/.config/pip/pip.conf over the legacy ~/.pip/pip.conf
    machine.index_url(machine.site, _url("venv"))
    assert pip_config_value() == _url("venv")


def test_among_xdg_config_dirs_the_later_directory_wins_as_in_pip(machine: Machine) -> None:
    machine.index_url(machine.xdg_a / "pip" / "pip.conf", _url("first"))
    machine.index_url(machine.xdg_b / "pip" / "pip.conf", _url("second"))
    assert pip_config_value() == _url("second")


def test_xdg_config_dirs_is_split_on_the_path_separator_and_empty_entries_are_skipped(
        machine: Machine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_DIRS", f"{os.pathsep}{machine.xdg_a}{os.pathsep}{os.pathsep}")
    assert pip_config_files()[:2] == [machine.xdg_a / "pip" / "pip.conf", Path("/etc/pip.conf")]
    machine.index_url(machine.xdg_a / "pip" / "pip.conf", _url("xdg"))
    assert pip_config_value() == _url("xdg")


def test_xdg_config_home_moves_the_users_file(machine: Machine, monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    elsewhere = tmp_path / "cfg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(elsewhere))
    machine.index_url(machine.user, _url("default-place"))
    assert pip_config_value() is None  # ~/.config is not where this user keeps configuration
    machine.index_url(elsewhere / "pip" / "pip.conf", _url("moved"))
    assert pip_config_value() == _url("moved")


def test_the_home_in_the_environment_given_is_the_one_read(machine: Machine, tmp_path: Path) -> None:
    other = tmp_path / "other-home"
    machine.index_url(machine.legacy_user, _url("process-home"))
    machine.index_url(other / ".pip" / "pip.conf", _url("given-home"))
    env = {"HOME": str(other), "XDG_CONFIG_DIRS": str(machine.xdg_a)}
    assert pip_config_value(env) == _url("given-home")
    assert pip_config_files(env)[-3:] == [other / ".pip" / "pip.conf", other / ".config" / "pip" / "pip.conf",
                                          machine.site]
    # no HOME in the environment given: the process's home
    assert pip_config_value({"XDG_CONFIG_DIRS": str(machine.xdg_a)}) == _url("process-home")


def test_pip_config_file_overrides_even_the_venvs_file(machine: Machine, monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    machine.index_url(machine.site, _url("venv"))
    explicit = machine.index_url(tmp_path / "explicit.conf", _url("explicit"))
    monkeypatch.setenv("PIP_CONFIG_FILE", str(explicit))
    assert pip_config_value() == _url("explicit")


def test_pip_config_file_naming_an_existing_file_hides_the_users_files_as_pip_does(
        machine: Machine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    machine.index_url(machine.xdg_a / "pip" / "pip.conf", _url("global"))
    machine.index_url(machine.user, _url("user"))
    machine.index_url(machine.legacy_user, _url("legacy-user"))
    explicit = machine.write(tmp_path / "explicit.conf", "[global]\ntimeout = 5\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(explicit))
    assert pip_config_value() == _url("global")
    assert machine.user not in pip_config_files() and machine.legacy_user not in pip_config_files()
    monkeypatch.setenv("PIP_CONFIG_FILE", str(tmp_path / "absent.conf"))  # a name only: the user's file counts
    assert pip_config_value() == _url("user")


def test_pip_config_file_os_devnull_means_no_config_file_is_read(machine: Machine,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    for path in (machine.xdg_a / "pip" / "pip.conf", machine.etc_pip_conf, machine.user, machine.site):
        machine.index_url(path, _url("configured"))
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    assert pip_config_files() == []
    assert pip_config_value() is None
    monkeypatch.setenv("PIP_CONFIG_FILE", "")  # empty: as if unset
    assert pip_config_value() == _url("configured")


# --- what is read from a file -----------------------------------------------------------------

def test_install_section_in_any_file_beats_global_in_any_file_as_in_pip(machine: Machine) -> None:
    machine.index_url(machine.xdg_a / "pip" / "pip.conf", _url("global-install"), section="install")
    machine.index_url(machine.site, _url("venv-global"))
    assert pip_config_value() == _url("global-install")
    machine.write(machine.user, f"[global]\nindex-url = {_url('user-global')}\n"
                                f"[install]\nindex-url = {_url('user-install')}\n")
    assert pip_config_value() == _url("user-install")


def test_other_sections_and_keys_are_not_the_index(machine: Machine) -> None:
    machine.write(machine.user, f"[download]\nindex-url = {_url('download')}\n"
                                f"[global]\nextra-index-url = {_url('extra')}\nindex = {_url('index')}\n")
    assert pip_config_value() is None


@pytest.mark.parametrize("key", ["index_url", "INDEX-URL", "Index_Url"])
def test_index_url_is_read_however_the_key_is_spelled(machine: Machine, key: str) -> None:
    machine.write(machine.user, f"[global]\n{key} = {_url('spelled')}\n")
    assert pip_config_value() == _url("spelled")


def test_an_empty_index_url_in_a_later_file_cancels_the_earlier_one_as_in_pip(machine: Machine) -> None:
    machine.index_url(machine.xdg_a / "pip" / "pip.conf", _url("global"))
    machine.write(machine.user, "[global]\nindex-url =\n")
    assert pip_config_value() is None  # then pip's own default is the index, as for pip
    assert resolve_index_url(None, None, pip_default_url=lambda: _url("pip-default")) == _url("pip-default") + "/"


def test_an_empty_install_index_url_leaves_the_global_one(machine: Machine) -> None:
    machine.write(machine.user, f"[global]\nindex-url = {_url('global')}\n[install]\nindex-url =\n")
    assert pip_config_value() == _url("global")


def test_only_the_first_word_of_the_value_is_the_url(machine: Machine) -> None:
    machine.write(machine.user, f"[global]\nindex-url =\n    {_url('first')}\n    {_url('second')}\n")
    assert pip_config_value() == _url("first")


@pytest.mark.parametrize("broken", [b"not [an ini file", b"[global]\nindex-url = http://127.0.0.1:1/\xff\xfe\n",
                                    b"[global]\nindex-url = a\nindex-url = b\n"])
def test_a_broken_file_is_skipped_and_the_files_after_it_are_still_read(machine: Machine, broken: bytes) -> None:
    path = machine.xdg_a / "pip" / "pip.conf"
    path.parent.mkdir(parents=True)
    path.write_bytes(broken)
    machine.index_url(machine.user, _url("user"))
    assert pip_config_value() == _url("user")


def test_a_directory_where_a_file_is_expected_is_skipped(machine: Machine) -> None:
    (machine.xdg_a / "pip" / "pip.conf").mkdir(parents=True)
    machine.index_url(machine.user, _url("user"))
    assert pip_config_value() == _url("user")


# --- resolving the index URL ------------------------------------------------------------------

def test_the_process_environment_is_read_when_none_is_given(machine: Machine,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    machine.index_url(machine.user, _url("user"))
    assert resolve_index_url() == _url("user") + "/"
    monkeypatch.setenv("PIP_INDEX_URL", _url("pip-env"))
    assert resolve_index_url() == _url("pip-env") + "/"
    monkeypatch.setenv("FWPROBE_INDEX_URL", _url("fwprobe-env"))
    assert resolve_index_url() == _url("fwprobe-env") + "/"
    assert resolve_index_url(_url("cli")) == _url("cli") + "/"


def test_the_pip_config_read_is_that_of_the_environment_given(machine: Machine, tmp_path: Path) -> None:
    explicit = machine.index_url(tmp_path / "explicit.conf", _url("explicit"))
    machine.index_url(machine.user, _url("process-user"))
    env = {"PIP_CONFIG_FILE": str(explicit), "HOME": str(tmp_path / "nobody")}
    assert resolve_index_url(None, env) == _url("explicit") + "/"


def test_empty_settings_fall_through_to_the_next_source(machine: Machine) -> None:
    env = {"FWPROBE_INDEX_URL": "", "PIP_INDEX_URL": ""}
    assert resolve_index_url("", env, lambda: _url("config")) == _url("config") + "/"
    assert resolve_index_url(None, env, lambda: "", lambda: _url("default")) == _url("default") + "/"


@pytest.mark.parametrize("origin", ["--index-url", "FWPROBE_INDEX_URL", "PIP_INDEX_URL", "pip's configuration",
                                    "pip's default"])
def test_a_bad_index_url_names_the_setting_it_came_from(origin: str) -> None:
    bad = "ftp://127.0.0.1/simple"
    env = {origin: bad} if origin.isupper() else {}
    kw = {"cli_value": bad if origin == "--index-url" else None,
          "pip_config": lambda: bad if origin == "pip's configuration" else None,
          "pip_default_url": lambda: bad if origin == "pip's default" else None}
    with pytest.raises(IndexConfigError) as err:
        resolve_index_url(environ=env, **kw)
    assert f"index URL from {origin} ({bad}) is not an http(s) URL" == str(err.value)


def test_without_any_index_the_error_names_each_setting_as_typed_and_advises(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(IndexConfigError) as err:
        resolve_index_url(None, {}, lambda: None, lambda: None)
    for setting in ("--index-url", "FWPROBE_INDEX_URL", "PIP_INDEX_URL"):
        assert re.search(rf"(?<![\w-]){re.escape(setting)}(?![\w-])", str(err.value)), setting
    assert str(err.value).startswith("no package index URL found")
    for remedy in ("--index-url URL", "FWPROBE_INDEX_URL", "--no-index"):
        assert remedy in err.value.advice


@pytest.mark.parametrize(("given", "resolved"), [
    ("  http://127.0.0.1:1/simple \n", "http://127.0.0.1:1/simple/"),
    ("http://127.0.0.1:1/simple///", "http://127.0.0.1:1/simple/"),
    ("https://127.0.0.1:1/mirror-X", "https://127.0.0.1:1/mirror-X/"),
    ("HTTP://127.0.0.1:1/s", "HTTP://127.0.0.1:1/s/"),
])
def test_an_index_url_gets_exactly_one_trailing_slash_and_keeps_the_rest(given: str, resolved: str) -> None:
    assert resolve_index_url(given, {}) == resolved


@pytest.mark.parametrize("bad", ["http://[::1/simple", "http:///simple", "127.0.0.1:1/simple", "file:///srv/simple"])
def test_an_index_url_that_does_not_parse_or_has_no_host_is_refused(bad: str) -> None:
    with pytest.raises(IndexConfigError, match=r"not an http\(s\) URL"):
        resolve_index_url(bad, {})


# --- pip's built-in default -------------------------------------------------------------------

def test_pip_default_is_the_installed_pips_own_default() -> None:
    index = pytest.importorskip("pip._internal.models.index")
    assert pip_default() == index.PyPI.simple_url
    assert resolve_index_url(None, {}, lambda: None) == index.PyPI.simple_url.rstrip("/") + "/"


def test_a_pip_without_a_default_url_gives_none(monkeypatch: pytest.MonkeyPatch) -> None:
    index = pytest.importorskip("pip._internal.models.index")
    monkeypatch.setattr(index.PyPI, "simple_url", "")
    assert pip_default() is None
    monkeypatch.setattr(index.PyPI, "simple_url", None)
    assert pip_default() is None
    monkeypatch.delattr(index.PyPI, "simple_url")
    assert pip_default() is None


def test_without_pip_and_without_configuration_the_error_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pip._internal.models.index", None)
    assert pip_default() is None
    with pytest.raises(IndexConfigError, match="pip is not importable"):
        resolve_index_url(None, {}, lambda: None)


def test_pip_config_is_asked_only_when_no_setting_names_an_index(monkeypatch: pytest.MonkeyPatch) -> None:
    def never() -> str:
        raise AssertionError("pip's configuration read although an index was given")

    assert resolve_index_url(None, {"PIP_INDEX_URL": _url("env")}, never, never) == _url("env") + "/"
    monkeypatch.setattr(index_config, "pip_default", never)
    assert resolve_index_url(None, {}, lambda: _url("config")) == _url("config") + "/"


# --- the cache directory ----------------------------------------------------------------------

def test_fwprobe_cache_dir_is_where_answers_are_kept(index_server, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = tmp_path / "chosen-cache"
    monkeypatch.setenv("FWPROBE_CACHE_DIR", str(chosen))
    assert default_cache_dir() == chosen
    assert IndexClient(index_server.url).fetch("activeproj").ok
    assert [p.name for p in chosen.rglob("*.json")] == ["activeproj.json"]


@pytest.mark.parametrize("setting", [None, ""])
def test_without_fwprobe_cache_dir_the_users_cache_dir_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               setting: str | None) -> None:
    from platformdirs import user_cache_dir

    if setting is None:
        monkeypatch.delenv("FWPROBE_CACHE_DIR", raising=False)
    else:
        monkeypatch.setenv("FWPROBE_CACHE_DIR", setting)  # empty: unset, not the working directory
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == Path(user_cache_dir("fwprobe"))
    if sys.platform.startswith("linux"):
        assert default_cache_dir() == tmp_path / "xdg-cache" / "fwprobe"


# --- cache entries: what is read back, what is not --------------------------------------------

class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    from fwprobe.index import cache as cache_module

    c = _Clock(1_800_000_000.0)
    monkeypatch.setattr(cache_module, "time", c)
    return c


def _entry(cache: Cache, name: str, **fields: object) -> None:
    cache.root.mkdir(parents=True, exist_ok=True)
    cache.path(name).write_text(json.dumps({"format": "fwprobe.cache/1", "fetched_at": 1_799_999_000.0,
                                            "index": "http://127.0.0.1:1/simple/", "data": {"files": []},
                                            **fields}))


def test_an_entry_written_is_read_back_with_the_time_it_was_fetched(tmp_path: Path, clock: _Clock) -> None:
    cache = Cache(tmp_path / "deep" / "er")  # a root that does not exist yet is made
    assert cache.read("proj") is None and not cache.exists("proj")
    cache.write("proj", {"files": [{"filename": "proj-1.0.tar.gz"}]}, "http://127.0.0.1:1/simple/")
    assert cache.exists("proj") and cache.path("proj") == tmp_path / "deep" / "er" / "proj.json"
    assert cache.read("proj") == ({"files": [{"filename": "proj-1.0.tar.gz"}]}, 1_800_000_000.0)
    on_disk = json.loads(cache.path("proj").read_text(encoding="utf-8"))
    assert on_disk == {"format": "fwprobe.cache/1", "fetched_at": 1_800_000_000.0,
                       "index": "http://127.0.0.1:1/simple/", "data": {"files": [{"filename": "proj-1.0.tar.gz"}]}}
    clock.now += 10
    cache.write("proj", {"files": []}, "http://127.0.0.1:1/simple/")  # a refresh replaces it
    assert cache.read("proj") == ({"files": []}, 1_800_000_010.0)
    assert [p.name for p in cache.root.iterdir()] == ["proj.json"]  # no temp file left behind
    assert FORMAT == "fwprobe.cache/1"


@pytest.mark.parametrize("fields", [
    {"format": "fwprobe.cache/2"}, {"format": None}, {"fetched_at": None}, {"fetched_at": "soon"},
    {"fetched_at": [1]}, {"data": [1, 2]}, {"data": "text"}, {"fetched_at": 0}, {"fetched_at": -5.0},
])
def test_a_foreign_or_malformed_entry_is_a_miss(tmp_path: Path, clock: _Clock, fields: dict[str, object]) -> None:
    cache = Cache(tmp_path)
    _entry(cache, "proj", **fields)
    assert cache.read("proj") is None


@pytest.mark.parametrize("missing", ["format", "fetched_at", "data"])
def test_an_entry_missing_a_field_is_a_miss(tmp_path: Path, clock: _Clock, missing: str) -> None:
    cache = Cache(tmp_path)
    _entry(cache, "proj")
    entry = json.loads(cache.path("proj").read_text())
    del entry[missing]
    cache.path("proj").write_text(json.dumps(entry))
    assert cache.read("proj") is None


@pytest.mark.parametrize("content", ["[1, 2]", '"text"', "null", "{", "", "\x00\x01"])
def test_a_file_that_is_no_entry_at_all_is_a_miss(tmp_path: Path, content: str) -> None:
    cache = Cache(tmp_path)
    cache.path("proj").write_text(content)
    assert cache.read("proj") is None and cache.exists("proj")


def test_an_undecodable_or_unreadable_entry_is_a_miss(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.path("bytes").write_bytes(b'{"format": "fwprobe.cache/1", "\xff": 1}')
    assert cache.read("bytes") is None
    cache.path("dir").mkdir()
    assert cache.read("dir") is None


def test_an_old_entry_is_still_read_for_offline_use_with_its_age(tmp_path: Path, clock: _Clock) -> None:
    cache = Cache(tmp_path)
    _entry(cache, "proj", fetched_at=1.0)
    assert cache.read("proj") == ({"files": []}, 1.0)


def test_an_entry_up_to_a_minute_in_the_future_is_clock_skew_beyond_that_a_miss(tmp_path: Path,
                                                                               clock: _Clock) -> None:
    cache = Cache(tmp_path)
    for ahead, kept in ((30.0, True), (60.0, True), (60.5, False), (3600.0, False)):
        _entry(cache, "proj", fetched_at=clock.now + ahead)
        assert (cache.read("proj") is not None) is kept, ahead


def test_a_cache_that_cannot_be_written_costs_nothing_but_the_entry(tmp_path: Path, clock: _Clock) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    Cache(blocker / "cache").write("proj", {"files": []}, "http://127.0.0.1:1/simple/")  # no error
    assert Cache(blocker / "cache").read("proj") is None
    cache = Cache(tmp_path / "cache")
    cache.path("proj").mkdir(parents=True)  # the entry's name is taken by a directory: the rename fails
    cache.write("proj", {"files": []}, "http://127.0.0.1:1/simple/")
    assert sorted(p.name for p in cache.root.iterdir()) == ["proj.json"]  # and its temp file is gone


def test_an_entry_is_written_beside_its_final_name_and_renamed_into_place(tmp_path: Path, clock: _Clock,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from fwprobe.index import cache as cache_module

    renames: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def replace(src: str, dst: Path) -> None:
        renames.append((Path(src), Path(dst)))
        assert Path(dst).exists() is False or json.loads(Path(dst).read_text())  # the old entry is whole
        real_replace(src, dst)

    monkeypatch.setattr(cache_module.os, "replace", replace)
    cache = Cache(tmp_path)
    cache.write("proj", {"files": []}, "http://127.0.0.1:1/simple/")
    ((src, dst),) = renames
    assert dst == cache.path("proj")
    assert src.parent == tmp_path  # the same directory: the rename is atomic, never across filesystems
    assert src.name.startswith(".") and not src.name.endswith(".json")  # never read as an entry
