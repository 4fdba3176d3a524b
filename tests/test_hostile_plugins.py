"""Plugins that misbehave (hostile input, round 2): a hook that exits, prints, hangs, kills its
worker or changes state cannot change another file's result, the output stream or the exit code
beyond exit 3 with a finding naming the plugin, with or without worker processes."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest
from click.testing import CliRunner

from mesosim import hookimpl
from mesosim.cli import cli
from mesosim.plugin import host
from mesosim.rules import Rule

from .test_host import REAL_ENTRY_POINTS, VALID, FakeEntryPoint


@pytest.fixture
def install(monkeypatch):
    monkeypatch.delenv(host.ENV_DISABLE_AUTOLOAD, raising=False)

    def _install(**plugins):
        fakes = [FakeEntryPoint(name, make) for name, make in plugins.items()]
        monkeypatch.setattr(host, "_entry_points", lambda: [*REAL_ENTRY_POINTS, *fakes])

    return _install


@pytest.fixture
def folder(tmp_path):
    """Three copies of a valid protocol."""
    for i in range(3):
        shutil.copy(VALID, tmp_path / f"p{i}.yaml")
    return tmp_path


def run(*args: str, **env: str):
    return CliRunner().invoke(cli, list(args), env=env or None, catch_exceptions=False)


class Exits:
    @hookimpl
    def mesosim_check(self, protocol, technique, trace):
        raise SystemExit(0)


class Prints:
    @hookimpl
    def mesosim_check(self, protocol, technique, trace):
        print('{"not": "a report"}')
        return []


class Hangs:
    @hookimpl
    def mesosim_check(self, protocol, technique, trace):
        time.sleep(30)
        return []


class Dies:
    @hookimpl
    def mesosim_check(self, protocol, technique, trace):
        os._exit(0)


class Counts:
    """Keeps a count across files and mutates what it is given: its findings would depend on
    the order and the worker a file lands in, if mesosim let it."""

    seen = 0

    @hookimpl
    def mesosim_rules(self):
        return [Rule("CNT001", "counted", "schema", "info", "Counted.", "Counts files.")]

    @hookimpl
    def mesosim_check(self, protocol, technique, trace):
        try:
            technique.durations["injection"] = None  # a frozen mapping: refused
        except TypeError:
            pass
        return []


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sys_exit_in_a_hook_is_exit_3_with_a_finding_per_file(install, folder, jobs):
    install(**{"acme-exits": Exits})
    r = run("check", "-j", jobs, "-f", "json", str(folder))
    assert r.exit_code == 3
    report = json.loads(r.stdout)
    assert all(any(f["rule"] == "MS901" and "called sys.exit(0)" in f["message"]
                   for f in file["findings"]) for file in report["files"])


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_printing_plugin_cannot_corrupt_a_json_report(install, folder, jobs):
    install(**{"acme-prints": Prints})
    r = run("check", "-j", jobs, "-f", "json", str(folder))
    report = json.loads(r.stdout)  # still one JSON document
    assert r.exit_code == 3
    messages = [f["message"] for file in report["files"] for f in file["findings"]]
    assert any("plugin 'acme-prints'" in m and "wrote to the standard output" in m
               for m in messages)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_hanging_plugin_is_stopped_by_the_time_limit(install, folder, jobs):
    install(**{"acme-hangs": Hangs})
    start = time.monotonic()
    r = run("check", "-j", jobs, str(folder), **{host.ENV_TIMEOUT: "0.3"})
    assert time.monotonic() - start < 20
    assert r.exit_code == 3
    assert "plugin 'acme-hangs' failed in hook mesosim_check" in r.stdout
    assert "took longer than 0.3 s" in r.stdout


def test_a_plugin_that_kills_its_worker_does_not_hang_the_run(install, folder):
    install(**{"acme-dies": Dies})
    r = run("check", "-j", "2", "-f", "json", str(folder))
    assert r.exit_code == 3
    report = json.loads(r.stdout)
    assert len(report["files"]) == 3
    assert all(f["findings"][0]["rule"] == "MS901" for f in report["files"])


def test_a_plugin_cannot_change_the_shared_declarations(install, folder):
    install(**{"acme-counts": Counts})
    one = run("check", "-j", "1", "-f", "json", str(folder))
    two = run("check", "-j", "2", "-f", "json", str(folder))
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout
