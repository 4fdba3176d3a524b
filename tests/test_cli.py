"""The command line: exit codes, output shapes, and every command of the foundation."""

from __future__ import annotations

import json
import os

import pytest

import mesosim

from .conftest import PROTOCOLS
from .test_rules import BASE, edit


@pytest.fixture
def files(tmp_path):
    (tmp_path / "good.yaml").write_text(BASE)
    (tmp_path / "deep.yaml").write_text(edit("depth: 1.5 mm", "depth: 4 mm"))
    (tmp_path / "broken.yaml").write_text("mesosim: 1\nid: [x\n")
    return tmp_path


def test_clean_file_exits_0(run, files):
    r = run("check", str(files / "good.yaml"))
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "1 file checked: 0 errors, 0 warnings"


def test_errors_exit_1_and_other_files_still_checked(run, files):
    r = run("check", str(files))
    assert r.exit_code == 1, r.output
    lines = r.output.splitlines()
    assert any(line.startswith(f"{files / 'broken.yaml'}:3:1: MS001 [error]") for line in lines)
    assert any(f"{files / 'deep.yaml'}:24:26: MS401 [error]" in line for line in lines)
    assert lines[-1] == "3 files checked: 2 errors, 0 warnings"
    assert "Traceback" not in r.output


def test_usage_errors_exit_2(run, files):
    assert run("check", str(files / "missing.yaml")).exit_code == 2
    assert run("check", "--format", "nope", str(files)).exit_code == 2
    assert run("check", "--bogus", str(files)).exit_code == 2
    assert run("explain", "MS999").exit_code == 2
    assert run("techniques", "show", "no-such-technique").exit_code == 2


def test_json_format(run, files):
    r = run("check", "--format", "json", str(files))
    data = json.loads(r.output)
    assert data["version"] == 1
    assert data["summary"] == {"files": 3, "errors": 2, "warnings": 0, "suppressed": 0,
                               "exit_code": 1}
    (deep,) = [f for f in data["files"] if f["path"].endswith("deep.yaml")]
    (finding,) = deep["findings"]
    assert set(finding) >= {"rule", "kind", "severity", "line", "column", "message", "technique",
                            "source"}
    assert (finding["rule"], finding["kind"], finding["source"]) == ("MS401", "depth", "002:11")


def test_output_file(run, files, tmp_path):
    out = tmp_path / "report.json"
    r = run("check", "--format", "json", "-o", str(out), str(files / "deep.yaml"))
    assert r.exit_code == 1 and r.output == ""
    assert json.loads(out.read_text())["summary"]["errors"] == 1


def test_output_never_overwrites_a_protocol(run, files):
    before = (files / "good.yaml").read_text()
    r = run("check", "-o", str(files / "good.yaml"), str(files))
    assert r.exit_code == 2 and "never writes over a protocol" in r.output
    assert (files / "good.yaml").read_text() == before


def test_rules_and_explain(run):
    r = run("rules")
    assert r.exit_code == 0 and "MS401  depth" in r.output
    r = run("explain", "ms401")
    assert r.exit_code == 0
    assert "MS401 depth-out-of-range" in r.output and "manual-injection" in r.output
    assert "[002:11]" in r.output


def test_techniques(run):
    r = run("techniques")
    assert r.exit_code == 0 and "manual-injection" in r.output
    assert f"mesosim {mesosim.__version__}" in r.output
    r = run("techniques", "show", "manual-injection")
    assert r.exit_code == 0
    assert "disinfection -> anesthesia" in r.output and "injection.depth [face]: 1.5-2 mm [002:11]" \
        in r.output
    data = json.loads(run("techniques", "--json").output)
    assert any(t["name"] == "manual-injection" for t in data["techniques"])


def test_version_does_not_load_plugins(run, monkeypatch):
    import mesosim
    import mesosim.plugin.host

    def boom(**_kw):
        raise AssertionError("plugins loaded for --version")

    monkeypatch.setattr(mesosim.plugin.host, "load_host", boom)
    r = run("--version")
    assert r.exit_code == 0 and mesosim.__version__ in r.output


def test_schema_validates_the_valid_gallery(run):
    import jsonschema

    from mesosim.loader import iter_files, load_file

    schema = json.loads(run("schema").output)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    valid = [f for f in iter_files([PROTOCOLS]) if os.sep + "valid" + os.sep in f]
    assert valid
    for path in valid:
        data = json.loads(json.dumps(load_file(path).data, default=str))
        errors = list(validator.iter_errors(data))
        assert not errors, (path, [e.message for e in errors])
    bad = json.loads(json.dumps(load_file(valid[0]).data, default=str))
    bad["session"]["steps"].append({"injection": {"depth": "2 ml"}})
    assert list(validator.iter_errors(bad))


def test_jobs_default_is_parallel_only_for_many_files(tmp_path, reg, monkeypatch):
    import mesosim.runner as runner

    seen = []
    monkeypatch.setattr(runner, "_check_in_pool",
                        lambda files, *a, **k: seen.append((len(files), a[2])) or [])
    for i in range(3):
        (tmp_path / f"p{i}.yaml").write_text(BASE)
    runner.check_paths([str(tmp_path)], reg, jobs=0)
    assert seen == []  # 3 files: checked in this process
    for i in range(3, runner.AUTO_JOBS_MIN_FILES):
        (tmp_path / f"p{i}.yaml").write_text(BASE)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    runner.check_paths([str(tmp_path)], reg, jobs=0)
    assert seen == [(runner.AUTO_JOBS_MIN_FILES, 4)]


# --- the usual flags (CI issue, item 6) -----------------------------------------------------

_WARN_ONLY = os.path.join(os.path.dirname(__file__), "..", "protocols", "roller", "invalid",
                          "course-too-short.yaml")
_ERRORS = os.path.join(os.path.dirname(__file__), "..", "protocols", "roller", "invalid")


def test_fail_level_and_exit_zero(run):
    assert run("check", _WARN_ONLY).exit_code == 0
    assert run("check", "--fail-level", "warning", _WARN_ONLY).exit_code == 1
    assert run("check", "--fail-level", "info", _WARN_ONLY).exit_code == 1
    assert run("check", _ERRORS).exit_code == 1
    assert run("check", "--exit-zero", _ERRORS).exit_code == 0
    assert run("check", "--fail-level", "bogus", _ERRORS).exit_code == 2


def test_quiet_prints_nothing_but_still_writes_the_report(run, tmp_path):
    r = run("check", "-q", _ERRORS)
    assert r.exit_code == 1 and r.output == ""
    out = tmp_path / "r.json"
    assert run("check", "-q", "-f", "json", "-o", str(out), _ERRORS).exit_code == 1
    assert json.loads(out.read_text())["summary"]["errors"] > 0


def test_statistics_count_findings_per_rule(run):
    r = run("check", "--statistics", _ERRORS)
    report = json.loads(run("check", "-f", "json", _ERRORS).output)
    from collections import Counter

    counts = Counter(f["rule"] for x in report["files"] for f in x["findings"])
    tail = r.output.splitlines()[-len(counts):]
    assert {line.split()[1]: int(line.split()[0]) for line in tail} == dict(counts)


def test_rules_as_json(run):
    data = json.loads(run("rules", "--format", "json").output)
    codes = [r["code"] for r in data["rules"]]
    assert codes == sorted(codes) and "MS401" in codes
    assert {"code", "name", "kind", "severity", "summary", "explanation", "origin"} <= set(
        data["rules"][0])


# --- baselines (CI issue, item 5) -------------------------------------------------------------


def test_a_baseline_survives_a_line_shift_and_still_reports_a_new_finding(run, tmp_path,
                                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p").mkdir()
    text = edit("depth: 1.5 mm", "depth: 4 mm")
    (tmp_path / "p" / "a.yaml").write_text(text)
    r = run("check", "--write-baseline", "baseline.json", "p")
    assert r.exit_code == 0
    assert run("check", "--baseline", "baseline.json", "p").exit_code == 0
    # lines added above the known finding, and a step inserted before it: still known
    shifted = ("# a comment\n# another\n" + text).replace("    - consultation\n",
                                                           "    - consultation\n    - cleansing\n")
    (tmp_path / "p" / "a.yaml").write_text(shifted)
    r = run("check", "--baseline", "baseline.json", "-f", "json", "p")
    assert r.exit_code == 0, r.output
    # a new violation in the same file is reported
    (tmp_path / "p" / "a.yaml").write_text(shifted.replace("interval: 7 d", "interval: 2 d"))
    r = run("check", "--baseline", "baseline.json", "-f", "json", "p")
    assert r.exit_code == 1
    assert [f["rule"] for f in json.loads(r.output)["files"][0]["findings"]] == ["MS501"]
    # the baseline, in the checked folder, is never checked as a protocol
    assert run("check", "-f", "json", ".").output.count('"path"') == 1


def test_a_second_finding_of_a_recorded_kind_is_new(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text(edit("conditions: []", "conditions: [pacemaker]"))
    run("check", "--write-baseline", "b.json", "a.yaml")
    (tmp_path / "a.yaml").write_text(edit("conditions: []", "conditions: [pacemaker, pregnancy]"))
    r = run("check", "--baseline", "b.json", "-f", "json", "a.yaml")
    found = json.loads(r.output)["files"][0]["findings"]
    assert r.exit_code == 1 and [f["rule"] for f in found] == ["MS601"]


@pytest.mark.parametrize("content", ["not json", '{"version": 9, "findings": []}',
                                     '{"version": 1, "findings": [{"path": 1}]}'])
def test_a_bad_baseline_is_a_usage_error(run, tmp_path, content):
    (tmp_path / "b.json").write_text(content)
    r = run("check", "--baseline", str(tmp_path / "b.json"), PROTOCOLS)
    assert r.exit_code == 2 and "baseline" in r.output


# --- standard input and source snippets (CI issue, item 6) -----------------------------------


def _invoke(args, stdin: str | bytes):
    from click.testing import CliRunner

    from mesosim.cli import cli

    return CliRunner().invoke(cli, args, input=stdin, catch_exceptions=False)


def test_a_protocol_on_standard_input_is_checked_as_its_name_says(tmp_path, monkeypatch):
    monkeypatch.setenv("MESOSIM_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "mesosim.toml").write_text('ignore = ["MS4"]\n')
    deep = edit("depth: 1.5 mm", "depth: 4 mm")
    r = _invoke(["check", "-f", "json", "-"], deep)
    assert r.exit_code == 1
    [f] = json.loads(r.output)["files"]
    assert f["path"] == "stdin.yaml" and [x["rule"] for x in f["findings"]] == ["MS401"]
    # the configuration nearest to the name applies; nothing is written at that name
    r = _invoke(["check", "-f", "json", "--stdin-filename", "team/p.yaml", "-"], deep)
    assert r.exit_code == 0 and json.loads(r.output)["files"][0]["findings"] == []
    assert not (tmp_path / "team" / "p.yaml").exists()
    assert _invoke(["check", "-", "other.yaml"], deep).exit_code == 2
    assert _invoke(["check", "-"], b"\x00\x01").exit_code == 1
    big = _invoke(["check", "--max-file-size", "100", "-"], deep)  # read no more than allowed
    assert big.exit_code == 1 and "MS003" in big.output and "over the limit" in big.output


def test_show_source_puts_a_caret_under_the_column(run, tmp_path):
    (tmp_path / "p.yaml").write_text(edit("depth: 1.5 mm", "depth: 4 mm"))
    r = run("check", "--show-source", str(tmp_path / "p.yaml"))
    lines = r.output.splitlines()
    i = next(k for k, x in enumerate(lines) if "MS401" in x)
    col = int(lines[i].split(":")[2])
    assert "depth: 4 mm" in lines[i + 1]
    source_line = lines[i + 1].split("| ", 1)[1]
    caret = lines[i + 2].split("| ", 1)[1]
    assert caret.index("^") == col - 1 and source_line[col - 1:].startswith("4 mm")


@pytest.mark.parametrize("args, env, coloured", [
    (["--color"], {}, True), (["--color", "always"], {}, True), (["--color=never"], {}, False),
    ([], {}, False), ([], {"FORCE_COLOR": "1"}, True), (["--no-color"], {"FORCE_COLOR": "1"}, False),
    (["--color", "auto"], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, True),
])
def test_colour_follows_the_flag_then_force_color_then_no_color(capsys, monkeypatch, args, env,
                                                                coloured):
    from mesosim.cli import run_main

    monkeypatch.setenv("MESOSIM_DISABLE_PLUGIN_AUTOLOAD", "1")
    for k in ("FORCE_COLOR", "NO_COLOR"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    code = run_main(["check", *args, _WARN_ONLY])  # standard output is a pipe here
    assert code == 0
    assert ("\x1b[" in capsys.readouterr().out) is coloured


def test_shell_completion_as_the_readme_documents_it():
    import subprocess
    import sys

    env = {**os.environ, "_MESOSIM_COMPLETE": "bash_source"}
    script = subprocess.run([sys.executable, "-P", "-c", "from mesosim.cli import main; main()"],
                            env=env, capture_output=True, text=True, check=False)
    assert "_mesosim_completion" in script.stdout
    env.update(_MESOSIM_COMPLETE="bash_complete", COMP_WORDS="mesosim ch", COMP_CWORD="1")
    words = subprocess.run([sys.executable, "-P", "-c", "from mesosim.cli import main; main()"],
                           env=env, capture_output=True, text=True, check=False)
    assert "check" in words.stdout


@pytest.mark.parametrize("typed,meant", [("chek", "check"), ("simulat", "simulate"),
                                         ("techniqes", "techniques"), ("rule", "rules")])
def test_a_mistyped_command_is_told_the_closest_ones(run, typed, meant):
    """The commands are loaded when they run; an unknown name still gets click's "did you
    mean", which looks among the loaded commands (all of them, then)."""
    r = run(typed, "x")
    assert r.exit_code == 2
    assert f"No such command '{typed}'" in r.output and f"'{meant}'" in r.output
    assert "Did you mean" in r.output
