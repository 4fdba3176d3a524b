from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from mesosim.cli import cli
from mesosim.plugin.host import PluginHost
from mesosim.testing import builtin_host

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROTOCOLS = os.path.join(ROOT, "protocols")


@pytest.fixture(scope="session", autouse=True)
def _cache_in_a_temporary_folder(tmp_path_factory):
    """The command line's caches (mesosim/_codecache.py) go to a folder of this test run, never
    to the user's home; every ``mesosim`` process a test starts inherits it."""
    saved = os.environ.get("MESOSIM_CACHE_DIR")
    os.environ["MESOSIM_CACHE_DIR"] = str(tmp_path_factory.mktemp("mesosim-cache"))
    yield
    if saved is None:
        del os.environ["MESOSIM_CACHE_DIR"]
    else:
        os.environ["MESOSIM_CACHE_DIR"] = saved


@pytest.fixture(scope="session")
def reg() -> PluginHost:
    """The plugin host with the built-in plugins only (third-party autoload off)."""
    return builtin_host()


@pytest.fixture
def run(monkeypatch):
    """Run the ``mesosim`` command line in-process (built-in plugins only): ``run("check", p)``."""
    monkeypatch.setenv("MESOSIM_DISABLE_PLUGIN_AUTOLOAD", "1")

    def _run(*args: str):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return _run


@pytest.fixture(autouse=True)
def _cwd_unchanged():
    """A test that moves to another folder must do it with ``monkeypatch.chdir``: a folder
    left behind (with a test's ``mesosim.toml`` in it) changes every later test's results."""
    before = os.getcwd()
    yield
    after = os.getcwd()
    if after != before:
        os.chdir(before)
        pytest.fail(f"the test left the working folder at {after}; use monkeypatch.chdir")
