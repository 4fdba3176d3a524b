"""The simulator (issue 4): the session minute by minute, the course day by day, the windows and
the plans; the time-based findings read off the trace; ``mesosim simulate`` and its outputs."""

from __future__ import annotations

import datetime as _dt
import glob
import json
import os
import random

import pytest

from mesosim.build import build
from mesosim.findings import Sink
from mesosim.loader import load_text
from mesosim.report.ics import window_events, window_summary
from mesosim.report.timeline import trace_schema
from mesosim.runner import check_text, simulate_file
from mesosim.simulate import _conflicts, simulate
from mesosim.trace import Session, Trace
from mesosim.trace import lay_windows as _lay_windows

from .conftest import PROTOCOLS
from .test_rules import BASE as RULES_BASE

# on the body, where 000:98's aftercare of a few days is in force (the face's rehabilitation
# rules hold for a week, 002:478, which would cover every day of a weekly course)
BASE = RULES_BASE.replace("id: base\ntitle: Base protocol for rule tests",
                          "id: sim-base\ntitle: Simulator base protocol").replace(
    "zone: face", "zone: body").replace(
    "date: 2028-01-15", "date: 2026-12-05").replace(
    "  sauna: 7 d\n  sun: 7 d\n  sport: 7 d\n  makeup: 7 d\n  pool: 7 d\n  smoking: 7 d\n"
    "  alcohol: 7 d\n", "  sauna: 2 d\n  sun: 3 d\n  sport: 2 d\n  makeup: 1 d\n")
COURSE = "course:\n  start: 2026-12-01\n  sessions: 6\n  interval: 7 d\n"
PLANS = "  plans:\n    - {activity: sauna, date: 2026-12-05}\n"


def edit(*pairs: tuple[str, str]) -> str:
    text = BASE
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def trace_of(reg, text: str) -> Trace:
    doc = load_text(text, "p.yaml")
    protocol = build(doc, reg.catalog, Sink(doc.path, reg.catalog.rules, lambda _p, _k: (1, 1)))
    assert protocol is not None
    return simulate(protocol, reg.catalog.techniques[protocol.technique], reg.catalog)


def codes(reg, text: str) -> list[tuple[str, int]]:
    return [(f.rule, f.line) for f in check_text(text, reg, "p.yaml").findings]


def dates(*ds: str) -> str:
    return "course:\n  dates: [" + ", ".join(ds) + "]\n"


# --- the session -------------------------------------------------------------------------------

def test_the_base_protocol_is_clean(reg):
    assert codes(reg, BASE) == []


def test_each_step_starts_where_the_previous_ended(reg):
    tr = trace_of(reg, BASE)
    # vocabulary defaults, the technique's own (marking 2, injection 10, mask 10), the wait
    assert [(r.name, r.start, r.end) for r in tr.steps] == [
        ("consultation", 0, 5), ("cleansing", 5, 8), ("disinfection", 8, 9),
        ("anesthesia", 9, 29), ("marking", 29, 31), ("injection", 31, 41),
        ("soothing-mask", 41, 51), ("evaluation", 51, 53)]
    assert tr.total_minutes == 53
    # 002:46's 20-25 min is measured from marking to the soothing mask
    assert tr.measured_minutes == 22
    assert tr.measured_steps == (4, 6)


def test_the_session_state_is_tracked(reg):
    tr = trace_of(reg, BASE)
    after = {r.name: set(r.state_after) for r in tr.steps}
    assert "skin-cleansed" in after["cleansing"] and "skin-disinfected" not in after["cleansing"]
    assert "anesthetised" in after["anesthesia"]  # at the step's end: its wait has elapsed
    assert {"marked", "punctures-made", "cocktail-delivered"} <= after["injection"]
    assert "mask-applied" in after["soothing-mask"]
    assert all(not r.missing for r in tr.steps)


def test_a_puncture_before_disinfection_is_missing_its_state(reg):
    text = edit(("    - disinfection\n", ""))
    tr = trace_of(reg, text)
    (inj,) = [r for r in tr.steps if r.name == "injection"]
    assert inj.missing == ("skin-disinfected",)


def test_an_overridden_wait_moves_every_later_step(reg):
    short = trace_of(reg, BASE)
    long = trace_of(reg, edit(("wait: 20 min", "wait: 35 min")))
    assert [r.end - r.start for r in long.steps if r.name == "anesthesia"] == [35]
    assert [r.start - s.start for r, s in zip(long.steps, short.steps, strict=True)] == \
        [0, 0, 0, 0, 15, 15, 15, 15]
    assert long.total_minutes == short.total_minutes + 15
    # the wait is outside the measured span: the measure does not move
    assert long.measured_minutes == short.measured_minutes


def test_a_step_duration_override_counts(reg):
    tr = trace_of(reg, edit(("points: 40}", "points: 40, duration: 15 min}")))
    assert [(r.start, r.end) for r in tr.steps if r.name == "injection"] == [(31, 46)]


def test_a_session_too_long_is_ms422_from_the_trace(reg):
    text = edit(("points: 40}", "points: 40, duration: 20 min}"))
    assert trace_of(reg, text).measured_minutes == 32
    assert codes(reg, text) == [("MS422", 19)]


def test_a_session_too_short_is_ms422(reg):
    text = edit(("    - soothing-mask\n", "    - soothing-mask: {duration: 2 min}\n"))
    assert trace_of(reg, text).measured_minutes == 14
    assert ("MS422", 19) in codes(reg, text)


def test_the_span_is_measured_without_its_optional_first_step(reg):
    # marking is optional; without it the span opens at the injection (10 + 10 min: too short)
    text = edit(("    - marking\n", ""))
    tr = trace_of(reg, text)
    assert tr.measured_minutes == 20
    assert [tr.steps[i].name for i in tr.measured_steps or ()] == ["injection", "soothing-mask"]
    shorter = edit(("    - marking\n", ""), ("points: 40}", "points: 40, duration: 5 min}"))
    assert codes(reg, shorter) == [("MS422", 19)]


def test_the_dose_total_is_points_times_volume(reg):
    assert trace_of(reg, BASE).total_volume_ml == pytest.approx(2.0)
    text = edit(("volume_per_point: 0.05 ml, points: 40", "volume_per_point: 0.1 ml, points: 150"))
    assert trace_of(reg, text).total_volume_ml == pytest.approx(15.0)
    assert codes(reg, text) == [("MS403", 24)]
    small = edit(("volume_per_point: 0.05 ml, points: 40", "volume_per_point: 0.01 ml, points: 5"))
    assert codes(reg, small) == [("MS403", 24)]


# --- the course --------------------------------------------------------------------------------

def test_a_course_from_start_and_interval(reg):
    tr = trace_of(reg, BASE)
    assert [s.date for s in tr.sessions] == [_dt.date(2026, 12, 1) + _dt.timedelta(days=7 * i)
                                             for i in range(6)]
    assert tr.intervals == (7.0,) * 5


def test_explicit_dates_too_close_are_ms501_on_the_later_date(reg):
    text = edit((COURSE, dates("2026-12-01", "2026-12-08", "2026-12-12", "2026-12-19")))
    assert trace_of(reg, text).intervals == (7, 4, 7)
    assert codes(reg, text) == [("MS501", 14)]
    (f,) = check_text(text, reg, "p.yaml").findings
    assert "sessions 2 and 3 are 4 days apart" in f.message and f.column == 35


def test_explicit_dates_too_far_apart_are_ms502(reg):
    text = edit((COURSE, dates("2026-12-01", "2026-12-08", "2027-01-20", "2027-01-27")))
    assert [f.rule for f in check_text(text, reg, "p.yaml").findings] == ["MS502"]


def test_a_fractional_interval_is_not_rounded_into_range(reg):
    # 14.4 d lays sessions 14 days apart on the calendar, but it is more than 14 d
    text = edit(("sessions: 6", "sessions: 4"), ("interval: 7 d", "interval: 14.4 d"))
    assert trace_of(reg, text).intervals == (14.4, 14.4, 14.4)
    assert codes(reg, text) == [("MS502", 16)]


def test_course_length_out_of_range_is_ms511(reg):
    assert codes(reg, edit(("sessions: 6", "sessions: 12"))) == [("MS511", 15)]
    assert codes(reg, edit(("sessions: 6", "sessions: 3"))) == [("MS511", 15)]
    three = edit((COURSE, dates("2026-12-01", "2026-12-08", "2026-12-15")))
    assert codes(reg, three) == [("MS511", 14)]


# --- windows and plans -------------------------------------------------------------------------

def test_aftercare_windows_cover_the_session_day_and_the_days_after(reg):
    tr = trace_of(reg, BASE)
    first = {w.activity: (w.start, w.end) for w in tr.windows if w.session == 1}
    d = _dt.date(2026, 12, 1)
    assert first == {"makeup": (d, d), "sauna": (d, d + _dt.timedelta(days=1)),
                     "sport": (d, d + _dt.timedelta(days=1)), "sun": (d, d + _dt.timedelta(days=2))}
    assert len(tr.windows) == 6 * 4


def test_a_sauna_the_day_after_a_session_conflicts(reg):
    text = edit(("date: 2026-12-05", "date: 2026-12-09"))  # session 2 is on 2026-12-08
    (c,) = trace_of(reg, text).conflicts
    assert (c.activity, c.window.activity, c.window.session, c.window.kind) == \
        ("sauna", "sauna", 2, "aftercare")
    (f,) = check_text(text, reg, "p.yaml").findings
    assert (f.rule, f.line) == ("MS801", 12)
    assert "'sauna'" in f.message and "session 2" in f.message and "2026-12-08 to 2026-12-09" \
        in f.message


def test_a_sauna_after_the_window_is_fine(reg):
    text = edit(("date: 2026-12-05", "date: 2026-12-10"))
    assert trace_of(reg, text).conflicts == ()
    assert codes(reg, text) == []


def test_a_beach_holiday_overlapping_a_sun_window_conflicts(reg):
    # a week at the beach from the day before session 3 (2026-12-15): a beach is sun and heat
    # (002:480), so it meets the sauna window of 15-16 Dec and the sun window of 15-17 Dec; the
    # earliest (by start, then activity) is reported
    text = edit((PLANS, "  plans:\n    - {activity: beach, date: 2026-12-14, until: 2026-12-21}\n"))
    (c,) = trace_of(reg, text).conflicts
    assert (c.window.activity, c.window.session, c.until) == ("sauna", 3, _dt.date(2026, 12, 21))
    (f,) = check_text(text, reg, "p.yaml").findings
    assert (f.rule, f.line) == ("MS801", 12)
    assert "plan 'beach'" in f.message and "'sauna' aftercare window after session 3" in f.message


def test_a_beach_holiday_between_the_windows_is_fine(reg):
    text = edit((PLANS, "  plans:\n    - {activity: beach, date: 2026-12-18, until: 2026-12-21}\n"))
    assert codes(reg, text) == []


def test_a_zero_aftercare_opens_no_window(reg):
    text = edit(("  makeup: 1 d\n", "  makeup: 1 d\n  alcohol: 0 d\n"),
                (PLANS, "  plans:\n    - {activity: alcohol, date: 2026-12-01}\n"))
    tr = trace_of(reg, text)
    assert not [w for w in tr.windows if w.activity == "alcohol"]
    assert codes(reg, text) == []


def test_beforecare_windows_cover_the_days_before(reg):
    text = """\
mesosim: 1
id: ion
technique: iontophoresis
zone: face
patient:
  allergy_test: negative
  plans:
    - {activity: sauna, date: 2027-01-20}
course:
  start: 2027-01-11
  sessions: 4
  interval: 10 d
session:
  steps: [consultation, cleansing, disinfection, application, iontophoresis, soothing-mask]
"""
    tr = trace_of(reg, text)
    before = [w for w in tr.windows if w.kind == "beforecare" and w.activity == "sauna"]
    assert [(w.start, w.end) for w in before][:2] == [
        (_dt.date(2027, 1, 8), _dt.date(2027, 1, 10)), (_dt.date(2027, 1, 18), _dt.date(2027, 1, 20))]
    (c,) = tr.conflicts
    assert (c.window.kind, c.window.session) == ("beforecare", 2)


def test_plan_conflicts_match_a_brute_force_search():
    """The binary search finds the earliest window each plan overlaps, as a scan of every laid
    out window would."""
    rng = random.Random(4)
    day0 = _dt.date(2027, 1, 1)
    restrictions = (("sauna", "beforecare", 3 * 1440.0, "x"), ("sun", "beforecare", 3 * 1440.0, "x"),
                    ("sauna", "aftercare", 2 * 1440.0, "x"), ("sun", "aftercare", 3 * 1440.0, "x"))
    for _ in range(200):
        days = rng.sample(range(0, 60), rng.randint(1, 7))  # sessions in any order
        sessions = tuple(Session(n + 1, day0 + _dt.timedelta(days=d)) for n, d in enumerate(days))
        windows = _lay_windows(sessions, restrictions)
        plans = []
        for _ in range(6):
            start = day0 + _dt.timedelta(days=rng.randint(-5, 70))
            until = start + _dt.timedelta(days=rng.choice((0, 0, 3, 9)))
            plans.append(type("Pl", (), {"activity": rng.choice(("sun", "beach", "sauna", "pool")),
                                         "date": start, "until": until, "path": ()}))
        got = _conflicts(plans, sessions, restrictions,  # type: ignore[arg-type]
                         {"beach": frozenset({"sun"})})
        expected = []
        for i, p in enumerate(plans):
            acts = {p.activity} | ({"sun"} if p.activity == "beach" else set())
            hits = [w for w in windows if w.activity in acts and p.date <= w.end
                    and p.until >= w.start]
            if hits:
                expected.append((i, min(hits, key=lambda w: (w.start, w.session))))
        assert [(c.plan_index, c.window) for c in got] == expected


# --- mesosim simulate --------------------------------------------------------------------------

@pytest.fixture
def base_file(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(edit(("date: 2026-12-05", "date: 2026-12-09")))
    return path


def test_simulate_text_timeline(run, base_file):
    r = run("simulate", str(base_file))
    assert r.exit_code == 1, r.output  # the sauna plan conflicts
    out = r.output
    assert "Course: 6 sessions (manual-injection allows 4-10 sessions)" in out
    assert "    1  Tue 2026-12-01" in out and "    2  Tue 2026-12-08  +7 d" in out
    assert "until 2026-12-09: sauna, sport" in out
    assert "     29-31    marking" in out
    assert "measured from 'marking' to 'soothing-mask': 22 min (manual-injection allows " \
           "20-25 min)" in out
    assert "dose: 2 ml per session" in out
    assert "plan 1 'sauna' 2026-12-09: in the 'sauna' aftercare window after session 2" in out
    assert out.rstrip().endswith("1 file checked: 1 error, 0 warnings")
    assert f"{base_file}:12:7: MS801 [error]" in out


def test_simulate_out_of_range_is_marked(run, tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text(edit(("points: 40}", "points: 40, duration: 20 min}")))
    r = run("simulate", str(path))
    assert r.exit_code == 0  # MS422 is a warning
    assert "MS422 [warning]" in r.output
    assert "32 min (manual-injection allows 20-25 min; OUT OF RANGE)" in r.output


@pytest.mark.parametrize("text, code", [
    ("mesosim: 1\nid: [x\n", "MS001"),
    (BASE.replace("technique: manual-injection", "technique: manual-injection-x"), "MS201"),
    ("- just\n- a list\n", "MS103"),
])
def test_a_protocol_that_cannot_be_simulated_prints_findings_and_exits_1(run, tmp_path, text,
                                                                          code):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    r = run("simulate", str(path))
    assert r.exit_code == 1, r.output
    assert "cannot be simulated" in r.output and f" {code} [error]" in r.output
    j = run("simulate", "--format", "json", str(path))
    assert j.exit_code == 1
    data = json.loads(j.output)
    assert data["trace"] is None and code in [f["rule"] for f in data["findings"]]
    ics = tmp_path / "c.ics"
    assert run("simulate", "--ics", str(ics), str(path)).exit_code == 1
    assert not ics.exists()


def test_simulate_usage_errors_exit_2(run, base_file, tmp_path):
    assert run("simulate", str(tmp_path / "missing.yaml")).exit_code == 2
    assert run("simulate", str(tmp_path)).exit_code == 2
    assert run("simulate", "--format", "xml", str(base_file)).exit_code == 2
    assert run("simulate", "--session-time", "25:99", str(base_file)).exit_code == 2
    assert run("simulate").exit_code == 2
    before = base_file.read_text()
    r = run("simulate", "--ics", str(base_file), str(base_file))
    assert r.exit_code == 2 and "never writes over a protocol" in r.output
    assert run("simulate", "-o", str(base_file), str(base_file)).exit_code == 2
    assert base_file.read_text() == before


def test_simulate_json_matches_its_schema(run, base_file):
    jsonschema = pytest.importorskip("jsonschema")
    r = run("simulate", "--format", "json", str(base_file))
    data = json.loads(r.output)
    schema = trace_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema)
    assert data["version"] == 1 and data["path"] == str(base_file)
    trace = data["trace"]
    assert [s["date"] for s in trace["course"]["sessions"]][:2] == ["2026-12-01", "2026-12-08"]
    assert trace["session"]["steps"][3] == {
        "index": 3, "name": "anesthesia", "start_minute": 9.0, "end_minute": 29.0,
        "missing_states": [], "state_after": ["anesthetised", "consulted", "skin-cleansed",
                                              "skin-disinfected"]}
    assert trace["conflicts"][0]["window_activity"] == "sauna"
    assert [f["rule"] for f in data["findings"]] == ["MS801"]
    # the schema can fail: a wrong shape is refused
    trace["session"]["steps"][0]["start_minute"] = "zero"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_the_schema_is_installed_as_package_data():
    from importlib.resources import files

    assert files("mesosim").joinpath("trace.schema.json").is_file()
    assert trace_schema()["title"] == "mesosim simulate --format json, version 1"


def test_output_file_is_written(run, base_file, tmp_path):
    out = tmp_path / "trace.json"
    r = run("simulate", "--format", "json", "-o", str(out), str(base_file))
    assert r.exit_code == 1 and r.output == ""
    assert json.loads(out.read_text())["trace"]["technique"] == "manual-injection"


def test_the_ics_file_parses_back_to_the_same_events(run, base_file, tmp_path, reg):
    icalendar = pytest.importorskip("icalendar")
    ics = tmp_path / "course.ics"
    r = run("simulate", "--ics", str(ics), "--session-time", "14:30", str(base_file))
    assert r.exit_code == 1, r.output
    cal = icalendar.Calendar.from_ical(ics.read_bytes())
    events = list(cal.walk("VEVENT"))
    tr = simulate_file(str(base_file), reg).trace
    assert tr is not None
    groups = window_events(tr)
    assert len(events) == len(tr.sessions) + len(groups) == 6 + 6 * 3
    sessions = [e for e in events if str(e.get("summary")).startswith("Session ")]
    assert [e.decoded("dtstart") for e in sessions] == [
        _dt.datetime.combine(s.date, _dt.time(14, 30)) for s in tr.sessions]
    assert [e.decoded("dtend") - e.decoded("dtstart") for e in sessions] == \
        [_dt.timedelta(minutes=53)] * 6
    assert str(sessions[1]["summary"]) == "Session 2/6: Simulator base protocol"
    assert "29-31 min  marking" in str(sessions[0]["description"])
    windows = [e for e in events if not str(e.get("summary")).startswith("Session ")]
    got = [(str(e["summary"]), e.decoded("dtstart"), e.decoded("dtend")) for e in windows]
    expected = [(window_summary(n, kind, acts), start, end + _dt.timedelta(days=1))
                for (n, kind, start, end), acts in groups.items()]
    assert got == expected
    assert ("No sauna, sport (after session 2)", _dt.date(2026, 12, 8), _dt.date(2026, 12, 10)) \
        in got
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_the_ics_has_beforecare_windows(run, tmp_path):
    icalendar = pytest.importorskip("icalendar")
    src = os.path.join(PROTOCOLS, "iontophoresis", "valid", "face-clinic.yaml")
    if not os.path.exists(src):
        pytest.skip("gallery file not there yet")
    ics = tmp_path / "c.ics"
    run("simulate", "--ics", str(ics), src)
    summaries = [str(e["summary"]) for e in icalendar.Calendar.from_ical(ics.read_bytes())
                 .walk("VEVENT")]
    assert any(s.startswith("No ") and "(before session 1)" in s for s in summaries)


GALLERY = sorted(f for ext in ("yaml", "yml", "json")
                 for f in glob.glob(os.path.join(PROTOCOLS, "**", f"*.{ext}"), recursive=True))


@pytest.mark.parametrize("path", GALLERY, ids=lambda p: os.path.relpath(p, PROTOCOLS))
def test_every_gallery_protocol_simulates(run, path, tmp_path):
    r = run("simulate", path)
    assert r.exit_code in (0, 1), r.output
    if os.sep + "valid" + os.sep in path:  # an invalid file may hold warnings only
        assert r.exit_code == 0 and "cannot be simulated" not in r.output, r.output
    j = run("simulate", "--format", "json", "--ics", str(tmp_path / "c.ics"), path)
    assert j.exit_code == r.exit_code
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(json.loads(j.stdout), trace_schema())


def test_the_calendar_names_maintenance_sessions(run, tmp_path):
    import icalendar

    path = os.path.join(PROTOCOLS, "manual-injection", "valid",
                        "face-rejuvenation-maintenance.yaml")
    ics = tmp_path / "c.ics"
    assert run("simulate", "--ics", str(ics), path).exit_code == 0
    summaries = [str(e["summary"]) for e in icalendar.Calendar.from_ical(
        ics.read_bytes()).walk("VEVENT") if str(e["summary"]).startswith("Session ")]
    assert summaries[5].startswith("Session 6/9: ")
    assert summaries[6].startswith("Session 7/9 (maintenance): ")
