"""Catalog loading and validation: every kind of bad file gives one error naming file, entry, field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fakes.catalogs import FAKE_CATALOG
from fwprobe.catalog import CatalogError, load_catalog, normalize

# one valid framework table: the first of the fake catalog, without its sub-tables
GOOD = ("\n[[framework]]" + FAKE_CATALOG.split("[[framework]]")[1]).split("[[framework.")[0]


def test_the_shipped_catalog_loads_with_the_seed_and_beyond() -> None:
    c = load_catalog()
    assert [f.id for f in c.frameworks if f.seed] == ["tensorflow", "keras", "theano", "pytorch"]
    assert {"jax", "pytensor"} <= {f.id for f in c.frameworks}
    assert set(c.get("theano").forks) == {"theano-pymc", "aesara", "pytensor"}
    tf = c.get("tensorflow")
    for dist in ("tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos", "tensorflow-intel",
                 "intel-tensorflow", "tensorflow-rocm", "tf-nightly"):
        assert dist in tf.distributions
    assert c.get("tensorflow_cpu") is tf  # any spelling resolves (PEP 503)
    assert c.get("keras").claimed_status == "integrated"
    assert c.compat, "compatibility rules live in the catalog"


def test_the_probe_kinds_accepted_are_exactly_the_agents_table() -> None:
    from fwprobe.catalog import device_probe_kinds, probe_kinds
    from fwprobe.probes import agent

    assert set(probe_kinds()) == set(agent.KINDS)
    assert all(callable(kind.probe) for kind in agent.KINDS.values())
    assert {fw.probe for fw in load_catalog().frameworks} <= set(agent.KINDS)
    assert set(device_probe_kinds()) == {name for name, kind in agent.KINDS.items() if kind.lists_devices}


def test_every_kind_that_lists_devices_has_an_exercise() -> None:
    """A GPU-capable kind (one that lists devices) without an exercise would let `check
    --require-gpu` pass on visibility alone: each one must say how to compute on a device."""
    from fwprobe.catalog import device_probe_kinds
    from fwprobe.probes import agent

    missing = [name for name in device_probe_kinds() if not callable(agent.KINDS[name].exercise)]
    assert missing == [], f"probe kinds that list devices but have no exercise: {missing}"


def test_a_framework_table_accepts_exactly_the_records_fields(tmp_path: Path) -> None:
    """The allowed keys come from the Framework dataclass: a new field is a new TOML key at once."""
    from dataclasses import fields

    from fwprobe.catalog import Framework

    path = tmp_path / "extra.toml"
    path.write_text(GOOD + 'colour = "red"\n')
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    allowed = str(err.value).split("(allowed: ", 1)[1].rstrip(")").split(", ")
    assert set(allowed) == {f.name for f in fields(Framework)} - {"source"}  # source: where it was loaded from


def test_gpu_frameworks_each_carry_their_own_install_hint() -> None:
    c = load_catalog()
    gpu = {fw.id: fw.gpu_install_hint for fw in c.frameworks if fw.gpu}
    assert gpu and all(gpu.values())  # whichever frameworks the catalog marks GPU-capable
    assert len(set(gpu.values())) == len(gpu)


def test_a_gpu_framework_needs_a_probe_kind_that_lists_devices() -> None:
    from fwprobe.catalog import device_probe_kinds
    from fwprobe.probes import agent

    assert "generic" in agent.KINDS and "generic" not in device_probe_kinds()
    assert set(device_probe_kinds()) < set(agent.KINDS)


def test_normalize_is_pep503() -> None:
    assert normalize("TensorFlow_CPU") == normalize("tensorflow.cpu") == "tensorflow-cpu"


@pytest.mark.parametrize("text, expected", [
    ("[[framework]\nid=", "not valid TOML"),
    (GOOD.replace('name = "PyTorch"\n', ""), "framework #1 ('pytorch'), field 'name': is required"),
    (GOOD.replace('probe = "torch"', 'probe = "caffe"'), "field 'probe': 'caffe' is not one of"),
    (GOOD + "gpu = true\n", "field 'gpu_install_hint': is required when gpu = true"),
    (GOOD.replace('probe = "torch"', 'probe = "generic"') + 'gpu = true\ngpu_install_hint = "h"\n',
     "field 'gpu': gpu = true needs a probe kind that lists devices"),
    (GOOD + 'cpu_only_distributions = ["torch-cpu"]\n', "'torch-cpu' is not one of its distributions"),
    (GOOD + "claim_forks = true\n", "field 'claim_forks': needs the forks"),
    (GOOD + '[[framework.import_hints]]\nmatch = "(unclosed"\nhint = "h"\n',
     "import_hints #1, field 'match': '(unclosed' is not a regular expression"),
    (GOOD + '[[framework.import_hints]]\nmatch = "x"\n', "import_hints #1, field 'hint': is required"),
    (GOOD + '[[framework.import_hints]]\nmatch = "x"\nhint = "h"\nif_installed = ["caffe"]\n',
     "if_installed names 'caffe', which is no framework"),
    (GOOD.replace('distributions = ["torch"]', 'distributions = "torch"'), "field 'distributions': must be list"),
    (GOOD.replace('distributions = ["torch"]', "distributions = []"), "must list at least one"),
    (GOOD.replace('distributions = ["torch"]', 'distributions = ["bad name!"]'), "not a valid distribution name"),
    (GOOD + 'colour = "red"\n', "field 'colour': unknown field"),
    (GOOD.replace('claimed_status = "active"', 'claimed_status = "alive"'), "field 'claimed_status'"),
    (GOOD.replace('claimed_status = "active"', 'claimed_status = "integrated"'), "field 'integrated_into'"),
    (GOOD + GOOD, "field 'id': duplicate"),
    (GOOD + GOOD.replace('id = "pytorch"', 'id = "other"'), "'torch' already belongs to framework 'pytorch'"),
    ("[thresholds]\nactive_days = 400\nstale_days = 100\n" + GOOD, "[thresholds], field 'stale_days'"),
    ("[thresholds]\nactive_days = \"soon\"\n" + GOOD, "field 'active_days': must be int"),
    ("[colours]\n" + GOOD, "unknown top-level table"),
    ('framework = "x"\n', "must be an array of tables"),
    ("", "defines no [[framework]] entries"),
    (GOOD + '[[compat]]\nid = "x"\nwhen = "torch"\nother = "y"\nmessage = "m"\nhint = "h"\n'
     'other_version = "=>1"\n', "compat #1 ('x'), field 'other_version': '=>1' is not a PEP 440"),
])
def test_each_kind_of_bad_file_names_file_entry_and_field(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    assert str(path) in str(err.value) and expected in str(err.value)


def test_missing_and_empty_catalog_locations(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="no such catalog"):
        load_catalog(tmp_path / "nope")
    with pytest.raises(CatalogError, match=r"no \*.toml"):
        load_catalog(tmp_path)


def test_select_unknown_framework_lists_the_known_ones() -> None:
    with pytest.raises(CatalogError, match=r"unknown framework 'caffe'.*pytorch"):
        load_catalog().select(["caffe"])


def test_without_version_checks_a_bad_specifier_passes_and_packaging_stays_unloaded(tmp_path: Path) -> None:
    """fwprobe.early reads the catalog so, before packaging (~15 ms) would load; the CLI reads it fully."""
    path = tmp_path / "spec.toml"
    path.write_text(GOOD + '[[compat]]\nid = "x"\nwhen = "torch"\nother = "y"\nmessage = "m"\nhint = "h"\n'
                    'other_version = "=>1"\n')
    code = ("import sys; from fwprobe.catalog import load_catalog; "
            f"c = load_catalog({str(path)!r}, check_versions=False); "
            "print(c.compat[0].other_version, 'packaging.specifiers' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["=>1", "False"]
    with pytest.raises(CatalogError, match="is not a PEP 440"):
        load_catalog(path)
