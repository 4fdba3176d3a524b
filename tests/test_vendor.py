"""The example vendor package installs, passes the conformance suite, and is applied by
``mesosim check``; without it installed, it is gone. Also: every built-in plugin passes the
conformance suite, and the suite fails on what it should catch.

The package is installed once per session with pip into a temporary folder (never into the
test environment itself) and mesosim runs in a subprocess with that folder on ``PYTHONPATH``,
so that the package's ``.dist-info`` entry point is discovered exactly as in a vendor's install.
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

from mesosim import Care, Contraindication, StepGraph, Technique, between, hookimpl
from mesosim.rules import Rule
from mesosim.testing import ConformanceError, assert_conformance, builtin_registry, check_conformance

from .conftest import PROTOCOLS, ROOT

VENDOR_SRC = Path(ROOT) / "plugins" / "example-vendor"
VENDOR = "example-microneedle-pen"
VENDOR_DIST = "mesosim-example-vendor"
RUN_CLI = "from mesosim.cli import main; main()"


def _setuptools_builds_wheels() -> bool:
    """setuptools >= 70.1 builds wheels by itself; older ones need the ``wheel`` package."""
    import importlib.util

    if importlib.util.find_spec("wheel") is not None:
        return True
    try:
        import setuptools
    except ImportError:
        return False
    major, minor = (int(x) for x in setuptools.__version__.split(".")[:2])
    return (major, minor) >= (70, 1)


def _pip(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    return subprocess.run([sys.executable, "-m", "pip", *map(str, args)], capture_output=True,
                          text=True, env=env, check=False)


@pytest.fixture(scope="session")
def vendor_install(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Install the example vendor package with pip into a temporary folder, once."""
    if _pip("--version").returncode != 0:
        pytest.skip("pip is not available in this environment: cannot install the example "
                    "vendor package")
    tmp = tmp_path_factory.mktemp("vendor")
    # build from a copy: a build writes build/ and *.egg-info into the source folder
    src = Path(shutil.copytree(VENDOR_SRC, tmp / "src",
                               ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info")))
    dist = tmp / "dist"
    dist.mkdir()
    if not _setuptools_builds_wheels():  # the test extra asks for setuptools >= 70.1
        pytest.skip("this environment's setuptools cannot build a wheel offline; install "
                    "mesosim[test] (setuptools >= 70.1)")
    built = _pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, src)
    assert built.returncode == 0, built.stdout + built.stderr
    wheel = next(dist.glob("*.whl"))
    site = tmp / "site"
    done = _pip("install", "--no-deps", "--no-index", "--target", site, wheel)
    assert done.returncode == 0, done.stdout + done.stderr
    return {"site": site, "wheel": wheel}


def mesosim(args: list[str], site: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the mesosim CLI in a fresh interpreter, with ``site`` on the path if given."""
    full = {k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "MESOSIM_DISABLE_PLUGIN_AUTOLOAD")}
    if site is not None:
        full["PYTHONPATH"] = str(site)
    full.update(env)
    return subprocess.run([sys.executable, "-P", "-c", RUN_CLI, *args], capture_output=True,
                          text=True, env=full, cwd=ROOT, check=False)


# --- the installed package -------------------------------------------------------------------


def test_installed_package_holds_its_dist_info_and_samples(vendor_install):
    site = vendor_install["site"]
    infos = [p.name for p in site.glob("*.dist-info")]
    assert infos == ["mesosim_example_vendor-0.1.0.dist-info"], infos
    entry_points = (site / infos[0] / "entry_points.txt").read_text(encoding="utf-8")
    assert "[mesosim]" in entry_points
    assert f"{VENDOR} = mesosim_example_vendor.microneedle_pen" in entry_points
    samples = site / "mesosim_example_vendor" / "samples"
    assert sorted(p.name for p in (samples / "invalid").iterdir()) == [
        "pen-no-cartridge.yaml", "pen-no-cartridge.yaml.expected",
        "pen-too-fast.yaml", "pen-too-fast.yaml.expected"]
    assert (samples / "valid" / "pen-face.yaml").is_file()


def test_sarif_links_the_vendor_rule_to_the_vendor_rules_page(vendor_install, tmp_path):
    """helpUri comes from the distribution that declared the rule (its ``Project-URL: Rules``)."""
    sample = VENDOR_SRC / "mesosim_example_vendor" / "samples"
    out = mesosim(["check", "--format", "sarif", str(sample)], vendor_install["site"])
    rules = {r["id"]: r for r in json.loads(out.stdout)["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["EXV001"]["helpUri"] == ("https://example.com/mesosim-example-vendor/rules.md"
                                          "#exv001-pen-too-fast-for-deep-needles")
    assert rules["MS401"]["helpUri"].endswith("/docs/rules.md#ms401-depth-out-of-range")


def test_wheel_is_built_by_the_package_own_backend(vendor_install):
    assert vendor_install["wheel"].name == "mesosim_example_vendor-0.1.0-py3-none-any.whl"


def test_techniques_lists_it_with_its_distribution_and_version(vendor_install):
    out = mesosim(["techniques"], vendor_install["site"])
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if x.startswith(VENDOR))
    assert f"{VENDOR} ({VENDOR_DIST} 0.1.0)" in line and "EXAMPLE" in line
    listed = json.loads(mesosim(["techniques", "--json"], vendor_install["site"]).stdout)
    plugin = next(p for p in listed["plugins"] if p["name"] == VENDOR)
    assert plugin == {"name": VENDOR, "distribution": VENDOR_DIST, "version": "0.1.0",
                      "builtin": False, "status": "loaded", "reason": "",
                      "techniques": [VENDOR], "hooks": ["mesosim_check", "mesosim_rules",
                                                        "mesosim_techniques",
                                                        "mesosim_vocabulary"]}
    assert all(p["builtin"] and p["distribution"] == "mesosim"
               for p in listed["plugins"] if p["name"] != VENDOR)


def test_check_applies_it_to_its_samples(vendor_install):
    samples = vendor_install["site"] / "mesosim_example_vendor" / "samples"
    out = mesosim(["check", "--format", "json", str(samples)], vendor_install["site"])
    report = json.loads(out.stdout)
    assert out.returncode == 1, out.stdout + out.stderr  # error findings, no plugin problem
    got = {os.path.relpath(f["path"], samples): sorted((x["rule"], x["kind"], x["line"])
                                                        for x in f["findings"])
           for f in report["files"]}
    assert got == {
        "invalid/pen-no-cartridge.yaml": [("MS301", "missing-step", 22), ("MS401", "depth", 22),
                                          ("MS501", "interval", 15)],
        "invalid/pen-too-fast.yaml": [("EXV001", "device-setting", 25)],
        "valid/pen-face.yaml": [],
    }
    exv = report["files"][1]["findings"][0]
    assert exv["technique"] == VENDOR and exv["source"] == "default"
    assert "140 Hz" in exv["message"] and exv["suggestion"]


def test_explain_and_show_name_the_plugin_and_its_defaults(vendor_install):
    out = mesosim(["explain", "EXV001"], vendor_install["site"])
    assert out.returncode == 0, out.stderr
    assert "EXAMPLE rule" in out.stdout and f"Added by plugin '{VENDOR}'" in out.stdout
    show = mesosim(["techniques", "show", VENDOR], vendor_install["site"]).stdout
    assert f"plugin: {VENDOR} ({VENDOR_DIST} 0.1.0), API 1" in show
    assert "pen-microneedling.pen_speed [all]: 50-150 Hz [default]" in show


def test_uninstalled_it_is_gone(vendor_install):
    listed = mesosim(["techniques"])
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert VENDOR not in listed.stdout
    sample = vendor_install["site"] / "mesosim_example_vendor" / "samples" / "valid" / "pen-face.yaml"
    out = mesosim(["check", str(sample)])
    assert out.returncode == 1, out.stdout + out.stderr
    assert f"MS201 [error] unknown technique '{VENDOR}'" in out.stdout


@pytest.mark.parametrize("how", ["env", "flag"])
def test_autoload_off_skips_it_and_p_loads_it(vendor_install, how):
    site = vendor_install["site"]
    env = {"MESOSIM_DISABLE_PLUGIN_AUTOLOAD": "1"} if how == "env" else {}
    off = ["--disable-plugin-autoload"] if how == "flag" else []
    out = mesosim([*off, "techniques"], site, **env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert not any(x.startswith(VENDOR) for x in out.stdout.splitlines())
    assert f"[not-autoloaded] {VENDOR} ({VENDOR_DIST} 0.1.0)" in out.stdout
    assert "manual-injection" in out.stdout  # built-ins still load
    loaded = mesosim([*off, "-p", VENDOR, "techniques"], site, **env)
    assert any(x.startswith(VENDOR) for x in loaded.stdout.splitlines()), loaded.stdout


def test_no_plugin_blocks_it(vendor_install):
    out = mesosim(["--no-plugin", VENDOR, "techniques"], vendor_install["site"])
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"[blocked] {VENDOR} ({VENDOR_DIST} 0.1.0)" in out.stdout


def test_vendor_test_file_passes_against_the_installed_package(vendor_install):
    # what a vendor's CI runs: plugins/example-vendor/tests/test_conformance.py, which names the
    # plugin, so the suite loads the installed module and the samples shipped inside it
    test_file = VENDOR_SRC / "tests" / "test_conformance.py"
    code = f"import runpy; runpy.run_path({str(test_file)!r})['test_conformance']()"
    env = {**os.environ, "PYTHONPATH": str(vendor_install["site"])}
    out = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True, env=env,
                         check=False)
    assert out.returncode == 0, out.stderr
    # and without the package the same test fails with the reason
    env.pop("PYTHONPATH")
    gone = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True, env=env,
                          check=False)
    assert gone.returncode == 1
    assert "no installed plugin has this name" in gone.stderr


# --- the conformance suite -------------------------------------------------------------------

BUILTIN_REG = builtin_registry()
# from the entry points, not the techniques: a refused built-in is still named, and fails below
BUILTINS = sorted(p.name for p in BUILTIN_REG.catalog.plugins if p.builtin)


def test_all_seven_builtins_are_entry_points():
    assert BUILTINS == ["electroporation", "hardware-gun", "iontophoresis", "manual-injection",
                        "oxygen", "roller", "ultrasound"]


@pytest.mark.parametrize("plugin", BUILTINS)
def test_builtin_plugin_passes_conformance(plugin):
    techniques = [t.name for t in BUILTIN_REG.catalog.techniques.values() if t.plugin == plugin]
    assert techniques == [plugin], "a built-in plugin declares one technique, named as it is"
    assert_conformance(plugin, os.path.join(PROTOCOLS, plugin), require_limits=True)


@pytest.mark.parametrize("plugin", BUILTINS)
def test_builtin_technique_is_listed_and_shown_by_the_cli(plugin):
    from click.testing import CliRunner

    from mesosim.cli import cli

    runner = CliRunner()
    listed = runner.invoke(cli, ["--disable-plugin-autoload", "techniques"])
    assert listed.exit_code == 0, listed.output
    assert any(line.split()[:2] == [plugin, plugin] for line in listed.output.splitlines())
    shown = runner.invoke(cli, ["--disable-plugin-autoload", "techniques", "show", plugin])
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith(f"{plugin}: ")
    assert "MS902" not in shown.output


def test_example_vendor_module_passes_conformance(monkeypatch):
    # before installing: the module itself, registered directly; samples found beside it
    monkeypatch.syspath_prepend(str(VENDOR_SRC))
    import mesosim_example_vendor.microneedle_pen as pen

    assert check_conformance(pen) == []


def test_a_builtin_passed_as_its_module_is_not_registered_twice():
    from mesosim_plugins import manual_injection

    problems = check_conformance(manual_injection, os.path.join(PROTOCOLS, "manual-injection"))
    assert problems == []


def test_unknown_name_and_refused_plugin_fail_conformance():
    assert check_conformance("no-such-plugin") == [
        "the plugin was refused at load: no installed plugin has this name (-p)"]

    from .test_host import TooNewApi

    (problem,) = check_conformance(TooNewApi(), name="acme-too-new")
    assert problem.startswith("the plugin was refused at load: ")
    assert "plugin API 2" in problem and "API 1" in problem


def _tech(**changes: Any) -> Technique:
    kw: dict[str, Any] = dict(
        name="acme-pen", description="fake", active_step="injection",
        steps=StepGraph.chain("disinfection", "injection"),
        required={"disinfection", "injection"}, interval=between(7, 14, "d", "default"),
        course_length=between(1, 10, "", "default"))
    kw.update(changes)
    return Technique(**kw)


class _Declares:
    """A plugin object declaring the given techniques and rules."""

    def __init__(self, techniques: list[Any], rules: tuple[Any, ...] = ()) -> None:
        self.techniques, self.rules = techniques, list(rules)

    @hookimpl
    def mesosim_techniques(self) -> list[Any]:
        return self.techniques

    @hookimpl
    def mesosim_rules(self) -> list[Any]:
        return self.rules


def _write_sample(folder: Path, sub: str, name: str, technique: str,
                  expected: str | None = None) -> None:
    src = Path(PROTOCOLS) / "manual-injection" / "valid" / "face-rejuvenation.yaml"
    (folder / sub).mkdir(parents=True, exist_ok=True)
    text = src.read_text(encoding="utf-8").replace("technique: manual-injection",
                                                   f"technique: {technique}")
    (folder / sub / name).write_text(text, encoding="utf-8")
    if expected is not None:
        (folder / sub / (name + ".expected")).write_text(expected, encoding="utf-8")


def test_conformance_catches_a_required_step_whose_needs_come_after_it(tmp_path):
    # injection needs a disinfected skin, but this graph lets disinfection come after it
    bad = _tech(steps=StepGraph.chain("injection", "disinfection"))
    _write_sample(tmp_path, "valid", "a.yaml", "acme-pen")
    problems = check_conformance(_Declares([bad]), str(tmp_path), name="acme")
    assert ("acme-pen: required step 'injection' needs 'skin-disinfected', which no step that "
            "must come before it provides") in problems


def test_conformance_catches_unknown_condition_and_activity():
    bad = _tech(contraindications=[Contraindication("moonstruck", "default")],
                aftercare=[Care("skydiving", between(1, None, "d", "default"))])
    problems = check_conformance(_Declares([bad]), name="acme", require_samples=False)
    assert any("contraindication 'moonstruck' is not a vocabulary condition" in p
               for p in problems)
    assert any("care activity 'skydiving' is not in the vocabulary" in p for p in problems)


def test_conformance_checks_samples_layout_and_findings(tmp_path):
    rule = Rule("ACME001", "acme-rule", "device-setting", "error", "s", "explained")
    _write_sample(tmp_path, "invalid", "wrong.yaml", "acme-pen", "MS401 depth 3\n")
    _write_sample(tmp_path, "invalid", "no-expected.yaml", "acme-pen")
    _write_sample(tmp_path, "valid", "other.yaml", "manual-injection", "MS401 depth 3\n")
    problems = check_conformance(_Declares([_tech()], (rule,)), str(tmp_path), name="acme")
    text = "\n".join(problems)
    assert "invalid/wrong.yaml: findings differ from the expected ones; expected but not " \
           "found: [('MS401', 'depth', 3)]" in text
    assert "invalid/no-expected.yaml: an invalid sample needs no-expected.yaml.expected" in text
    assert "valid/other.yaml: a valid sample must not have an .expected file" in text
    assert "acme-pen: no valid sample" in text
    assert "rule ACME001 is reported by no sample" in text


def test_conformance_requires_samples_and_own_rule_prefix(tmp_path):
    rule = Rule("MS950", "mine", "schema", "warning", "s", "explained")
    problems = check_conformance(_Declares([_tech()], (rule,)), str(tmp_path / "none"),
                                 name="acme")
    assert any(p.startswith("no sample protocols: ") for p in problems)
    assert "rule MS950: the MS prefix is mesosim's own; use a prefix of yours" in problems


def test_conformance_requires_a_note_on_every_default_range():
    bare = _tech()  # interval and course length are defaults without a note
    assert check_conformance(_Declares([bare]), name="acme", require_samples=False,
                             require_default_notes=False) == []
    problems = check_conformance(_Declares([bare]), name="acme", require_samples=False)
    assert problems == [
        "acme-pen: range interval is a 'default' without a note; say why this figure was chosen "
        "(between(..., 'default', note=...))",
        "acme-pen: range course_length is a 'default' without a note; say why this figure was "
        "chosen (between(..., 'default', note=...))"]
    noted = _tech(interval=between(7, 14, "d", "default", note="why"),
                  course_length=between(1, 10, "", "default", note="  "),
                  aftercare=[Care("sun", between(1, None, "d", "000:1"))])
    problems = check_conformance(_Declares([noted]), name="acme", require_samples=False,
                                 require_default_notes=True)
    assert problems == [  # a blank note is no note; a cited figure needs none
        "acme-pen: range course_length is a 'default' without a note; say why this figure was "
        "chosen (between(..., 'default', note=...))"]
    with pytest.raises(ConformanceError, match="interval is a 'default' without a note"):
        assert_conformance(_Declares([bare]), name="acme", require_samples=False,
                           require_default_notes=True)


def test_conformance_fails_a_technique_that_techniques_show_cannot_render(monkeypatch):
    import mesosim.describe

    def broken(reg, tech):
        raise KeyError("no-such-step")

    monkeypatch.setattr(mesosim.describe, "show_technique", broken)
    problems = check_conformance(_Declares([_tech()]), name="acme", require_samples=False,
                                 require_default_notes=False)
    assert problems == ["acme-pen: 'mesosim techniques show acme-pen' fails: KeyError: "
                        "'no-such-step'"]


def test_assert_conformance_lists_every_problem():
    bad = _tech(steps=StepGraph.chain("injection", "disinfection"))
    with pytest.raises(ConformanceError) as info:
        assert_conformance(_Declares([bad]), name="acme", require_default_notes=False)
    message = str(info.value)
    assert message.startswith("plugin 'acme' fails the mesosim conformance suite (2 problems):")
    assert "needs 'skin-disinfected'" in message and "no sample protocols" in message


# --- the guide -------------------------------------------------------------------------------

GUIDE = Path(ROOT) / "docs" / "writing-a-plugin.md"


def test_every_hook_is_documented_in_the_guide_with_its_signature():
    import inspect

    from mesosim.plugin import hookspecs

    text = GUIDE.read_text(encoding="utf-8")
    hooks = [n for n, f in vars(hookspecs).items() if n.startswith("mesosim_") and callable(f)]
    assert hooks, "no hook found in mesosim/hookspecs.py"
    for hook in hooks:
        params = ", ".join(inspect.signature(getattr(hookspecs, hook)).parameters)
        assert f"### `{hook}({params})" in text, f"{hook}({params}) has no section in {GUIDE}"
        assert f"| `{hook}({params})` |" in text, f"{hook} is missing from the hook table"


def test_guide_is_linked_from_the_readme():
    readme = (Path(ROOT) / "README.md").read_text(encoding="utf-8")
    assert "(docs/writing-a-plugin.md)" in readme
