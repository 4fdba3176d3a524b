"""Suppression comments (issue 5): ``# mesosim: ignore[CODE] reason`` on the offending line or
the line before; prefixes; MS010 without a reason; MS011 with ``--report-unused-ignores``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mesosim.cli import cli
from mesosim.runner import Options, check_text
from mesosim.suppress import parse

from .test_rules import edit

INJECTION = "    - injection: {depth: 1.5 mm"
DEEP = "    - injection: {depth: 4 mm"  # MS401 on line 24, column 26


def rules(text: str, reg, **options) -> list[tuple[str, int]]:
    return [(f.rule, f.line) for f in check_text(text, reg, "p.yaml", Options(**options)).findings]


def deep(comment: str = "", before: str = "") -> str:
    line = DEEP
    text = edit(INJECTION, (before + "\n" if before else "") + line)
    if comment:
        text = text.replace(line + ", volume_per_point: 0.05 ml, points: 40}",
                            line + ", volume_per_point: 0.05 ml, points: 40}  " + comment)
    return text


def test_the_finding_without_a_comment(reg):
    assert rules(deep(), reg) == [("MS401", 24)]


def test_comment_on_the_offending_line(reg):
    assert rules(deep("# mesosim: ignore[MS401] trainer agreed"), reg) == []


def test_comment_on_the_line_before(reg):
    assert rules(deep(before="    # mesosim: ignore[MS401] trainer agreed"), reg) == []


def test_a_trailing_comment_does_not_reach_the_next_line(reg):
    text = deep().replace("    - marking", "    - marking  # mesosim: ignore[MS401] too far")
    assert rules(text, reg) == [("MS401", 24)]


def test_comment_two_lines_before_does_not_count(reg):
    text = deep(before="    # mesosim: ignore[MS401] trainer agreed\n    - marking")
    assert ("MS401", 26) in rules(text, reg)


@pytest.mark.parametrize("codes", ["MS4", "MS", "MS301, MS401", "MS301,MS40"])
def test_prefixes_and_lists_of_codes(reg, codes):
    assert rules(deep(f"# mesosim: ignore[{codes}] trainer agreed"), reg) == []


@pytest.mark.parametrize("codes", ["MS402", "MS5", "ms401", ""])
def test_other_codes_do_not_silence(reg, codes):
    assert ("MS401", 24) in rules(deep(f"# mesosim: ignore[{codes}] trainer agreed"), reg)


def test_suppression_without_reason_is_ms010(reg):
    text = deep("# mesosim: ignore[MS401]")
    (f,) = check_text(text, reg, "p.yaml").findings
    assert (f.rule, f.severity, f.line) == ("MS010", "warning", 24)
    assert f.column == text.splitlines()[23].index("#") + 1
    assert "MS401" in f.message
    # the finding itself is still silenced; only the missing reason is reported


def test_unused_suppression_only_on_request(reg):
    text = edit("zone: face", "zone: face  # mesosim: ignore[MS401] old comment")
    assert rules(text, reg) == []
    assert rules(text, reg, report_unused_ignores=True) == [("MS011", 5)]
    used = deep("# mesosim: ignore[MS401] trainer agreed")
    assert rules(used, reg, report_unused_ignores=True) == []


def test_without_reason_and_unused_gives_both(reg):
    text = edit("zone: face", "zone: face  # mesosim: ignore[MS401]")
    assert rules(text, reg, report_unused_ignores=True) == [("MS010", 5), ("MS011", 5)]


def test_meta_findings_obey_the_configuration(reg):
    text = edit("zone: face", "zone: face  # mesosim: ignore[MS401]")
    assert rules(text, reg, ignore=("MS010",)) == []
    assert [f.severity for f in check_text(text, reg, "p.yaml", Options(
        severity={"MS010": "error"})).findings] == ["error"]


def test_suppressing_a_finding_the_config_ignores_is_not_unused(reg):
    text = deep("# mesosim: ignore[MS401] trainer agreed")
    assert rules(text, reg, ignore=("MS401",), report_unused_ignores=True) == []


def test_parse_positions():
    (s,) = parse("a: 1\n  # mesosim: ignore[MS4, MS5] why not\nb: 2\n")
    assert (s.line, s.at, s.codes, s.reason) == (3, (2, 3), ("MS4", "MS5"), "why not")
    assert parse("a: 1  # just a comment\n") == []


def test_report_unused_ignores_flag(monkeypatch, tmp_path):
    monkeypatch.setenv("MESOSIM_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(edit("zone: face", "zone: face  # mesosim: ignore[MS401] x"))
    runner = CliRunner()
    r = runner.invoke(cli, ["check", "p.yaml"])
    assert r.exit_code == 0 and r.output.startswith("1 file checked: 0 errors, 0 warnings")
    r = runner.invoke(cli, ["check", "--format", "json", "--report-unused-ignores", "p.yaml"])
    assert r.exit_code == 0  # MS011 is a warning
    (f,) = json.loads(r.output)["files"][0]["findings"]
    assert (f["rule"], f["line"], f["column"]) == ("MS011", 5, 13)
    (tmp_path / "mesosim.toml").write_text("report-unused-ignores = true\n")
    assert "MS011" in runner.invoke(cli, ["check", "p.yaml"]).output
    r = runner.invoke(cli, ["check", "--no-report-unused-ignores", "p.yaml"])
    assert r.exit_code == 0 and "MS011" not in r.output
