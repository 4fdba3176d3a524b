"""Property-based tests: whatever the input, checking never raises and is deterministic.

Three kinds of input are generated: structured protocols built from the registry's vocabulary
(with hostile values mixed in: wrong types, NaN, negative and absurd numbers, dates that do not
exist, units of the wrong dimension), arbitrary YAML-ish text (including mutations of a valid
protocol), and arbitrary bytes written to a file.

Example counts come from a settings profile chosen by ``HYPOTHESIS_PROFILE``: ``ci`` (default,
small and derandomized so the suite stays fast and repeatable) or ``fuzz`` (the long campaign
run outside CI by ``bench/fuzz.py``).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mesosim.findings import KINDS, SEVERITIES
from mesosim.loader import load_text
from mesosim.plugin.host import PluginHost, load_host
from mesosim.report import REPORTERS
from mesosim.runner import FileResult, Report, check_file, check_text

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "20000")),
                          deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: the profile every test here runs with (not loaded globally, so other tests are untouched)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# One registry for the module: hypothesis does not mix with function-scoped fixtures.
REG: PluginHost = load_host(autoload=False)

VALID = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "protocols",
                     "manual-injection", "valid", "face-rejuvenation.yaml")
with open(VALID, encoding="utf-8") as _fh:
    VALID_TEXT = _fh.read()

UNITS = ["mm", "cm", "µm", "ml", "mL", "cc", "µl", "s", "min", "h", "d", "days", "weeks", "Hz",
         "kHz", "MHz", "mA", "µA", "bar", "kPa", "atm", "psi", "V", "W/cm2", "", "parsec", "mmm"]
#: raw scalars written into the dumped text unquoted, where a dumper would quote them
RAW = ["0x" + "f" * 4000, "1" + "0" * 5000, "-0b" + "1" * 5000, "1" + "0" * 400, ".nan", "-.inf",
       "1e400", "1:20:30", "2026-02-30", "NaN", "-Infinity", "!!python/object:os.system {}"]
_RAW_MARK = re.compile(r"""['"]?@RAW(\d+)@['"]?""")
NUMBERS = st.one_of(
    st.integers(-10, 10_000), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["nan", ".nan", "inf", "-.inf", "1e400", "-0", "1e12", "1e13", "0x10",
                     "1_000", "1" + "0" * 5000]),
    st.integers(0, len(RAW) - 1).map(lambda i: f"@RAW{i}@"))


def _quantity() -> st.SearchStrategy[Any]:
    """A parameter value: usually 'number unit', sometimes a wrong type."""
    written = st.builds(lambda n, u, sep: f"{n}{sep}{u}", NUMBERS, st.sampled_from(UNITS),
                        st.sampled_from([" ", "", "  "]))
    return st.one_of(written, NUMBERS, st.none(), st.booleans(), st.just([]), st.just({}),
                     st.just({"a": 1}), st.text(max_size=8))


def _date() -> st.SearchStrategy[Any]:
    bad = st.sampled_from(["2026-02-30", "2026-13-01", "0000-01-01", "9999-12-31",
                           "2026-12-01T25:00:00", "tomorrow", "", "2026-1-1"])
    return st.one_of(st.dates(), bad, st.integers(), st.none(), st.just([]))


def _steps() -> st.SearchStrategy[Any]:
    names = sorted(REG.catalog.steps) + ["injectoin", "", "1"]
    params = sorted(REG.catalog.parameters) + ["deep", "volume per point"]
    step_with_params = st.builds(
        lambda n, ps: {n: ps}, st.sampled_from(names),
        st.one_of(st.dictionaries(st.sampled_from(params), _quantity(), max_size=4), st.none(),
                  st.just([]), st.integers(), st.text(max_size=5)))
    step = st.one_of(st.sampled_from(names), step_with_params, st.integers(), st.none(),
                     st.just([]), st.just({"a": 1, "b": 2}))
    return st.one_of(st.lists(step, max_size=14), st.none(), st.text(max_size=5), st.integers(),
                     st.just({}))


def _protocol() -> st.SearchStrategy[dict[str, Any]]:
    """A protocol shaped like format v1, each part valid, wrong or missing at random."""
    activities = sorted(REG.catalog.activities) + ["saunna"]
    conditions = sorted(REG.catalog.conditions) + ["pregnent"]
    plan = st.fixed_dictionaries({"activity": st.sampled_from(activities), "date": _date()},
                                 optional={"until": _date(), "notes": st.text(max_size=5)})
    patient = st.fixed_dictionaries({}, optional={
        "age": st.one_of(st.integers(-5, 200), st.floats(), st.text(max_size=3)),
        "conditions": st.one_of(st.lists(st.sampled_from(conditions), max_size=4), st.text(max_size=4),
                                st.lists(st.integers(), max_size=2), st.none()),
        "allergy_test": st.sampled_from(["negative", "positive", "not-done", "negatif", 3]),
        "plans": st.one_of(st.lists(st.one_of(plan, st.integers()), max_size=4), st.none(),
                           st.just({})),
    })
    course = st.one_of(
        st.fixed_dictionaries({}, optional={
            "start": _date(), "sessions": st.one_of(st.integers(-3, 2000), st.floats(), NUMBERS),
            "interval": _quantity()}),
        st.fixed_dictionaries({"dates": st.one_of(st.lists(_date(), max_size=8), st.integers())},
                              optional={"sessions": st.integers(0, 10), "start": _date()}),
        st.integers(), st.just([]))
    session = st.one_of(st.fixed_dictionaries({"steps": _steps()}), st.just([]), st.integers(),
                        st.just({}))
    aftercare = st.one_of(st.dictionaries(st.sampled_from(activities), _quantity(), max_size=5),
                          st.none(), st.just([]), st.integers())
    return st.fixed_dictionaries({}, optional={
        "mesosim": st.sampled_from([1, 1, 1, 2, "1", None, 1.0, True]),
        "id": st.one_of(st.text(max_size=10), st.integers(), st.none()),
        "technique": st.one_of(st.sampled_from(sorted(REG.catalog.techniques) + ["manual-injecton"]),
                               st.integers()),
        "zone": st.sampled_from(["face", "neck", "scalp", "body", "hands", "moon", 4]),
        "setting": st.sampled_from(["clinic", "home", "garage"]),
        "patient": st.one_of(patient, st.just([]), st.integers()),
        "course": course,
        "session": session,
        "aftercare": aftercare,
        "sesion": st.just({}),
    })


def _dump(data: dict[str, Any], as_json: bool) -> str:
    if as_json:
        text = json.dumps(data, default=str, allow_nan=True)
    else:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000)
    return _RAW_MARK.sub(lambda m: RAW[int(m.group(1))], text)


def _mutate(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply (position, delete count, insert) edits: a valid file broken a little."""
    for at, cut, put in edits:
        i = at % (len(text) + 1)
        text = text[:i] + put + text[i + cut:]
    return text


_TOKENS = list("abm:- \n\t{}[],'\"#&*!|>?%@`~.0123456789<\\") + [
    "\ufeff", "é", "\x85", "\u2028", "---\n", "!!python/object:os.system ", "mesosim: 1\n", "&a [*a]",
    "<<: ", "  ", "\n  - ", "2026-02-30", ".nan", "\\ud800",
    "0x" + "f" * 4000, "null", "~", "\\ud83d\\ude00"]
#: YAML-ish text: a soup of the characters and tokens YAML gives meaning to
YAMLISH = st.lists(st.sampled_from(_TOKENS), max_size=120).map("".join)

EDITS = st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 5),
                           st.sampled_from(["", " ", "\t", ":", "- ", "[", "{", "'", '"', "\n",
                                            "  ", "&x", "*x", "!!str", "nan", "-", "\x00", "~"])),
                 min_size=1, max_size=4)


def _assert_sound(result: FileResult, again: FileResult, text: str | None) -> None:
    """The invariants every check result holds (``text``: what was checked, None if unreadable)."""
    assert result == again, "checking the same input twice gave different findings"
    doc = load_text(text, result.path) if text is not None else None
    if doc is None or not isinstance(doc.data, dict):  # nothing that is not a protocol passes silently
        assert result.errors, (text, result)
    for f in result.findings:
        assert f.line >= 1 and f.column >= 1, f
        assert f.kind in KINDS and f.severity in SEVERITIES, f
        assert f.rule in REG.catalog.rules, f
    report = Report((result,), REG.catalog.plugins)
    for render in REPORTERS.values():  # every reporter renders it, in UTF-8
        render(report, REG.catalog, False).encode("utf-8")


@PROFILE
@given(_protocol(), st.booleans())
def test_structured_protocols_never_raise(data: dict[str, Any], as_json: bool) -> None:
    text = _dump(data, as_json)
    path = "p.json" if as_json else "p.yaml"
    _assert_sound(check_text(text, REG, path), check_text(text, REG, path), text)


@PROFILE
@given(YAMLISH, st.sampled_from(["x.yaml", "x.json"]))
def test_arbitrary_text_never_raises(text: str, path: str) -> None:
    _assert_sound(check_text(text, REG, path), check_text(text, REG, path), text)


@PROFILE
@given(EDITS)
def test_mutated_valid_protocol_never_raises(edits: list[tuple[int, int, str]]) -> None:
    text = _mutate(VALID_TEXT, edits)
    _assert_sound(check_text(text, REG, "m.yaml"), check_text(text, REG, "m.yaml"), text)


@PROFILE
@given(st.one_of(st.binary(max_size=300),
                 st.builds(lambda t, enc: t.encode(enc, "replace"), YAMLISH,
                           st.sampled_from(["utf-8", "latin-1", "utf-16", "utf-8-sig"]))),
       st.sampled_from(["f.yaml", "f.json", "f.yml"]))
def test_arbitrary_bytes_in_a_file_never_raise(raw: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, name)
        with open(path, "wb") as fh:
            fh.write(raw)
        first, second = check_file(path, REG), check_file(path, REG)
        with open(path, "rb") as fh:
            assert fh.read() == raw, "checking a file changed it"
    unreadable = any(f.rule == "MS003" for f in first.findings)
    text = None if unreadable else raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    _assert_sound(first, second, text)


@PROFILE
@given(_protocol(), st.booleans())
def test_simulating_structured_protocols_never_raises(data: dict[str, Any], as_json: bool) -> None:
    # `mesosim simulate` and its --ics calendar walk the same model further: dates near year
    # 9999, huge intervals and durations must end in findings, not in OverflowError
    import datetime as dt

    from mesosim.report.ics import calendar_ics
    from mesosim.report.timeline import render_json, render_timeline
    from mesosim.runner import simulate_file

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "p.json" if as_json else "p.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(_dump(data, as_json))
        sim = simulate_file(path, REG)
    render_timeline(sim, REG.catalog).encode("utf-8")
    render_json(sim).encode("utf-8")
    if sim.trace is not None:
        calendar_ics(sim, dt.time(9, 0))
