"""The iontophoresis plugin: what it declares, and the findings a protocol gets from it."""

from __future__ import annotations

from functools import partial

import pytest

from mesosim.runner import check_text
from mesosim.testing import edit_text, findings_of, shown_technique

BASE = """\
mesosim: 1
id: ion-test
title: Iontophoresis test protocol
technique: iontophoresis
zone: face
setting: clinic
patient:
  age: 41
  conditions: []
  allergy_test: negative
  plans:
    - {activity: sauna, date: 2027-01-15}
course:
  start: 2027-01-11
  sessions: 6
  interval: 10 d
session:
  steps:
    - consultation
    - cleansing
    - application: {volume: 2 ml}
    - iontophoresis: {current: 0.8 mA, duration: 15 min}
    - soothing-mask
aftercare:
  alcohol: 3 d
  sun: 3 d
  makeup: 3 d
  pool: 3 d
  sauna: 3 d
  medications: 3 d
  sport: 2 d
"""


edit = partial(edit_text, BASE)  # BASE with each (old, new) replaced; each old occurs once


def test_what_it_declares(reg):
    t = reg.catalog.techniques["iontophoresis"]
    assert t.active_step == "iontophoresis"
    assert {"cleansing", "application", "iontophoresis"} <= t.required
    assert t.settings == {"clinic", "home"}


def test_techniques_show_prints_the_graph_and_sources(reg):
    shown = shown_technique(reg, "iontophoresis")
    assert "application -> iontophoresis" in shown
    assert "pacemaker (error) [002:377]" in shown


def test_the_base_protocol_is_clean(reg):
    assert findings_of(reg, BASE) == []


def test_a_pacemaker_contraindicates_it_with_its_source(reg):
    assert findings_of(reg, edit(("conditions: []", "conditions: [pacemaker]"))) == [
        ("MS601", 9, "002:377")]


def test_cholelithiasis_contraindicates_it(reg):
    assert findings_of(reg, edit(("conditions: []", "conditions: [cholelithiasis]"))) == [
        ("MS601", 9, "002:204")]


def test_metal_implants_are_a_default_warning(reg):
    assert findings_of(reg, edit(("conditions: []", "conditions: [metal-implants]"))) == [
        ("MS602", 9, "default")]


@pytest.mark.parametrize(("zone", "setting", "current", "code"), [
    ("face", "clinic", "2 mA", "MS411"),
    ("face", "clinic", "1 mA", None),
    ("face", "clinic", "50 µA", "MS411"),
    ("periorbital", "clinic", "0.6 mA", "MS411"),
    ("face", "home", "0.6 mA", "MS411"),
    ("body", "clinic", "2.5 mA", None),
    ("body", "home", "2.5 mA", "MS411"),
])
def test_the_current_range_depends_on_zone_and_setting(reg, zone, setting, current, code):
    text = edit(("zone: face", f"zone: {zone}"), ("setting: clinic", f"setting: {setting}"),
                ("current: 0.8 mA", f"current: {current}"))
    expected = [(code, 22, "default")] if code else []
    assert findings_of(reg, text) == expected


def test_a_protocol_without_a_current_cannot_be_checked(reg):
    text = edit(("{current: 0.8 mA, duration: 15 min}", "{duration: 15 min}"))
    assert [f[0] for f in findings_of(reg, text)] == ["MS110"]


def test_too_long_a_device_time_is_a_duration_finding(reg):
    assert findings_of(reg, edit(("duration: 15 min", "duration: 25 min"))) == [
        ("MS421", 22, "default")]


def test_the_cocktail_must_be_applied_first(reg):
    got = findings_of(reg, edit(("    - application: {volume: 2 ml}\n", "")))
    assert got == [("MS301", 21, None)]


def test_anesthesia_is_not_part_of_it(reg):
    got = findings_of(reg, edit(("    - cleansing\n", "    - cleansing\n    - anesthesia\n")))
    assert [f[0] for f in got] == ["MS203"]


def test_ten_days_between_sessions(reg):
    text = edit(("interval: 10 d", "interval: 7 d"), ("date: 2027-01-15", "date: 2027-01-14"))
    assert findings_of(reg, text) == [("MS501", 16, "002:181")]


def test_three_to_ten_sessions(reg):
    assert findings_of(reg, edit(("sessions: 6", "sessions: 11"))) == [("MS511", 15, "002:181")]
    assert findings_of(reg, edit(("sessions: 6", "sessions: 3"))) == []


def test_a_sauna_before_a_session_conflicts_with_the_beforecare(reg):
    # 2027-01-20 is the day before the second session (2027-01-21)
    got = check_text(edit(("date: 2027-01-15", "date: 2027-01-20")), reg, "p.yaml").findings
    assert [(f.rule, f.line, f.source) for f in got] == [("MS801", 12, "002:192, 002:197")]
    assert "beforecare" in got[0].message


def test_aftercare_of_three_days_is_required(reg):
    assert findings_of(reg, edit(("  sauna: 3 d\n", "  sauna: 2 d\n"))) == [
        ("MS701", 29, "002:192, 002:197")]
