"""Instructors (issue: grading a student cannot game, feedback a student understands, model
answers): unsuppressable findings, suppressed findings counted, one root cause one finding,
case-insensitive suffixes, assignments and scores, feedback files, copies, `mesosim new`."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from mesosim.runner import check_text

from .conftest import PROTOCOLS, ROOT
from .test_rules import BASE, edit

VALID = os.path.join(PROTOCOLS, "manual-injection", "valid", "face-rejuvenation.yaml")
#: a depth of 3 mm on the face (MS401), suppressed by a comment on the line before
SUPPRESSED_DEPTH = edit("    - injection: {depth: 1.5 mm",
                        "    # mesosim: ignore[MS401] agreed\n    - injection: {depth: 3 mm")


# --- findings that cannot be hidden ---------------------------------------------------------


def test_a_suppressed_contraindication_stays_and_the_comment_is_an_error(reg):
    text = edit("conditions: []", "conditions: [pregnancy]  # mesosim: ignore[MS6] the patient "
                "insisted")
    result = check_text(text, reg, "p.yaml")
    assert [(f.rule, f.line) for f in result.findings] == [("MS601", 9), ("MS012", 9)]
    assert result.suppressed == ()


def test_the_configuration_may_make_more_rules_unsuppressable(run, tmp_path):
    os.chdir(tmp_path)
    (tmp_path / "mesosim.toml").write_text('unsuppressable = ["MS4"]\n', encoding="utf-8")
    (tmp_path / "p.yaml").write_text(SUPPRESSED_DEPTH, encoding="utf-8")
    r = run("check", "p.yaml")
    assert r.exit_code == 1 and "MS012" in r.output and "MS401" in r.output


def test_suppressed_findings_are_counted_and_shown_everywhere(run, tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text(SUPPRESSED_DEPTH, encoding="utf-8")
    text = run("check", str(p))
    assert text.exit_code == 0 and text.output.endswith(
        "1 file checked: 0 errors, 0 warnings, 1 suppressed\n")
    data = json.loads(run("check", "-f", "json", str(p)).output)
    assert data["summary"]["suppressed"] == 1
    (sup,) = data["files"][0]["suppressed"]
    assert (sup["rule"], sup["reason"]) == ("MS401", "agreed")
    sarif = json.loads(run("check", "-f", "sarif", str(p)).output)
    (result,) = sarif["runs"][0]["results"]
    assert result["suppressions"] == [{"kind": "inSource", "justification": "agreed"}]


# --- one root cause, one finding ----------------------------------------------------------


def test_seven_typos_are_seven_findings_each_with_what_followed(reg):
    text = edit("    - disinfection\n", "    - disinfektion\n")
    text = text.replace("depth: 1.5 mm", "dept: 1.5 mm").replace("  sauna: 7 d", "  saunna: 7 d")
    text = text.replace("  sport: 7 d", "  sprot: 7 d").replace("  makeup: 7 d", "  makup: 7 d")
    text = text.replace("    - cleansing\n", "    - cleansng\n").replace("  pool: 7 d", "  pol: 7 d")
    findings = check_text(text, reg, "p.yaml").findings
    assert len(findings) == 7, [(f.rule, f.message) for f in findings]
    step = next(f for f in findings if "disinfektion" in f.message)
    assert step.severity == "error" and any("missing required step 'disinfection'" in r
                                            for r in step.related)
    sauna = next(f for f in findings if "saunna" in f.message)
    assert sauna.severity == "error"  # it took in the missing sauna: never softer


def test_a_section_of_the_wrong_type_is_one_finding(reg):
    text = BASE[:BASE.index("session:")] + "session: [consultation, injection]\n" + \
        BASE[BASE.index("aftercare:"):]
    findings = check_text(text, reg, "p.yaml").findings
    assert [f.rule for f in findings] == ["MS103"]
    assert findings[0].related


@pytest.mark.parametrize("name", ["p.YAML", "p.Yml", "p.JSON"])
def test_suffixes_are_matched_without_regard_to_case(run, tmp_path, name):
    import yaml

    data = open(VALID, encoding="utf-8").read()
    if name.lower().endswith(".json"):
        data = json.dumps(yaml.safe_load(data), default=str)
    (tmp_path / name).write_text(data, encoding="utf-8")
    r = run("check", str(tmp_path))
    assert r.exit_code == 0 and r.output.endswith("1 file checked: 0 errors, 0 warnings\n")
