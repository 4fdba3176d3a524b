"""The loader (positions, defences), units, and the rules that need files or a session state."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mesosim.loader import load_file, load_text
from mesosim.runner import Options, check_file, check_text
from mesosim.units import UnitError, parse_quantity

from .test_rules import BASE, edit


def test_positions_of_nested_values():
    doc = load_text(BASE, "p.yaml")
    assert doc.pos(("session", "steps", 5, "injection", "depth")) == (24, 26)
    assert doc.key_pos(("aftercare", "sun")) == (29, 3)
    # an unknown path falls back to its nearest known ancestor
    assert doc.pos(("session", "steps", 5, "injection", "nothing", 3)) == (24, 26) or \
        doc.pos(("session", "steps", 5, "injection", "nothing")) == (24, 18)


def test_dates_and_numbers_are_plain_values():
    doc = load_text(BASE, "p.yaml")
    assert doc.data["course"]["start"] == dt.date(2026, 12, 1)
    assert doc.data["patient"]["age"] == 34


def test_impossible_date_is_a_finding(reg):
    result = check_text(edit("start: 2026-12-01", "start: 2026-02-30"), reg, "p.yaml")
    (f,) = [f for f in result.findings if f.rule == "MS106"]
    assert f.line == 14 and "2026-02-30" in f.message


@pytest.mark.parametrize("raw,dim,value,unit", [
    ("1.5 mm", "length", 1.5, "mm"), ("0.15cm", "length", 0.15, "cm"),
    ("0.05 mL", "volume", 0.05, "mL"), ("50 µl", "volume", 50, "µl"),
    ("2 weeks", "time", 2, "weeks"), ("20 min", "time", 20, "min"), ("10 hours", "time", 10, "hours"),
    ("16 kHz", "frequency", 16, "kHz"), ("1 mA", "current", 1, "mA"), ("2 bar", "pressure", 2, "bar"),
    (40, "count", 40, ""),
])
def test_units_accepted(raw, dim, value, unit):
    q = parse_quantity(raw, dim)
    assert (q.value, q.unit, q.dimension) == (value, unit, dim)


def test_unit_conversion():
    assert parse_quantity("2 weeks", "time").to("d") == 14
    assert parse_quantity("0.15 cm", "length").to("mm") == pytest.approx(1.5)


@pytest.mark.parametrize("raw,problem", [
    ("1.5 ml", "wrong-dimension"), ("1.5", "missing-unit"), (1.5, "missing-unit"),
    ("1.5 mmm", "unknown-unit"), ("nan mm", "not-finite"), (".inf", "not-finite"),
    ("-1 mm", "negative"), ("1e300 mm", "not-finite"), ("deep", "not-a-number"),
    (True, "not-a-number"), (None, "not-a-number"),
])
def test_units_refused(raw, problem):
    with pytest.raises(UnitError) as exc:
        parse_quantity(raw, "length")
    assert exc.value.problem == problem


def test_unknown_unit_suggests():
    with pytest.raises(UnitError) as exc:
        parse_quantity("2 MM", "length")
    assert exc.value.suggestion == "2 mm"


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False), st.sampled_from(["mm", "cm", "µm"]))
def test_units_round_trip(x, unit):
    q = parse_quantity(f"{x!r} {unit}", "length")
    assert q.value == pytest.approx(x) and q.to(unit) == pytest.approx(x)


def test_file_too_large(tmp_path, reg):
    p = tmp_path / "big.yaml"
    p.write_text(BASE + "#" * 5000)
    (f,) = check_file(str(p), reg, Options(max_bytes=1000)).findings
    assert f.rule == "MS003" and "over the limit" in f.message


def test_binary_and_encoding(tmp_path, reg):
    (tmp_path / "bin.yaml").write_bytes(b"\x00\x01\x02mesosim")
    (tmp_path / "latin.yaml").write_bytes("id: caf\xe9\n".encode("latin-1"))
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    assert [f.rule for f in check_file(str(tmp_path / "bin.yaml"), reg).findings] == ["MS003"]
    (f,) = check_file(str(tmp_path / "latin.yaml"), reg).findings
    assert f.rule == "MS003" and (f.line, f.column) == (1, 8)
    assert check_file(str(tmp_path / "bom.yaml"), reg).findings == ()


def test_missing_file_is_a_finding(tmp_path):
    doc = load_file(str(tmp_path / "nope.yaml"))
    assert doc.data is None and doc.problems[0].code == "MS003"


def test_unused_suppression_reported_on_request(reg):
    text = edit("zone: face", "zone: face  # mesosim: ignore[MS401] not needed here")
    assert check_text(text, reg, "p.yaml").findings == ()
    (f,) = check_text(text, reg, "p.yaml", Options(report_unused_ignores=True)).findings
    assert f.rule == "MS011" and f.line == 5


def test_suppression_on_line_before(reg):
    text = edit("    - injection: {depth: 1.5 mm", "    # mesosim: ignore[MS4] trainer agreed\n"
                "    - injection: {depth: 4 mm")
    assert [f.rule for f in check_text(text, reg, "p.yaml").findings] == []


def test_step_of_another_technique(reg):
    (f,) = check_text(edit("    - evaluation", "    - evaluation\n    - sonophoresis"), reg,
                      "p.yaml").findings
    assert f.rule == "MS203" and f.line == 27


def test_state_not_reached_when_disinfection_is_only_after(reg):
    # disinfection after the injection: the order finding blames it; no second finding on the
    # injection for the same cause
    text = edit("    - disinfection\n", "").replace("    - soothing-mask",
                                                    "    - disinfection\n    - soothing-mask")
    rules = sorted(f.rule for f in check_text(text, reg, "p.yaml").findings)
    assert rules == ["MS311"]


def test_state_check_on_required_provider_missing_is_not_doubled(reg):
    rules = sorted(f.rule for f in check_text(edit("    - disinfection\n", ""), reg,
                                              "p.yaml").findings)
    assert rules == ["MS301"]


def test_state_check_fires_for_unrequired_state(reg):
    # a technique-independent state check: the step needs what nothing provides
    from attrs import evolve

    tech = reg.catalog.techniques["manual-injection"]
    loose = evolve(tech, required=frozenset({"injection"}))
    reg2 = reg.with_catalog(reg.catalog.with_techniques({**reg.catalog.techniques,
                                                         "manual-injection": loose}))
    findings = check_text(edit("    - disinfection\n", ""), reg2, "p.yaml").findings
    assert [(f.rule, f.line) for f in findings] == [("MS302", 23)]


def test_aftercare_of_the_wrong_type_is_one_finding(reg):
    text = BASE[: BASE.index("aftercare:")] + "aftercare: [sauna, sun]\n"
    assert [f.rule for f in check_text(text, reg, "p.yaml").findings] == ["MS103"]


@pytest.mark.parametrize("text", ["1.5", "yes", "No", "null", "~", "2026-12-01", "0x1F", ".nan",
                                  "-.inf", "1_000", "190:20:30", "on", "1.5 mm", "'quoted'", "face"])
def test_memoised_resolution_matches_pyyaml(text):
    import yaml

    from mesosim.loader import _Loader

    for _ in range(2):  # the second time from the memo
        ours = yaml.compose(f"k: {text}\n", Loader=_Loader).value[0][1].tag
        theirs = yaml.compose(f"k: {text}\n", Loader=yaml.SafeLoader).value[0][1].tag
        assert ours == theirs


def test_remembered_scalars_still_report_their_problems():
    # values built once are remembered (speed round 2); one with a problem never is, so each
    # file, and each place in it, still gets its finding
    text = "a: !!int '010'\nb: 010\nc: 12\nd: 12\ne: !!bool maybe\nf: 2026-02-30\n"
    for _ in range(2):
        doc = load_text(text, "p.yaml")
        assert doc.data == {"a": 8, "b": 8, "c": 12, "d": 12, "e": "maybe", "f": "2026-02-30"}
        assert [(p.code, p.pos) for p in doc.problems] == [("MS106", (2, 4)), ("MS103", (5, 4))]


def test_a_file_that_reads_short_before_its_end_is_read_whole(tmp_path, monkeypatch):
    """procfs and some network file systems return less than asked before the end, or report
    no size: the reader reads on until a read returns nothing (it stops after one read only
    when that read gave the whole size fstat reported)."""
    import mesosim.loader as loader

    path = tmp_path / "p.yaml"
    path.write_text(BASE)
    real_read = loader.os.read
    monkeypatch.setattr(loader.os, "read", lambda fd, n: real_read(fd, min(n, 100)))
    assert load_file(str(path)).data == load_text(BASE, "p.yaml").data
    real_fstat = loader.os.fstat

    class NoSize:
        def __init__(self, st: os.stat_result) -> None:
            self.st_mode, self.st_size = st.st_mode, 0

    monkeypatch.setattr(loader.os, "fstat", lambda fd: NoSize(real_fstat(fd)))
    assert load_file(str(path)).data == load_text(BASE, "p.yaml").data
