"""Every core rule: a protocol that triggers it, and the clean base protocol that does not.

``TRIGGERS`` maps each rule code to an edit of :data:`BASE`; a meta-test checks that every core
rule (except the few whose trigger needs a file system or a plugin, tested elsewhere and listed
in ``ELSEWHERE``) has one, so a new rule cannot land without its test.
"""

from __future__ import annotations

import pytest

from mesosim.rules import CORE_RULES
from mesosim.runner import check_text

BASE = """\
mesosim: 1
id: base
title: Base protocol for rule tests
technique: manual-injection
zone: face
setting: clinic
patient:
  age: 34
  conditions: []
  allergy_test: negative
  plans:
    - {activity: sauna, date: 2028-01-15}
course:
  start: 2026-12-01
  sessions: 6
  interval: 7 d
session:
  steps:
    - consultation
    - cleansing
    - disinfection
    - anesthesia: {wait: 20 min}
    - marking
    - injection: {depth: 1.5 mm, volume_per_point: 0.05 ml, points: 40}
    - soothing-mask
    - evaluation
aftercare:
  sauna: 7 d
  sun: 7 d
  sport: 7 d
  makeup: 7 d
  pool: 7 d
  smoking: 7 d
  alcohol: 7 d
"""


def edit(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


#: code -> (protocol text, line the finding must be on)
TRIGGERS: dict[str, tuple[str, int]] = {
    "MS001": (edit("zone: face", "zone: [face"), 6),
    "MS002": ("# only a comment\n", 1),
    "MS004": (edit("id: base", "id: !!python/object:os.system x"), 2),
    "MS005": ("a: &a [1,1,1,1,1,1,1,1,1,1]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join(["*" + chr(97 + i)] * 10) + "]\n"
        for i in range(6)), 1),
    "MS010": (edit("zone: face", "zone: face  # mesosim: ignore[MS401]"), 5),
    "MS012": (edit("conditions: []", "conditions: [pregnancy]  # mesosim: ignore[MS6] the "
                   "patient insisted"), 9),
    "MS101": (edit("title:", "titel:"), 3),
    "MS102": (edit("technique: manual-injection\n", ""), 1),
    "MS103": (edit("  conditions: []", "  conditions: pregnancy"), 9),
    "MS104": (edit("zone: face\n", "zone: face\nzone: neck\n"), 6),
    "MS105": (edit("mesosim: 1", "mesosim: 2"), 1),
    "MS106": (edit("zone: face", "zone: fase"), 5),
    "MS107": (edit("conditions: []", "conditions: [diabetis]"), 9),
    "MS108": (edit("  sauna: 7 d", "  sauna: 7 d\n  snorkeling: 1 d"), 29),
    "MS109": (edit("{wait: 20 min}", "{wiat: 20 min}"), 22),
    "MS110": (edit("{depth: 1.5 mm, ", "{"), 24),
    "MS111": (edit("interval: 7 d", "interval: 7 fortnights"), 16),
    "MS112": (edit("depth: 1.5 mm", "depth: 1.5 ml"), 24),
    "MS201": (edit("technique: manual-injection", "technique: manual-injektion"), 4),
    "MS202": (edit("    - evaluation", "    - evaluashun"), 26),
    "MS204": (edit("setting: clinic", "setting: home"), 6),
    "MS301": (edit("    - disinfection\n", ""), 21),
    "MS311": (edit("    - marking\n", "").replace("    - evaluation", "    - evaluation\n    - marking"),
              26),
    "MS401": (edit("depth: 1.5 mm", "depth: 4 mm"), 24),
    "MS402": (edit("volume_per_point: 0.05 ml", "volume_per_point: 0.5 ml"), 24),
    "MS403": (edit("points: 40", "points: 150").replace("0.05 ml", "0.09 ml"), 24),
    "MS421": (edit("{wait: 20 min}", "{wait: 90 min}"), 22),
    "MS422": (edit("points: 40}", "points: 40, duration: 20 min}"), 19),
    "MS501": (edit("interval: 7 d", "interval: 3 d"), 16),
    "MS502": (edit("interval: 7 d", "interval: 30 d"), 16),
    "MS511": (edit("sessions: 6", "sessions: 2"), 15),
    "MS601": (edit("conditions: []", "conditions: [pacemaker]"), 9),
    "MS602": (edit("conditions: []", "conditions: [needle-phobia]"), 9),
    "MS611": (edit("allergy_test: negative", "allergy_test: not-done"), 10),
    "MS612": (edit("allergy_test: negative", "allergy_test: positive"), 10),
    "MS701": (edit("sauna: 7 d", "sauna: 1 d"), 28),
    "MS702": (edit("  makeup: 7 d\n", ""), 27),
    "MS801": (edit("date: 2028-01-15", "date: 2026-12-02"), 12),
}

#: rules whose trigger needs more than a text: where they are tested
ELSEWHERE = {
    "MS009": "tests/test_hostile2.py (a bug of mesosim's, made by hand)",
    "MS003": "tests/test_loader.py (files: size, binary, encoding)",
    "MS011": "tests/test_loader.py (needs --report-unused-ignores)",
    "MS203": "tests/test_loader.py (needs a step of another technique)",
    "MS302": "tests/test_loader.py (state checks)",
    "MS411": "plugins/mesosim_plugins/test_*.py (device settings: frequency, current, pressure)",
    "MS021": "tests/test_instructors.py (needs a class assignment)",
    "MS022": "tests/test_instructors.py (a class assignment's file count)",
    "MS023": "tests/test_instructors.py (a class assignment's file count)",
    "MS024": "tests/test_instructors.py (a configuration inside a submission)",
    "MS025": "tests/test_instructors.py (a file in a submission that is not a protocol)",
    "MS901": "tests/test_host.py (a raising plugin)",
    "MS902": "tests/test_host.py (a refused plugin)",
}


def test_base_is_clean(reg):
    result = check_text(BASE, reg, "base.yaml")
    assert result.findings == (), [f.message for f in result.findings]


@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_rule_triggers(code, reg):
    text, line = TRIGGERS[code]
    result = check_text(text, reg, "case.yaml")
    hits = [f for f in result.findings if f.rule == code]
    assert hits, f"{code} not reported; got {[(f.rule, f.line, f.message) for f in result.findings]}"
    assert any(f.line == line for f in hits), [(f.line, f.message) for f in hits]
    for f in hits:
        assert f.column >= 1 and f.message


def test_every_core_rule_has_a_trigger():
    codes = {r.code for r in CORE_RULES}
    assert codes - set(TRIGGERS) - set(ELSEWHERE) == set()
    assert set(TRIGGERS) <= codes and set(ELSEWHERE) <= codes


def test_messages_name_value_range_and_technique(reg):
    text, _ = TRIGGERS["MS401"]
    (f,) = [f for f in check_text(text, reg, "x.yaml").findings if f.rule == "MS401"]
    assert "4 mm" in f.message and "1.5-2 mm" in f.message and "manual-injection" in f.message
    assert f.source == "002:11" and f.kind == "depth" and f.technique == "manual-injection"


def test_suggestions(reg):
    text, _ = TRIGGERS["MS201"]
    (f,) = [f for f in check_text(text, reg, "x.yaml").findings if f.rule == "MS201"]
    assert f.suggestion == "did you mean 'manual-injection'?"
    text, _ = TRIGGERS["MS101"]
    (f,) = [f for f in check_text(text, reg, "x.yaml").findings if f.rule == "MS101"]
    assert f.suggestion == "did you mean 'title'?" and f.column == 1


def test_order_blames_the_fewest_steps(reg):
    # injection moved to the front: one finding, on the injection, not one per other step
    text = edit("    - consultation\n", "    - injection: {depth: 1.5 mm, volume_per_point: 0.05 ml, "
                "points: 40}\n    - consultation\n").replace(
        "    - injection: {depth: 1.5 mm, volume_per_point: 0.05 ml, points: 40}\n    - soothing",
        "    - soothing")
    order = [f for f in check_text(text, reg, "x.yaml").findings if f.rule == "MS311"]
    assert len(order) == 1 and "'injection'" in order[0].message and order[0].line == 19


def test_json_protocol_positions(reg):
    text = ('{\n  "mesosim": 1,\n  "id": "j",\n  "technique": "manual-injection",\n'
            '  "zone": "fase"\n}\n')
    findings = check_text(text, reg, "p.json").findings
    zone = [f for f in findings if f.rule == "MS106"]
    assert zone and zone[0].line == 5
