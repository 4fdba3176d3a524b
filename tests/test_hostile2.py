"""Hostile input and faults, round 2: no crash, no hang, no damage (one test per family of the
issue; the plugins' family is tests/test_hostile_plugins.py)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys

import pytest

from mesosim.runner import check_text

from .conftest import PROTOCOLS
from .test_rules import BASE, edit

VALID = os.path.join(PROTOCOLS, "manual-injection", "valid", "face-rejuvenation.yaml")


def codes(reg, text: str, path: str = "p.yaml") -> list[str]:
    return [f.rule for f in check_text(text, reg, path).findings]


# --- 1. explicit tags whose type rejects the value ------------------------------------------


@pytest.mark.parametrize("tagged", ['!!bool maybe', '!!timestamp soon', '!!int ""',
                                    '!!float ""', '!!null x', '!!int 0x', '!!float .'])
def test_a_tag_its_value_does_not_fit_is_one_located_finding(reg, tagged):
    text = edit("title: Base protocol for rule tests", f"title: {tagged}")
    findings = check_text(text, reg, "p.yaml").findings
    assert [(f.rule, f.line) for f in findings if "YAML tag" in f.message] == [("MS103", 3)]
    assert not any(f.rule == "MS009" for f in findings)


def test_a_tagged_key_that_does_not_fit(reg):
    text = BASE.replace("title: Base protocol for rule tests", "? !!bool maybe\n: x")
    found = [(f.rule, f.line) for f in check_text(text, reg, "p.yaml").findings]
    assert ("MS103", 3) in found and ("MS101", 3) in found


def test_one_hostile_file_never_costs_the_others_their_results(run, tmp_path):
    (tmp_path / "a.yaml").write_text(edit("title: Base protocol for rule tests",
                                          "title: !!bool maybe"), encoding="utf-8")
    shutil.copy(VALID, tmp_path / "b.yaml")
    out = tmp_path / "report.json"
    r = run("check", "-f", "json", "-o", str(out), str(tmp_path / "a.yaml"),
            str(tmp_path / "b.yaml"))
    assert r.exit_code == 1
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [len(f["findings"]) for f in report["files"]] == [1, 0]


# --- 2. dates at the calendar's edges ---------------------------------------------------------


@pytest.mark.parametrize("change", [
    ("  sauna: 7 d", "  sauna: 1000000000 d"),
    ("  start: 2026-12-01", "  start: 9999-12-20"),
    ("  start: 2026-12-01", "  start: 0001-01-02"),
    ("    - evaluation", "    - evaluation\n    - rest: {duration: 100000000000 min}"),
    ("date: 2028-01-15", "date: 9999-12-31, until: 9999-12-31"),
])
@pytest.mark.parametrize("command", [["check"], ["simulate"], ["simulate", "-f", "json"],
                                     ["simulate", "--ics", "c.ics"]])
def test_dates_at_the_edges_of_the_calendar_never_crash(run, tmp_path, monkeypatch, change,
                                                        command):
    p = tmp_path / "p.yaml"
    p.write_text(edit(*change), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    r = run(*command, str(p))
    assert r.exit_code in (0, 1), r.output
    assert "MS009" not in r.output


def test_a_course_past_the_calendar_end_is_a_finding(reg):
    got = check_text(edit("  start: 2026-12-01", "  start: 9999-12-20"), reg, "p.yaml").findings
    assert [(f.rule, f.line) for f in got] == [("MS106", 15)]
    assert "after 31 December 9999" in got[0].message


# --- 7. a bug of mesosim's: one finding, exit 4, the other files checked ------------------------


def test_an_internal_error_is_ms009_exit_4_and_the_other_files_go_on(run, tmp_path, monkeypatch):
    import mesosim.simulate

    real = mesosim.simulate.simulate

    def broken(protocol, tech, catalog):
        if protocol.path.endswith("bad.yaml"):
            raise KeyError("a bug")
        return real(protocol, tech, catalog)

    monkeypatch.setattr(mesosim.simulate, "simulate", broken)
    shutil.copy(VALID, tmp_path / "bad.yaml")
    shutil.copy(VALID, tmp_path / "good.yaml")
    r = run("check", str(tmp_path))
    assert r.exit_code == 4
    assert "bad.yaml:1:1: MS009 [error] mesosim failed while checking this file (KeyError in " \
        in r.output
    assert "please report it" in r.output
    assert "good.yaml" not in r.output.replace("2 files checked", "")
    assert "Traceback" not in r.output


def _mesosim(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "MESOSIM_DISABLE_PLUGIN_AUTOLOAD": "1", **env}
    return subprocess.run([sys.executable, "-P", "-c", "from mesosim.cli import main; main()", *args],
                          capture_output=True, text=True, env=full, check=False)


def test_a_full_or_closed_stdout_is_one_line_not_a_traceback():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-P", "-c", "from mesosim.cli import main; main()",
                               "check", PROTOCOLS], stdout=full, stderr=subprocess.PIPE,
                              text=True, check=False)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("mesosim: cannot write the output")
    assert "Traceback" not in done.stderr
    head = subprocess.run(f"{sys.executable} -c 'from mesosim.cli import main; main()' check "
                          f"{PROTOCOLS} | head -1", shell=True, capture_output=True, text=True,
                          check=False)
    assert "Traceback" not in head.stderr and "BrokenPipe" not in head.stderr


def test_ctrl_c_is_exit_130_without_aborted(monkeypatch):
    from mesosim import cli as cli_module

    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module.cli, "main", interrupted)
    assert cli_module.run_main(["check", "."]) == 130


# --- 5. outputs that damage -----------------------------------------------------------------


def test_an_output_that_is_not_a_regular_file_is_refused_before_any_work(run, tmp_path):
    if not os.path.exists("/dev/null"):
        pytest.skip("no /dev/null")
    for args in (["check", "-o", "/dev/null", VALID], ["simulate", "-o", "/dev/null", VALID],
                 ["simulate", "--ics", "/dev/null", VALID], ["schema", "-o", "/dev/null"]):
        r = run(*args)
        assert r.exit_code == 2 and "not a regular file" in r.output, args
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    r = run("check", "-o", str(tmp_path / "missing" / "r.json"), VALID)
    assert r.exit_code == 2 and "does not exist" in r.output


def test_a_report_keeps_the_permissions_of_the_file_it_replaces_and_new_ones_the_umask(
        run, tmp_path):
    old = tmp_path / "old.txt"
    old.write_text("x")
    old.chmod(0o640)
    assert run("check", "-o", str(old), VALID).exit_code == 0
    assert stat.S_IMODE(old.stat().st_mode) == 0o640
    mask = os.umask(0o027)
    try:
        new = tmp_path / "new.txt"
        assert run("check", "-o", str(new), VALID).exit_code == 0
        assert stat.S_IMODE(new.stat().st_mode) == 0o640  # 0o666 & ~0o027
    finally:
        os.umask(mask)


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_mesosim_never_checks_its_own_report(run, tmp_path, fmt):
    shutil.copy(VALID, tmp_path / "p.yaml")
    report = tmp_path / "report.json"
    assert run("check", "-f", fmt, "-o", str(report), str(tmp_path)).exit_code == 0
    again = run("check", "-f", fmt, "-o", str(report), str(tmp_path))
    assert again.exit_code == 0, again.output
    assert run("check", str(tmp_path)).output.endswith("1 file checked: 0 errors, 0 warnings\n")


# --- 7. usage errors -----------------------------------------------------------------------


def test_an_unknown_code_on_the_command_line_is_a_usage_error(run):
    r = run("check", "--select", "MS999", VALID)
    assert r.exit_code == 2 and "'MS999' matches no rule" in r.output
    assert run("check", "--ignore", "MS4", VALID).exit_code == 0


# --- 8. help that reads the value right -----------------------------------------------------


@pytest.mark.parametrize("written", ["1500 μm", "1500 µm"])
def test_micro_with_either_mu(reg, written):
    text = edit("depth: 1.5 mm", f"depth: {written}")
    assert codes(reg, text) == []


def test_a_decimal_comma_is_named_in_block_and_flow_style(reg):
    flow = check_text(edit("depth: 1.5 mm", "depth: 0,3 mm"), reg, "p.yaml").findings
    assert [(f.rule, f.suggestion) for f in flow] == [("MS111", "write '0.3 mm'")]
    block = edit("    - injection: {depth: 1.5 mm, volume_per_point: 0.05 ml, points: 40}",
                 "    - injection:\n        depth: 1,8 mm\n        volume_per_point: 0.05 ml\n"
                 "        points: 40")
    (f,) = check_text(block, reg, "p.yaml").findings
    assert (f.rule, f.suggestion) == ("MS111", "write '1.8 mm'")


def test_octal_and_base_60_numbers_are_named(reg):
    (f,) = check_text(edit("  sessions: 6", "  sessions: 010"), reg, "p.yaml").findings
    assert (f.rule, f.line) == ("MS106", 15) and "'010' is read as 8" in f.message
    found = check_text(edit("  interval: 7 d", "  interval: 1:30"), reg, "p.yaml").findings
    assert any("'1:30' is read as 90" in f.message for f in found)


def test_a_json_exponent_is_a_number(reg):
    import yaml

    data = yaml.safe_load(BASE)
    data["course"]["sessions"] = "SIX"
    text = json.dumps(data, default=str).replace('"SIX"', "6e0")
    assert codes(reg, text, "p.json") == []


# --- 9. what a file cannot inject -------------------------------------------------------------


def test_control_characters_in_a_key_are_shown_as_escapes(run, tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text(BASE + '"\\e[2Jx\\nforged.yaml:1:1: MS000 [error] fake": 1\n', encoding="utf-8")
    out = run("check", str(p)).output
    assert "\x1b" not in out and "\\x1b[2Jx\\x0aforged" in out
    assert not any(line.startswith("forged.yaml") for line in out.splitlines())


def test_a_student_named_like_a_formula_is_text_in_the_csv(run, tmp_path):
    student = tmp_path / "=cmd|calc"
    student.mkdir()
    shutil.copy(VALID, student / "p.yaml")
    out = run("class", "-f", "csv", str(tmp_path)).output
    assert "\n'=cmd|calc," in out


# --- 3. configuration overrides that crashed ---------------------------------------------------


@pytest.mark.parametrize(("override", "said"), [
    ('parameter = "injection.depth"\nzone = "face"\nmin = "3 mm"',
     "mesosim.toml:1: the override's min 3 mm crosses the plugin's max (1.5-2 mm, 002:11)"),
    ('parameter = "aftercare."\nmin = "3 d"', "mesosim.toml:1: 'aftercare.' names no known activity"),
    ('parameter = "aftercare.saunna"\nmin = "3 d"', "did you mean 'aftercare.sauna'?"),
])
def test_a_bad_override_is_exit_2_with_its_line(run, tmp_path, monkeypatch, override, said):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mesosim.toml").write_text(
        f'[[override]]\ntechnique = "manual-injection"\n{override}\n', encoding="utf-8")
    shutil.copy(VALID, tmp_path / "p.yaml")
    r = run("check", "p.yaml")
    assert r.exit_code == 2 and said in r.output, r.output


def test_two_overrides_of_one_range_are_exit_2_naming_both(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    one = '[[override]]\ntechnique = "manual-injection"\nparameter = "injection.depth"\n'
    (tmp_path / "mesosim.toml").write_text(one + 'min = "1 mm"\n' + one + 'max = "9 mm"\n',
                                           encoding="utf-8")
    shutil.copy(VALID, tmp_path / "p.yaml")
    r = run("check", "p.yaml")
    assert r.exit_code == 2
    assert "mesosim.toml:5: this override sets the same range as the one at mesosim.toml:1" \
        in r.output


def test_a_school_override_wins_over_the_zone_and_general_declarations(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mesosim.toml").write_text(
        '[[override]]\ntechnique = "manual-injection"\nparameter = "aftercare.sauna"\n'
        'zone = "face"\nmin = "2 d"\nmax = "30 d"\nnote = "school rule"\n', encoding="utf-8")
    (tmp_path / "p.yaml").write_text(edit("  sauna: 7 d", "  sauna: 3 d"), encoding="utf-8")
    assert run("check", "p.yaml").exit_code == 0


# --- 6. costs in proportion to the input (each of these took seconds to minutes) ---------------


def test_the_pathological_inputs_of_round_2_are_cheap(reg):
    from mesosim import config

    assert not config._mentions_mesosim("\n" * 60000)  # was 34 s
    assert config._HEADER.match("[" + " " * 4000) is None  # was 41 s
    many = "".join(f"    - disinfection  # mesosim: ignore[MS3] x{i}\n" for i in range(3000))
    text = edit("    - consultation\n", "    - consultation\n" + many)
    assert len(check_text(text, reg, "p.yaml").findings) < 10  # was findings x comments
    names = ", ".join(f"cond{i:05d}x" for i in range(5000))  # 5,000 distinct unknown names
    found = check_text(edit("conditions: []", f"conditions: [{names}]"), reg, "p.yaml").findings
    assert len(found) == 5000 and sum(f.suggestion is not None for f in found) <= 200
