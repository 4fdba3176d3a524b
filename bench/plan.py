"""Speed of the course planner (course-planner issue): a course of 20 sessions with 50 plans.

Times :func:`mesosim.planner.plan_file` in-process (the check, the plan, the protocol written
and checked again; median of 25 runs after a warm-up), and ``mesosim plan`` as a command
(start-up included). Target: under 100 ms in-process. Also a course with no calendar (the
search for the smallest changes plans again many times). Usage::

    python bench/plan.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EXAMPLE = os.path.join(ROOT, "protocols", "manual-injection", "invalid",
                       "face-plans-around-the-course.yaml")
#: a patient's year: trips, sport and evenings out the face course restricts, and everyday
#: things it does not (a shower, hair care)
RESTRICTED = ["sauna", "sun", "beach", "bath", "sport", "pool", "alcohol", "gym"]
EVERYDAY = ["shower", "hair-washing", "styling-products", "scalp-care"]
TARGET_MS = 100.0


def course(sessions: int, plans: int, seed: int = 3) -> str:
    """The README example with ``sessions`` sessions and ``plans`` plans over 13 months (two in
five restricted after a session)."""
    rnd = random.Random(seed)
    with open(EXAMPLE, encoding="utf-8") as fh:
        text = fh.read()
    head, rest = text.split("  plans:\n", 1)
    rest = rest[rest.index("course:"):]
    start = dt.date(2027, 3, 1)
    rows = []
    for i in range(plans):
        day = start + dt.timedelta(days=rnd.randrange(0, 400))
        span = rnd.choice([None, None, 1, 2, 6])
        until = f", until: {day + dt.timedelta(days=span)}" if span else ""
        activity = rnd.choice(RESTRICTED if i % 5 < 2 else EVERYDAY)
        rows.append(f"    - {{activity: {activity}, date: {day}{until}}}\n")
    return head + "  plans:\n" + "".join(rows) + rest.replace("  sessions: 6",
                                                              f"  sessions: {sessions}")


def time_in_process(path: str, **kw: object) -> tuple[float, bool]:
    from mesosim.planner import plan_file
    from mesosim.testing import builtin_host

    host = builtin_host()
    planned = plan_file(path, host.catalog, host, **kw)
    runs = []
    for _ in range(25):
        start = time.perf_counter()
        planned = plan_file(path, host.catalog, host, **kw)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), planned.text is not None


def measure_plan() -> tuple[float, bool]:
    """Median seconds to plan 20 sessions with 50 plans in-process, and whether a calendar was
    found (``bench/run.py`` puts it in its table)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "course.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(course(20, 50))
        return time_in_process(path, clinic_days=("mon", "tue", "wed", "thu", "fri"),
                               until=dt.date(2029, 3, 1))


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "course.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(course(20, 50))
        plan_s, ok = time_in_process(path, clinic_days=("mon", "tue", "wed", "thu", "fri"),
                                     until=dt.date(2029, 3, 1))
        cmd = [sys.executable, "-m", "mesosim", "plan", path, "--clinic-days", "mon-fri",
               "--until", "2029-03-01"]
        subprocess.run(cmd, capture_output=True, check=False)
        runs = []
        for _ in range(9):
            start = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=False)
            runs.append(time.perf_counter() - start)
        none_s, none_ok = time_in_process(path, clinic_days=("mon",),
                                          until=dt.date(2027, 9, 1))
    verdict = "met" if plan_s * 1000 <= TARGET_MS else "not met"
    print("| measure | time | target | |")
    print("|---|---|---|---|")
    print(f"| plan 20 sessions, 50 plans, in-process ({'a calendar' if ok else 'none'}) | "
          f"{plan_s * 1000:.1f} ms | <= {TARGET_MS:.0f} ms | {verdict} |")
    print(f"| the same as a command (start-up included) | "
          f"{statistics.median(runs) * 1000:.0f} ms | | |")
    print(f"| no calendar: why, and the smallest changes ({'none' if not none_ok else '?'}) | "
          f"{none_s * 1000:.0f} ms | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
