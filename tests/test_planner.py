"""The course planner (course-planner issue): what ``mesosim plan`` writes, ``mesosim check``
accepts with no interval or plan-conflict finding (property-based, over random plans, windows,
working days, closed dates and sessions given), and the calendar ends as early as any calendar
can (against an exhaustive search on small instances)."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mesosim.loader import load_text
from mesosim.pipeline import run_document
from mesosim.planner import (
    WEEKDAYS,
    PlanError,
    parse_dates,
    parse_weekdays,
    plan_course,
    plan_file,
)

from .conftest import PROTOCOLS

EXAMPLE = os.path.join(PROTOCOLS, "manual-injection", "invalid",
                       "face-plans-around-the-course.yaml")
START = dt.date(2027, 3, 1)


def protocol(plans: list[tuple[str, dt.date, dt.date | None]], sessions: int = 6,
             interval: str = "7 d", start: dt.date = START) -> str:
    """The example protocol with other plans and course."""
    with open(EXAMPLE, encoding="utf-8") as fh:
        text = fh.read()
    head, rest = text.split("  plans:\n", 1)
    rest = rest[rest.index("course:"):]
    rows = "".join(f"    - {{activity: {a}, date: {d}" + (f", until: {u}" if u else "") + "}\n"
                   for a, d, u in plans)
    text = head + ("  plans:\n" + rows if plans else "  plans: []\n") + rest
    text = text.replace("  start: 2027-03-01      # a Monday", f"  start: {start}")
    text = text.replace("  sessions: 6", f"  sessions: {sessions}")
    return text.replace("  interval: 7 d ", f"  interval: {interval} ")


def written_is_accepted(reg, text: str, path: str = "p.yaml") -> list[str]:
    """The findings of a written protocol the planner guarantees never to have."""
    out = run_document(load_text(text, path), reg.catalog, None, reg)
    return [f"{f.rule} {f.message}" for f in out.result.findings
            if f.kind in ("interval", "plan-conflict")]


def test_the_readme_example_moves_two_sessions_and_says_why(run, tmp_path):
    r = run("plan", EXAMPLE, "--clinic-days", "mon-fri")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    (third,) = [x for x in lines if "session  3" in x]
    assert "Thu 2027-03-18  moved from Mon 2027-03-15: sauna on 2027-03-17: 7-day sauna window" \
        in third
    (sixth,) = [x for x in lines if "session  6" in x]
    assert "Mon 2027-04-12" in sixth and "beach on 2027-04-09 to 2027-04-11" in sixth
    assert "sauna and sun windows" in sixth and "not a clinic day (sat, sun)" in sixth
    assert lines[-1] == "the last session is on Mon 2027-04-12 (the protocol's own calendar: " \
        "2027-04-05)."


def test_output_keeps_every_comment_and_key_and_check_accepts_it(run, tmp_path, reg):
    before = hashlib.sha256(open(EXAMPLE, "rb").read()).hexdigest()
    out, ics = tmp_path / "planned.yaml", tmp_path / "planned.ics"
    r = run("plan", EXAMPLE, "--clinic-days", "mon-fri", "-o", str(out), "--ics", str(ics))
    assert r.exit_code == 0
    assert hashlib.sha256(open(EXAMPLE, "rb").read()).hexdigest() == before, "input written"
    old = open(EXAMPLE, encoding="utf-8").read().splitlines()
    new = out.read_text(encoding="utf-8").splitlines()
    # every line is kept but the start (now the dates) and the interval (now a comment)
    changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert [b.strip() for _a, b in changed] == [
        "dates: [2027-03-01, 2027-03-08, 2027-03-18, 2027-03-25, 2027-04-01, 2027-04-12]"
        "      # a Monday",
        "# interval: 7 d          # weekly, as the course allows 7-14 days (000:95)"]
    assert written_is_accepted(reg, out.read_text()) == []
    check = run("check", str(out))
    assert check.exit_code == 0 and "0 errors" in check.output
    sim = run("simulate", "-f", "json", str(out))
    assert sim.exit_code == 0 and json.loads(sim.output)["trace"]["conflicts"] == []
    assert ics.read_bytes().count(b"BEGIN:VEVENT") >= 6
    # planning the written protocol again finds nothing to move
    again = run("plan", str(out), "--clinic-days", "mon-fri")
    assert again.exit_code == 0 and "moved" not in again.output


def test_a_re_plan_after_a_missed_session(run, tmp_path):
    r = run("plan", EXAMPLE, "--clinic-days", "mon-fri", "--done", "2027-03-01,2027-03-08",
            "--from", "2027-03-22", "-f", "json")
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    assert [(s["date"], s["done"]) for s in got["sessions"]] == [
        ("2027-03-01", True), ("2027-03-08", True), ("2027-03-22", False),
        ("2027-03-29", False), ("2027-04-12", False), ("2027-04-19", False)]
    assert got["sessions"][4]["moved_from"] == "2027-04-05"


@pytest.mark.parametrize("plans, args", [
    # the beach and the clinic's Easter closure leave no week for the last sessions by --until
    ([("beach", dt.date(2027, 3, 17), dt.date(2027, 3, 21))],
     ["--until", "2027-04-10", "--clinic-days", "mon-fri", "--closed", "2027-04-05..2027-04-06"]),
    # a clinic open on Mondays only, a sauna every Monday evening but one
    ([("sauna", dt.date(2027, 3, 1) + dt.timedelta(days=7 * w), None) for w in (1, 2, 3, 4)],
     ["--until", "2027-04-20", "--clinic-days", "mon"]),
])
def test_no_calendar_says_why_and_each_change_offered_works(run, tmp_path, plans, args):
    """No calendar: exit 1, nothing written, the constraints named, and every change offered,
    applied on its own, gives a calendar."""
    (tmp_path / "p.yaml").write_text(protocol(plans))
    r = run("plan", str(tmp_path / "p.yaml"), *args, "-f", "json", "-o",
            str(tmp_path / "out.yaml"))
    assert r.exit_code == 1, r.output
    got = json.loads(r.stdout)
    assert not got["feasible"] and got["conflicts"] and got["changes"]
    assert not (tmp_path / "out.yaml").exists()
    text = run("plan", str(tmp_path / "p.yaml"), *args).output
    assert "no calendar meets every constraint by" in text
    assert "any one of these would make a calendar possible" in text
    for change in got["changes"]:
        changed, again = list(args), plans
        if change["kind"] == "until":
            changed[changed.index("--until") + 1] = change["until"]
        elif change["kind"] == "move-plan":
            delta = dt.timedelta(days=change["days"])
            a, d, u = plans[change["plan"]]
            again = [*plans[:change["plan"]], (a, d + delta, u + delta if u else None),
                     *plans[change["plan"] + 1:]]
        elif change["kind"] == "open-date":
            closed = parse_dates(changed[changed.index("--closed") + 1])
            changed[changed.index("--closed") + 1] = ",".join(
                str(c) for c in closed if str(c) != change["date"])
        elif change["kind"] == "open-dates":
            first, last = dt.date.fromisoformat(change["from"]), dt.date.fromisoformat(
                change["to"])
            closed = parse_dates(changed[changed.index("--closed") + 1])
            changed[changed.index("--closed") + 1] = ",".join(
                str(c) for c in closed if not first <= c <= last) or "1999-01-01"
        elif change["kind"] == "clinic-day":
            changed[changed.index("--clinic-days") + 1] += "," + change["weekday"]
        else:
            assert change["kind"] == "interval" and change["max_days"] > 14
            continue
        (tmp_path / "q.yaml").write_text(protocol(again))
        assert run("plan", str(tmp_path / "q.yaml"), *changed).exit_code == 0, change


@pytest.mark.parametrize("args, why", [
    (["--until", "2027-13-01"], "is not a date"),
    (["--clinic-days", "mon,funday"], "not a day of the week"),
    (["--closed", "2027-03-09..2027-03-01"], "ends before it starts"),
    (["--done", "x"], "is not a date"),
    (["--from", "2027-03-01,2027-03-02"], "is not one date"),
])
def test_bad_options_are_usage_errors(run, args, why):
    r = run("plan", EXAMPLE, *args)
    assert r.exit_code == 2 and why in r.output


def test_never_writes_over_the_protocol(run, tmp_path):
    copy = tmp_path / "p.yaml"
    copy.write_text(open(EXAMPLE, encoding="utf-8").read())
    for flag in ("-o", "--ics"):
        r = run("plan", str(copy), flag, str(copy))
        assert r.exit_code == 2 and "never writes over a protocol" in r.output
    assert copy.read_text() == open(EXAMPLE, encoding="utf-8").read()


def test_a_protocol_with_errors_is_not_planned(run, tmp_path):
    (tmp_path / "p.yaml").write_text("mesosim: 1\ntechnique: [\n")
    r = run("plan", str(tmp_path / "p.yaml"))
    assert r.exit_code == 1 and "cannot be planned" in r.output


def test_parsers():
    assert parse_weekdays("mon-fri") == WEEKDAYS[:5]
    assert parse_weekdays("sat-mon") == ("mon", "sat", "sun")
    assert parse_weekdays("Tue, thursday") == ("tue", "thu")
    assert parse_dates("2027-01-02..2027-01-04,2027-01-01") == tuple(
        dt.date(2027, 1, d) for d in (1, 2, 3, 4))
    with pytest.raises(ValueError):
        parse_weekdays("")


def test_json_protocols_and_other_layouts_are_written(tmp_path, reg):
    import yaml

    base = yaml.safe_load(protocol([("sauna", dt.date(2027, 3, 17), None)]))
    base["course"]["start"] = str(base["course"]["start"])
    for p in base["patient"]["plans"]:
        p["date"] = str(p["date"])
    (tmp_path / "p.json").write_text(json.dumps(base, indent=2))
    planned = plan_file(str(tmp_path / "p.json"), reg.catalog, reg)
    assert planned.text is not None
    data = json.loads(planned.text)
    assert "start" not in data["course"] and "interval" not in data["course"]
    assert data["course"]["dates"][2] == "2027-03-18"
    # a flow-style course, then a block list of dates planned again
    flow = protocol([("sauna", dt.date(2027, 3, 17), None)]).replace(
        "course:\n  start: 2027-03-01\n  sessions: 6\n  interval: 7 d          # weekly, as the "
        "course allows 7-14 days (000:95)\n",
        "course: {start: 2027-03-01, interval: 7 d, sessions: 6}   # weekly\n")
    assert "course: {start" in flow
    (tmp_path / "f.yaml").write_text(flow)
    planned = plan_file(str(tmp_path / "f.yaml"), reg.catalog, reg)
    assert planned.text is not None and "# weekly" in planned.text
    assert "course: {dates: [2027-03-01, 2027-03-08, 2027-03-18" in planned.text
    assert "interval" not in planned.text.split("course:")[1].split("\n")[0]
    block = planned.text.replace(
        "course: {dates: [2027-03-01, 2027-03-08, 2027-03-18, 2027-03-25, 2027-04-01, "
        "2027-04-08], sessions: 6}",
        "course:\n  sessions: 6\n  dates:   # as given\n" + "".join(
            f"    - 2027-03-{d:02d}   # week {d}\n" for d in (1, 8, 15, 22, 29)) +
        "    - '2027-04-05'")
    assert "    - 2027-03-15" in block
    (tmp_path / "b.yaml").write_text(block)
    planned = plan_file(str(tmp_path / "b.yaml"), reg.catalog, reg)
    # a list of dates is rewritten item by item: its layout and its comments stay
    assert planned.text is not None and "  dates:   # as given\n    - 2027-03-01   # week 1\n" \
        "    - 2027-03-08   # week 8\n    - 2027-03-18   # week 15\n" in planned.text
    assert written_is_accepted(reg, planned.text) == []


# --- properties -----------------------------------------------------------------------------

ACTIVITIES = ["sauna", "sun", "beach", "bath", "sport", "pool", "alcohol", "smoking", "makeup",
              "gym", "solarium", "steam-room"]


@st.composite
def instances(draw, horizon: int = 120):
    plans = []
    for _ in range(draw(st.integers(0, 6))):
        a = draw(st.sampled_from(ACTIVITIES))
        d = START + dt.timedelta(days=draw(st.integers(-5, horizon)))
        span = draw(st.one_of(st.none(), st.integers(0, 9)))
        plans.append((a, d, d + dt.timedelta(days=span) if span is not None else None))
    days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True))
    closed = sorted({START + dt.timedelta(days=draw(st.integers(0, horizon)))
                     for _ in range(draw(st.integers(0, 5)))})
    sessions = draw(st.integers(1, 6))
    interval = draw(st.sampled_from(["7 d", "8 d", "10 d", "14 d", "2 d", "20 d"]))
    until = START + dt.timedelta(days=draw(st.integers(10, horizon + 30)))
    return plans, tuple(d for d in WEEKDAYS if d in days), tuple(closed), sessions, interval, \
        until


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(instances())
def test_whatever_plan_writes_check_accepts(reg, tmp_path, case):
    plans, days, closed, sessions, interval, until = case
    path = tmp_path / "p.yaml"
    path.write_text(protocol(plans, sessions, interval))
    planned = plan_file(str(path), reg.catalog, reg, until=until, clinic_days=days,
                        closed=closed)
    assert planned.result is not None
    if planned.text is None:
        event("no calendar")
        assert not planned.result.feasible and planned.result.conflicts
        return
    event("a session moved" if any(s.moved_from for s in planned.result.sessions) else
          "a calendar")
    assert written_is_accepted(reg, planned.text, str(path)) == []
    assert planned.written is not None and planned.written.trace is not None
    assert planned.written.trace.conflicts == ()  # what `mesosim simulate` shows
    got = [s.date for s in planned.result.sessions]
    assert len(got) == sessions and got == sorted(got) and got[-1] <= until
    assert all(WEEKDAYS[d.weekday()] in days and d not in closed and d >= START for d in got)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(instances(horizon=60), st.integers(1, 3))
def test_sessions_given_are_kept_and_the_rest_planned_after_from(reg, tmp_path, case, given_n):
    plans, days, closed, sessions, interval, until = case
    path = tmp_path / "p.yaml"
    path.write_text(protocol(plans, max(sessions, given_n), interval))
    done = [START + dt.timedelta(days=7 * i) for i in range(given_n)]
    start = done[-1] + dt.timedelta(days=3)
    planned = plan_file(str(path), reg.catalog, reg, until=until + dt.timedelta(days=60),
                        clinic_days=days, closed=closed, done=done, start=start)
    if planned.text is None:
        return
    got = planned.result.sessions
    assert [s.date for s in got[:given_n]] == done and all(s.done for s in got[:given_n])
    assert all(s.date >= start for s in got[given_n:])
    assert written_is_accepted(reg, planned.text, str(path)) == []


# --- optimality ----------------------------------------------------------------------------

def brute_force(reg, text: str, until: dt.date, days: tuple[str, ...],
                closed: tuple[dt.date, ...]) -> dt.date | None:
    """The earliest last session over every calendar of the course's sessions between its
    start and ``until``, judged by the simulator's own conflict search and the technique's
    interval range: no planner code involved."""
    from mesosim.simulate import _conflicts, restrictions
    from mesosim.trace import Session
    from mesosim.units import Quantity

    outcome = run_document(load_text(text, "p.yaml"), reg.catalog)
    p, tech = outcome.protocol, outcome.technique
    windows = restrictions(p, tech, reg.catalog)
    n = p.course.sessions
    span = (until - START).days
    candidates = [START + dt.timedelta(days=i) for i in range(span + 1)
                  if WEEKDAYS[(START + dt.timedelta(days=i)).weekday()] in days
                  and START + dt.timedelta(days=i) not in closed]
    best = None
    for combo in itertools.combinations(candidates, n):
        gaps = [(b - a).days for a, b in zip(combo, combo[1:], strict=False)]
        if not all(tech.interval.contains(Quantity(g, "d", "time")) for g in gaps):
            continue
        sessions = tuple(Session(i + 1, d, "intensive") for i, d in enumerate(combo))
        if _conflicts(p.patient.plans, sessions, windows, reg.catalog.involves):
            continue
        if best is None or combo[-1] < best:
            best = combo[-1]
    return best


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(ACTIVITIES), st.integers(-3, 40),
                          st.one_of(st.none(), st.integers(0, 4))), max_size=4),
       st.lists(st.sampled_from(WEEKDAYS), min_size=3, max_size=7, unique=True),
       st.lists(st.integers(0, 40), max_size=4), st.integers(2, 3))
def test_the_calendar_ends_as_early_as_an_exhaustive_search_finds(reg, tmp_path, plans,
                                                                   days, closed, sessions):
    """The protocol's 7-day interval is the technique's minimum for the face (7-14 days), so
    keeping it as the shortest gap constrains nothing the search does not."""
    plan_rows = [(a, START + dt.timedelta(days=d),
                  START + dt.timedelta(days=d + s) if s is not None else None)
                 for a, d, s in plans]
    text = protocol(plan_rows, sessions, "7 d")
    until = START + dt.timedelta(days=40)
    weekdays = tuple(d for d in WEEKDAYS if d in days)
    shut = tuple(sorted({START + dt.timedelta(days=c) for c in closed}))
    (tmp_path / "p.yaml").write_text(text)
    outcome = run_document(load_text(text, str(tmp_path / "p.yaml")), reg.catalog)
    result = plan_course(outcome, reg.catalog, until=until, clinic_days=weekdays, closed=shut)
    best = brute_force(reg, text, until, weekdays, shut)
    event("no calendar" if best is None else "a calendar")
    if best is None:
        assert not result.feasible
    else:
        assert result.feasible and result.sessions[-1].date == best


def test_a_protocol_without_a_start_cannot_be_planned(reg):
    text = protocol([]).replace("  start: 2027-03-01\n", "")
    outcome = run_document(load_text(text, "p.yaml"), reg.catalog)
    with pytest.raises(PlanError):
        plan_course(outcome, reg.catalog)


def test_the_readme_shows_what_plan_prints(run, tmp_path, monkeypatch):
    """Each ``$ mesosim plan ...`` block of the README's "Planning a course" prints exactly
    what is shown (the shipped example file)."""
    import re
    import shlex

    from .conftest import ROOT

    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    section = text[text.index("## Planning a course"):text.index("## Techniques")]
    blocks = re.findall(r"```console\n\$ (mesosim plan [^\n]*)\n(.*?)```", section, re.S)
    assert len(blocks) == 3
    monkeypatch.chdir(ROOT)
    for command, shown in blocks:
        args = [str(tmp_path / a) if a.endswith(".yaml") and not a.startswith("protocols/")
                else a for a in shlex.split(command)[1:]]
        r = run(*args)
        assert r.stdout == shown, command


# --- layouts and edge cases an adversarial review found ------------------------------------

COURSE = "course:\n  start: 2027-03-01\n  sessions: 6\n  interval: 7 d          " \
         "# weekly, as the course allows 7-14 days (000:95)\n"


@pytest.mark.parametrize("layout", [
    'course:\n  start: "2027-03-01"\n  sessions: 6\n  interval: 7 d\n',
    "course:\n  start: '2027-03-01'   # quoted\n  sessions: 6\n  interval: 7 d\n",
    "course:\n  interval: 7 d\n  sessions: 6\n  start: 2027-03-01\n",
    "course:\n  start: 2027-03-01T10:00:00\n  sessions: 6\n  interval: 7 d\n",
    "course:\n  start: 2027-03-01\n  sessions: 6\n  interval:\n    7 d\n",
    "course: {start: 2027-03-01,\n  interval: 7 d, sessions: 6}\n",
    "course: {sessions: 6, interval: 7 d, start: 2027-03-01}  # one line\n",
    "course:\n  sessions: 6\n  dates: [2027-03-01, 2027-03-08,  # see [1]\n    2027-03-15, "
    "2027-03-22, 2027-03-29, 2027-04-05]\n",
    "course:\n  sessions: 6\n  dates: [2027-03-08, 2027-03-01, 2027-03-15, 2027-03-22, "
    "2027-03-29, 2027-04-05]   # not in order\n",
])
def test_every_layout_check_accepts_is_written(tmp_path, reg, layout):
    text = protocol([("sauna", dt.date(2027, 3, 17), None)]).replace(COURSE, layout)
    assert layout in text
    (tmp_path / "p.yaml").write_text(text)
    planned = plan_file(str(tmp_path / "p.yaml"), reg.catalog, reg)
    assert planned.error is None and planned.text is not None, planned.error
    assert written_is_accepted(reg, planned.text) == []
    assert planned.result.sessions[2].date == dt.date(2027, 3, 18)
    if "#" in layout:
        assert "#" + layout.split("#", 1)[1].split("\n")[0] in planned.text


def test_line_endings_and_a_bom_are_kept(tmp_path, reg):
    text = "\ufeff" + protocol([("sauna", dt.date(2027, 3, 17), None)]).replace("\n", "\r\n")
    (tmp_path / "p.yaml").write_bytes(text.encode("utf-8"))
    planned = plan_file(str(tmp_path / "p.yaml"), reg.catalog, reg)
    assert planned.text is not None and planned.text.startswith("\ufeff")
    assert planned.text.count("\r\n") == planned.text.count("\n")


def test_a_layout_the_rewrite_refuses_still_plans_and_says_why(run, tmp_path):
    (tmp_path / "p.yaml").write_text(protocol([("sauna", dt.date(2027, 3, 17), None)]).replace(
        "  start: 2027-03-01\n", "  start: &day 2027-03-01\n"))
    r = run("plan", str(tmp_path / "p.yaml"))
    assert r.exit_code == 0 and "2027-03-18" in r.output and "-o cannot write" in r.output
    r = run("plan", str(tmp_path / "p.yaml"), "-o", str(tmp_path / "out.yaml"))
    assert r.exit_code == 1 and not (tmp_path / "out.yaml").exists()
    assert "nothing written" in r.stderr and "anchor" in r.stderr
    got = json.loads(run("plan", str(tmp_path / "p.yaml"), "-f", "json").stdout)
    assert got["feasible"] and "anchor" in got["error"]


def test_a_maintenance_interval_is_relaxed_too_and_named(tmp_path, reg):
    path = os.path.join(PROTOCOLS, "manual-injection", "valid",
                        "face-rejuvenation-maintenance.yaml")
    text = open(path, encoding="utf-8").read().replace(
        "  start: 2026-12-01\n", "  dates: [2026-12-01, 2026-12-08, 2026-12-15, 2026-12-22, "
        "2026-12-29, 2027-01-05]\n").replace("  interval: 7 d\n", "", 1)
    (tmp_path / "m.yaml").write_text(text)
    planned = plan_file(str(tmp_path / "m.yaml"), reg.catalog, reg, until=dt.date(2027, 4, 10))
    assert planned.text is not None, planned.result.conflicts
    assert planned.result.sessions[-1].date <= dt.date(2027, 4, 10)
    assert written_is_accepted(reg, planned.text) == []
    assert planned.result.notes == ("the maintenance section's interval and start could not be "
                                    "kept: the technique's range is used there",)
    # the course's own weekly interval was kept: only the maintenance was relaxed
    got = [s.date for s in planned.result.sessions]
    assert [(b - a).days for a, b in zip(got[:6], got[1:6], strict=False)] == [7] * 5


def test_sessions_given_keep_the_protocol_s_interval_after_them(tmp_path, reg):
    (tmp_path / "p.yaml").write_text(protocol([], interval="10 d"))
    planned = plan_file(str(tmp_path / "p.yaml"), reg.catalog, reg,
                        done=[dt.date(2027, 3, 1), dt.date(2027, 3, 8)])
    got = [s.date for s in planned.result.sessions]
    assert [(b - a).days for a, b in zip(got[1:], got[2:], strict=False)] == [10] * 4
    assert not planned.result.notes


def test_a_session_earlier_than_the_protocol_s_date_says_why(run):
    r = run("plan", EXAMPLE, "--done", "2027-02-20")
    assert r.exit_code == 0
    for line in r.output.splitlines():
        if "moved from" in line:
            assert not line.rstrip().endswith(":"), line


def test_the_end_of_the_calendar(tmp_path, run):
    (tmp_path / "p.yaml").write_text(protocol([], sessions=2, start=dt.date(9999, 6, 1)))
    r = run("plan", str(tmp_path / "p.yaml"))
    assert r.exit_code == 0 and "9999-06-08" in r.output
    assert run("plan", EXAMPLE, "--from", "9999-12-31").exit_code in (0, 1)


def test_a_session_given_in_a_plan_s_window_offers_to_move_the_plan(run):
    r = run("plan", EXAMPLE, "--done", "2027-03-15", "-f", "json")
    got = json.loads(r.stdout)
    assert r.exit_code == 1 and "cannot be moved" in got["conflicts"][0]
    assert [c["kind"] for c in got["changes"]] == ["move-plan"]


@pytest.mark.parametrize("args, why", [
    (["--done", "2027-03-01,2027-03-01"], "given twice"),
    (["--clinic-days", "monkey"], "not a day of the week"),
    (["--until", "2026-01-01"], "before the course can start"),
    (["--done", ",".join(f"2027-03-{d:02d}" for d in range(1, 9))], "the protocol has 6"),
    (["-o", ""], "an empty file name"),
])
def test_options_that_contradict_the_protocol_are_usage_errors(run, args, why):
    r = run("plan", EXAMPLE, *args)
    assert r.exit_code == 2 and why in r.output, r.output


def test_a_long_closure_is_one_reason_and_no_slow_search(run):
    import time

    start = time.perf_counter()
    r = run("plan", EXAMPLE, "--clinic-days", "sat,sun", "--closed", "2027-03-01..2036-12-01",
            "--until", "2036-12-25")
    assert r.exit_code == 1 and len(r.output.splitlines()) < 15, r.output
    assert "closed: 3564 days from 2027-03-01 to 2036-12-01" in r.output
    assert "open from 2027-03-01 to 2036-12-01" in r.output
    assert time.perf_counter() - start < 20  # a bound on a pathology, not a speed test


def _maintenance_protocol(tmp_path, course: str, maintenance: str) -> str:
    path = os.path.join(PROTOCOLS, "manual-injection", "valid",
                        "face-rejuvenation-maintenance.yaml")
    text = open(path, encoding="utf-8").read()
    a, b = text.index("course:"), text.index("session:")
    text = text[:a] + course + maintenance + text[b:]
    (tmp_path / "m.yaml").write_text(text)
    return str(tmp_path / "m.yaml")


def test_only_the_section_that_must_give_way_is_relaxed(tmp_path, reg):
    """Second review: the course's 10 days kept, the maintenance's 30 days and start relaxed."""
    path = _maintenance_protocol(
        tmp_path, "course: {start: 2026-12-01, sessions: 6, interval: 10 d}\n",
        "maintenance: {start: 2027-03-05, sessions: 3, interval: 30 d}\n")
    planned = plan_file(path, reg.catalog, reg, until=dt.date(2027, 4, 20))
    got = [s.date for s in planned.result.sessions]
    # 10 days apart, the last a day later: the protocol's sauna on 20 January
    assert [(b - a).days for a, b in zip(got[:6], got[1:6], strict=False)] == [10] * 4 + [11]
    assert "sauna on 2027-01-20" in planned.result.sessions[5].reasons[0]
    assert got[-1] <= dt.date(2027, 4, 20) and written_is_accepted(reg, planned.text) == []
    assert "maintenance" in planned.result.notes[0] and "course's" not in planned.result.notes[0]


def test_the_default_until_leaves_room_for_the_protocol_s_own_calendar(tmp_path, reg):
    text = protocol([], sessions=30, interval="14 d").replace("technique: manual-injection",
                                                              "technique: manual-injection")
    (tmp_path / "p.yaml").write_text(text)
    planned = plan_file(str(tmp_path / "p.yaml"), reg.catalog, reg)
    got = [s.date for s in planned.result.sessions]
    assert planned.result.notes == () and {(b - a).days for a, b in zip(got, got[1:],
                                                                        strict=False)} == {14}


def test_the_maintenance_start_gives_way_when_nothing_else_fits(reg):
    path = os.path.join(PROTOCOLS, "manual-injection", "valid",
                        "face-rejuvenation-maintenance.yaml")
    planned = plan_file(path, reg.catalog, reg, until=dt.date(2027, 3, 20))
    assert planned.text is not None and planned.result.sessions[-1].date <= dt.date(2027, 3, 20)
    assert "start" in planned.result.notes[0]


def test_from_earlier_than_the_start_wins(run):
    path = os.path.join(PROTOCOLS, "manual-injection", "valid", "face-rejuvenation.yaml")
    r = run("plan", path, "--done", "2026-11-01,2026-11-08", "--from", "2026-11-15", "-f",
            "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["sessions"][2]["date"] == "2026-11-15"


def test_an_old_session_given_is_what_the_error_names(run):
    r = run("plan", EXAMPLE, "--done", "2010-01-01")
    assert r.exit_code == 2 and "--done" in r.output
