"""The iontophoresis plugin: what it declares, and the findings a protocol gets from it."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from mesosim.cli import cli
from mesosim.host import Registry, load_registry
from mesosim.runner import check_text
from mesosim.technique import SOURCE_PATTERN

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
"""


@pytest.fixture(scope="module")
def reg() -> Registry:
    return load_registry(autoload=False)


def edit(*pairs: tuple[str, str]) -> str:
    text = BASE
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def findings(reg: Registry, text: str) -> list[tuple[str, int, str | None]]:
    return [(f.rule, f.line, f.source) for f in check_text(text, reg, "p.yaml").findings]


def test_the_technique_loads_from_its_entry_point(reg):
    t = reg.techniques["iontophoresis"]
    assert t.plugin == "iontophoresis"
    assert t.active_step == "iontophoresis"
    assert {"cleansing", "application", "iontophoresis"} <= t.required
    assert t.settings == {"clinic", "home"}


def test_every_range_has_a_source_and_every_default_a_note(reg):
    t = reg.techniques["iontophoresis"]
    ranges = [pr.range for pr in t.parameters] + [t.interval, t.course_length]
    ranges += [c.minimum for c in (*t.aftercare, *t.beforecare)]
    for r in ranges:
        assert re.match(SOURCE_PATTERN, r.source)
        if r.source == "default":
            assert r.note, r


def test_the_cli_lists_and_shows_it():
    runner = CliRunner()
    listed = runner.invoke(cli, ["techniques"])
    assert listed.exit_code == 0, listed.output
    assert "iontophoresis" in listed.output
    shown = runner.invoke(cli, ["techniques", "show", "iontophoresis"])
    assert shown.exit_code == 0, shown.output
    assert "MS902" not in shown.output
    assert "application -> iontophoresis" in shown.output
    assert "pacemaker (error) [002:377]" in shown.output


def test_the_base_protocol_is_clean(reg):
    assert findings(reg, BASE) == []


def test_a_pacemaker_contraindicates_it_with_its_source(reg):
    assert findings(reg, edit(("conditions: []", "conditions: [pacemaker]"))) == [
        ("MS601", 9, "002:377")]


def test_cholelithiasis_contraindicates_it(reg):
    assert findings(reg, edit(("conditions: []", "conditions: [cholelithiasis]"))) == [
        ("MS601", 9, "002:204")]


def test_metal_implants_are_a_default_warning(reg):
    assert findings(reg, edit(("conditions: []", "conditions: [metal-implants]"))) == [
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
    assert findings(reg, text) == expected


def test_a_protocol_without_a_current_cannot_be_checked(reg):
    text = edit(("{current: 0.8 mA, duration: 15 min}", "{duration: 15 min}"))
    assert [f[0] for f in findings(reg, text)] == ["MS110"]


def test_too_long_a_device_time_is_a_duration_finding(reg):
    assert findings(reg, edit(("duration: 15 min", "duration: 25 min"))) == [
        ("MS421", 22, "default")]


def test_the_cocktail_must_be_applied_first(reg):
    got = findings(reg, edit(("    - application: {volume: 2 ml}\n", "")))
    assert got == [("MS301", 21, None)]


def test_anesthesia_is_not_part_of_it(reg):
    got = findings(reg, edit(("    - cleansing\n", "    - cleansing\n    - anesthesia\n")))
    assert [f[0] for f in got] == ["MS203"]


def test_ten_days_between_sessions(reg):
    text = edit(("interval: 10 d", "interval: 7 d"), ("date: 2027-01-15", "date: 2027-01-14"))
    assert findings(reg, text) == [("MS501", 16, "002:181")]


def test_three_to_ten_sessions(reg):
    assert findings(reg, edit(("sessions: 6", "sessions: 11"))) == [("MS511", 15, "002:181")]
    assert findings(reg, edit(("sessions: 6", "sessions: 3"))) == []


def test_a_sauna_before_a_session_conflicts_with_the_beforecare(reg):
    # 2027-01-20 is the day before the second session (2027-01-21)
    got = check_text(edit(("date: 2027-01-15", "date: 2027-01-20")), reg, "p.yaml").findings
    assert [(f.rule, f.line, f.source) for f in got] == [("MS801", 12, "002:192, 002:197")]
    assert "beforecare" in got[0].message


def test_aftercare_of_three_days_is_required(reg):
    assert findings(reg, edit(("  sauna: 3 d\n", "  sauna: 2 d\n"))) == [
        ("MS701", 29, "002:192, 002:197")]
