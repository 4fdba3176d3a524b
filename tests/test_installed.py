"""What a user installs (layered-core issue): the tests run against the installed package, and
this module proves it, checks that the installed files are the whole source tree (every
subpackage and data file, no test module), and runs every subcommand and format of the
installed ``mesosim`` command from a folder outside the checkout.

CI installs the wheel (``pip install .``, not editable) and runs ``python -P -m pytest``: ``-P``
keeps the checkout off ``sys.path`` and ``--import-mode=importlib`` (in ``pyproject.toml``)
keeps pytest from putting it there. With an editable install (a developer's set-up) the
installed copy *is* the source tree, and the checks that need a real install say so and skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import metadata

import pytest

import mesosim
import mesosim_plugins

from .conftest import PROTOCOLS, ROOT

DIST = metadata.distribution("mesosim")


def _editable() -> bool:
    text = DIST.read_text("direct_url.json")
    return bool(text) and json.loads(text).get("dir_info", {}).get("editable", False)


needs_install = pytest.mark.skipif(
    _editable(), reason="editable install: the installed copy is the source tree (CI installs "
    "the wheel, where these checks run)")


def _installed_files() -> set[str]:
    return {str(f).replace(os.sep, "/") for f in DIST.files or ()}


def _source_files() -> set[str]:
    """Every file the wheel must hold: the modules and data files of both packages."""
    out = set()
    for top, package in ((ROOT, "mesosim"), (os.path.join(ROOT, "plugins"), "mesosim_plugins")):
        for folder, dirs, files in os.walk(os.path.join(top, package)):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for name in files:
                if name.endswith((".py", ".json", ".typed")):
                    rel = os.path.relpath(os.path.join(folder, name), top)
                    out.add(rel.replace(os.sep, "/"))
    return out


@needs_install
def test_the_tests_import_the_installed_copy_not_the_checkout():
    sources = {"mesosim": os.path.join(ROOT, "mesosim"),
               "mesosim_plugins": os.path.join(ROOT, "plugins", "mesosim_plugins")}
    for module in (mesosim, mesosim_plugins):
        where = os.path.realpath(module.__file__ or "")
        assert os.path.dirname(where) != os.path.realpath(sources[module.__name__]), (
            f"{module.__name__} was imported from the checkout ({where}), not from the install")
        located = os.path.realpath(DIST.locate_file(f"{module.__name__}/__init__.py"))
        assert where == located


@needs_install
def test_every_module_and_data_file_of_the_source_tree_is_installed():
    missing = sorted(_source_files() - _installed_files())
    assert not missing, f"the installed package lacks: {missing}"


def test_no_test_module_or_conftest_ships():
    shipped = [f for f in _installed_files()
               if os.path.basename(f).startswith("test_") or f.endswith("conftest.py")]
    assert shipped == []


def test_the_version_is_defined_once():
    assert DIST.version == mesosim.__version__


def test_the_licence_file_ships_and_matches_the_declared_licence():
    meta = DIST.metadata
    assert meta.get("License-Expression") == "MIT"
    with open(os.path.join(ROOT, "LICENSE"), encoding="utf-8") as fh:
        assert fh.readline().strip() == "MIT License"
    assert any(f.endswith("licenses/LICENSE") for f in _installed_files())


# --- the installed command, from a folder outside the checkout -----------------------------

VALID = os.path.join(PROTOCOLS, "manual-injection", "valid", "face-rejuvenation.yaml")
INVALID = os.path.join(PROTOCOLS, "manual-injection", "invalid", "pregnancy.yaml")
CLASS = os.path.join(ROOT, "tests", "data", "class")
PLANNED = os.path.join(PROTOCOLS, "manual-injection", "invalid",
                       "face-plans-around-the-course.yaml")


def _command() -> str:
    found = shutil.which("mesosim", path=os.path.dirname(sys.executable))
    assert found, "the mesosim console script is not installed beside this Python"
    return found


SMOKE = [
    # (arguments, exit codes allowed)
    *[(["check", "-f", fmt, PROTOCOLS], {1}) for fmt in ("text", "json", "sarif", "junit",
                                                         "github")],
    *[(["check", "-f", fmt, VALID], {0}) for fmt in ("text", "json", "sarif", "junit", "github")],
    (["simulate", VALID], {0}),
    (["simulate", "-f", "json", INVALID], {1}),
    (["simulate", "--ics", "course.ics", VALID], {0}),
    (["plan", PLANNED, "--clinic-days", "mon-fri", "-o", "planned.yaml", "--ics", "p.ics"], {0}),
    (["plan", PLANNED, "-f", "json", "--until", "2027-03-20"], {1}),
    *[(["class", "-f", fmt, CLASS], {0}) for fmt in ("text", "csv", "json")],
    (["rules"], {0}),
    (["explain", "MS401"], {0}),
    (["techniques"], {0}),
    (["techniques", "--json"], {0}),
    (["techniques", "show", "roller"], {0}),
    (["vocabulary"], {0}),
    (["schema"], {0}),
    (["config"], {0}),
    (["--version"], {0}),
]


@pytest.mark.parametrize(("args", "codes"), SMOKE, ids=[" ".join(a[:3]) for a, _ in SMOKE])
def test_every_subcommand_and_format_runs_from_outside_the_checkout(args, codes, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["MESOSIM_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    done = subprocess.run([_command(), *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in codes, (done.returncode, done.stdout[-2000:], done.stderr)
    assert done.stdout.strip(), "no output"
    if "--ics" in args:
        ics = args[args.index("--ics") + 1]
        assert (tmp_path / ics).read_bytes().startswith(b"BEGIN:VCALENDAR")
