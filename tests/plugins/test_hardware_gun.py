"""The hardware-gun plugin: what it declares, and the findings a protocol gets from it."""

from __future__ import annotations

from functools import partial

from mesosim.plugin.host import PluginHost
from mesosim.testing import edit_text, findings_of, shown_technique
from mesosim_plugins import _common, hardware_gun, manual_injection

BASE = """\
mesosim: 1
id: gun-test
technique: hardware-gun
zone: face
setting: clinic
patient: {age: 41, conditions: [], allergy_test: negative}
course: {start: 2026-12-01, sessions: 6, interval: 10 d}
session:
  steps:
    - cleansing
    - disinfection
    - anesthesia: {wait: 15 min}
    - injection: {depth: 1.5 mm, volume_per_point: 0.02 ml, points: 200}
    - soothing-mask
aftercare: {sauna: 7 d, sun: 7 d, sport: 7 d, makeup: 7 d, pool: 7 d, smoking: 7 d, alcohol: 7 d}
"""


edit = partial(edit_text, BASE)  # BASE with each (old, new) replaced; each old occurs once


def test_graph_is_a_dag_with_disinfection_before_injection() -> None:
    import networkx as nx

    g = hardware_gun.STEPS.networkx()
    assert nx.is_directed_acyclic_graph(g)
    assert nx.has_path(g, "disinfection", "injection")
    assert hardware_gun.TECHNIQUE.required == {"disinfection", "injection"}


def test_shares_the_injection_declarations_with_manual_injection() -> None:
    gun, manual = hardware_gun.TECHNIQUE, manual_injection.TECHNIQUE
    assert gun.contraindications == manual.contraindications == _common.INJECTION_CONTRAINDICATIONS
    assert gun.aftercare == manual.aftercare == _common.INJECTION_AFTERCARE
    assert {c.minimum.source for c in gun.aftercare} == {"000:98", "default"}


def test_clinic_only_and_not_on_the_eye_area() -> None:
    assert hardware_gun.TECHNIQUE.settings == {"clinic"}
    assert "periorbital" not in hardware_gun.TECHNIQUE.zones


def test_the_base_protocol_is_clean(reg: PluginHost) -> None:
    assert findings_of(reg, BASE) == []


def test_face_depth_is_that_of_002_11(reg: PluginHost) -> None:
    assert findings_of(reg, edit(("depth: 1.5 mm", "depth: 3 mm"))) == [("MS401", 13, "002:11")]


def test_body_allows_classical_depth_of_002_569(reg: PluginHost) -> None:
    assert findings_of(reg, edit(("depth: 1.5 mm", "depth: 4 mm"), ("zone: face", "zone: body"))) == []
    got = findings_of(reg, edit(("depth: 1.5 mm", "depth: 6 mm"), ("zone: face", "zone: body")))
    assert got == [("MS401", 13, "002:11, 002:569")]


def test_volume_per_point_and_session_dose(reg: PluginHost) -> None:
    got = findings_of(reg, edit(("0.02 ml, points: 200", "0.3 ml, points: 20")))
    assert got == [("MS402", 13, "002:309")]
    got = findings_of(reg, edit(("0.02 ml, points: 200", "0.05 ml, points: 500")))
    assert got == [("MS403", 13, "default")]


def test_missing_disinfection_is_ms301(reg: PluginHost) -> None:
    assert findings_of(reg, edit(("    - disinfection\n", ""))) == [("MS301", 11, None)]


def test_home_and_eye_area_are_ms204(reg: PluginHost) -> None:
    # neither exclusion has a source: each is a 'default' with a note saying why
    assert findings_of(reg, edit(("setting: clinic", "setting: home"))) == [
        ("MS204", 5, "default")]
    assert ("MS204", 4, "default") in findings_of(reg, edit(("zone: face", "zone: periorbital")))


def test_interval_and_contraindication(reg: PluginHost) -> None:
    assert findings_of(reg, edit(("interval: 10 d", "interval: 4 d"))) == [("MS501", 7, "000:95")]
    got = findings_of(reg, edit(("conditions: []", "conditions: [coagulation-disorder]")))
    assert got == [("MS601", 6, "000:63, 002:92, 002:617")]


def test_techniques_show_prints_the_graph_and_sources(reg: PluginHost) -> None:
    shown = shown_technique(reg, "hardware-gun")
    assert "disinfection -> anesthesia" in shown
    assert "injection.depth [face]: 1.5-2 mm [002:11]" in shown
