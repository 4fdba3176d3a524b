"""The ultrasound plugin: what it declares, and the findings a protocol gets from it."""

from __future__ import annotations

from functools import partial

import pytest

from mesosim.testing import edit_text, findings_of, shown_technique

# a valid protocol: sessions on 2027-01-11, -21, -31...; the pool on 01-15 is four days after
# the first session and six before the second, outside every three-day window
BASE = """\
mesosim: 1
id: ultrasound-test
title: Ultrasound test protocol
technique: ultrasound
zone: face
setting: clinic
patient:
  age: 45
  conditions: []
  allergy_test: negative
  plans:
    - {activity: pool, date: 2027-01-15}
course:
  start: 2027-01-11
  sessions: 6
  interval: 10 d
session:
  steps:
    - consultation
    - cleansing
    - application: {volume: 2 ml}
    - sonophoresis: {frequency: 16 kHz, intensity: 0.5 W/cm2, duration: 15 min}
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
SONO_LINE = 22


edit = partial(edit_text, BASE)  # BASE with each (old, new) replaced; each old occurs once


def test_what_it_declares(reg):
    t = reg.catalog.techniques["ultrasound"]
    assert t.active_step == "sonophoresis"
    assert t.required == {"cleansing", "application", "sonophoresis"}
    assert t.settings == {"clinic", "home"}  # 002:249: devices are sold for home use
    assert "periorbital" not in t.zones
    freq = t.range_for("sonophoresis", "frequency", "face", "clinic").range
    assert (freq.min, freq.max, freq.unit, freq.source) == (15, 17, "kHz", "002:239")
    assert "16 kHz" in freq.note


def test_the_base_protocol_is_clean(reg):
    assert findings_of(reg, BASE) == []


def test_a_frequency_of_1_mhz_is_out_of_range_with_its_source(reg):
    text = edit(("frequency: 16 kHz", "frequency: 1 MHz"))
    assert findings_of(reg, text) == [("MS411", SONO_LINE, "002:239")]


@pytest.mark.parametrize(("frequency", "ok"), [
    ("15 kHz", True), ("16000 Hz", True), ("17 kHz", True), ("14.5 kHz", False), ("20 kHz", False),
])
def test_frequency_tolerance_around_16_khz(reg, frequency, ok):
    got = findings_of(reg, edit(("frequency: 16 kHz", f"frequency: {frequency}")))
    assert got == ([] if ok else [("MS411", SONO_LINE, "002:239")])


@pytest.mark.parametrize(("setting", "intensity", "duration", "rules"), [
    ("clinic", "0.8 W/cm2", "15 min", []),
    ("home", "0.8 W/cm2", "8 min", ["MS411"]),  # the home default is half the clinic one
    ("home", "0.3 W/cm2", "8 min", []),
    ("home", "0.3 W/cm2", "15 min", ["MS421"]),
    ("clinic", "2 W/cm2", "15 min", ["MS411"]),
    ("clinic", "0.5 W/cm2", "25 min", ["MS421"]),
])
def test_intensity_and_duration_per_setting(reg, setting, intensity, duration, rules):
    text = edit(("setting: clinic", f"setting: {setting}"),
                ("intensity: 0.5 W/cm2, duration: 15 min", f"intensity: {intensity}, duration: {duration}"))
    assert [r for r, _l, _s in findings_of(reg, text)] == rules


def test_a_sauna_plan_two_days_before_a_session_is_a_before_care_conflict(reg):
    text = edit(("{activity: pool, date: 2027-01-15}", "{activity: sauna, date: 2027-01-19}"))
    assert findings_of(reg, text) == [("MS801", 12, "002:192, 002:197")]


def test_alcohol_the_day_before_is_a_before_care_conflict(reg):
    text = edit(("{activity: pool, date: 2027-01-15}", "{activity: alcohol, date: 2027-01-20}"))
    assert findings_of(reg, text) == [("MS801", 12, "002:192, 002:194")]


def test_a_pacemaker_contraindicates_the_device(reg):
    text = edit(("conditions: []", "conditions: [pacemaker]"))
    assert findings_of(reg, text) == [("MS601", 9, "002:377")]


@pytest.mark.parametrize(("condition", "rule", "source"), [
    ("cholelithiasis", "MS601", "002:204"),
    ("infection", "MS601", "002:205, 002:369"),
    ("medications", "MS602", "002:371, 002:198"),
])
def test_non_injection_contraindications(reg, condition, rule, source):
    text = edit(("conditions: []", f"conditions: [{condition}]"))
    assert findings_of(reg, text) == [(rule, 9, source)]


def test_the_eye_area_is_not_a_zone(reg):
    assert [r for r, _l, _s in findings_of(reg, edit(("zone: face", "zone: periorbital")))] == ["MS204"]


def test_the_device_settings_must_be_written(reg):
    text = edit(("frequency: 16 kHz, ", ""))
    assert [(r, line) for r, line, _s in findings_of(reg, text)] == [("MS110", SONO_LINE)]


def test_the_cocktail_must_be_applied_before_the_ultrasound(reg):
    text = edit(("    - application: {volume: 2 ml}\n", ""))
    assert findings_of(reg, text) == [("MS301", SONO_LINE - 1, None)]


def test_the_ultrasound_before_the_application_is_out_of_order(reg):
    app = "    - application: {volume: 2 ml}\n"
    sono = "    - sonophoresis: {frequency: 16 kHz, intensity: 0.5 W/cm2, duration: 15 min}\n"
    text = edit((app + sono, sono + app))
    assert [r for r, _l, _s in findings_of(reg, text)] == ["MS311"]


def test_aftercare_of_three_days(reg):
    assert findings_of(reg, edit(("  makeup: 3 d\n", "  makeup: 1 d\n"))) == [
        ("MS701", 27, "002:192, 002:196")]
    assert [r for r, _l, _s in findings_of(reg, edit(("  pool: 3 d\n", "")))] == ["MS702"]


def test_techniques_show(reg):
    shown = shown_technique(reg, "ultrasound")
    assert "sonophoresis.frequency [all]: 15-17 kHz [002:239]" in shown
    assert "pacemaker (error) [002:377]" in shown
