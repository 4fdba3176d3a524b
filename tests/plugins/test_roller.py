"""The roller plugin: what it declares, and the findings a protocol gets from it."""

from __future__ import annotations

from functools import partial

from mesosim.plugin.host import PluginHost
from mesosim.runner import check_text
from mesosim.testing import edit_text, findings_of, shown_technique
from mesosim_plugins import roller

HOME = """\
mesosim: 1
id: roller-test
technique: roller
zone: face
setting: home
patient: {age: 33, conditions: [], allergy_test: negative}
course: {start: 2026-12-01, sessions: 5, interval: 14 d}
session:
  steps:
    - cleansing
    - device-disinfection
    - anesthesia: {wait: 15 min}
    - application
    - rolling: {needle_length: 0.3 mm, duration: 4 min}
    - device-disinfection
    - soothing-mask
    - nourishing-cream: {wait: 30 min}
aftercare: {sauna: 7 d, sun: 7 d, sport: 7 d, makeup: 7 d, pool: 7 d, smoking: 7 d, alcohol: 7 d}
"""


edit = partial(edit_text, HOME)  # HOME with each (old, new) replaced; each old occurs once


def test_graph_is_a_dag_with_two_disinfection_slots() -> None:
    import networkx as nx

    g = roller.STEPS.networkx()
    assert nx.is_directed_acyclic_graph(g)
    assert g.nodes["device-disinfection-after"]["step"] == "device-disinfection"
    assert nx.has_path(g, "device-disinfection", "rolling")
    assert nx.has_path(g, "rolling", "device-disinfection-after")
    assert nx.has_path(g, "soothing-mask", "nourishing-cream")


def test_used_at_home_and_in_a_clinic() -> None:
    assert roller.TECHNIQUE.settings == {"home", "clinic"}


def test_the_home_protocol_is_clean(reg: PluginHost) -> None:
    assert findings_of(reg, HOME) == []


def test_home_needle_of_075_mm_is_ms401_from_002_111(reg: PluginHost) -> None:
    assert findings_of(reg, edit(("0.3 mm", "0.75 mm"))) == [("MS401", 14, "002:111")]


def test_the_same_needle_is_allowed_in_a_clinic(reg: PluginHost) -> None:
    assert findings_of(reg, edit(("0.3 mm", "0.75 mm"), ("setting: home", "setting: clinic"))) == []


def test_clinic_needle_beyond_the_default_is_ms401(reg: PluginHost) -> None:
    got = findings_of(reg, edit(("0.3 mm", "1.5 mm"), ("setting: home", "setting: clinic")))
    assert got == [("MS401", 14, "default")]


def test_without_the_second_device_disinfection_is_ms301(reg: PluginHost) -> None:
    text = edit(("    - device-disinfection\n    - soothing-mask", "    - soothing-mask"))
    assert findings_of(reg, text) == [("MS301", 15, None)]
    (f,) = check_text(text, reg).findings
    assert "again" in f.message


def test_a_single_disinfection_after_rolling_is_the_first_one_missing(reg: PluginHost) -> None:
    # the one disinfection written fills the slot after rolling; no order error is reported
    text = edit(("    - cleansing\n    - device-disinfection\n", "    - cleansing\n"))
    assert findings_of(reg, text) == [("MS301", 11, None)]


def test_rolling_over_three_to_five_minutes_is_ms421(reg: PluginHost) -> None:
    assert findings_of(reg, edit(("duration: 4 min", "duration: 8 min"))) == [("MS421", 14, "002:466")]
    assert findings_of(reg, edit(("duration: 4 min", "duration: 2 min"))) == [("MS421", 14, "002:466")]


def test_nourishing_cream_half_an_hour_later_within_a_tolerance(reg: PluginHost) -> None:
    assert findings_of(reg, edit(("wait: 30 min", "wait: 25 min"))) == []
    assert findings_of(reg, edit(("wait: 30 min", "wait: 5 min"))) == [("MS421", 17, "002:469")]


def test_weekly_at_most_and_five_sessions_at_least(reg: PluginHost) -> None:
    assert findings_of(reg, edit(("interval: 14 d", "interval: 7 d"))) == []
    assert findings_of(reg, edit(("interval: 14 d", "interval: 6 d"))) == [
        ("MS501", 7, "002:262, 002:470")]
    assert findings_of(reg, edit(("sessions: 5", "sessions: 4"))) == [("MS511", 7, "002:262")]


def test_puncturing_device_contraindications(reg: PluginHost) -> None:
    got = findings_of(reg, edit(("conditions: []", "conditions: [keloid-tendency]")))
    assert got == [("MS601", 6, "002:618")]
    # fear of the needle roller is a caution, met with an anaesthetic (002:460)
    got = findings_of(reg, edit(("conditions: []", "conditions: [needle-phobia]")))
    assert got == [("MS602", 6, "000:67, 002:460")]


def test_techniques_show_prints_the_graph_and_sources(reg: PluginHost) -> None:
    shown = shown_technique(reg, "roller")
    assert "rolling -> device-disinfection-after" in shown
    assert "at most 0.5 mm [002:111]" in shown
