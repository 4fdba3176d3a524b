"""The start-up shortcuts of speed round 2 change how fast, never what: the cache of the code
attrs generates (mesosim/_codecache.py) and the exit without teardown (mesosim.cli.main).
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
    return subprocess.run([sys.executable, "-c", "from mesosim.cli import main; main()", *args],
                          capture_output=True, text=True, env=full, check=False)


def test_the_code_cache_is_written_once_then_read_and_the_results_never_change(tmp_path):
    cache = tmp_path / "cache"
    first = cli(["check", "-f", "json", GOOD, BAD], cache, PYTHONHASHSEED="1")
    (stored,) = list(cache.iterdir())
    written = stored.stat().st_mtime_ns
    # another process, another hash seed (attrs's per-class salt changes): a hit, same output
    again = cli(["check", "-f", "json", GOOD, BAD], cache, PYTHONHASHSEED="2")
    assert stored.stat().st_mtime_ns == written, "a hit must not rewrite the cache"
    off = cli(["check", "-f", "json", GOOD, BAD], None, MESOSIM_NO_CACHE="1")
    assert first.returncode == again.returncode == off.returncode == 1
    assert first.stdout == again.stdout == off.stdout
    report = json.loads(first.stdout)
    assert [f["rule"] for r in report["files"] for f in r["findings"]] == ["MS401"]


def test_a_broken_or_unwritable_cache_only_costs_time(tmp_path):
    cache = tmp_path / "cache"
    cli(["check", GOOD], cache)
    (stored,) = list(cache.iterdir())
    expected = cli(["check", "-f", "json", BAD], None, MESOSIM_NO_CACHE="1").stdout
    for garbage in (b"", b"\x00not marshal", b"\xe3" * 64, stored.read_bytes()[:100]):
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
    runs = [subprocess.run([sys.executable, "-c", CLASSES], capture_output=True, text=True,
                           env={**env, "PYTHONHASHSEED": seed}, check=False)
            for seed in ("1", "2", "3")]
    for r in runs:
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == "True", "two classes with the same fields keep their own salt"
    assert len(list(tmp_path.iterdir())) == 1


def test_the_exit_without_teardown_flushes_everything(tmp_path):
    """A large report through a pipe arrives whole, and a report file is complete."""
    big = cli(["check", "-f", "json", PROTOCOLS], tmp_path)
    assert big.returncode == 1 and len(big.stdout) > 50_000
    files = json.loads(big.stdout)["files"]
    assert len(files) > 100
    out = tmp_path / "r.json"
    assert cli(["check", "-f", "json", "-o", str(out), PROTOCOLS], tmp_path).stdout == ""
    assert out.read_text() == big.stdout
