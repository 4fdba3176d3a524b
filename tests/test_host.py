"""The plugin host without installs: fake entry points stand in for third-party distributions.

``mesosim.host._entry_points`` is replaced by the real entry points (the built-ins) plus tiny
fake ones (``.name``, ``.dist``, ``.load()``), so discovery, refusal, fault isolation and the
autoload switches are tested through the CLI exactly as a vendor's package would meet them.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from typing import Any

import attrs
import networkx as nx
import pytest
from click.testing import CliRunner

from mesosim import API_VERSION, ParamRange, StepGraph, Technique, between, hookimpl
from mesosim.cli import cli
from mesosim.findings import Finding
from mesosim.plugin import host
from mesosim.rules import Rule

from .conftest import PROTOCOLS

REAL_ENTRY_POINTS = list(host._entry_points())
VALID = os.path.join(PROTOCOLS, "manual-injection", "valid", "face-rejuvenation.yaml")


@attrs.frozen
class FakeDist:
    name: str
    version: str


@attrs.frozen
class FakeEntryPoint:
    """What the host reads of an ``importlib.metadata.EntryPoint``."""

    name: str
    make: Callable[[], object]
    dist: FakeDist = FakeDist("acme-meso", "2.3.4")

    def load(self) -> object:
        return self.make()


def fake_technique(name: str, **changes: Any) -> Technique:
    kw: dict[str, Any] = dict(
        name=name, description="a fake device", active_step="injection",
        steps=StepGraph.chain("disinfection", "injection"),
        required={"disinfection", "injection"}, interval=between(7, 14, "d", "default"),
        course_length=between(1, 10, "", "default"))
    kw.update(changes)
    return Technique(**kw)


# --- fake plugins ----------------------------------------------------------------------------


class Good:
    """Declares a technique and a rule, and reports ACME001 on every file it is shown."""

    @hookimpl
    def mesosim_techniques(self) -> list[Technique]:
        return [fake_technique("acme-device")]

    @hookimpl
    def mesosim_rules(self) -> list[Rule]:
        return [Rule("ACME001", "acme-seen", "schema", "warning", "Seen by acme.", "Always.")]

    @hookimpl
    def mesosim_check(self, protocol, technique, trace) -> list[Finding]:
        return [Finding("ACME001", "schema", "warning", protocol.path, 1, 1, "acme was here")]


class Raiser:
    """Raises in mesosim_check for every file."""

    @hookimpl
    def mesosim_check(self, protocol, technique, trace) -> list[Finding]:
        raise RuntimeError("cartridge driver crashed")


class Cyclic:
    @hookimpl
    def mesosim_techniques(self) -> list[Technique]:
        # a networkx graph with a cycle: disinfection -> injection -> disinfection
        return [fake_technique("acme-cyclic", steps=nx.DiGraph(
            [("disinfection", "injection"), ("injection", "disinfection")]))]


class MinAboveMax:
    @hookimpl
    def mesosim_techniques(self) -> list[Technique]:
        return [fake_technique("acme-minmax", parameters=[
            ParamRange("injection", "depth", between(5, 1, "mm", "default"))])]


class WrongDimension:
    @hookimpl
    def mesosim_techniques(self) -> list[Technique]:
        return [fake_technique("acme-dimension", parameters=[
            ParamRange("injection", "depth", between(1, 2, "ml", "default"))])]


class TooNewApi:
    @hookimpl
    def mesosim_techniques(self) -> list[Technique]:
        return [fake_technique("acme-future", api_version=API_VERSION + 1)]

    @hookimpl
    def mesosim_rules(self) -> list[Rule]:
        return [Rule("ACME900", "future", "schema", "warning", "From the future.", "Later.")]


class UnknownHook:
    """Implements a hook this mesosim does not have (say, from a newer mesosim)."""

    @hookimpl
    def mesosim_report(self) -> None:
        return None


class NotAList:
    @hookimpl
    def mesosim_techniques(self) -> int:
        return 7


def _import_fails() -> object:
    raise ImportError("No module named 'acme_missing'")


BROKEN = {
    "acme-import": (_import_fails,
                    "could not be loaded: ImportError: No module named 'acme_missing'"),
    "acme-cyclic": (Cyclic, "mesosim_techniques raised ValueError: step graph has a cycle"),
    "acme-minmax": (MinAboveMax, "mesosim_techniques raised ValueError: range min 5 > max 1"),
    "acme-dimension": (WrongDimension, "technique 'acme-dimension': range for injection.depth "
                       "is in 'ml', expected a length"),
    "acme-unknown-hook": (UnknownHook, "implements an unknown hook: unknown hook "
                          "'mesosim_report'"),
    "acme-not-a-list": (NotAList, "mesosim_techniques returned int, expected a list"),
    "acme-future": (TooNewApi, f"technique 'acme-future' is built for plugin API "
                    f"{API_VERSION + 1}, but this mesosim provides API {API_VERSION}"),
}


@pytest.fixture
def install(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """``install(name=factory, ...)``: these fake plugins are "installed" beside the built-ins."""
    monkeypatch.delenv(host.ENV_DISABLE_AUTOLOAD, raising=False)

    def _install(**plugins: Callable[[], object]) -> None:
        fakes = [FakeEntryPoint(name, make) for name, make in plugins.items()]
        monkeypatch.setattr(host, "_entry_points", lambda: [*REAL_ENTRY_POINTS, *fakes])

    return _install


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def files(tmp_path):
    """A valid manual-injection protocol and one with a depth error (MS401 on line 25)."""
    ok = tmp_path / "ok.yaml"
    shutil.copy(VALID, ok)
    deep = tmp_path / "deep.yaml"
    text = ok.read_text(encoding="utf-8")
    assert "depth: 1.5 mm" in text
    deep.write_text(text.replace("depth: 1.5 mm", "depth: 4 mm"), encoding="utf-8")
    return str(ok), str(deep)


# --- a plugin that raises while checking -----------------------------------------------------


def test_raising_check_is_ms901_and_everything_else_goes_on(install, files):
    install(**{"acme-good": Good, "acme-raiser": Raiser})
    ok, deep = files
    result = run("check", ok, deep)
    assert result.exit_code == 3, result.output
    lines = result.output.splitlines()
    for path in (ok, deep):
        assert (f"{path}:1:1: MS901 [error] plugin 'acme-raiser' failed in hook mesosim_check "
                "while checking this file: RuntimeError: cartridge driver crashed") in lines
        # the other plugin still judged the file
        assert f"{path}:1:1: ACME001 [warning] acme was here" in lines
    # the core findings are intact
    assert any(x.startswith(f"{deep}:") and " MS401 [error] " in x for x in lines)
    assert not any(x.startswith(f"{ok}:") and " MS401 " in x for x in lines)
    assert lines[-1] == ("2 files checked: 3 errors, 2 warnings; plugin problems: acme-raiser")


def test_without_the_raiser_the_exit_code_is_that_of_the_findings(install, files):
    install(**{"acme-good": Good})
    ok, deep = files
    assert run("check", ok).exit_code == 0
    assert run("check", ok, deep).exit_code == 1


# --- plugins refused at load -----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_plugin_is_refused_by_name_and_the_rest_load(install, files, name):
    make, reason = BROKEN[name]
    install(**{"acme-good": Good, name: make})
    listed = run("techniques")
    assert listed.exit_code == 3, listed.output
    refusal = next(x for x in listed.output.splitlines() if x.startswith("[refused]"))
    assert refusal.startswith(f"[refused] {name} (acme-meso 2.3.4): {reason}"), refusal
    assert name not in [x.split()[0] for x in listed.output.splitlines() if x[0] != "["]
    for loaded in ("acme-device", "manual-injection"):
        assert any(x.startswith(loaded + " ") for x in listed.output.splitlines())

    checked = run("check", files[0])
    assert checked.exit_code == 3, checked.output
    assert checked.output.splitlines()[0].startswith(
        f"mesosim: MS902 [error] plugin '{name}' (acme-meso) refused: {reason}")
    # the file is still judged by everything else: only acme-good's note, no error
    assert f"{files[0]}:1:1: ACME001 [warning] acme was here" in checked.output
    assert checked.output.splitlines()[-1] == (f"1 file checked: 0 errors, 1 warning; plugin "
                                               f"problems: {name}")


def test_refused_plugin_is_taken_out_whole(install):
    install(**{"acme-future": TooNewApi})
    rules = run("rules").output
    assert "ACME900" not in rules  # its rule went with its refused technique
    assert "MS902" in rules


# --- autoload, -p and --no-plugin ------------------------------------------------------------


def _loaded(output: str) -> set[str]:
    return {x.split()[0] for x in output.splitlines() if x and not x.startswith("[")}


@pytest.mark.parametrize("how", ["env", "flag"])
def test_autoload_off_loads_no_third_party_plugin_but_the_builtins(install, how):
    install(**{"acme-good": Good})
    env = {host.ENV_DISABLE_AUTOLOAD: "1"} if how == "env" else None
    flag = ["--disable-plugin-autoload"] if how == "flag" else []
    result = run(*flag, "techniques", env=env)
    assert result.exit_code == 0, result.output
    assert "acme-device" not in _loaded(result.output)
    assert {"manual-injection", "roller"} <= _loaded(result.output)
    assert ("[not-autoloaded] acme-good (acme-meso 2.3.4): MESOSIM_DISABLE_PLUGIN_AUTOLOAD is "
            "set; load it with -p acme-good") in result.output
    # -p NAME loads that one plugin by name
    named = run(*flag, "-p", "acme-good", "techniques", env=env)
    assert "acme-device" in _loaded(named.output)


def test_autoload_on_by_default(install):
    install(**{"acme-good": Good})
    line = next(x for x in run("techniques").output.splitlines() if x.startswith("acme-device"))
    assert "acme-good (acme-meso 2.3.4)" in line


def test_p_loads_only_the_named_one(install):
    install(**{"acme-good": Good, "acme-raiser": Raiser})
    result = run("--disable-plugin-autoload", "-p", "acme-good", "techniques", "--json")
    status = {p["name"]: p["status"] for p in json.loads(result.output)["plugins"]}
    assert status["acme-good"] == "loaded" and status["acme-raiser"] == "not-autoloaded"


def test_p_with_an_unknown_name_is_refused(install):
    install()
    result = run("-p", "acme-nothing", "techniques")
    assert result.exit_code == 3
    assert "[refused] acme-nothing (? ?): no installed plugin has this name (-p)" in result.output


@pytest.mark.parametrize("blocked, gone", [("acme-good", "acme-device"),
                                           ("manual-injection", "manual-injection")])
def test_no_plugin_blocks_one(install, blocked, gone):
    install(**{"acme-good": Good})
    result = run("--no-plugin", blocked, "techniques")
    assert result.exit_code == 0, result.output
    assert gone not in _loaded(result.output)
    assert f"[blocked] {blocked} " in result.output
    assert len(_loaded(result.output)) == len(_loaded(run("techniques").output)) - 1


def test_blocked_raiser_lets_the_check_pass(install, files):
    install(**{"acme-raiser": Raiser})
    assert run("check", files[0]).exit_code == 3
    assert run("--no-plugin", "acme-raiser", "check", files[0]).exit_code == 0


def test_registry_records_distribution_and_version(install):
    install(**{"acme-good": Good})
    reg = host.load_host()
    good = next(p for p in reg.catalog.plugins if p.name == "acme-good")
    assert (good.distribution, good.version, good.builtin, good.status) == (
        "acme-meso", "2.3.4", False, "loaded")
    assert good.hooks == ("mesosim_check", "mesosim_rules", "mesosim_techniques")
    assert reg.catalog.techniques["acme-device"].distribution == "acme-meso"
    assert all(p.builtin and p.distribution == "mesosim" for p in reg.catalog.plugins
               if p.name != "acme-good")


# --- pluggy semantics: hooks go through the manager (layered-core issue) ----------------------


class Wrapper:
    """A ``wrapper=True`` impl around every check: it sees the others' results and adds one."""

    @hookimpl
    def mesosim_rules(self) -> list[Rule]:
        return [Rule("WRAP001", "wrapped", "schema", "info", "Wrapped.", "Counts the findings.")]

    @hookimpl(wrapper=True)
    def mesosim_check(self, protocol, technique, trace):
        results = yield
        n = sum(len(r) for r in results)
        return [*results, [Finding("WRAP001", "schema", "info", protocol.path, 1, 1,
                                   f"{n} plugin finding(s) wrapped")]]


class First:
    calls: list[str] = []

    @hookimpl(tryfirst=True)
    def mesosim_check(self, protocol, technique, trace) -> list[Finding]:
        First.calls.append("first")
        return []


class Last:
    @hookimpl(trylast=True)
    def mesosim_check(self, protocol, technique, trace) -> list[Finding]:
        First.calls.append("last")
        return []


def test_trace_plugins_prints_every_hook_call(install, files):
    install(**{"acme-good": Good})
    result = CliRunner().invoke(cli, ["check", files[0]], env={host.ENV_TRACE: "1"},
                                catch_exceptions=False)
    assert result.exit_code == 0
    # pluggy's tracer writes each call and its result to stderr, never into the report
    assert "[hook]" not in result.stdout
    for hook in ("mesosim_vocabulary", "mesosim_techniques", "mesosim_rules", "mesosim_check"):
        assert f"  {hook} [hook]" in result.stderr
        assert f"finish {hook} -->" in result.stderr


def test_a_hook_wrapper_wraps_the_call_and_is_no_failure(install, files):
    install(**{"acme-good": Good, "acme-wrapper": Wrapper})
    result = run("check", files[0])
    assert result.exit_code == 0, result.output
    assert f"{files[0]}:1:1: WRAP001 [info] 1 plugin finding(s) wrapped" in result.output
    assert f"{files[0]}:1:1: ACME001 [warning] acme was here" in result.output
    assert "MS901" not in result.output and "MS902" not in result.output


def test_tryfirst_and_trylast_order_the_calls(install, files):
    First.calls.clear()
    install(**{"acme-a-last": Last, "acme-z-first": First})
    assert run("check", files[0]).exit_code == 0
    assert First.calls == ["first", "last"]


def test_a_raising_plugin_does_not_stop_the_others_under_a_wrapper(install, files):
    install(**{"acme-good": Good, "acme-raiser": Raiser, "acme-wrapper": Wrapper})
    result = run("check", files[0])
    assert result.exit_code == 3
    assert "ACME001 [warning] acme was here" in result.output
    assert "WRAP001 [info] 1 plugin finding(s) wrapped" in result.output
    assert "plugin 'acme-raiser' failed in hook mesosim_check" in result.output


class ExitsInCheck:
    @hookimpl
    def mesosim_check(self, protocol, technique, trace) -> list[Finding]:
        raise SystemExit(0)


def test_sys_exit_in_a_hook_is_a_plugin_failure_not_a_green_run(install, files):
    install(**{"acme-exit": ExitsInCheck})
    result = run("check", files[0])
    assert result.exit_code == 3
    assert "plugin 'acme-exit' failed in hook mesosim_check while checking this file: " \
           "called sys.exit(0)" in result.output


# --- a plugin reports only what it may --------------------------------------------------------


def _reporter(**finding: Any) -> type:
    class Reporter:
        @hookimpl
        def mesosim_rules(self) -> list[Rule]:
            return [Rule("ACME001", "acme-seen", "schema", "warning", "Seen.", "Always.")]

        @hookimpl
        def mesosim_check(self, protocol, technique, trace) -> list[Finding]:
            kw: dict[str, Any] = dict(rule="ACME001", kind="schema", severity="warning",
                                      path=protocol.path, line=1, column=1, message="seen")
            kw.update({k: (v(protocol) if callable(v) else v) for k, v in finding.items()})
            return [Finding(**kw), Finding(rule="ACME001", kind="schema", severity="warning",
                                           path=protocol.path, line=2, column=1, message="ok")]

    return Reporter


@pytest.mark.parametrize(("finding", "why"), [
    ({"rule": "MS401"}, "reported MS401, which it did not declare (a core rule)"),
    ({"rule": "ACME777"}, "reported ACME777, which it did not declare (undeclared)"),
    ({"path": "/etc/passwd"}, "reported ACME001 on another file ('/etc/passwd')"),
    ({"line": 100000}, "reported ACME001 at line 100000, column 1, outside the file"),
    ({"line": 0}, "reported ACME001 at line 0, column 1, outside the file"),
])
def test_a_finding_a_plugin_may_not_report_is_refused_and_named(install, files, finding, why):
    install(**{"acme-liar": _reporter(**finding)})
    result = run("check", files[0])
    assert result.exit_code == 3, result.output
    assert f"plugin 'acme-liar' failed in hook mesosim_check while checking this file: {why}" \
        in result.output
    # its valid finding stands; the refused one is not reported as if it were true
    assert f"{files[0]}:2:1: ACME001 [warning] ok" in result.output
    assert "[warning] seen" not in result.output


def test_a_plugin_may_not_report_another_plugins_code(install, files):
    install(**{"acme-good": Good, "acme-thief": _reporter(rule="ACME001")})
    # acme-thief declares ACME001 too: refused at load as a code already taken
    result = run("techniques")
    assert "rule code ACME001 is already taken" in result.output
