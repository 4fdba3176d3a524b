"""``mesosim class`` (issue 5): a summary per student from a folder of submissions, as text,
CSV and JSON, plus the rules the class broke most. ``tests/data/class`` holds three students
made from gallery protocols with deliberate mistakes:

- ``alice/``: a valid protocol and a roller course of 30 sessions (an MS511 warning): pass;
- ``bob/``: a face injection too deep (MS401), and a scalp injection too deep and without
  disinfection (MS401, MS301): fail;
- ``carol.yaml`` (a single file): too deep (MS401), too short an interval (MS501), whence a
  sauna plan inside an aftercare window (MS801): fail.

A ``README.txt`` beside them is not a student.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil

from mesosim.classroom import summarize

from .conftest import ROOT

CLASS = os.path.join(ROOT, "tests", "data", "class")


def test_summary_per_student(reg):
    s = summarize(CLASS, reg)
    assert [(x.name, x.files, x.errors, x.warnings, x.passed) for x in s.students] == [
        ("alice", 2, 0, 1, True), ("bob", 2, 3, 0, False), ("carol", 1, 3, 0, False)]
    assert s.students[1].codes == (("MS401", 2), ("MS301", 1))
    assert s.rules[0].code == "MS401" and (s.rules[0].students, s.rules[0].findings) == (2, 3)
    assert [r.code for r in s.rules] == ["MS401", "MS301", "MS501", "MS511", "MS801"]


def test_csv(run):
    r = run("class", CLASS, "--format", "csv")
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(r.output)))
    blank = rows.index([])
    students = [dict(zip(rows[0], row, strict=True)) for row in rows[1:blank]]
    rules = [dict(zip(rows[blank + 1], row, strict=True)) for row in rows[blank + 2:]]
    assert [(x["student"], x["files"], x["errors"], x["warnings"], x["result"])
            for x in students] == [("alice", "2", "0", "1", "pass"), ("bob", "2", "3", "0", "fail"),
                                   ("carol", "1", "3", "0", "fail")]
    assert students[1]["top_codes"] == "MS401 (2), MS301 (1)"
    assert rules[0] == {"rule": "MS401", "name": "depth-out-of-range", "severity": "error",
                        "students": "2", "findings": "3", "configured": ""}


def test_json(run, tmp_path):
    out = tmp_path / "class.json"
    r = run("class", CLASS, "--format", "json", "-o", str(out))
    assert r.exit_code == 0 and r.output == ""
    data = json.loads(out.read_text())
    assert data["summary"] == {"students": 3, "passed": 1, "failed": 2}
    assert [x["student"] for x in data["students"]] == ["alice", "bob", "carol"]
    assert data["students"][2]["codes"] == [{"rule": "MS401", "findings": 1},
                                            {"rule": "MS501", "findings": 1},
                                            {"rule": "MS801", "findings": 1}]
    assert data["rules"][0]["rule"] == "MS401"


def test_text(run):
    r = run("class", CLASS)
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0].split() == ["student", "files", "errors", "warnings", "suppressed", "result",
                                "most", "frequent", "rules"]
    assert lines[1].split()[:6] == ["alice", "2", "0", "1", "0", "pass"]
    assert lines[2].split()[:6] == ["bob", "2", "3", "0", "0", "fail"]
    assert "3 students: 1 pass, 2 fail" in lines
    assert any(x.split()[:2] == ["MS401", "depth-out-of-range"] for x in lines)


def test_sorted_by_student_and_empty_submission_fails(reg, tmp_path):
    shutil.copytree(CLASS, tmp_path / "c")
    (tmp_path / "c" / "Zoe").mkdir()
    (tmp_path / "c" / "dave").mkdir()
    (tmp_path / "c" / ".git").mkdir()
    s = summarize(str(tmp_path / "c"), reg)
    assert [x.name for x in s.students] == ["alice", "bob", "carol", "dave", "Zoe"]
    assert [(x.files, x.passed) for x in s.students[3:]] == [(0, False), (0, False)]


def test_jobs_give_the_same_summary(run):
    assert run("class", CLASS, "-f", "json", "-j", "2").output == \
        run("class", CLASS, "-f", "json").output


def test_config_applies_to_the_class(run, tmp_path, monkeypatch):
    """The instructor's configuration is the one found from where mesosim runs."""
    shutil.copytree(CLASS, tmp_path / "c")
    (tmp_path / "mesosim.toml").write_text('ignore = ["MS4", "MS3"]\n')
    monkeypatch.chdir(tmp_path)
    r = run("class", "c", "-f", "json")
    data = json.loads(r.output)
    assert [x["passed"] for x in data["students"]] == [True, True, False]


def test_bad_folder_is_a_usage_error(run, tmp_path):
    assert run("class", str(tmp_path / "nope")).exit_code == 2
    assert run("class", CLASS, "--format", "xml").exit_code == 2
