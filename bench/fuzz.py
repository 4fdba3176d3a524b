"""The long fuzzing campaign, outside CI: the property tests of ``tests/test_properties.py`` run
under the hypothesis ``fuzz`` profile with many examples each.

    python bench/fuzz.py --examples 20000 [--seed N]

Each of the four properties (structured protocols, YAML-ish text, mutations of a valid protocol,
arbitrary bytes in a file) runs ``--examples`` inputs. The script prints, per property, how many
inputs ran and how many failed (hypothesis stops a property at its first failure and shrinks it),
then the totals; it exits 1 if any property failed. A failing input is printed by pytest as
``Falsifying example: ...``: add it to ``tests/test_hostile.py`` once fixed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_STATS = re.compile(r"^(tests/test_properties\.py::\w+):\s*$")
_COUNTS = re.compile(r"- (\d+) passing, (\d+) failing, and (\d+) invalid")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=20_000, help="inputs per property")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed (default random)")
    args = parser.parse_args()
    env = dict(os.environ, HYPOTHESIS_PROFILE="fuzz", FUZZ_EXAMPLES=str(args.examples))
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           "--hypothesis-show-statistics", "tests/test_properties.py"]
    if args.seed is not None:
        cmd.append(f"--hypothesis-seed={args.seed}")
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    ran = failed = 0
    test = "?"
    for line in proc.stdout.splitlines():
        m = _STATS.match(line.strip())
        if m:
            test = m.group(1).split("::")[1]
        c = _COUNTS.search(line)
        if c:
            passing, failing = int(c.group(1)), int(c.group(2))
            ran += passing + failing
            failed += failing > 0
            print(f"{test:<48} {passing + failing:>8} inputs  {'FAILED' if failing else 'ok'}")
    print(f"total: {ran} inputs in {elapsed:.0f} s, {failed} propert{'y' if failed == 1 else 'ies'} "
          f"failed; pytest exit code {proc.returncode}")
    if proc.returncode != 0:
        print(proc.stdout[-20_000:])
        print(proc.stderr[-5_000:], file=sys.stderr)
    return 1 if proc.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
