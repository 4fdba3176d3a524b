"""Configuration (issue 5): every setting, bad values with file and line, finding the file by
walking up, ``pyproject.toml [tool.mesosim]`` against ``mesosim.toml``, ``--config`` and
``mesosim config``."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from mesosim.cli import cli
from mesosim.config import ConfigError, find_config, load_config
from mesosim.runner import Options, path_matches

from .conftest import PROTOCOLS
from .test_rules import BASE, edit

DEEP = edit("depth: 1.5 mm", "depth: 2.2 mm")  # MS401 on line 24 (face allows 1.5-2 mm)
LONG = edit("sessions: 6", "sessions: 30")  # MS511 warning on line 14
NO_SPORT = edit("  sport: 7 d\n", "")  # MS702 (an error since round 2)


@pytest.fixture
def run(monkeypatch, tmp_path):
    monkeypatch.setenv("MESOSIM_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.chdir(tmp_path)

    def _run(*args: str):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return _run


def findings(run, *args: str) -> list[tuple[str, str, str]]:
    """``(file name, rule, severity)`` of ``mesosim check --format json ARGS``."""
    r = run("check", "--format", "json", *args)
    assert r.exit_code in (0, 1), r.output
    data = json.loads(r.output)
    return sorted((f["path"].rsplit("/", 1)[-1], x["rule"], x["severity"])
                  for f in data["files"] for x in f["findings"])


def write(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


# --- every setting --------------------------------------------------------------------------

def test_select_and_ignore_by_code_and_prefix(run, tmp_path):
    write(tmp_path / "p" / "a.yaml", DEEP)
    write(tmp_path / "p" / "b.yaml", LONG)
    assert findings(run, "p") == [("a.yaml", "MS401", "error"), ("b.yaml", "MS511", "warning")]
    write(tmp_path / "mesosim.toml", 'select = ["MS4"]\n')
    assert findings(run, "p") == [("a.yaml", "MS401", "error")]
    write(tmp_path / "mesosim.toml", 'ignore = ["MS401"]\n')
    assert findings(run, "p") == [("b.yaml", "MS511", "warning")]
    write(tmp_path / "mesosim.toml", 'select = "MS"\nignore = ["MS5"]\n')
    assert findings(run, "p") == [("a.yaml", "MS401", "error")]
    # the command line adds to the file: --ignore extends, --select replaces
    assert findings(run, "p", "--ignore", "ms4") == []
    assert findings(run, "p", "--select", "MS511") == []  # MS5 is still ignored by the file
    write(tmp_path / "mesosim.toml", 'ignore = ["MS4"]\n')
    assert findings(run, "p", "--select", "MS511,MS401") == [("b.yaml", "MS511", "warning")]


def test_severity_per_rule(run, tmp_path):
    write(tmp_path / "p" / "b.yaml", LONG)
    write(tmp_path / "mesosim.toml", '[severity]\nMS511 = "error"\n')
    assert findings(run, "p") == [("b.yaml", "MS511", "error")]
    assert run("check", "p").exit_code == 1
    write(tmp_path / "mesosim.toml", '[severity]\nMS511 = "info"\n')
    assert findings(run, "p") == [("b.yaml", "MS511", "info")]


def test_per_file_ignores_by_glob(run, tmp_path):
    write(tmp_path / "p" / "examples" / "a.yaml", DEEP)
    write(tmp_path / "p" / "real" / "a.yaml", DEEP)
    write(tmp_path / "mesosim.toml", '[per-file-ignores]\n"examples/*" = ["MS4"]\n')
    r = run("check", "--format", "json", "p")
    data = json.loads(r.output)
    assert [(f["path"], [x["rule"] for x in f["findings"]]) for f in data["files"]] == [
        ("p/examples/a.yaml", []), ("p/real/a.yaml", ["MS401"])]


def test_exclude_globs(run, tmp_path):
    write(tmp_path / "p" / "drafts" / "a.yaml", DEEP)
    write(tmp_path / "p" / "b.json", "{")
    write(tmp_path / "p" / "c.yaml", BASE)
    write(tmp_path / "mesosim.toml", 'exclude = ["drafts", "*.json"]\n')
    data = json.loads(run("check", "--format", "json", "p").output)
    assert [f["path"] for f in data["files"]] == ["p/c.yaml"]
    # the same from inside the folder and with an absolute path
    assert [f["path"] for f in json.loads(run("check", "--format", "json", str(tmp_path / "p")
                                              ).output)["files"]] == [str(tmp_path / "p" / "c.yaml")]


def test_path_matches():
    assert path_matches("./course/drafts/a.yaml", "drafts")
    assert path_matches("course/drafts/a.yaml", "drafts/*")
    assert path_matches("/abs/course/x.json", "*.json")
    assert path_matches("examples/a.yaml", "./examples/")
    assert not path_matches("course/final/a.yaml", "drafts")
    assert not path_matches("course/drafts2/a.yaml", "drafts")


def test_max_file_size_and_report_unused_ignores(run, tmp_path):
    write(tmp_path / "p" / "a.yaml", edit("zone: face", "zone: face  # mesosim: ignore[MS4] why"))
    assert findings(run, "p") == []
    write(tmp_path / "mesosim.toml", "report-unused-ignores = true\n")
    assert findings(run, "p") == [("a.yaml", "MS011", "warning")]
    write(tmp_path / "mesosim.toml", "max-file-size = 100\n")
    assert findings(run, "p") == [("a.yaml", "MS003", "error")]


def test_technique_range_override(run, tmp_path):
    write(tmp_path / "p" / "a.yaml", DEEP)
    write(tmp_path / "mesosim.toml", """\
# our school allows a little deeper on the face
[[override]]
technique = "manual-injection"
parameter = "injection.depth"
zone = "face"
max = "2.5 mm"
""")
    assert findings(run, "p") == []
    write(tmp_path / "p" / "a.yaml", edit("depth: 1.5 mm", "depth: 2.6 mm"))
    data = json.loads(run("check", "--format", "json", "p").output)
    (f,) = data["files"][0]["findings"]
    assert f["rule"] == "MS401" and "1.5-2.5 mm" in f["message"]
    assert f["source"] == "mesosim.toml:2"


def test_override_with_both_bounds_and_a_top_range():
    cfg = _load("""\
[[override]]
technique = "manual-injection"
parameter = "interval"
min = "5 d"
max = "21 d"
note = "school rule"
""")
    (ov,) = cfg.overrides
    assert (ov.range.min, ov.range.max, ov.range.unit, ov.range.note) == (5, 21, "d", "school rule")


# --- bad values -----------------------------------------------------------------------------

def _load(text: str, name: str = "mesosim.toml", tmp=None):
    import os
    import tempfile

    folder = tmp or tempfile.mkdtemp()
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return load_config(path)


@pytest.mark.parametrize(("text", "line", "words"), [
    ('select = ["MS4"]\nignor = ["MS702"]\n', 2, ["unknown setting 'ignor'",
                                                  "did you mean 'ignore'"]),
    ('\n\nselect = 3\n', 3, ["'select' must be a list of strings", "a number"]),
    ('ignore = ["ms401"]\n', 1, ["'ms401' in 'ignore' is not a rule code", "did you mean 'MS401'"]),
    ('ignore = ["MS-1"]\n', 1, ["is not a rule code or prefix"]),
    ('[severity]\n\nMS502 = "eror"\n', 3, ["severity of MS502 is 'eror'",
                                            "did you mean 'error'"]),
    ('[severity]\nMS5 = "error"\n', 2, ["'MS5' in 'severity' is not a rule code"]),
    ('severity = "error"\n', 1, ["'severity' must be a table"]),
    ('max-file-size = -3\n', 1, ["'max-file-size' must be a positive"]),
    ('max-file-size = true\n', 1, ["'max-file-size' must be a positive"]),
    ('report-unused-ignores = "yes"\n', 1, ["must be true or false"]),
    ('[per-file-ignores]\n"a/*" = ["MS1", 4]\n', 2, ["must be a list of strings"]),
    ('exclude = [1]\n', 1, ["'exclude' must be a list of strings"]),
    ('[[override]]\ntechnique = "roller"\nparameter = "rolling.needle_length"\nmaxx = "1 mm"\n', 4,
     ["unknown override key 'maxx'", "did you mean 'max'"]),
    ('[[override]]\ntechnique = "roller"\nparameter = "rolling.needle_length"\n', 1,
     ["needs 'min', 'max' or both"]),
    ('[[override]]\ntechnique = "roller"\nmax = "1 mm"\n', 1, ["needs 'parameter'"]),
    ('[[override]]\ntechnique = "roller"\nparameter = "rolling.needle_length"\nzone = "feet"\n'
     'max = "1 mm"\n', 4, ["zone 'feet' is not one of"]),
    ('[[override]]\ntechnique = "roller"\nparameter = "interval"\nmax = "1 mm"\n', 4,
     ["override 'max'"]),
    ('[[override]]\ntechnique = "roller"\nparameter = "injection.depth"\nmin = "2 mm"\n'
     'max = "1 mm"\n', 1, ["min 2.0 > max 1.0"]),
    ('[[override]]\ntechnique = "roller"\nparameter = "injection.depth"\nmax = [1]\n', 4,
     ["must be a quantity"]),
    ('override = 3\n', 1, ["[[override]] tables"]),
    ('select = [\n', 1, ["invalid TOML"]),
    ('a = 1\na = 2\n', 2, ["invalid TOML"]),
])
def test_bad_values_name_file_and_line(tmp_path, text, line, words):
    with pytest.raises(ConfigError) as err:
        _load(text, tmp=str(tmp_path))
    message = str(err.value)
    assert message.startswith(f"{tmp_path / 'mesosim.toml'}:{line}"), message
    for w in words:
        assert w in message, message


def test_second_override_error_points_at_its_own_table(tmp_path):
    text = ('[[override]]\ntechnique = "roller"\nparameter = "interval"\nmax = "9 d"\n\n'
            '[[override]]\ntechnique = "roller"\nparameter = "interval"\nzone = "feet"\nmax = "9 d"\n')
    with pytest.raises(ConfigError, match=r"mesosim.toml:9: zone 'feet'"):
        _load(text, tmp=str(tmp_path))


def test_pyproject_lines_skip_other_tools_tables(tmp_path):
    text = ('[tool.ruff]\nselect = ["E"]\nignore = ["E501"]\n\n[tool.mesosim]\nselect = ["MS"]\n'
            'ignore = ["ms7"]\n')
    with pytest.raises(ConfigError) as err:
        _load(text, "pyproject.toml", tmp=str(tmp_path))
    assert str(err.value).startswith(f"{tmp_path / 'pyproject.toml'}:7: 'ms7'")


@pytest.mark.parametrize(("text", "words"), [
    ('ignore = ["MS799"]\n', "mesosim.toml:1: 'MS799' in 'ignore' matches no rule"),
    ('[severity]\nMS999 = "info"\n', "mesosim.toml:2: 'MS999' in 'severity' matches no rule"),
    ('[[override]]\ntechnique = "rollr"\nparameter = "interval"\nmax = "9 d"\n',
     "mesosim.toml:1: override names unknown technique 'rollr'"),
    ('\n[[override]]\ntechnique = "roller"\nparameter = "injection.depht"\nmax = "9 mm"\n',
     "mesosim.toml:2: roller has no parameter 'injection.depht'"),
    ('[[override]]\ntechnique = "roller"\nparameter = "rolling.needle_length"\nmax = "9 ml"\n',
     "the override is in 'ml'"),
])
def test_check_exits_2_for_a_bad_config(run, tmp_path, text, words):
    write(tmp_path / "p" / "a.yaml", BASE)
    write(tmp_path / "mesosim.toml", text)
    r = run("check", "p")
    assert r.exit_code == 2
    assert words in r.output and "Traceback" not in r.output
    assert run("config", "p").exit_code == 2


def test_check_exits_2_for_an_invalid_toml(run, tmp_path):
    write(tmp_path / "p" / "a.yaml", BASE)
    write(tmp_path / "mesosim.toml", 'select = ["MS"\n')
    r = run("check", "p")
    assert r.exit_code == 2 and "mesosim.toml:1" in r.output and "invalid TOML" in r.output


# --- finding the file -----------------------------------------------------------------------

def test_walks_up_from_a_nested_folder(tmp_path):
    write(tmp_path / "mesosim.toml", 'ignore = ["MS7"]\n')
    write(tmp_path / "course" / "week1" / "a.yaml", BASE)
    write(tmp_path / "course" / "pyproject.toml", '[project]\nname = "x"\n')  # no [tool.mesosim]
    nested = tmp_path / "course" / "week1"
    assert find_config([str(nested / "a.yaml")]) == str(tmp_path / "mesosim.toml")
    assert find_config([str(nested)]) == str(tmp_path / "mesosim.toml")
    write(tmp_path / "course" / "pyproject.toml", '[project]\nname = "x"\n[tool.mesosim]\n')
    assert find_config([str(nested)]) == str(tmp_path / "course" / "pyproject.toml")
    write(tmp_path / "course" / "week1" / "mesosim.toml", "")
    assert find_config([str(nested)]) == str(nested / "mesosim.toml")


def test_mesosim_toml_wins_over_pyproject_in_one_folder(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.mesosim]\nignore = ["MS4"]\n')
    assert find_config([str(tmp_path)]) == str(tmp_path / "pyproject.toml")
    assert load_config(str(tmp_path / "pyproject.toml")).options.ignore == ("MS4",)
    write(tmp_path / "mesosim.toml", 'ignore = ["MS5"]\n')
    assert find_config([str(tmp_path)]) == str(tmp_path / "mesosim.toml")


def test_pyproject_settings_live_under_tool_mesosim(tmp_path):
    cfg = _load('[project]\nname = "x"\n[tool.mesosim]\nselect = ["MS4"]\n'
                '[tool.mesosim.severity]\nMS401 = "warning"\n', "pyproject.toml", str(tmp_path))
    assert cfg.options.select == ("MS4",) and cfg.options.severity == {"MS401": "warning"}
    assert cfg.origins["severity.MS401"] == f"{tmp_path / 'pyproject.toml'}:6"
    with pytest.raises(ConfigError, match="must be a table"):
        _load('[tool]\nmesosim = 3\n', "pyproject.toml", str(tmp_path))


def test_nested_config_applies_to_the_checked_folder(run, tmp_path):
    write(tmp_path / "course" / "week1" / "a.yaml", NO_SPORT)
    write(tmp_path / "mesosim.toml", 'ignore = ["MS702"]\n')
    assert findings(run, "course/week1") == []
    assert findings(run, "course/week1/a.yaml") == []


def test_config_option_names_a_file(run, tmp_path):
    write(tmp_path / "p" / "a.yaml", NO_SPORT)
    write(tmp_path / "school.toml", 'ignore = ["MS702"]\n')
    assert findings(run, "p") == [("a.yaml", "MS702", "error")]
    assert findings(run, "p", "--config", "school.toml") == []
    r = CliRunner().invoke(cli, ["--config", "school.toml", "check", "p"])
    assert r.exit_code == 0, r.output
    r = run("check", "--config", "nope.toml", "p")
    assert r.exit_code == 2 and "nope.toml" in r.output


# --- mesosim config -------------------------------------------------------------------------

def test_config_command_shows_values_and_origins(run, tmp_path):
    write(tmp_path / "mesosim.toml", """\
select = ["MS"]
ignore = ["MS702"]

[severity]
MS502 = "error"

[per-file-ignores]
"examples/*" = ["MS511"]

[[override]]
technique = "manual-injection"
parameter = "injection.depth"
zone = "face"
max = "2.5 mm"
""")
    (tmp_path / "course" / "week1").mkdir(parents=True)
    r = run("config", "course/week1")
    assert r.exit_code == 0, r.output
    where = "mesosim.toml"  # inside the working folder: named relative to it
    lines = r.output.splitlines()
    assert lines[0] == f"# configuration: {where}"

    def origin(start: str) -> str:
        (line,) = [x for x in lines if x.startswith(start)]
        return line.rsplit("# ", 1)[1]

    assert origin('select = ["MS"]') == f"{where}:1"
    assert origin('ignore = ["MS702"]') == f"{where}:2"
    assert origin("exclude = []") == "default"
    assert origin("max-file-size = 4194304") == "default"
    assert origin("report-unused-ignores = false") == "default"
    assert origin('MS502 = "error"') == f"{where}:5"
    assert origin('"examples/*" = ["MS511"]') == f"{where}:8"
    assert origin("[[override]]") == f"{where}:10"
    assert 'max = "2.5 mm"' in lines


def test_config_command_without_a_file(run, tmp_path):
    r = run("config")
    assert r.exit_code == 0
    assert r.output.startswith("# configuration: none found (defaults)")
    assert all(x.endswith("# default") for x in r.output.splitlines()[1:] if x)
    assert Options().max_bytes == 4194304


def test_each_file_gets_the_nearest_configuration_whatever_the_order(run, tmp_path,
                                                                     monkeypatch):
    """CI issue, item 3: `check a b` equals `check b a`; a's own mesosim.toml applies to a's
    files only (ruff resolves the nearest configuration per file)."""
    import json
    import shutil

    deep = open(os.path.join(PROTOCOLS, "manual-injection", "valid", "face-rejuvenation.yaml"),
                encoding="utf-8").read().replace("depth: 1.5 mm", "depth: 4 mm")
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "p.yaml").write_text(deep)
    (tmp_path / "a" / "mesosim.toml").write_text('ignore = ["MS4"]\n')
    monkeypatch.chdir(tmp_path)
    ab = run("check", "-f", "json", "a", "b")
    ba = run("check", "-f", "json", "b", "a")
    assert ab.output == ba.output and ab.exit_code == ba.exit_code == 1
    rules = {f["path"]: [x["rule"] for x in f["findings"]] for f in
             json.loads(ab.output)["files"]}
    assert rules == {"a/p.yaml": [], "b/p.yaml": ["MS401"]}
    shutil.copy(tmp_path / "a" / "mesosim.toml", tmp_path / "x.toml")
    both = json.loads(run("check", "--config", "x.toml", "-f", "json", "b", "a").output)
    assert all(f["findings"] == [] for f in both["files"])  # --config wins for all


def test_exclude_leaves_out_a_file_named_on_the_command_line_too(run, tmp_path, monkeypatch):
    """A pre-commit hook names every staged file: a configuration's exclude must hold for
    them as for the files found in a folder."""
    write(tmp_path / "mesosim.toml", 'exclude = ["drafts"]\n')
    (tmp_path / "drafts").mkdir()
    with open(os.path.join(PROTOCOLS, "manual-injection", "invalid",
                           "depth-too-deep-on-face.yaml"), encoding="utf-8") as fh:
        write(tmp_path / "drafts" / "bad.yaml", fh.read())
    monkeypatch.chdir(tmp_path)
    r = run("check", "drafts/bad.yaml")
    assert r.exit_code == 0 and "0 files checked" in r.output, r.output
    r = run("check", "--config", "mesosim.toml", "drafts/bad.yaml")
    assert r.exit_code == 0 and "0 files checked" in r.output, r.output
