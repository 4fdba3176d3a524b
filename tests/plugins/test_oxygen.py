"""The oxygen plugin: what it declares, and the findings a protocol gets from it."""

from __future__ import annotations

from functools import partial

import pytest

from mesosim.testing import edit_text, findings_of, shown_technique

# a valid protocol: sessions on 2027-01-11, -21, -31, 02-10...; the sauna on 01-15 is four days
# after the first session and six before the second, outside every three-day window
BASE = """\
mesosim: 1
id: oxygen-test
title: Oxygen test protocol
technique: oxygen
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
    - oxygen-infusion: {pressure: 2 bar, duration: 15 min}
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
    t = reg.catalog.techniques["oxygen"]
    assert t.active_step == "oxygen-infusion"
    assert t.required == {"cleansing", "application", "oxygen-infusion"}
    assert t.settings == {"clinic"}
    assert t.session_duration is not None
    assert t.range_for("oxygen-infusion", "pressure", "face", "clinic").range.source == "default"


def test_the_base_protocol_is_clean(reg):
    assert findings_of(reg, BASE) == []


def test_care_before_and_after_is_the_non_injection_list(reg):
    t = reg.catalog.techniques["oxygen"]
    want = {"alcohol", "sun", "makeup", "pool", "sauna", "medications"}
    assert {c.activity for c in t.beforecare} == want
    # and after a session, 000:98's two days without workouts (mesotherapy in general)
    assert {c.activity for c in t.aftercare} == want | {"sport"}
    assert all(c.minimum.min == 3 and c.minimum.unit == "d" for c in t.beforecare)


@pytest.mark.parametrize(("pressure", "zone", "rules"), [
    ("2 bar", "face", []),
    ("5 bar", "face", ["MS411"]),
    ("0.5 bar", "body", ["MS411"]),
    ("2.5 bar", "face", []),
    ("2.5 bar", "periorbital", ["MS411"]),  # the eye area's lower default
    ("250 kPa", "face", []),
])
def test_pressure_range_per_zone(reg, pressure, zone, rules):
    text = edit(("pressure: 2 bar", f"pressure: {pressure}"), ("zone: face", f"zone: {zone}"))
    got = findings_of(reg, text)
    assert [r for r, _line, _src in got] == rules
    assert all(src == "default" for _r, _line, src in got)


def test_a_sauna_two_days_before_a_session_is_a_before_care_conflict(reg):
    text = edit(("date: 2027-01-15", "date: 2027-01-19"))  # session 2 is on 2027-01-21
    assert findings_of(reg, text) == [("MS801", 12, "002:192, 002:197")]


def test_a_sauna_the_day_after_a_session_is_an_aftercare_conflict(reg):
    text = edit(("date: 2027-01-15", "date: 2027-01-12"))
    assert findings_of(reg, text) == [("MS801", 12, "002:192, 002:197")]


def test_the_cocktail_must_be_applied_before_the_oxygen(reg):
    text = edit(("    - application: {volume: 2 ml}\n", ""))
    assert findings_of(reg, text) == [("MS301", 21, None)]  # at the oxygen-infusion step


def test_cleansing_is_required_and_disinfection_optional(reg):
    assert findings_of(reg, edit(("    - cleansing\n", "")))[0][0] == "MS301"
    assert findings_of(reg, edit(("    - cleansing\n", "    - cleansing\n    - disinfection\n"))) == []


def test_no_anaesthetic_in_a_painless_technique(reg):
    text = edit(("    - cleansing\n", "    - cleansing\n    - anesthesia: {wait: 20 min}\n"))
    assert ("MS203", 21, None) in findings_of(reg, text)


@pytest.mark.parametrize(("condition", "rule", "source"), [
    ("cholelithiasis", "MS601", "002:204"),
    ("gallbladder-disease", "MS601", "002:93"),  # the general list 002:86-97: every technique
    ("medications", "MS602", "002:371, 002:198"),
    ("pregnancy", "MS601", "000:69, 002:91, 002:202"),
])
def test_non_injection_contraindications(reg, condition, rule, source):
    text = edit(("conditions: []", f"conditions: [{condition}]"))
    assert findings_of(reg, text) == [(rule, 9, source)]


def test_minor_contraindications_no_puncture_rules(reg):
    # 002:579: contraindications are minor without punctures: keloids (002:618, an injection's)
    # are not one; a pacemaker is one on the face (002:377), and the general list's clotting
    # disorders (000:63, 002:92) hold for every technique
    assert findings_of(reg, edit(("conditions: []", "conditions: [keloid-tendency]"))) == []
    assert findings_of(reg, edit(("conditions: []", "conditions: [pacemaker]"))) == [
        ("MS601", 9, "002:377")]
    assert findings_of(reg, edit(("conditions: []", "conditions: [coagulation-disorder]"))) == [
        ("MS601", 9, "000:63, 002:92")]


def test_calendar_follows_the_intensive_course(reg):
    # weekly sessions (000:95's 7-10 days) are too close; the sauna moves to a free day
    text = edit(("interval: 10 d", "interval: 7 d"), ("date: 2027-01-15", "date: 2027-01-14"))
    assert findings_of(reg, text) == [("MS501", 16, "002:181")]
    assert findings_of(reg, edit(("sessions: 6", "sessions: 12"))) == [("MS511", 15, "002:181")]
    assert findings_of(reg, edit(("sessions: 6", "sessions: 3"))) == []


def test_the_allergy_test_is_required(reg):
    text = edit(("allergy_test: negative", "allergy_test: not-done"))
    assert findings_of(reg, text) == [("MS611", 10, "002:69, 002:394")]


def test_not_a_home_technique(reg):
    assert [r for r, _l, _s in findings_of(reg, edit(("setting: clinic", "setting: home")))] == ["MS204"]


def test_aftercare_shorter_than_three_days(reg):
    text = edit(("  sauna: 3 d\n", "  sauna: 2 d\n"))
    assert findings_of(reg, text) == [("MS701", 29, "002:192, 002:197")]


def test_techniques_show(reg):
    shown = shown_technique(reg, "oxygen")
    assert "oxygen-infusion.pressure [all]: 1-3 bar [default]" in shown
    assert "Before-care" in shown
