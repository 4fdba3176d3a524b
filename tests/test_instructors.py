"""Instructors (issue: grading a student cannot game, feedback a student understands, model
answers): unsuppressable findings, suppressed findings counted, one root cause one finding,
case-insensitive suffixes, assignments and scores, feedback files, copies, `mesosim new`."""

from __future__ import annotations

import json
import os

import pytest

from mesosim.runner import check_text

from .conftest import PROTOCOLS
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


def test_the_configuration_may_make_more_rules_unsuppressable(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
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


# --- assignments, scores, feedback, copies ----------------------------------------------------

EXAMPLE = os.path.join(os.path.dirname(PROTOCOLS), "examples", "class")
SUBMISSIONS = os.path.join(EXAMPLE, "submissions")
ASSIGNMENT = os.path.join(EXAMPLE, "assignment.toml")


def _graded(run, *args):
    r = run("class", SUBMISSIONS, "--assignment", ASSIGNMENT, "-f", "json", *args)
    assert r.exit_code == 0, r.output
    return {s["student"]: s for s in json.loads(r.output)["students"]}, json.loads(r.output)


def test_the_example_class_is_graded_as_the_readme_says(run):
    students, data = _graded(run)
    assert {n: (s["score"], s["passed"]) for n, s in students.items()} == {
        "ana": (100.0, True), "ben": (80.0, True), "chloe": (70.0, False),
        "dan": (85.0, False), "eve": (95.0, True), "finn": (85.0, False)}
    assert data["assignment"]["pass_mark"] == 70.0
    assert data["copies"] == [["ana/face.yaml", "eve/face.yaml"]]


def test_a_suppressed_contraindication_fails_the_student(run):
    students, _ = _graded(run)
    chloe = students["chloe"]
    assert chloe["failed_by"].startswith("MS601")
    assert {c["rule"] for c in chloe["codes"]} == {"MS601", "MS012"}


def test_a_misspelt_condition_fails_the_student(run):
    students, _ = _graded(run)
    assert students["dan"]["failed_by"].startswith("MS107") and not students["dan"]["passed"]


def test_a_misspelt_condition_cannot_be_suppressed(reg):
    text = edit("conditions: []", "conditions: [pregnacy]  # mesosim: ignore[MS107] typo")
    result = check_text(text, reg, "p.yaml")
    assert {f.rule for f in result.findings} == {"MS107", "MS012"} and result.suppressed == ()


def test_a_capital_suffix_submission_is_graded(run):
    students, _ = _graded(run)
    assert students["ben"]["files"] == 1 and [c["rule"] for c in students["ben"]["codes"]] == \
        ["MS401"]


def test_a_students_own_configuration_changes_nothing(run, tmp_path, monkeypatch):
    """eve's mesosim.toml ignores every rule: it is reported (MS024) and has no effect, even
    when mesosim runs from inside her folder."""
    import shutil

    shutil.copytree(SUBMISSIONS, tmp_path / "s")
    eve = tmp_path / "s" / "eve"
    (eve / "face.yaml").write_text((eve / "face.yaml").read_text().replace("1.5 mm", "9 mm"))
    for where in (tmp_path, eve):
        monkeypatch.chdir(where)
        r = run("class", str(tmp_path / "s"), "--assignment", ASSIGNMENT, "-f", "json")
        s = {x["student"]: x for x in json.loads(r.output)["students"]}["eve"]
        assert {c["rule"] for c in s["codes"]} == {"MS401", "MS024", "MS025"}, where


def test_a_wrong_technique_and_file_counts_are_findings(run, tmp_path):
    import shutil

    shutil.copytree(SUBMISSIONS, tmp_path / "s")
    shutil.copy(VALID, tmp_path / "s" / "ana" / "again.yaml")
    (tmp_path / "s" / "gus").mkdir()
    r = run("class", str(tmp_path / "s"), "--assignment", ASSIGNMENT, "-f", "json")
    s = {x["student"]: x for x in json.loads(r.output)["students"]}
    assert [c["rule"] for c in s["finn"]["codes"]] == ["MS021"]
    assert [c["rule"] for c in s["ana"]["codes"]] == ["MS023"]
    assert [c["rule"] for c in s["gus"]["codes"]] == ["MS022"] and not s["gus"]["passed"]


def test_the_assignment_may_come_from_the_instructors_configuration(run, tmp_path, monkeypatch):
    (tmp_path / "mesosim.toml").write_text(open(ASSIGNMENT, encoding="utf-8").read())
    monkeypatch.chdir(tmp_path)
    r = run("class", SUBMISSIONS)
    assert r.exit_code == 0 and "pass mark 70" in r.output and "score" in r.output.splitlines()[0]


def test_scores_follow_the_rubric_and_its_caps():
    from mesosim.classroom import score
    from mesosim.findings import Finding
    from mesosim.options import Assignment

    def f(rule, kind, severity="error"):
        return Finding(rule, kind, severity, "p.yaml", 1, 1, "m")

    a = Assignment(points={"MS401": 20, "warning": 4}, caps={"aftercare": 15})
    found = [f("MS401", "depth"), f("MS501", "interval"), f("MS511", "course-length", "warning"),
             *[f("MS701", "aftercare") for _ in range(5)]]
    assert score(found, a) == 100 - 20 - 10 - 4 - 15
    assert score([f("MS401", "depth")] * 9, a) == 0.0


@pytest.mark.parametrize("bad, message", [
    ('techniques = ["manual-injecton"]', "did you mean 'manual-injection'"),
    ('zones = ["fase"]', "did you mean 'face'"),
    ("pass-mark = 120", "from 0 to 100"),
    ('fail-on = ["contraindications"]', "did you mean 'contraindication'"),
    ("[class.points]\nMS999 = 3", "matches no rule"),
    ("[class.points]\nerorr = 3", "not a rule code"),
    ("pasmark = 3", "did you mean 'pass-mark'"),
])
def test_a_bad_assignment_is_a_usage_error_with_its_line(run, tmp_path, bad, message):
    (tmp_path / "a.toml").write_text(f"[class]\n{bad}\n")
    r = run("class", SUBMISSIONS, "--assignment", str(tmp_path / "a.toml"))
    assert r.exit_code == 2 and message in r.output and "a.toml" in r.output, r.output


def test_feedback_files_speak_plainly(run, tmp_path):
    out = tmp_path / "feedback"
    r = run("class", SUBMISSIONS, "--assignment", ASSIGNMENT, "--feedback", str(out))
    assert r.exit_code == 0
    assert sorted(os.listdir(out)) == [f"{n}.md" for n in
                                       ("ana", "ben", "chloe", "dan", "eve", "finn")]
    ben = (out / "ben.md").read_text()
    assert "Score: **80 / 100** (pass mark 70): **passed**" in ben
    assert "depth is 4 mm, but manual-injection allows 1.5-2 mm" in ben       # value and range
    assert "(002:11)" in ben and "**Why:**" in ben                           # the source's claim
    assert "write 'depth: 2 mm'" in ben                                      # the mechanical fix
    assert "- injection: {depth: 4 mm, volume_per_point" in ben              # the line as written
    assert "- injection: {depth: 2 mm, volume_per_point" in ben              # ... and corrected
    chloe = (out / "chloe.md").read_text()
    assert "not passed yet" in chloe and "MS601" in chloe
    assert "Nothing to correct" in (out / "ana.md").read_text()


def test_feedback_is_never_written_into_the_submissions(run, tmp_path):
    import shutil

    shutil.copytree(SUBMISSIONS, tmp_path / "s")
    r = run("class", str(tmp_path / "s"), "--feedback", str(tmp_path / "s" / "fb"))
    assert r.exit_code == 2 and not (tmp_path / "s" / "fb").exists()


def test_students_whose_names_collide_get_distinct_feedback_files(tmp_path, reg):
    from mesosim.classroom import summarize
    from mesosim.report.classroom import write_feedback

    for name in ("a b", "a_b"):
        (tmp_path / "s" / name).mkdir(parents=True)
        (tmp_path / "s" / name / "p.yaml").write_text(open(VALID).read())
    written = write_feedback(summarize(str(tmp_path / "s"), reg), str(tmp_path / "fb"),
                             reg.catalog)
    assert len(set(written)) == 2


def test_copies_ignore_whitespace_comments_key_order_and_id(reg, tmp_path):
    from mesosim.classroom import summarize

    text = open(VALID).read()
    for name, body in (("a", text), ("b", "# mine\n" + text.replace("face-rejuvenation-01", "b1")
                                     .replace("  ", "    ")),
                       ("c", text.replace("depth: 1.5 mm", "depth: 1.6 mm"))):
        (tmp_path / name).mkdir()
        (tmp_path / name / "p.yaml").write_text(body)
    s = summarize(str(tmp_path), reg)
    assert s.copies == (("a/p.yaml", "b/p.yaml"),)
    assert all(x.passed for x in s.students)   # copies change no grade


# --- model answers ------------------------------------------------------------------------------

START = "2027-01-04"


def _combinations():
    from mesosim.answer import combinations
    from mesosim.testing import builtin_host

    catalog = builtin_host().catalog
    return [(t, z, s) for t in sorted(catalog.techniques) for z, s in combinations(catalog, t)]


@pytest.mark.parametrize("technique, zone, setting", _combinations())
def test_every_model_answer_passes_check_with_no_finding(run, tmp_path, technique, zone,
                                                        setting):
    out = tmp_path / "answer.yaml"
    r = run("new", technique, "--zone", zone, "--setting", setting, "--start", START,
            "-o", str(out))
    assert r.exit_code == 0, r.output
    checked = run("check", "--format", "json", str(out))
    data = json.loads(checked.output)
    assert checked.exit_code == 0 and data["files"][0]["findings"] == [] and \
        data["files"][0]["suppressed"] == [], checked.output


def test_a_model_answer_cites_its_figures_and_has_every_required_step(run, reg):
    from mesosim.resolve import resolve

    r = run("new", "manual-injection", "--zone", "face", "--start", START)
    assert r.exit_code == 0
    text = r.output
    assert "depth: 1.75 mm" in text and "# 1.5-2 mm (002:11)" in text
    assert "interval: 10 d" in text and "(000:95)" in text
    assert "sauna: 7 d" in text and "start: 2027-01-04" in text
    t = resolve(reg.catalog, reg.catalog.techniques["manual-injection"], "face", "clinic")
    written = [line.strip()[2:].rstrip(":") for line in text.splitlines()
               if line.startswith("    - ")]
    required = [t.steps.slots[s] for s in t.steps.order if s in t.required]
    assert [w for w in written if w in required] == required           # in graph order


def test_the_eye_area_adds_its_procedure_to_the_model_answer(run):
    text = run("new", "manual-injection", "--zone", "periorbital", "--start", START).output
    steps = [line.strip()[2:].rstrip(":") for line in text.splitlines()
             if line.startswith("    - ")]
    i = steps.index("injection")
    assert {"rest", "soothing-mask"} <= set(steps[i + 1:])


@pytest.mark.parametrize("args, message", [
    (["rollr"], "did you mean 'roller'"),
    (["roller", "--zone", "knee"], "its zones: body"),
    (["oxygen", "--setting", "home"], "its settings: clinic"),
    (["hardware-gun", "--zone", "periorbital"], "002:67"),
])
def test_an_unsupported_combination_exits_2_and_says_what_is_supported(run, args, message):
    r = run("new", *args)
    assert r.exit_code == 2 and message in r.output, r.output


def test_new_never_writes_over_a_file(run, tmp_path):
    out = tmp_path / "mine.yaml"
    out.write_text("my own protocol\n")
    r = run("new", "roller", "-o", str(out))
    assert r.exit_code == 2 and "never writes over" in r.output
    assert out.read_text() == "my own protocol\n"


def test_new_is_deterministic_given_a_start(run):
    a = run("new", "ultrasound", "--start", START).output
    assert a == run("new", "ultrasound", "--start", START).output and "start: 2027-01-04" in a


# --- the configuration in force everywhere -----------------------------------------------------

SCHOOL = """\
[severity]
MS401 = "warning"

[[override]]
technique = "manual-injection"
parameter = "injection.depth"
zone = "face"
max = "2.5 mm"
note = "our school allows 2.5 mm"
"""


def test_explain_shows_the_schools_severity_and_figures(run, tmp_path, monkeypatch):
    (tmp_path / "mesosim.toml").write_text(SCHOOL)
    monkeypatch.chdir(tmp_path)
    out = run("explain", "MS401").output
    assert "In force here: severity warning, set by mesosim.toml:2." in out
    assert ("injection.depth (face): 1.5-2.5 mm [mesosim.toml:4] (set by the school's "
            "configuration)") in out
    assert "our school allows 2.5 mm; overrides 1.5-2 mm (002:11)" in out
    monkeypatch.chdir(tmp_path.parent)
    assert "In force here" not in run("explain", "MS401").output


def test_techniques_show_and_the_class_table_say_what_the_school_set(run, tmp_path, monkeypatch):
    (tmp_path / "mesosim.toml").write_text(SCHOOL)
    monkeypatch.chdir(tmp_path)
    shown = run("techniques", "show", "manual-injection", "--zone", "face").output
    assert "1.5-2.5 mm [mesosim.toml:4] (set by the school's configuration)" in shown
    table = run("class", SUBMISSIONS).output
    line = next(x for x in table.splitlines() if x.strip().startswith("MS401"))
    assert "warning" in line and "(severity set by mesosim.toml:2)" in line


def test_feedback_shows_what_a_student_wrote_as_text_not_markup(reg, tmp_path):
    from mesosim.classroom import summarize
    from mesosim.report.classroom import write_feedback

    name = "<img src=x onerror=alert(1)>[link](http:x)"
    (tmp_path / "s" / name).mkdir(parents=True)
    (tmp_path / "s" / name / "p.yaml").write_text(open(VALID).read().replace(
        "depth: 1.5 mm", "depth: 9 mm").replace("points: 40}", "points: 40}  # ````"))
    [path] = write_feedback(summarize(str(tmp_path / "s"), reg), str(tmp_path / "fb"),
                            reg.catalog)
    text = open(path, encoding="utf-8").read()
    assert "<img" not in text and "&lt;img" in text and "\\[link\\]" in text
    assert "  `````yaml" in text  # a fence longer than the student's own backticks


def test_the_readme_shows_the_example_class_as_it_is_graded(run):
    from .conftest import ROOT

    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    command = ("$ mesosim class examples/class/submissions --assignment "
               "examples/class/assignment.toml\n")
    shown = readme.split(command, 1)[1].split("```", 1)[0]
    r = run("class", SUBMISSIONS, "--assignment", ASSIGNMENT)
    assert r.output == shown


@pytest.mark.parametrize("allowed", [None, True])
def test_a_graded_class_allows_no_suppression_unless_the_assignment_says_so(run, tmp_path,
                                                                            allowed):
    """A student cannot silence every finding at no cost: by default a suppression comment is
    an error in a graded class; where allowed, what it silenced is counted."""
    (tmp_path / "s" / "sam").mkdir(parents=True)
    (tmp_path / "s" / "sam" / "p.yaml").write_text(SUPPRESSED_DEPTH)
    extra = "" if allowed is None else "suppressions = true\n"
    (tmp_path / "a.toml").write_text(f"[class]\npass-mark = 50\n{extra}")
    r = run("class", str(tmp_path / "s"), "--assignment", str(tmp_path / "a.toml"), "-f", "json")
    [sam] = json.loads(r.output)["students"]
    codes = {c["rule"] for c in sam["codes"]}
    if allowed is None:
        assert codes == {"MS401", "MS012"} and sam["suppressed"] == 0 and sam["score"] == 80
    else:
        assert codes == set() and sam["suppressed"] == 1 and sam["score"] == 100


# --- an adversarial review of grading (each test a way found to game or break it) -------------


def _one_student(tmp_path, text, name="sam", file="p.yaml"):
    (tmp_path / "s" / name).mkdir(parents=True)
    (tmp_path / "s" / name / file).write_text(text)
    return str(tmp_path / "s")


def _grade(run, folder, *args):
    r = run("class", folder, "--assignment", ASSIGNMENT, "-f", "json", *args)
    assert r.exit_code == 0, r.output
    return {x["student"]: x for x in json.loads(r.output)["students"]}


@pytest.mark.parametrize("text", ["", "null\n", "{{{\n", "[]\n",
                                  open(VALID).read().replace("manual-injection",
                                                             "manual-injektion")])
def test_a_file_no_check_could_run_on_fails_the_student(run, tmp_path, text):
    sam = _grade(run, _one_student(tmp_path, text))["sam"]
    assert not sam["passed"] and "could not be checked" in sam["failed_by"]


@pytest.mark.parametrize("value", ["pregnancy", "{pregnancy: true}", "[[pregnancy]]"])
def test_a_contraindication_behind_a_type_error_is_still_found(run, tmp_path, value):
    text = open(VALID).read().replace("conditions: []", f"conditions: {value}")
    sam = _grade(run, _one_student(tmp_path, text))["sam"]
    assert {"MS103", "MS601"} <= {c["rule"] for c in sam["codes"]} and not sam["passed"]


def test_what_fails_a_student_cannot_be_suppressed_even_where_suppressions_are_allowed(
        run, tmp_path):
    scalp = open(os.path.join(SUBMISSIONS, "finn", "scalp.yaml")).read().replace(
        "zone: scalp", "zone: scalp  # mesosim: ignore[MS021] x")
    folder = _one_student(tmp_path, scalp)
    (tmp_path / "a.toml").write_text(open(ASSIGNMENT).read().replace(
        "suppressions = false", "suppressions = true"))
    r = run("class", folder, "--assignment", str(tmp_path / "a.toml"), "-f", "json")
    [sam] = json.loads(r.output)["students"]
    assert {c["rule"] for c in sam["codes"]} == {"MS021", "MS012"} and not sam["passed"]


def test_only_real_comments_suppress(reg):
    in_json = json.dumps({"mesosim": 1, "title": "# mesosim: ignore[MS] x", "technique": "x"})
    assert check_text(in_json, reg, "p.json").suppressed == ()
    assert {f.rule for f in check_text(in_json, reg, "p.json").findings} >= {"MS201"}
    quoted = edit("title: Base protocol for rule tests",
                  "title: 'Notes # mesosim: ignore[MS401] see'")
    assert check_text(quoted, reg, "p.yaml").findings == ()


def test_the_instructors_globs_do_not_apply_to_submissions(run, tmp_path, monkeypatch):
    (tmp_path / "mesosim.toml").write_text('exclude = ["*/legacy/*"]\n'
                                           '[per-file-ignores]\n"*/legacy/*" = ["MS4"]\n')
    deep = open(VALID).read().replace("depth: 1.5 mm", "depth: 4 mm")
    _one_student(tmp_path, deep, name="bob/legacy")
    monkeypatch.chdir(tmp_path)
    bob = _grade(run, "s")["bob"]
    assert [c["rule"] for c in bob["codes"]] == ["MS401"]


def test_copies_are_found_whatever_the_units(reg, tmp_path):
    from mesosim.classroom import summarize

    text = open(VALID).read()
    _one_student(tmp_path, text, name="a")
    _one_student(tmp_path, text.replace("interval: 7 d", "interval: 1 week")
                 .replace("wait: 20 min", "wait: 1200 s"), name="b")
    assert summarize(str(tmp_path / "s"), reg).copies == (("a/p.yaml", "b/p.yaml"),)


def test_links_out_of_the_submissions_are_not_followed(run, tmp_path):
    folder = _one_student(tmp_path, open(VALID).read())
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.yaml").write_text("mesosim: 1\n")
    os.symlink(outside, tmp_path / "s" / "sam" / "lib")
    os.symlink(outside / "x.yaml", tmp_path / "s" / "sam" / "y.yaml")
    os.symlink(outside, tmp_path / "s" / "mallory")
    students = _grade(run, folder)
    assert students["sam"]["files"] == 1 and students["sam"]["passed"]
    notes = [n["message"] for n in students["sam"]["notes"]]
    assert any("'lib' links outside" in m for m in notes)
    assert any("'y.yaml' links outside" in m for m in notes)
    assert students["mallory"]["files"] == 0 and not students["mallory"]["passed"]


def test_reports_are_never_written_into_the_submissions(run, tmp_path):
    import shutil

    shutil.copytree(SUBMISSIONS, tmp_path / "s")
    before = (tmp_path / "s" / "eve" / "notes.txt").read_text()
    for target in ("s/eve/notes.txt", "s/zed.json", "s"):
        r = run("class", str(tmp_path / "s"), "-f", "json", "-o", str(tmp_path / target))
        assert r.exit_code == 2, target
    assert (tmp_path / "s" / "eve" / "notes.txt").read_text() == before
    assert not (tmp_path / "s" / "zed.json").exists()


def test_a_class_json_report_is_never_checked_as_a_protocol(run, tmp_path):
    out = tmp_path / "class.json"
    assert run("class", SUBMISSIONS, "--assignment", ASSIGNMENT, "-f", "json", "-o",
               str(out)).exit_code == 0
    r = run("check", "--format", "json", str(tmp_path))
    assert json.loads(r.output)["files"] == []


def test_feedback_never_overwrites_a_file_of_someone_elses(run, tmp_path):
    fb = tmp_path / "fb"
    fb.mkdir()
    (fb / "ana.md").write_text("my notes\n")
    r = run("class", SUBMISSIONS, "--feedback", str(fb))
    assert r.exit_code == 2 and (fb / "ana.md").read_text() == "my notes\n"
    assert sorted(os.listdir(fb)) == ["ana.md"]   # nothing written before the refusal
    (fb / "ana.md").unlink()
    assert run("class", SUBMISSIONS, "--feedback", str(fb)).exit_code == 0
    assert run("class", SUBMISSIONS, "--feedback", str(fb)).exit_code == 0  # its own: again


def test_a_folder_name_that_is_not_utf8_is_graded_and_written(run, tmp_path):
    top = os.fsencode(str(tmp_path / "s"))
    os.makedirs(os.path.join(top, b"\xff\xfe"))
    with open(os.path.join(top, b"\xff\xfe", b"p.yaml"), "w") as fh:
        fh.write(open(VALID).read())
    for args in (["--feedback", str(tmp_path / "fb")], ["-o", str(tmp_path / "c.json"),
                                                        "-f", "json"]):
        r = run("class", str(tmp_path / "s"), *args)
        assert r.exit_code == 0, r.output
    assert "\ufffd" in json.loads((tmp_path / "c.json").read_text())["students"][0]["student"]


def test_caps_by_rule_code_apply_and_numbers_must_be_finite(run, tmp_path):
    from mesosim.classroom import score
    from mesosim.findings import Finding
    from mesosim.options import Assignment

    f = Finding("MS401", "depth", "error", "p.yaml", 1, 1, "m")
    assert score([f] * 5, Assignment(caps={"MS401": 25})) == 75
    for bad in ("nan", "inf", "1e400"):
        (tmp_path / "a.toml").write_text(f"[class.points]\nerror = {bad}\n")
        r = run("class", SUBMISSIONS, "--assignment", str(tmp_path / "a.toml"))
        assert r.exit_code == 2 and "from 0 to 100" in r.output, bad


def test_a_school_override_for_every_setting_holds_in_each(run, tmp_path, monkeypatch):
    (tmp_path / "mesosim.toml").write_text('[[override]]\ntechnique = "roller"\n'
                                           'parameter = "rolling.needle_length"\n'
                                           'max = "0.3 mm"\n')
    monkeypatch.chdir(tmp_path)
    for setting in ("home", "clinic"):
        text = run("new", "roller", "--zone", "face", "--setting", setting).output
        assert "needle_length: 0.3 mm" in text, setting
        (tmp_path / f"{setting}.yaml").write_text(text.replace("0.3 mm", "0.45 mm"))
        r = run("check", f"{setting}.yaml")
        assert "MS401" in r.output, setting


def test_new_refuses_a_start_no_course_can_follow(run):
    r = run("new", "manual-injection", "--start", "9999-12-31")
    assert r.exit_code == 2 and "no model answer passes" in r.output
