"""Open vocabularies (declarations issue): a separate package adds a cryo technique with a
temperature below zero (a dimension and units of its own, kelvin an offset unit), a zone of its
own and citations of its own manual, and passes the conformance suite. A declaration naming an
unknown dimension, unit, zone or source is refused at load, naming the plugin, and the
conformance suite catches it.

The package (``plugins/example-cryo``) is installed with pip into a temporary folder, as the
example vendor is (``tests/test_vendor.py``), and used through its entry point.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from attrs import evolve

from mesosim import (
    Contraindication,
    ParamRange,
    StepGraph,
    StepKind,
    Technique,
    Vocabulary,
    Zone,
    between,
    hookimpl,
)
from mesosim.plugin.host import load_host
from mesosim.testing import check_conformance
from mesosim.units import UnitError, parse_quantity

from .conftest import ROOT
from .test_vendor import _pip, _setuptools_builds_wheels, mesosim, vendor_install  # noqa: F401

CRYO_SRC = Path(ROOT) / "plugins" / "example-cryo"


@pytest.fixture(scope="session")
def cryo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example cryo package installed into a temporary folder; its path."""
    if _pip("--version").returncode != 0 or not _setuptools_builds_wheels():
        pytest.skip("pip or a wheel-building setuptools is missing: cannot install the example")
    tmp = tmp_path_factory.mktemp("cryo")
    src = Path(shutil.copytree(CRYO_SRC, tmp / "src",
                               ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info")))
    dist = tmp / "dist"
    dist.mkdir()
    built = _pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, src)
    assert built.returncode == 0, built.stdout + built.stderr
    site = tmp / "site"
    done = _pip("install", "--no-deps", "--no-index", "--target", site, next(dist.glob("*.whl")))
    assert done.returncode == 0, done.stdout + done.stderr
    return site


def test_the_installed_cryo_plugin_passes_the_conformance_suite(cryo):
    test = CRYO_SRC / "tests" / "test_conformance.py"
    code = f"import runpy; runpy.run_path({str(test)!r}, run_name='t')['test_conformance']()"
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
           "PYTHONPATH": str(cryo)}
    out = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True, env=env,
                         check=False)
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_temperature_below_zero_in_kelvin_is_checked_against_the_manual(cryo):
    samples = cryo / "mesosim_example_cryo" / "samples"
    out = mesosim(["check", "--format", "json", str(samples)], cryo)
    report = json.loads(out.stdout)
    assert out.returncode == 1, out.stderr
    found = {(Path(r["path"]).name, f["rule"], f["source"]): f["message"]
             for r in report["files"] for f in r["findings"]}
    assert found.keys() == {("cryo-too-cold.yaml", "MS601", "acme-cryo-manual:20"),
                            ("cryo-too-cold.yaml", "MS411", "acme-cryo-manual:12")}
    assert found[("cryo-too-cold.yaml", "MS411", "acme-cryo-manual:12")] == (
        "cryo-application temperature is 240 K (-33.15 °C), but example-cryo allows -20 to -5 °C")


def test_its_zone_and_its_sources_are_in_the_vocabulary_and_readable(cryo):
    out = mesosim(["sources", "acme-cryo-manual:12"], cryo)
    assert out.returncode == 0
    assert out.stdout == "acme-cryo-manual:12: The cooling head works between -20 and -5 degrees " \
                         "Celsius.\n"
    shown = mesosim(["techniques", "show", "example-cryo", "--zone", "underarm"], cryo).stdout
    assert "cryo-application.temperature [all]: -20 to -5 °C [acme-cryo-manual:12]" in shown
    assert "contraindication skin-lesions: error [acme-cryo-manual:21] (zone underarm" in shown
    assert "acme-cryo-manual:12: The cooling head works" in shown
    schema = json.loads(mesosim(["schema"], cryo).stdout)
    assert "underarm" in schema["properties"]["zone"]["enum"]


def test_negative_values_only_where_a_dimension_allows_them():
    with pytest.raises(UnitError, match="cannot be below zero"):
        parse_quantity("-1.5 mm", "length")


# --- what is refused at load, and caught by the conformance suite ----------------------------


def _technique(**changes: Any) -> Technique:
    base = Technique(
        name="acme-x", description="a fake device", active_step="acme-x-step",
        steps=StepGraph.chain("cleansing", "application", "acme-x-step"),
        required={"acme-x-step"}, interval=between(7, 14, "d", "default", note="n"),
        course_length=between(1, 10, "", "default", note="n"))
    return evolve(base, **changes)


def _plugin(vocabulary: Vocabulary, technique: Technique) -> object:
    class Plugin:
        @hookimpl
        def mesosim_vocabulary(self) -> Vocabulary:
            return vocabulary

        @hookimpl
        def mesosim_techniques(self) -> list[Technique]:
            return [technique]

    return Plugin()


STEP = StepKind("acme-x-step", "a fake step", params=("chill",), duration="5 min")


@pytest.mark.parametrize(("vocab", "tech", "why"), [
    (Vocabulary(steps=(STEP,), parameters={"chill": "coldness"}), _technique(),
     "parameter 'chill' is of an unknown dimension 'coldness'"),
    (Vocabulary(steps=(StepKind("acme-x-step", params=("duration",)),)),
     _technique(parameters=(ParamRange("acme-x-step", "duration", between(1, 2, "fortnights",
                                                                         "default", note="n")),)),
     "range for acme-x-step.duration is in 'fortnights', which is no known unit"),
    (Vocabulary(steps=(StepKind("acme-x-step"),)), _technique(zones={"face", "elbow"}),
     "names zones not in the vocabulary: elbow"),
    (Vocabulary(steps=(StepKind("acme-x-step"),)),
     _technique(contraindications=(Contraindication("fever", "acme-manual:3"),)),
     "cites unknown sources: acme-manual:3"),
    (Vocabulary(steps=(StepKind("acme-x-step"),),
                zones=(Zone("elbow", "an elbow", "acme-manual:1"),)), _technique(),
     "zone 'elbow': cites unknown sources: acme-manual:1"),
])
def test_an_unknown_dimension_unit_zone_or_source_is_refused_and_caught(vocab, tech, why):
    host = load_host(autoload=False, extra_plugins=(("acme-x", _plugin(vocab, tech)),))
    info = next(p for p in host.catalog.plugins if p.name == "acme-x")
    assert info.status == "refused" and why in info.reason, info.reason
    assert "acme-x" not in host.catalog.techniques
    problems = check_conformance(_plugin(vocab, tech), name="acme-x", require_samples=False)
    assert problems and why in problems[0], problems


def test_the_suite_asks_for_a_claim_of_every_own_cited_line_and_for_limits():
    from mesosim import Source

    vocab = Vocabulary(steps=(StepKind("acme-x-step"),),
                       sources=(Source("acme-manual", "Acme manual", claims={"1": "One."}),))
    tech = _technique(zones={"face"}, contraindications=(
        Contraindication("fever", "acme-manual:1"), Contraindication("diabetes", "acme-manual:2")))
    problems = check_conformance(_plugin(vocab, tech), name="acme-x", require_samples=False,
                                 require_limits=True)
    assert "acme-x: cites acme-manual:2, which has no claim" in " ".join(problems)
    assert not any("acme-manual:1" in p for p in problems)
    assert any("leaves out zone 'scalp' without saying why" in p for p in problems)
    assert any("leaves out setting 'home' without saying why" in p for p in problems)


#: for every technique loaded (the built-ins and the vendors' on the path), every zone and
#: setting it supports: `mesosim new` writes a model answer and `mesosim check` finds nothing
EVERY_MODEL_ANSWER = """
import contextlib, io, json, os, sys, tempfile
from mesosim.answer import combinations
from mesosim.cli import run_main
from mesosim.plugin.host import load_host
catalog = load_host().catalog
bad, n = [], 0
with tempfile.TemporaryDirectory() as tmp:
    for t in sorted(catalog.techniques):
        for z, s in combinations(catalog, t):
            n += 1
            path = os.path.join(tmp, f"{t}-{z}-{s}.yaml")
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                made = run_main(["new", t, "--zone", z, "--setting", s, "--start", "2027-01-04",
                                 "-o", path])
                checked = run_main(["check", path])
            if (made, checked) != (0, 0):
                bad.append([t, z, s, made, checked, out.getvalue()])
print(json.dumps({"techniques": sorted(catalog.techniques), "combinations": n, "bad": bad}))
"""


def test_every_vendor_model_answer_passes_check(cryo, vendor_install):  # noqa: F811
    from .test_vendor import VENDOR

    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "MESOSIM_DISABLE_PLUGIN_AUTOLOAD")}
    env["PYTHONPATH"] = os.pathsep.join([str(cryo), str(vendor_install["site"])])
    done = subprocess.run([sys.executable, "-P", "-c", EVERY_MODEL_ANSWER], capture_output=True,
                          text=True, env=env, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {"example-cryo", VENDOR} <= set(data["techniques"])
    assert data["combinations"] > 70 and data["bad"] == [], data["bad"]


@pytest.mark.parametrize("command", [["check"], ["simulate"], ["plan"]])
def test_an_override_in_the_plugin_s_own_unit_works_for_every_command(cryo, tmp_path, command):
    """A school's override written in a plugin's unit (`min = "-14 °C"`): the plugins' units
    are registered before any configuration is read, for every command (not only `check`)."""
    sample = cryo / "mesosim_example_cryo" / "samples" / "valid" / "cryo-underarm.yaml"
    (tmp_path / "p.yaml").write_text(sample.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "mesosim.toml").write_text(
        '[[override]]\ntechnique = "example-cryo"\nparameter = "cryo-application.temperature"\n'
        'min = "-10 °C"\nmax = "-5 °C"\nnote = "school rule"\n', encoding="utf-8")
    out = mesosim([*command, str(tmp_path / "p.yaml")], cryo)
    assert "unknown unit" not in out.stdout + out.stderr, out.stdout + out.stderr
    if command == ["check"]:
        assert out.returncode == 1 and "MS411" in out.stdout  # -12 °C is below the school's -10
