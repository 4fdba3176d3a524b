"""Output formats for CI (issue 5): SARIF against the official schema, JUnit XML, GitHub
workflow commands, ``--output`` and byte-identical output whatever ``--jobs``."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET

import pytest

from mesosim.report import REPORTERS
from mesosim.report.github import escape_data, escape_property
from mesosim.runner import check_paths

from .conftest import PROTOCOLS, ROOT
from .test_rules import BASE, edit

SCHEMA = os.path.join(ROOT, "tests", "data", "sarif-schema-2.1.0.json")


@pytest.fixture
def files(tmp_path, monkeypatch):
    """A clean file, one with an error, one with a warning and a broken one, in a folder with a
    space in its name; the working folder is their parent so paths are relative."""
    folder = tmp_path / "my protocols"
    folder.mkdir()
    (folder / "good.yaml").write_text(BASE)
    (folder / "deep.yaml").write_text(edit("depth: 1.5 mm", "depth: 4 mm"))
    (folder / "warn.yaml").write_text(edit("sessions: 6", "sessions: 30"))
    (folder / "broken.yaml").write_text("mesosim: 1\nid: [x\n")
    monkeypatch.chdir(tmp_path)
    return "my protocols"


def test_every_format_is_registered():
    assert set(REPORTERS) == {"text", "json", "sarif", "junit", "github", "gitlab"}


def test_sarif_validates_against_the_official_schema(run, files, reg):
    import jsonschema

    r = run("check", "--format", "sarif", files)
    assert r.exit_code == 1, r.output
    log = json.loads(r.output)
    with open(SCHEMA, encoding="utf-8") as fh:
        schema = json.load(fh)
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(log)
    # the schema is strict (additionalProperties: false): a misspelt property fails
    bad = json.loads(r.output)
    bad["runs"][0]["results"][0]["ruleID"] = "x"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(bad)


def test_sarif_rules_and_results(run, files, reg):
    log = json.loads(run("check", "--format", "sarif", files).output)
    (the_run,) = log["runs"]
    driver = the_run["tool"]["driver"]
    rules = driver["rules"]
    assert [x["id"] for x in rules] == sorted(reg.catalog.rules)
    for rule in rules:
        assert rule["name"] and rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    by_id = {x["id"]: x for x in rules}
    assert by_id["MS401"]["defaultConfiguration"]["level"] == "error"
    assert by_id["MS511"]["defaultConfiguration"]["level"] == "warning"
    results = the_run["results"]
    assert sorted(x["ruleId"] for x in results) == ["MS001", "MS401", "MS511"]
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        loc = res["locations"][0]["physicalLocation"]
        uri = loc["artifactLocation"]["uri"]
        assert uri.startswith("my%20protocols/") and "\\" not in uri
        assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1
    (deep,) = [x for x in results if x["ruleId"] == "MS401"]
    assert deep["level"] == "error"
    assert deep["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "my%20protocols/deep.yaml"
    assert deep["locations"][0]["physicalLocation"]["region"] == {"startLine": 24,
                                                                  "startColumn": 26}
    (warn,) = [x for x in results if x["ruleId"] == "MS511"]
    assert warn["level"] == "warning"
    assert the_run["invocations"] == [{"executionSuccessful": True}]


def test_sarif_help_uri_links_each_rule_to_its_section_of_the_rules_page(run, files, reg):
    """CI issue, item 4: ``helpUri`` per rule, an absolute URI (SARIF 3.49.12) read from the
    installed distribution's ``Project-URL: Rules``, whose anchor is the rule's heading on
    ``docs/rules.md`` (GitHub's heading slug: lower case, spaces to hyphens)."""
    import re
    from urllib.parse import urlsplit

    log = json.loads(run("check", "--format", "sarif", files).output)
    with open(os.path.join(ROOT, "docs", "rules.md"), encoding="utf-8") as fh:
        anchors = {re.sub(r"[^a-z0-9 -]", "", line[3:].strip().lower()).replace(" ", "-")
                   for line in fh if line.startswith("## ")}
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as fh:
        import tomllib

        page = tomllib.load(fh)["project"]["urls"]["Rules"]
    assert page.endswith("/docs/rules.md")
    builtin = [x for x in log["runs"][0]["tool"]["driver"]["rules"]
               if reg.catalog.rules[x["id"]].origin == "core"
               or reg.catalog.rules[x["id"]].origin in {p.name for p in reg.catalog.plugins
                                                       if p.distribution == "mesosim"}]
    assert len(builtin) == len(reg.catalog.rules) >= 45
    for rule in builtin:
        uri, _, anchor = rule["helpUri"].partition("#")
        assert uri == page and urlsplit(uri).scheme == "https"
        assert anchor in anchors, f"{rule['id']}: no heading #{anchor} on docs/rules.md"


def test_sarif_level_follows_a_severity_override(run, files, tmp_path):
    (tmp_path / "mesosim.toml").write_text('[severity]\nMS511 = "info"\n')
    log = json.loads(run("check", "--format", "sarif", files).output)
    (warn,) = [x for x in log["runs"][0]["results"] if x["ruleId"] == "MS511"]
    assert warn["level"] == "note"


def test_sarif_absolute_paths_become_relative(files, reg, tmp_path):
    report = check_paths([str(tmp_path / files / "deep.yaml")], reg)
    log = json.loads(REPORTERS["sarif"](report, reg.catalog, False))
    loc = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc["uri"] == "my%20protocols/deep.yaml"


def test_junit_one_suite_per_file_one_case_per_error(run, files):
    r = run("check", "--format", "junit", files)
    assert r.exit_code == 1
    root = ET.fromstring(r.output.encode("utf-8"))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert root.tag == "testsuites"
    assert sorted(suites) == [f"{files}/{n}.yaml" for n in ("broken", "deep", "good", "warn")]
    deep = suites[f"{files}/deep.yaml"]
    assert [c.find("failure").get("type") for c in deep.findall("testcase")] == ["MS401"]
    assert [f.get("type") for f in suites[f"{files}/broken.yaml"].iter("failure")] == ["MS001"]
    good = suites[f"{files}/good.yaml"]
    assert [c.get("name") for c in good.findall("testcase")] == ["no error"]
    warn = suites[f"{files}/warn.yaml"]
    assert warn.find("testcase/failure") is None and "MS511" in warn.findtext("system-out", "")
    # the counts add up: cases, failing cases, per suite and in all
    assert root.get("tests") == "4" and root.get("failures") == "2"
    for s in suites.values():
        assert int(s.get("tests")) == len(s.findall("testcase"))
        assert int(s.get("failures")) == len(s.findall("testcase/failure"))


def test_junit_four_errors_are_four_failing_cases_for_the_consumers_parsers(run, tmp_path):
    import junitparser
    import xunitparser

    from .test_rules import edit

    text = edit("conditions: []", "conditions: [pregnancy, pacemaker]")
    text = text.replace("depth: 1.5 mm", "depth: 9 mm").replace("interval: 7 d", "interval: 2 d")
    (tmp_path / "four.yaml").write_text(text)
    out = tmp_path / "junit.xml"
    r = run("check", "--format", "junit", "-o", str(out), str(tmp_path / "four.yaml"))
    assert r.exit_code == 1
    errors = [f for f in json.loads(run("check", "--format", "json", str(tmp_path / "four.yaml"))
                                    .output)["files"][0]["findings"] if f["severity"] == "error"]
    assert len(errors) == 4
    xml = junitparser.JUnitXml.fromfile(str(out))
    cases = [c for suite in xml for c in suite]
    assert len(cases) == 4 and all(len(c.result) == 1 for c in cases)
    assert sorted(c.result[0].type for c in cases) == sorted(f["rule"] for f in errors)
    with open(out, "rb") as fh:
        suite, result = xunitparser.parse(fh)
    assert result.testsRun == 4 and len(result.failures) == 4


def test_junit_is_valid_against_the_jenkins_junit_schema(run, files, tmp_path, monkeypatch):
    """CI issue, item 1: the report validates against the JUnit schema (tests/data/junit.xsd,
    Jenkins' junit-10.xsd restated) with xmlschema, for clean files, errors, warnings, a plugin
    refused and characters XML cannot hold; and the schema does reject what it must."""
    import xmlschema

    schema = xmlschema.XMLSchema(os.path.join(ROOT, "tests", "data", "junit.xsd"))
    out = run("check", "--format", "junit", files).output
    schema.validate(out)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ctl.json").write_text(json.dumps({"mesosim": 1, "id": "x", "bad\u0001key": 1}))
    schema.validate(run("check", "--format", "junit", "ctl.json").output)
    # the schema is not a rubber stamp: a `file` on a test case, a `skipped` on the root fail
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(out.replace("<testcase ", '<testcase file="x" ', 1))
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(out.replace("<testsuites ", '<testsuites skipped="0" ', 1))


def test_junit_survives_characters_xml_cannot_hold(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    doc = json.loads(json.dumps({"mesosim": 1, "id": "x", "bad\u0001key": 1}))
    (tmp_path / "ctl.json").write_text(json.dumps(doc))
    r = run("check", "--format", "junit", "ctl.json")
    root = ET.fromstring(r.output.encode("utf-8"))
    assert root.find("testsuite/testcase/failure") is not None


def test_github_workflow_commands(run, files):
    r = run("check", "--format", "github", files)
    assert r.exit_code == 1
    lines = r.output.splitlines()
    commands = [x for x in lines if x.startswith("::")]
    assert len(commands) == 3
    (deep,) = [x for x in commands if "title=MS401" in x]
    assert deep.startswith(f"::error file={files}/deep.yaml,line=24,col=26,title=MS401::")
    (warn,) = [x for x in commands if "title=MS511" in x]
    assert warn.startswith("::warning ")
    assert lines[-1].startswith("4 files checked")


def test_github_info_is_a_notice(run, files, tmp_path):
    (tmp_path / "mesosim.toml").write_text('[severity]\nMS511 = "info"\n')
    out = run("check", "--format", "github", files).output
    assert any(x.startswith("::notice ") and "title=MS511" in x for x in out.splitlines())


def test_github_escaping():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"


def test_github_escapes_a_path_with_a_comma(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a,b:c.yaml").write_text(edit("depth: 1.5 mm", "depth: 4 mm"))
    out = run("check", "--format", "github", "a,b:c.yaml").output
    assert out.startswith("::error file=a%2Cb%3Ac.yaml,line=24,col=26,title=MS401::")


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_output_file_keeps_the_exit_code(run, files, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    r = run("check", "--format", fmt, "-o", str(out), files)
    assert r.exit_code == 1 and r.output == ""
    assert out.read_text(encoding="utf-8") == run("check", "--format", fmt, files).output
    clean = run("check", "--format", fmt, "-o", str(out), f"{files}/good.yaml")
    assert clean.exit_code == 0
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".mesosim-")]  # no temp file left


def test_unknown_format_is_a_usage_error(run, files):
    r = run("check", "--format", "xml", files)
    assert r.exit_code == 2 and "sarif" in r.output


GALLERY = os.path.relpath(PROTOCOLS, ROOT)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_jobs_do_not_change_a_byte(run, fmt, monkeypatch):
    """``--jobs 1`` and ``--jobs 4`` give the same bytes on the whole gallery (issue 5)."""
    monkeypatch.chdir(ROOT)
    one = run("check", "--format", fmt, "--jobs", "1", GALLERY)
    four = run("check", "--format", fmt, "--jobs", "4", GALLERY)
    assert one.exit_code == four.exit_code == 1
    assert one.output.count("\n") > 40
    assert one.output == four.output


def _readme_block(after: str, lang: str) -> str:
    """The first fenced ``lang`` block of the README after the text ``after``."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    rest = text[text.index(after):]
    start = rest.index(f"```{lang}\n") + len(lang) + 4
    return rest[start:rest.index("```", start)]


def test_pre_commit_reads_the_hook_and_the_readme_configuration(run, tmp_path, monkeypatch):
    """CI issue, done-when: pre-commit's own code reads the hook manifest and the README's
    ``.pre-commit-config.yaml`` (placeholders filled), picks the staged files its way (the
    hook's ``files`` and ``types``), and the hook's entry run on them checks the protocol only."""
    import shlex
    import types

    from pre_commit.clientlib import load_config, load_manifest
    from pre_commit.commands.run import Classifier

    (hook,) = load_manifest(os.path.join(ROOT, ".pre-commit-hooks.yaml"))
    assert hook["id"] == "mesosim" and hook["language"] == "python"
    with open(os.path.join(ROOT, "CHANGELOG.md"), encoding="utf-8") as fh:
        released = re.findall(r"^## (\d+\.\d+\.\d+) \(\d{4}-\d\d-\d\d\)", fh.read(), re.M)
    config = _readme_block("With [pre-commit]", "yaml")
    (tag,) = re.findall(r"rev: (\S+)", config)
    assert tag.lstrip("v") in released, f"the README pins {tag}: not a release of CHANGELOG.md"
    (tmp_path / ".pre-commit-config.yaml").write_text(
        config.replace("<URL of the mesosim repository>", "https://example.com/mesosim.git"))
    repos = load_config(str(tmp_path / ".pre-commit-config.yaml"))["repos"]
    assert [h["id"] for h in repos[0]["hooks"]] == ["mesosim"] and repos[0]["rev"] == tag

    monkeypatch.chdir(tmp_path)
    os.makedirs(".github/workflows")
    (tmp_path / ".github/workflows/ci.yml").write_text("on: push\njobs: {}\n")
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}\n')
    (tmp_path / "notes.txt").write_text("not yaml\n")
    (tmp_path / "p.yaml").write_text(edit("depth: 1.5 mm", "depth: 9 mm"))
    staged = [".pre-commit-config.yaml", ".github/workflows/ci.yml", "package.json",
              "notes.txt", "p.yaml"]
    picked = list(Classifier.from_config(staged, "", "^$").filenames_for_hook(
        types.SimpleNamespace(**hook)))
    assert "notes.txt" not in picked and "p.yaml" in picked and "package.json" in picked
    r = run(*shlex.split(hook["entry"])[1:], "-f", "json", *picked)
    assert r.exit_code == 1
    assert [f["path"] for f in json.loads(r.output)["files"]] == ["p.yaml"]


def test_the_hook_checks_only_protocols(run, tmp_path, monkeypatch):
    """What pre-commit hands over (CI issue, item 2): a workflow, the hook's own configuration
    and a package.json are left alone; a protocol that lacks `mesosim:` is still a finding."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".pre-commit-config.yaml").write_text(
        "repos:\n  - repo: x\n    rev: v0.2.0\n    hooks:\n      - id: mesosim\n")
    (tmp_path / "ci.yml").write_text("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n")
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}\n')
    staged = [".pre-commit-config.yaml", "ci.yml", "package.json"]
    r = run("check", "--protocols-only", *staged)
    assert r.exit_code == 0 and "no protocol" in r.output
    (tmp_path / "p.yaml").write_text(BASE.replace("mesosim: 1\n", ""))
    r = run("check", "--protocols-only", "-f", "json", *staged, "p.yaml")
    files = json.loads(r.output)["files"]
    assert r.exit_code == 1 and [f["path"] for f in files] == ["p.yaml"]
    assert "MS105" in {x["rule"] for x in files[0]["findings"]}


def test_ci_formats_are_not_imported_by_a_text_check():
    import subprocess
    import sys

    code = ("import sys; from mesosim.cli import run_main; run_main(['check','--help'])\n"
            "print(sorted(m for m in sys.modules if m.startswith(('xml', 'jsonschema', 'csv',"
            " 'mesosim.report.sarif', 'mesosim.report.junit', 'mesosim.report.github',"
            " 'mesosim.classroom'))))")
    out = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def _gallery_results(reg, jobs: int, **kw):
    report = check_paths([os.path.join(PROTOCOLS, "manual-injection")], reg, jobs=jobs, **kw)
    return [(r.path, r.findings) for r in report.files]


def test_spawned_workers_give_the_same_results(reg, monkeypatch):
    """The spawn path (macOS, Windows) builds each worker's host from the recipe."""
    import sys

    one = _gallery_results(reg, 1)
    monkeypatch.setattr(sys, "platform", "darwin")
    from mesosim.plugin.host import HostRecipe

    assert _gallery_results(reg, 2, recipe=HostRecipe(autoload=False)) == one


def test_forked_workers_inherit_the_overridden_registry(reg, tmp_path):
    from mesosim.config import load_config
    from mesosim.overrides import apply_overrides

    (tmp_path / "mesosim.toml").write_text(
        '[[override]]\ntechnique = "manual-injection"\nparameter = "injection.depth"\n'
        'zone = "face"\nmax = "3 mm"\n')
    school = reg.with_catalog(apply_overrides(
        reg.catalog, load_config(str(tmp_path / "mesosim.toml")).overrides))
    one = _gallery_results(school, 1)
    assert one != _gallery_results(reg, 1)  # the override changes the deep-on-face finding
    assert _gallery_results(school, 3) == one


def test_locations_are_relative_to_the_repository_root(run, tmp_path, monkeypatch):
    """CI issue, item 4: run from a sub-folder, SARIF and GitHub annotations still name the
    file from the repository's root (code scanning cannot place ../protocols/p.yaml)."""
    from pathlib import Path

    (tmp_path / ".git").mkdir()
    (tmp_path / "protocols").mkdir()
    (tmp_path / "tools").mkdir()
    (tmp_path / "protocols" / "p.yaml").write_text(edit("depth: 1.5 mm", "depth: 4 mm"))
    monkeypatch.chdir(tmp_path / "tools")
    log = json.loads(run("check", "--format", "sarif", "../protocols").output)
    run0 = log["runs"][0]
    loc = run0["results"][0]["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"] == {"uri": "protocols/p.yaml",
                                                           "uriBaseId": "%SRCROOT%"}
    assert run0["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    assert loc["logicalLocations"][0]["fullyQualifiedName"] == "/session/steps/5/injection/depth"
    assert len(run0["results"][0]["partialFingerprints"]["mesosimFinding/v1"]) == 64
    gh = run("check", "--format", "github", "../protocols").output
    assert "file=protocols/p.yaml," in gh
    assert Path("../protocols/p.yaml").exists()


#: GitLab's Code Quality format as its documentation states it (the fields GitLab reads;
#: docs.gitlab.com, "Code Quality", implementing a custom tool)
GITLAB_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {"type": "object", "required": ["path", "lines"], "properties": {
                "path": {"type": "string", "pattern": "^[^/]"},
                "lines": {"type": "object", "required": ["begin"],
                          "properties": {"begin": {"type": "integer", "minimum": 1}}}}},
        },
    },
}


def test_gitlab_code_quality_follows_the_documented_format(run, tmp_path, monkeypatch):
    import jsonschema

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    text = edit("conditions: []", "conditions: [pregnancy, pacemaker]").replace(
        "depth: 1.5 mm", "depth: 4 mm")
    (tmp_path / "p.yaml").write_text(text)
    issues = json.loads(run("check", "-f", "gitlab", "p.yaml").output)
    jsonschema.validate(issues, GITLAB_SCHEMA)
    assert len(issues) == 3 and len({i["fingerprint"] for i in issues}) == 3
    assert {i["location"]["path"] for i in issues} == {"p.yaml"}
    # the fingerprints survive lines added above the findings
    (tmp_path / "p.yaml").write_text("# a note\n# another\n" + text)
    again = json.loads(run("check", "-f", "gitlab", "p.yaml").output)
    assert sorted(i["fingerprint"] for i in again) == sorted(i["fingerprint"] for i in issues)
    assert [i["location"]["lines"]["begin"] for i in again] != [
        i["location"]["lines"]["begin"] for i in issues]


def _readme_ci_commands() -> list[str]:
    """Every ``mesosim check`` command of the README's CI section's code blocks."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    section = text[text.index("\n## CI\n"):text.index("\n## Classroom\n")]
    blocks = re.findall(r"```[a-z]*\n(.*?)```", section, re.S)
    return [m.split(" || ")[0].strip().rstrip("'")
            for block in blocks for m in re.findall(r"(mesosim check [^\n#]*)", block)]


def test_the_readme_ci_set_ups_write_what_their_consumers_read(run, tmp_path, monkeypatch):
    """CI issue, done-when: each CI command of the README, run as written on a folder of
    protocols, writes a file its consumer accepts: SARIF by the SARIF schema, JUnit by Jenkins'
    schema and junitparser, Code Quality by GitLab's fields."""
    import shlex

    import jsonschema
    import junitparser
    import xmlschema

    commands = _readme_ci_commands()
    outputs = {shlex.split(c)[shlex.split(c).index("-o") + 1]: c for c in commands if " -o " in c}
    assert set(outputs) >= {"mesosim.sarif", "gl-code-quality.json", "mesosim.xml"}
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "protocols").mkdir()
    (tmp_path / "protocols" / "good.yaml").write_text(BASE)
    (tmp_path / "protocols" / "deep.yaml").write_text(edit("depth: 1.5 mm", "depth: 9 mm"))
    for command in outputs.values():
        r = run(*shlex.split(command)[1:])
        assert r.exit_code == 1, (command, r.output)
    with open(SCHEMA, encoding="utf-8") as fh:
        jsonschema.Draft4Validator(json.load(fh)).validate(
            json.loads((tmp_path / "mesosim.sarif").read_text()))
    jsonschema.validate(json.loads((tmp_path / "gl-code-quality.json").read_text()),
                        GITLAB_SCHEMA)
    xmlschema.XMLSchema(os.path.join(ROOT, "tests", "data", "junit.xsd")).validate(
        str(tmp_path / "mesosim.xml"))
    cases = [c for suite in junitparser.JUnitXml.fromfile(str(tmp_path / "mesosim.xml"))
             for c in suite]
    assert sorted((c.classname, bool(c.result)) for c in cases) == [
        ("protocols/deep.yaml", True), ("protocols/good.yaml", False)]
