"""The memos of speed round 2 (the session's walk, the calendars, the restrictions, the range
verdicts): a protocol met again gives the same trace and findings, and nothing a memo keeps
changes an answer."""

from __future__ import annotations

import math

from mesosim.declarations import between
from mesosim.runner import check_text
from mesosim.units import Quantity

from .test_simulate import BASE, COURSE, edit, trace_of


def test_a_protocol_met_again_gives_the_same_trace_and_findings(reg) -> None:
    text = BASE
    first, again = trace_of(reg, text), trace_of(reg, text)
    assert first == again
    assert check_text(text, reg, "p.yaml").findings == check_text(text, reg, "p.yaml").findings


def test_minus_zero_interval_keeps_its_sign(reg) -> None:
    """``-0 d`` equals ``0 d``, but the trace writes its intervals as -0.0: the calendar's memo
    keeps them apart, whichever comes first."""
    assert COURSE in BASE
    zero = BASE.replace(COURSE, COURSE.replace("interval: 7 d", "interval: 0 d"))
    minus = BASE.replace(COURSE, COURSE.replace("interval: 7 d", "interval: -0 d"))
    for order in ((zero, minus), (minus, zero)):
        traces = [trace_of(reg, text) for text in order]
        signs = [math.copysign(1.0, t.intervals[0]) for t in traces]
        assert signs == ([1.0, -1.0] if order[0] is zero else [-1.0, 1.0])


def test_a_long_session_is_walked_but_not_kept(reg) -> None:
    from mesosim.simulate import _MEMO_SIZE, _prepare

    steps = "    - consultation\n" * (_MEMO_SIZE + 1)
    text = edit(("  steps:\n", "  steps:\n" + steps))
    trace = trace_of(reg, text)
    assert len(trace.steps) > _MEMO_SIZE
    tech = reg.catalog.techniques[trace.technique]
    assert all(len(key) <= _MEMO_SIZE for key in _prepare(tech, reg.catalog).walks)


def test_range_verdicts_are_the_same_from_the_memo() -> None:
    r = between(1, 2, "mm", "002:11")
    for q in (Quantity(1.5, "mm", "length"), Quantity(0.15, "cm", "length"),
              Quantity(2.5, "mm", "length"), Quantity(-0.0, "mm", "length")):
        first = r.contains(q)
        assert r.contains(q) is first
        assert r.contains_value(q.value, q.unit, q.dimension) is first
    assert not r.contains(Quantity(0.0, "mm", "length"))
