"""The electroporation plugin: what it declares, and the findings a protocol gets from it."""

from __future__ import annotations

from functools import partial

import pytest

from mesosim.runner import check_text
from mesosim.testing import edit_text, findings_of, shown_technique

BASE = """\
mesosim: 1
id: ep-test
title: Electroporation test protocol
technique: electroporation
zone: face
setting: clinic
patient:
  age: 38
  conditions: []
  allergy_test: negative
  plans:
    - {activity: pool, date: 2027-03-06}
course:
  start: 2027-03-01
  sessions: 5
  interval: 10 d
session:
  steps:
    - cleansing
    - disinfection
    - application: {volume: 2 ml}
    - electroporation: {pulse_frequency: 500 Hz, pulse_duration: 1 ms, voltage: 30 V}
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

#: the line of the electroporation step in BASE
STEP_LINE = 22


edit = partial(edit_text, BASE)  # BASE with each (old, new) replaced; each old occurs once


def test_what_it_declares(reg):
    t = reg.catalog.techniques["electroporation"]
    assert t.active_step == "electroporation"
    assert {"cleansing", "application", "electroporation"} <= t.required
    assert {pr.param for pr in t.parameters} == {"duration", "pulse_frequency", "pulse_duration",
                                                 "voltage"}


def test_techniques_show_prints_the_graph_and_sources(reg):
    shown = shown_technique(reg, "electroporation")
    assert "application -> electroporation" in shown
    # the non-injection list (002:200-205) is a general one of every non-injection technique
    assert "pacemaker (error) [002:377]" in shown


def test_the_base_protocol_is_clean(reg):
    assert findings_of(reg, BASE) == []


def test_a_pacemaker_contraindicates_it_with_its_source(reg):
    assert findings_of(reg, edit(("conditions: []", "conditions: [pacemaker]"))) == [
        ("MS601", 9, "002:377")]


def test_pregnancy_is_a_general_contraindication(reg):
    got = findings_of(reg, edit(("conditions: []", "conditions: [pregnancy]")))
    assert got == [("MS601", 9, "000:69, 002:91, 002:202")]


@pytest.mark.parametrize(("setting", "param", "value", "code"), [
    ("clinic", "pulse_frequency: 500 Hz", "pulse_frequency: 5 kHz", "MS411"),
    ("clinic", "pulse_frequency: 500 Hz", "pulse_frequency: 2 kHz", None),
    ("clinic", "pulse_frequency: 500 Hz", "pulse_frequency: 0.5 Hz", "MS411"),
    ("clinic", "pulse_duration: 1 ms", "pulse_duration: 10 ms", "MS411"),
    ("clinic", "pulse_duration: 1 ms", "pulse_duration: 500 µs", None),
    ("clinic", "pulse_duration: 1 ms", "pulse_duration: 1 s", "MS411"),
    ("clinic", "voltage: 30 V", "voltage: 60 V", "MS411"),
    ("clinic", "voltage: 30 V", "voltage: 36 V", None),
    ("home", "voltage: 30 V", "voltage: 36 V", "MS411"),
    ("home", "voltage: 30 V", "voltage: 24 V", None),
])
def test_the_pulse_settings(reg, setting, param, value, code):
    text = edit(("setting: clinic", f"setting: {setting}"), (param, value))
    assert findings_of(reg, text) == ([(code, STEP_LINE, "default")] if code else [])


def test_every_pulse_setting_must_be_written(reg):
    text = edit(("pulse_duration: 1 ms, ", ""))
    got = check_text(text, reg, "p.yaml").findings
    assert [(f.rule, f.line) for f in got] == [("MS110", STEP_LINE)]
    assert "pulse_duration" in got[0].message


def test_too_long_a_device_time_is_a_duration_finding(reg):
    text = edit(("voltage: 30 V}", "voltage: 30 V, duration: 25 min}"))
    assert findings_of(reg, text) == [("MS421", STEP_LINE, "default")]


def test_pulses_before_the_cocktail_are_out_of_order(reg):
    text = edit(("    - application: {volume: 2 ml}\n", ""),
                ("    - soothing-mask\n", "    - application: {volume: 2 ml}\n    - soothing-mask\n"))
    assert [f[0] for f in findings_of(reg, text)] == ["MS311"]


def test_three_to_ten_sessions_ten_days_apart(reg):
    assert findings_of(reg, edit(("sessions: 5", "sessions: 2"))) == [("MS511", 15, "002:181")]
    assert findings_of(reg, edit(("interval: 10 d", "interval: 20 d"))) == [
        ("MS502", 16, "002:181")]


def test_sun_after_a_session_conflicts_with_the_aftercare(reg):
    got = findings_of(reg, edit(("{activity: pool, date: 2027-03-06}",
                              "{activity: sun, date: 2027-03-03}")))
    assert got == [("MS801", 12, "002:192, 002:195")]


def test_missing_alcohol_aftercare(reg):
    got = findings_of(reg, edit(("  alcohol: 3 d\n", "")))
    assert got == [("MS702", 24, "002:192, 002:194")]
