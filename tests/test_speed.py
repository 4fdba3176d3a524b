"""The start-up shortcuts of speed round 2 change how fast, never what: the start-up cache of the
code attrs and typing generate and of regular expressions' programs (mesosim/_codecache.py),
the catalog cache (mesosim/plugin/cache.py) and the exit without teardown (mesosim.cli.main).
No test here times anything: the figures come from ``python bench/run.py``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import PROTOCOLS

GOOD = os.path.join(PROTOCOLS, "manual-injection", "valid", "face-rejuvenation.yaml")
BAD = os.path.join(PROTOCOLS, "manual-injection", "invalid", "depth-too-deep-on-face.yaml")


def cli(args: list[str], cache: Path | None, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed console script's code path (``main``), in a fresh interpreter."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("MESOSIM_")}
    full["MESOSIM_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    if cache is not None:
        full["MESOSIM_CACHE_DIR"] = str(cache)
    full.update(env)
    return subprocess.run([sys.executable, "-P", "-c", "from mesosim.__main__ import main; main()",
                           *args], capture_output=True, text=True, env=full, check=False)


def test_the_code_cache_is_written_once_then_read_and_the_results_never_change(tmp_path):
    cache = tmp_path / "cache"
    first = cli(["check", "-f", "json", GOOD, BAD], cache, PYTHONHASHSEED="1")
    stored = {p.name.split("-")[0]: p for p in cache.iterdir()}
    assert sorted(stored) == ["catalog", "startup"]
    written = {k: p.stat().st_mtime_ns for k, p in stored.items()}
    # another process, another hash seed (attrs's per-class salt changes): a hit, same output
    again = cli(["check", "-f", "json", GOOD, BAD], cache, PYTHONHASHSEED="2")
    assert {k: p.stat().st_mtime_ns for k, p in stored.items()} == written, \
        "a hit must not rewrite the cache"
    off = cli(["check", "-f", "json", GOOD, BAD], None, MESOSIM_NO_CACHE="1")
    assert first.returncode == again.returncode == off.returncode == 1
    assert first.stdout == again.stdout == off.stdout
    report = json.loads(first.stdout)
    assert [f["rule"] for r in report["files"] for f in r["findings"]] == ["MS401"]


def test_a_broken_or_unwritable_cache_only_costs_time(tmp_path):
    cache = tmp_path / "cache"
    cli(["check", GOOD], cache)
    expected = cli(["check", "-f", "json", BAD], None, MESOSIM_NO_CACHE="1").stdout
    for stored in sorted(cache.iterdir()):
        whole = stored.read_bytes()
        for garbage in (b"", b"\x00not marshal", b"\xe3" * 64, whole[:100], whole[:-5]):
            stored.write_bytes(garbage)
            r = cli(["check", "-f", "json", BAD], cache)
            assert (r.returncode, r.stdout, r.stderr) == (1, expected, "")
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    r = cli(["check", "-f", "json", BAD], blocked)
    assert (r.returncode, r.stdout, r.stderr) == (1, expected, "")
    assert cli(["check", GOOD], tmp_path / "off", MESOSIM_NO_CACHE="1").returncode == 0
    assert not (tmp_path / "off").exists()


CLASSES = """
import sys
from mesosim._codecache import install
save = install("test")
import attrs

@attrs.frozen
class A:
    x: int = attrs.field(validator=attrs.validators.instance_of(int))
    y: str = "y"

@attrs.frozen
class B:
    x: int
    y: str = "y"

save()
a = A(1)
assert a == A(1) and a != A(2) and hash(a) == hash(A(1)) and len({a, A(1), A(2)}) == 2
assert repr(a) == "A(x=1, y='y')" and A(1) != B(1)
try:
    A("1")
except TypeError:
    pass
else:
    raise SystemExit("the validator did not run")
print(hash(A(1)) != hash(B(1)))
"""


def test_classes_built_from_cached_code_behave_as_attrs_builds_them(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESOSIM_")}
    env["MESOSIM_CACHE_DIR"] = str(tmp_path)
    runs = [subprocess.run([sys.executable, "-P", "-c", CLASSES], capture_output=True, text=True,
                           env={**env, "PYTHONHASHSEED": seed}, check=False)
            for seed in ("1", "2", "3")]
    for r in runs:
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == "True", "two classes with the same fields keep their own salt"
    assert len(list(tmp_path.iterdir())) == 1


PATTERNS = r"""
import re, sys
from mesosim._codecache import install
cases = [(r"(?P<year>\d{4})-(?P<month>\d\d)", 0), (r"^ms\d{3}$", re.I | re.M), (rb"[\x00-\x1f]+", 0),
         ("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]", 0),
         (r"(a)(?:b)(c)?(?P<d>d)*", re.X), (r"\w+\s*=\s*(?P<v>.*)", re.S | re.A)]
save = install("test")
got = [re.compile(p, f) for p, f in cases]
save()
re.purge()  # the hooks are out: compiled by Python itself
want = [re.compile(p, f) for p, f in cases]
assert got == want and all(g is not w for g, w in zip(got, want))
for g, w in zip(got, want):
    assert (g.groups, g.groupindex, g.flags) == (w.groups, w.groupindex, w.flags)
assert got[0].match("2027-03-15").group("month") == "03" and got[2].sub(b"", b"a\x01b") == b"ab"
# compile answers as the builtin would, with the caller's own __future__ flags (none here):
# generated code (cached) and any other code (passed on) alike
save = install("test")
for name in ("<attrs generated init X>", "<mine>"):
    try:
        exec(compile("def f(x: not_defined): pass", name, "exec"), {})
    except NameError:
        pass
    else:
        raise SystemExit(f"{name}: the annotation was not evaluated: inherited flags leaked")
import ast
assert isinstance(compile("1 + 1", "<string>", "eval", ast.PyCF_ONLY_AST), ast.Expression)
save()
print(len(got))
"""


def test_regular_expressions_from_the_cache_are_the_ones_python_compiles(tmp_path):
    """First run: compiled and kept; second run: every program from the cache; both equal
    (pattern, flags and program) to what Python compiles with the hooks out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESOSIM_")}
    env["MESOSIM_CACHE_DIR"] = str(tmp_path)
    for _run in range(2):
        r = subprocess.run([sys.executable, "-P", "-c", PATTERNS], capture_output=True,
                           text=True, env=env, check=False)
        assert (r.returncode, r.stdout.strip(), r.stderr) == (0, "6", "")
    import marshal

    (stored,) = tmp_path.glob("startup-*")
    kept = marshal.loads(stored.read_bytes())["re"]
    assert (r"^ms\d{3}$", 10) in kept and (rb"[\x00-\x1f]+", 0) in kept


def test_the_exit_without_teardown_flushes_everything(tmp_path):
    """A large report through a pipe arrives whole, and a report file is complete."""
    big = cli(["check", "-f", "json", PROTOCOLS], tmp_path)
    assert big.returncode == 1 and len(big.stdout) > 50_000
    files = json.loads(big.stdout)["files"]
    assert len(files) > 100
    out = tmp_path / "r.json"
    assert cli(["check", "-f", "json", "-o", str(out), PROTOCOLS], tmp_path).stdout == ""
    assert out.read_text() == big.stdout


# --- the catalog cache (mesosim/plugin/cache.py) -------------------------------------------

PLUGIN = '''
from mesosim import hookimpl, Vocabulary

@hookimpl
def mesosim_vocabulary():
    return Vocabulary(activities=({activity!r},), conditions=("acme-condition",))
'''
CHECKS = '''
@hookimpl
def mesosim_check(protocol, technique, trace):
    return []
'''


def _site(tmp_path: Path, activity: str, extra: str = "") -> Path:
    """A folder with one installed plugin distribution, ``acme`` (its dist-info read as pip
    writes it), whose vocabulary adds the activity ``activity``."""
    site = tmp_path / "site"
    (site / "acme_plugin").mkdir(parents=True, exist_ok=True)
    (site / "acme_plugin" / "__init__.py").write_text(PLUGIN.format(activity=activity) + extra)
    info = site / "acme-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme\nVersion: 1.0\n\n")
    (info / "entry_points.txt").write_text("[mesosim]\nacme = acme_plugin\n")
    return site


def vocabulary(site: Path, cache: Path) -> str:
    env = {"PYTHONPATH": str(site), "MESOSIM_DISABLE_PLUGIN_AUTOLOAD": ""}
    r = cli(["vocabulary"], cache, **env)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_an_edited_plugin_is_loaded_again_not_read_from_the_cache(tmp_path):
    cache = tmp_path / "cache"
    site = _site(tmp_path, "skydiving")
    first = vocabulary(site, cache)
    assert "skydiving" in first and list(cache.glob("catalog-*"))
    assert vocabulary(site, cache) == first  # read back: the same
    _site(tmp_path, "paragliding")  # the vendor edits the module (an editable install)
    edited = vocabulary(site, cache)
    assert "paragliding" in edited and "skydiving" not in edited
    # another version of the distribution, the same files: a new key too
    info = site / "acme-1.0.dist-info" / "METADATA"
    info.write_text(info.read_text().replace("Version: 1.0", "Version: 1.1"))
    assert vocabulary(site, cache) == edited
    assert len(list(cache.glob("catalog-*"))) == 3


def test_plugins_that_check_files_or_were_refused_are_never_cached(tmp_path):
    cache = tmp_path / "cache"
    checks = _site(tmp_path / "a", "skydiving", CHECKS)
    assert "skydiving" in vocabulary(checks, cache) == vocabulary(checks, cache)
    assert not list(cache.glob("catalog-*"))
    broken = _site(tmp_path / "b", "skydiving", "\nraise ImportError('needs acme-sdk')\n")
    for _ in range(2):  # reported each time, never from a cache
        r = cli(["check", GOOD], cache, PYTHONPATH=str(broken), MESOSIM_DISABLE_PLUGIN_AUTOLOAD="")
        assert r.returncode == 3 and "acme" in r.stdout + r.stderr
    assert not list(cache.glob("catalog-*"))


def test_the_cached_catalog_is_the_loaded_one_and_a_foreign_file_is_ignored(tmp_path, monkeypatch):
    from mesosim.plugin import cache as catalog_cache
    from mesosim.plugin.host import load_host

    monkeypatch.setenv("MESOSIM_CACHE_DIR", str(tmp_path))
    fresh = load_host(autoload=False)
    stored = load_host(autoload=False, cache=True)
    assert stored._pm is not None  # a miss: loaded, and written
    (path,) = tmp_path.glob("catalog-*")
    assert path.stat().st_mode & 0o077 == 0, "readable by its owner only"
    hit = load_host(autoload=False, cache=True)
    assert hit._pm is None and hit.catalog == fresh.catalog
    assert hit.run_checks(None, None, None) == ([], [])  # type: ignore[arg-type]
    assert hit.pm.get_plugin("manual-injection") is not None  # the plugins, when asked for
    path.chmod(0o666)  # anyone may write it: not trusted, the plugins are loaded
    assert load_host(autoload=False, cache=True)._pm is not None
    # the key changes with what decides which plugins load: --no-plugin roller is its own
    for _ in range(2):
        blocked = load_host(autoload=False, cache=True, blocked=("roller",))
        assert set(blocked.catalog.techniques) == set(fresh.catalog.techniques) - {"roller"}
    assert blocked._pm is None
    assert catalog_cache.fingerprint([], autoload=False, only=(), blocked=()) != \
        catalog_cache.fingerprint([], autoload=True, only=(), blocked=())


def _helper(site: Path, version: str, activity: str) -> None:
    """A package the plugin imports (``acme_limits``), installed as pip would."""
    pkg = site / "acme_limits"
    pkg.mkdir(parents=True, exist_ok=True)
    (pkg / "__init__.py").write_text(f"ACTIVITY = {activity!r}\n")
    for old in site.glob("acme_limits-*.dist-info"):
        for f in old.iterdir():
            f.unlink()
        old.rmdir()
    info = site / f"acme_limits-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: acme-limits\nVersion: {version}\n\n")


USES_HELPER = '''
from acme_limits import ACTIVITY
from mesosim import hookimpl, Vocabulary

@hookimpl
def mesosim_vocabulary():
    return Vocabulary(activities=(ACTIVITY,))
'''


def test_a_dependency_of_a_plugin_upgraded_edited_or_removed_is_seen(tmp_path):
    cache = tmp_path / "cache"
    site = _site(tmp_path, "unused")
    (site / "acme_plugin" / "__init__.py").write_text(USES_HELPER)
    _helper(site, "1.0", "skydiving")
    assert "skydiving" in vocabulary(site, cache)
    _helper(site, "2.0", "paragliding")  # upgraded: a new distribution version
    assert "paragliding" in vocabulary(site, cache)
    (site / "acme_limits" / "__init__.py").write_text("ACTIVITY = 'kitesurfing'\n")  # edited
    assert "kitesurfing" in vocabulary(site, cache)
    for f in (site / "acme_limits").iterdir():  # removed, its dist-info left behind
        f.unlink()
    r = cli(["check", GOOD], cache, PYTHONPATH=str(site), MESOSIM_DISABLE_PLUGIN_AUTOLOAD="")
    assert r.returncode == 3 and "acme_limits" in r.stdout + r.stderr


def test_settings_and_a_plugin_s_own_word_decide_too(tmp_path, monkeypatch):
    from mesosim.plugin import cache as catalog_cache

    monkeypatch.setenv("MESOSIM_HOOK_TIMEOUT", "5")
    five = catalog_cache.fingerprint([], autoload=False, only=(), blocked=())
    monkeypatch.setenv("MESOSIM_HOOK_TIMEOUT", "1")
    assert catalog_cache.fingerprint([], autoload=False, only=(), blocked=()) != five
    cache = tmp_path / "cache"
    site = _site(tmp_path, "skydiving", "\nMESOSIM_CACHEABLE = False\n")
    assert "skydiving" in vocabulary(site, cache)
    assert not list(cache.glob("catalog-*"))


def test_a_planted_or_foreign_code_file_is_never_run(tmp_path):
    """Code is only taken from the user's own file that no one else may write; a file of
    anything but code is ignored."""
    import marshal

    cache = tmp_path / "cache"
    cli(["check", GOOD], cache)
    (stored,) = cache.glob("startup-*")
    assert stored.stat().st_mode & 0o077 == 0
    real = marshal.loads(stored.read_bytes())
    assert real["code"] and real["re"]
    evil = compile("raise SystemExit(99)", "<planted>", "exec")
    stored.write_bytes(marshal.dumps({"code": {k: evil for k in real["code"]}, "re": real["re"]}))
    stored.chmod(0o666)
    assert cli(["check", GOOD], cache).returncode == 0
    expected = cli(["check", "-f", "json", BAD], None, MESOSIM_NO_CACHE="1").stdout
    for planted in ({"code": {k: "not code" for k in real["code"]}, "re": real["re"]},
                    {"code": real["code"], "re": {k: (0, [99999], 0, {}, ()) for k in real["re"]}},
                    {"code": real["code"], "re": {k: "not a program" for k in real["re"]}},
                    {"code": real["code"]}, [1, 2, 3]):
        stored.write_bytes(marshal.dumps(planted))
        stored.chmod(0o600)
        r = cli(["check", "-f", "json", BAD], cache)
        assert (r.returncode, r.stdout, r.stderr) == (1, expected, ""), planted


def test_an_edit_in_a_linked_folder_of_a_plugin_is_seen(tmp_path):
    cache = tmp_path / "cache"
    site = _site(tmp_path, "unused")
    real = tmp_path / "elsewhere"
    real.mkdir()
    (real / "impl.py").write_text(PLUGIN.format(activity="skydiving"))
    (site / "acme_plugin" / "linked").symlink_to(real, target_is_directory=True)
    (site / "acme_plugin" / "__init__.py").write_text("from acme_plugin.linked.impl import *\n")
    assert "skydiving" in vocabulary(site, cache)
    (real / "impl.py").write_text(PLUGIN.format(activity="paraglidin"))  # same size
    assert "paraglidin" in vocabulary(site, cache)


def test_what_others_register_to_run_at_exit_still_runs(tmp_path):
    """The exit without teardown runs the exit handlers first (a plugin's, coverage's)."""
    cache = tmp_path / "cache"
    mark = tmp_path / "ran-at-exit"
    site = _site(tmp_path, "skydiving", f"\nimport atexit\natexit.register(lambda: open("
                                        f"{str(mark)!r}, 'w').close())\n")
    assert "skydiving" in vocabulary(site, cache)
    assert mark.exists()


def test_the_cache_folder_keeps_a_few_files_only(tmp_path, monkeypatch):
    from mesosim.plugin import cache as catalog_cache
    from mesosim.plugin.host import load_host

    monkeypatch.setenv("MESOSIM_CACHE_DIR", str(tmp_path))
    for i in range(12):
        (tmp_path / f"catalog-old-{i}.pickle").write_bytes(b"x")
        os.utime(tmp_path / f"catalog-old-{i}.pickle", (1000 + i, 1000 + i))
    (tmp_path / "notes.txt").write_text("mine")
    load_host(autoload=False, cache=True)
    kept = sorted(p.name for p in tmp_path.glob("catalog-*"))
    assert len(kept) == catalog_cache.KEEP_FILES and "catalog-old-11.pickle" in kept
    assert (tmp_path / "notes.txt").exists()


def test_the_stage_benchmark_runs_on_the_installed_package(tmp_path):
    """``bench/stages.py`` (quoted in the speed issue's notes) times the pipeline's stages
    through their public functions: it must keep working as they change."""
    import importlib.util

    from .conftest import ROOT

    bench = os.path.join(ROOT, "bench")
    sys.path.insert(0, bench)
    try:
        spec = importlib.util.spec_from_file_location("stages", os.path.join(bench, "stages.py"))
        assert spec is not None and spec.loader is not None
        stages = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(stages)
        from run import make_corpus  # type: ignore[import-not-found]

        files = make_corpus(str(tmp_path / "corpus"), 12)
        got = stages.measure_stages(files, repeat=1)
    finally:
        sys.path.remove(bench)
        sys.modules.pop("run", None)
    assert set(got) >= {"read the file", "parse into data (positions found when asked)", "build the model",
                        "simulate", "core checks", "check_file (the whole pipeline)"}
    assert all(us > 0 for us in got.values())


# --- modules a one-file check no longer imports, and what stands in for them ---------------

def test_the_written_out_search_is_bisect_left():
    import bisect
    import datetime as dt

    from hypothesis import given
    from hypothesis import strategies as st

    from mesosim.simulate import _first_not_before

    @given(st.lists(st.dates()), st.dates())
    def same(days: list[dt.date], day: dt.date) -> None:
        days.sort()
        assert _first_not_before(days, day) == bisect.bisect_left(days, day)

    same()


def test_a_one_file_check_imports_none_of_what_it_does_not_use():
    code = ("import sys; from mesosim.__main__ import main; sys.argv[1:] = ['check', sys.argv[1]];"
            "import atexit; atexit.register(lambda: sys.stderr.write(' '.join(sorted(sys.modules))))"
            "; main()")
    for _warm_then_measure in range(2):  # the first run fills the caches (and pickles)
        r = subprocess.run([sys.executable, "-P", "-c", code, GOOD], capture_output=True,
                           text=True, check=False)
        assert r.returncode == 0, r.stderr
    loaded = set(r.stderr.split())
    for name in ("attrs", "bisect", "fnmatch", "zlib", "pickle", "pluggy",
                 "mesosim.overrides", "mesosim.cli.info", "mesosim.cli.course", "json"):
        assert name not in loaded, name
    assert {"attr", "click", "yaml", "mesosim.cli.check"} <= loaded


# --- the start-up cache answers as Python would (adversarial review, speed round 2) ---------

HOOKED = r'''
import sys, warnings
from mesosim._codecache import install
save = install("test")
out = []
# generated code keeps what makes it differ: a <string> source is never normalised
out.append(eval(compile("hash((1, 2))", "<string>", "eval")) ==
           eval(compile("hash((7, 2))", "<string>", "eval")))
out.append(eval(compile("__debug__", "<string>", "eval")))
# passed on with the caller's future flags (none here), whatever the flags' type
ns = {}
exec(compile("def f(x: int): pass\n", "m", "exec", False), ns)
out.append(ns["f"].__annotations__["x"] is int)
try:
    compile("1")
except TypeError as exc:
    out.append(str(exc))
# a pattern that warns warns at every run, at the caller's line, once
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import re
    re.compile("[[a]")
out.append([(w.category.__name__, w.lineno) for w in caught])
save()
print(repr(out))
'''


def _hooked(tmp_path: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESOSIM_")}
    env["MESOSIM_CACHE_DIR"] = str(tmp_path)
    script = tmp_path / "hooked.py"
    script.write_text(HOOKED)
    return subprocess.run([sys.executable, "-P", *flags, str(script)], capture_output=True,
                          text=True, env=env, check=False)


def test_the_hooks_answer_as_the_builtins_run_after_run(tmp_path):
    import ast

    plain = subprocess.run([sys.executable, "-P", "-c", HOOKED.replace(
        'save = install("test")', "save = lambda: None")], capture_output=True, text=True,
        check=False)
    want = ast.literal_eval(plain.stdout)
    assert want[0] is False and want[1] is True and want[2] is True
    assert want[4] and want[4][0][0] == "FutureWarning"
    for _run in range(3):  # first run (compiled, kept), then from the cache
        got = _hooked(tmp_path)
        assert got.returncode == 0, got.stderr
        assert ast.literal_eval(got.stdout) == want
    # -O compiles __debug__ away: never answered from a run without it, nor the reverse
    optimised = _hooked(tmp_path, "-O")
    assert ast.literal_eval(optimised.stdout)[1] is False
    assert ast.literal_eval(_hooked(tmp_path).stdout)[1] is True
    # a compile that warns is compiled, and warns, every time: -W error still raises
    assert "SyntaxError" in subprocess.run(
        [sys.executable, "-P", "-W", "error", "-c", "from mesosim._codecache import install;"
         "s = install('test'); compile('x is 1', '<string>', 'eval')"], capture_output=True,
        text=True, env={**os.environ, "MESOSIM_CACHE_DIR": str(tmp_path)}, check=False).stderr


def test_a_run_of_many_patterns_keeps_the_file_small(tmp_path):
    """Past the entries a file may hold, only what a run used is kept; a run that uses more
    keeps nothing (reading a huge file would cost more than it saves)."""
    from mesosim import _codecache

    env = {k: v for k, v in os.environ.items() if not k.startswith("MESOSIM_")}
    env["MESOSIM_CACHE_DIR"] = str(tmp_path)
    many = ("import re\nfrom mesosim._codecache import install\ns = install('test')\n"
            "for i in range({n}): re.compile(f'x{{i}}y{offset}')\ns()\n")
    for offset, n in (("a", 300), ("b", 300)):
        r = subprocess.run([sys.executable, "-P", "-c", many.format(n=n, offset=offset)],
                           capture_output=True, text=True, env=env, check=False)
        assert r.returncode == 0, r.stderr
    (stored,) = tmp_path.glob("startup-*")
    import marshal

    kept = marshal.loads(stored.read_bytes())["re"]
    assert len(kept) >= 300  # re keeps 512 patterns: both runs' that it still held
    old_limit = _codecache._MAX_ENTRIES
    assert old_limit > len(kept)
    (tmp_path / "attrs-cpython-311-1-2-0.1.marshal").write_bytes(b"old")
    r = subprocess.run([sys.executable, "-P", "-c", "import mesosim._codecache as c\n"
                        "c._MAX_ENTRIES = 100\n" + many.format(n=50, offset="c")],
                       capture_output=True, text=True, env=env, check=False)
    assert r.returncode == 0, r.stderr
    kept = marshal.loads(stored.read_bytes())["re"]
    assert len(kept) <= 100 and ("x1yc", 0) in kept  # this run's, not the earlier ones
    assert not list(tmp_path.glob("attrs-*")), "the earlier form of the cache is removed"


EDGES = r'''
import _thread, enum, re, sys, threading
from mesosim._codecache import install
save = install("test")
out = []
# compile called by a thread with no Python frame: any error is printed on stderr
_thread.start_new_thread(compile, ("1", "<x>", "eval"))
import time; time.sleep(0.3)
out.append(type(compile("1", "<x>", "eval")).__name__)
class Off(enum.IntEnum):
    NO = 0
ns = {"Off": Off}
exec(compile("from __future__ import annotations\nc = compile('def f(x: int): pass', 'm', "
             "'exec', 0, Off.NO)\n", "outer", "exec"), ns)
out.append(bool(ns["c"].co_flags & 0x1000000))
out.append(re.match("(?P<g>x)", "x").lastgroup)
out.append(re.match("a", "a") is not None and re.match("a", "b") is None)
save()
print(repr(out))
'''


def test_edge_calls_and_a_cache_file_that_disagrees_with_itself(tmp_path):
    """compile from no Python frame, future flags through an int-like dont_inherit; regex
    entries whose flags or groups do not agree with their key are dropped, not believed."""
    import ast
    import marshal

    env = {k: v for k, v in os.environ.items() if not k.startswith("MESOSIM_")}
    env["MESOSIM_CACHE_DIR"] = str(tmp_path)
    want = ["code", True, "g", True]
    for _run in range(2):
        r = subprocess.run([sys.executable, "-P", "-c", EDGES], capture_output=True, text=True,
                           env=env, check=False)
        assert (r.returncode, r.stderr) == (0, ""), r.stderr
        assert ast.literal_eval(r.stdout) == want
    (stored,) = tmp_path.glob("startup-*")
    data = marshal.loads(stored.read_bytes())
    group = data["re"][("(?P<g>x)", 0)]
    data["re"][("(?P<g>x)", 0)] = (*group[:3], {"zz": 5}, ())  # groups that do not read back
    data["re"][("t", 1)] = data["re"][("(?P<g>x)", 0)]  # TEMPLATE: never kept
    stored.write_bytes(marshal.dumps(data))
    stored.chmod(0o600)
    r = subprocess.run([sys.executable, "-P", "-c", EDGES], capture_output=True, text=True,
                       env=env, check=False)
    assert (r.returncode, r.stderr) == (0, "") and ast.literal_eval(r.stdout) == want
