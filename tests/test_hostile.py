"""Hostile and broken input: a clear finding or error, never a traceback, nothing lost.

The corpus under ``tests/hostile/`` holds the small files; what is impractical as a file
(binary, huge, deeply nested, unreadable, symlink loops, thousands of files, odd names) is
generated here. Each class is run through ``mesosim check`` with click's CliRunner and must
give exit code 1 (2 for usage errors), the rule code at ``path:line:col``, no traceback, and
the other files of the same run still checked.
"""

from __future__ import annotations

import hashlib
import json
import os

import pytest
import yaml
from click.testing import CliRunner, Result

from mesosim import loader
from mesosim.cli import cli
from mesosim.findings import KINDS

from .conftest import PROTOCOLS

HOSTILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hostile")
VALID = os.path.join(PROTOCOLS, "manual-injection", "valid", "face-rejuvenation.yaml")

#: corpus file -> every (code, line, column) it must give (other findings may come with them)
CORPUS: dict[str, list[tuple[str, int, int]]] = {
    # broken YAML and JSON
    "bad-indent.yaml": [("MS001", 5, 16)],
    "tabs.yaml": [("MS001", 4, 1)],
    "unclosed-quote.yaml": [("MS001", 4, 1)],
    "unclosed-bracket.yaml": [("MS001", 5, 1)],
    "trailing-comma.json": [("MS001", 4, 1)],
    "unclosed-bracket.json": [("MS001", 4, 1)],
    "single-quotes.json": [("MS001", 2, 3)],
    # not a protocol
    "empty.yaml": [("MS002", 1, 1)],
    "only-comments.yaml": [("MS002", 1, 1)],
    "null.yaml": [("MS002", 1, 1)],
    "several-documents.yaml": [("MS001", 3, 1)],
    "top-level-list.yaml": [("MS103", 1, 1)],
    "top-level-scalar.yaml": [("MS103", 1, 1)],
    "top-level-list.json": [("MS103", 1, 1)],
    # duplicate keys: YAML would keep the last silently
    "duplicate-keys.yaml": [("MS104", 16, 3)],
    "duplicate-keys.json": [("MS104", 4, 3)],
    # size and depth bombs
    "billion-laughs.yaml": [("MS005", 2, 8)],
    "recursive-alias.yaml": [("MS005", 3, 10)],
    "deep-100.yaml": [("MS005", 3, 72)],
    # tags that ask for objects
    "python-object.yaml": [("MS004", 2, 5)],
    "python-name.yaml": [("MS004", 3, 12)],
    "custom-tag.yaml": [("MS004", 3, 10)],
    "binary-tag.yaml": [("MS004", 3, 8)],
    "merge-key.yaml": [("MS004", 4, 3)],
    # wrong types everywhere
    "wrong-types.yaml": [
        ("MS103", 5, 10),  # a list where the patient mapping is expected
        ("MS103", 8, 13),  # text where a whole number is expected
        ("MS111", 9, 13),  # a number where a time with its unit is expected
        ("MS103", 14, 7),  # a mapping of two steps where one step is expected
        ("MS103", 15, 18),  # a list where a step's parameters are expected
        ("MS111", 16, 26),  # a bare number where a depth is expected
        ("MS103", 16, 49),  # a mapping where a volume is expected
        ("MS103", 17, 12),  # a list where the aftercare mapping is expected
    ],
    # NaN, infinite, negative and absurd numbers
    "numbers.yaml": [
        ("MS106", 5, 16), ("MS103", 8, 13), ("MS111", 9, 13),
        ("MS111", 13, 26), ("MS111", 13, 50), ("MS111", 13, 64),
        ("MS111", 14, 26), ("MS111", 14, 52), ("MS111", 14, 69),
        ("MS111", 16, 10), ("MS111", 17, 8), ("MS111", 18, 10),
    ],
    # dates that do not exist: each reported, and the rest of the file still checked
    "dates.yaml": [("MS106", 9, 31), ("MS106", 10, 31), ("MS106", 12, 23), ("MS106", 12, 35),
                   ("MS106", 12, 47)],
    # units of the wrong dimension, unknown units
    "units.yaml": [("MS112", 6, 52), ("MS112", 10, 26), ("MS112", 11, 26), ("MS111", 11, 50),
                   ("MS112", 11, 71), ("MS111", 13, 10), ("MS112", 14, 8)],
}


def run(*args: str) -> Result:
    """``mesosim check ARGS`` in-process, built-in plugins only; never lets an exception out."""
    return CliRunner().invoke(cli, ["--disable-plugin-autoload", "check", *args])


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output, result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"mesosim raised {result.exception!r}\n{result.output}")


def json_report(result: Result) -> dict[str, list[dict[str, object]]]:
    """path -> findings, from a ``--format json`` run."""
    no_traceback(result)
    data = json.loads(result.output)
    return {f["path"]: f["findings"] for f in data["files"]}


def located(result: Result, path: str) -> set[tuple[str, int, int]]:
    """(code, line, column) of every finding the text report gives for ``path``."""
    out = set()
    for line in result.output.splitlines():
        if line.startswith(path + ":"):
            where, _, rest = line[len(path) + 1:].partition(": ")
            ln, col = where.split(":")
            out.add((rest.split()[0], int(ln), int(col)))
    return out


def digest(folder: str) -> dict[str, str]:
    out = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            p = os.path.join(root, name)
            with open(p, "rb") as fh:
                out[p] = hashlib.sha256(fh.read()).hexdigest()
    return out


# --- the corpus ---------------------------------------------------------------------------

def test_every_corpus_file_has_a_case():
    # fuzz/ and fuzz-config/ hold the fuzzer's finds (tests/test_fuzz.py)
    files = [n for n in os.listdir(HOSTILE) if os.path.isfile(os.path.join(HOSTILE, n))]
    assert sorted(files) == sorted(CORPUS)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_file_gives_its_findings_and_the_next_file_is_still_checked(name):
    path = os.path.join(HOSTILE, name)
    result = run(path, VALID)
    no_traceback(result)
    assert result.exit_code == 1, result.output
    got = located(result, path)
    for want in CORPUS[name]:
        assert want in got, f"{name}: expected {want}, got {sorted(got)}\n{result.output}"
    assert located(result, VALID) == set(), result.output  # the valid file: checked, clean
    assert "2 files checked" in result.output


def test_the_whole_corpus_in_one_run_sequential_and_parallel():
    before = digest(HOSTILE)
    one = run("--format", "json", HOSTILE, VALID)
    two = run("--format", "json", "--jobs", "2", HOSTILE, VALID)
    assert one.exit_code == two.exit_code == 1
    assert one.output == two.output  # same report whatever the number of processes
    report = json_report(one)
    fuzz = len(os.listdir(os.path.join(HOSTILE, "fuzz")))  # the fuzzer's finds, walked too
    assert len(report) == len(CORPUS) + fuzz + 1 and report[VALID] == []
    for path, findings in report.items():
        if path != VALID:
            assert any(f["severity"] == "error" for f in findings), path
        for f in findings:
            assert f["line"] >= 1 and f["column"] >= 1 and f["kind"] in KINDS, f
    assert digest(HOSTILE) == before, "mesosim wrote to a protocol file"


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_simulate_answers_every_corpus_file_without_a_traceback(tmp_path, name):
    path = os.path.join(HOSTILE, name)
    ics = tmp_path / "course.ics"
    result = CliRunner().invoke(cli, ["--disable-plugin-autoload", "simulate", path, "--ics",
                                      str(ics)])
    no_traceback(result)
    assert result.exit_code == 1, result.output


def test_simulate_never_writes_its_calendar_over_the_protocol(tmp_path):
    path = tmp_path / "p.yaml"
    with open(VALID, "rb") as fh:
        path.write_bytes(fh.read())
    before = path.read_bytes()
    for option in ("--ics", "--output"):
        result = CliRunner().invoke(cli, ["--disable-plugin-autoload", "simulate", str(path),
                                          option, str(path)])
        no_traceback(result)
        assert result.exit_code == 2 and "never writes over a protocol" in result.output
        assert path.read_bytes() == before


def test_simulate_calendar_of_a_multi_line_title(tmp_path):
    # a block-scalar title ends in a newline, which icalendar refused with an AssertionError
    with open(VALID, encoding="utf-8") as fh:
        text = fh.read()
    path = tmp_path / "p.yaml"
    path.write_text(text.replace("\ntitle: ", "\ntitle: |\n  Two\n  lines\n# ", 1), encoding="utf-8")
    ics = tmp_path / "course.ics"
    result = CliRunner().invoke(cli, ["--disable-plugin-autoload", "simulate", str(path), "--ics",
                                      str(ics)])
    no_traceback(result)
    assert result.exit_code == 0, result.output
    assert "X-WR-CALNAME:Two lines (manual-injection)" in ics.read_text(encoding="utf-8")


# --- generated: nesting, size, encodings ---------------------------------------------------

DEEP = {
    "deep-flow.yaml": "mesosim: 1\nnotes: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "deep-map.yaml": "mesosim: 1\nnotes: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n",
    "deep.json": '{"mesosim": 1, "notes": ' + "[" * 10_000 + "]" * 10_000 + "}\n",
    "deep-100k.json": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("loader_class", ["C", "pure-Python"])
@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_nesting_is_a_finding_not_a_recursion_error(tmp_path, monkeypatch, name, loader_class):
    # PyYAML's pure-Python composer recurses once per level and json's decoder too: a
    # RecursionError must become MS005, with libyaml and with its fallback alike
    if loader_class == "pure-Python":
        composed = []

        def pure(source):
            composed.append(source)
            return yaml.compose(source, Loader=yaml.SafeLoader)

        monkeypatch.setattr(loader, "_compose", pure)
    path = tmp_path / name
    path.write_text(DEEP[name], encoding="utf-8")
    result = run(str(path), VALID)
    no_traceback(result)
    assert result.exit_code == 1
    assert any(code == "MS005" for code, _l, _c in located(result, str(path))), result.output
    assert "2 files checked" in result.output
    if loader_class == "pure-Python":
        assert composed, "the pure-Python composer was not the one used"


def test_file_over_the_size_limit(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("mesosim: 1\n" + "# padding\n" * 100, encoding="utf-8")
    result = run("--max-file-size", "200", str(big), VALID)
    no_traceback(result)
    assert result.exit_code == 1 and f"{big}:1:1: MS003" in result.output
    assert "over the limit of 200 bytes" in result.output and "2 files checked" in result.output


def test_file_over_the_default_limit_is_not_read(tmp_path):
    big = tmp_path / "huge.yaml"
    with open(big, "wb") as fh:
        fh.truncate(loader.DEFAULT_MAX_BYTES + 1)  # sparse: no 4 MiB written
    result = run(str(big))
    no_traceback(result)
    assert result.exit_code == 1 and f"{big}:1:1: MS003" in result.output


@pytest.mark.parametrize("raw,message,pos", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", (1, 1)),
    (b"mesosim: 1\x00\n", "binary", (1, 1)),
    ("mesosim: 1\nid: café\n".encode("latin-1"), "not UTF-8", (2, 8)),
    ("mesosim: 1\n".encode("utf-16"), "UTF-16", (1, 1)),
    ("mesosim: 1\n".encode("utf-32"), "UTF-32", (1, 1)),
    ("mesosim: 1\n".encode("utf-16-be"), "binary", (1, 1)),  # no BOM: NUL bytes
    (b"mesosim: 1\nid: \x07bell\n", "not allowed in YAML", (2, 5)),  # a control character
], ids=["png", "nul", "latin-1", "utf-16", "utf-32", "utf-16-no-bom", "control-character"])
def test_bytes_that_are_not_utf8_yaml(tmp_path, raw, message, pos):
    path = tmp_path / "f.yaml"
    path.write_bytes(raw)
    result = run(str(path), VALID)
    no_traceback(result)
    assert result.exit_code == 1
    code = "MS001" if "YAML" in message else "MS003"
    assert f"{path}:{pos[0]}:{pos[1]}: {code}" in result.output and message in result.output, \
        result.output
    assert "2 files checked" in result.output


def test_utf8_bom_is_accepted(tmp_path):
    with open(VALID, "rb") as fh:
        body = fh.read()
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + body)
    result = run(str(path))
    no_traceback(result)
    assert result.exit_code == 0 and "1 file checked: 0 errors, 0 warnings" in result.output, \
        result.output


def test_json_written_by_json_dumps_with_an_emoji_is_accepted(tmp_path):
    # json.dumps escapes U+1F600 as a surrogate pair, which libyaml alone would refuse
    with open(VALID, encoding="utf-8") as fh:
        data = loader.load_text(fh.read()).data
    data["title"] = "Facial rejuvenation \U0001f600"
    path = tmp_path / "emoji.json"
    path.write_text(json.dumps(data, default=str), encoding="utf-8")
    assert "\\ud83d\\ude00" in path.read_text(encoding="utf-8")
    result = run(str(path))
    no_traceback(result)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("text,code,pos", [
    ("mesosim: 0x" + "f" * 4000 + "\n", "MS105", (1, 10)),  # str() of it would raise
    ("mesosim: 1\nid: x\ncourse: {sessions: 0x" + "f" * 4000 + "}\n", "MS106", (3, 20)),
    ("mesosim: 1\nsession: {steps: [injection: {points: 1" + "0" * 400 + "}]}\n", "MS111",
     (2, 39)),  # float() of it would overflow
    ("mesosim: 1\naftercare: {sauna: .inf, sun: .nan}\n", "MS111", (2, 20)),
])
def test_absurd_numbers_in_yaml(tmp_path, text, code, pos):
    path = tmp_path / "n.yaml"
    path.write_text(text, encoding="utf-8")
    result = run(str(path))
    no_traceback(result)
    assert result.exit_code == 1 and (code, *pos) in located(result, str(path)), result.output


def test_a_5000_digit_json_number(tmp_path):
    # json's int() refuses more than 4300 digits with a ValueError, not a JSONDecodeError
    path = tmp_path / "n.json"
    path.write_text('{"mesosim": 1, "course": {"sessions": 1' + "0" * 5000 + "}}", encoding="utf-8")
    result = run(str(path))
    no_traceback(result)
    assert result.exit_code == 1 and ("MS106", 1, 39) in located(result, str(path)), result.output


def test_alias_bomb_of_unknown_steps_stays_bounded(tmp_path):
    # 90,000 aliases of one unknown step: one did-you-mean computed, not 90,000
    path = tmp_path / "alias.yaml"
    path.write_text("mesosim: 1\nx: &n injectoin\nsession:\n  steps: [" + ", ".join(["*n"] * 90_000)
                    + "]\n", encoding="utf-8")
    result = run(str(path))
    no_traceback(result)
    assert ("MS202", 2, 4) in located(result, str(path)), result.output


# --- paths ----------------------------------------------------------------------------------

def test_a_folder_of_3000_files(tmp_path):
    for i in range(3000):
        (tmp_path / f"p{i:04}.yaml").write_text("mesosim: 1\n" if i % 2 else "[\n",
                                                encoding="utf-8")
    result = run("--format", "json", str(tmp_path))
    report = json_report(result)
    assert result.exit_code == 1 and len(report) == 3000
    assert sum(any(f["rule"] == "MS001" for f in fs) for fs in report.values()) == 1500


def test_symlink_loops(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "p.yaml").write_text("mesosim: 1\n", encoding="utf-8")
    os.symlink("..", tmp_path / "sub" / "up")  # a directory loop
    os.symlink(tmp_path / "sub", tmp_path / "again")  # the same tree reached twice
    os.symlink("b.yaml", tmp_path / "a.yaml")  # a file-link loop
    os.symlink("a.yaml", tmp_path / "b.yaml")
    result = run("--format", "json", str(tmp_path))
    report = json_report(result)
    assert result.exit_code == 1
    assert sorted(os.path.basename(p) for p in report) == ["a.yaml", "b.yaml", "p.yaml"]
    for name in ("a.yaml", "b.yaml"):
        (finding,) = report[str(tmp_path / name)]
        assert finding["rule"] == "MS003" and "symbolic links" in str(finding["message"])


def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.yaml"
    path.write_text("mesosim: 1\n", encoding="utf-8")
    path.chmod(0)
    try:
        try:
            with open(path, "rb"):
                pass
        except PermissionError:
            pass
        else:
            pytest.skip("running with privileges (root?) where chmod 000 does not stop reading; "
                        "test_dangling_link_and_named_pipe covers unreadable files")
        result = run(str(path), VALID)
        no_traceback(result)
        assert result.exit_code == 1 and f"{path}:1:1: MS003" in result.output
        assert "Permission denied" in result.output and "2 files checked" in result.output
    finally:
        path.chmod(0o644)


def test_dangling_link_and_named_pipe(tmp_path):
    os.symlink(tmp_path / "gone.yaml", tmp_path / "dangling.yaml")
    os.mkfifo(tmp_path / "pipe.yaml")  # open() on it would block for ever
    (tmp_path / "ok.yaml").write_text("mesosim: 1\n", encoding="utf-8")
    result = run("--format", "json", str(tmp_path))
    report = json_report(result)
    assert result.exit_code == 1 and len(report) == 3
    assert report[str(tmp_path / "dangling.yaml")][0]["rule"] == "MS003"
    assert "not a regular file" in str(report[str(tmp_path / "pipe.yaml")][0]["message"])
    assert all(f["rule"] != "MS003" for f in report[str(tmp_path / "ok.yaml")])


def test_names_with_spaces_and_non_ascii(tmp_path):
    names = ["my protocol.yaml", "protocole été.yaml", "日本語.yml", "tab\tname.json"]
    for name in names:
        (tmp_path / name).write_text("[\n" if name.endswith("yaml") else "{", encoding="utf-8")
    result = run(str(tmp_path))
    no_traceback(result)
    assert result.exit_code == 1 and f"{len(names)} files checked" in result.output
    for name in names:
        assert f"{tmp_path / name}:2:1: MS001" in result.output or \
            f"{tmp_path / name}:1:2: MS001" in result.output, result.output


def test_missing_path_is_a_usage_error():
    result = run("no/such/file.yaml", VALID)
    no_traceback(result)
    assert result.exit_code == 2 and "no such file or directory" in result.output


# --- nothing written over, output atomic -------------------------------------------------------

@pytest.mark.parametrize("how", ["same", "relative", "through-folder", "symlink",
                                 "linked-input", "linked-folder"])
def test_output_over_an_input_is_refused(tmp_path, monkeypatch, how):
    folder = tmp_path / "p"
    folder.mkdir()
    target = folder / "x.yaml"
    target.write_text("mesosim: 1\n", encoding="utf-8")
    before = target.read_bytes()
    monkeypatch.chdir(tmp_path)
    checked, output = {
        "same": (str(target), str(target)),
        "relative": (str(target), "p/../p/x.yaml"),
        "through-folder": ("p", str(target)),
        "symlink": (str(target), str(tmp_path / "link.yaml")),
        # the input checked is a link of another name, or found through a linked folder
        "linked-input": (str(tmp_path / "link.yaml"), str(target)),
        "linked-folder": ("linked", str(target)),
    }[how]
    if how in ("symlink", "linked-input"):
        os.symlink(target, tmp_path / "link.yaml")
    if how == "linked-folder":
        os.symlink(folder, tmp_path / "linked")
    result = run("--output", output, checked)
    no_traceback(result)
    assert result.exit_code == 2 and "never writes over a protocol" in result.output
    assert target.read_bytes() == before


def test_output_is_written_atomically(tmp_path, monkeypatch):
    out = tmp_path / "report.json"
    out.write_text("old report\n", encoding="utf-8")
    result = run("--format", "json", "--output", str(out), VALID)
    assert result.exit_code == 0 and json.loads(out.read_text(encoding="utf-8"))["version"] == 1
    assert os.listdir(tmp_path) == ["report.json"]  # no temporary file left behind
    # a failure at the last step leaves the previous report whole and no temporary file
    previous = out.read_bytes()

    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    result = run("--format", "text", "--output", str(out), VALID)
    no_traceback(result)
    assert result.exit_code != 0 and "No space left on device" in result.output
    assert out.read_bytes() == previous and os.listdir(tmp_path) == ["report.json"]
