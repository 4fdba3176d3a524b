"""Play a protocol forward: one session minute by minute, the course day by day.

:func:`simulate` returns a :class:`Trace`, plain frozen data: each step with its start and end
and the session state it found and left; the calendar of sessions; the restriction windows
(aftercare after each session, before-care before it); and the patient's plans that fall in a
window. The time-based checks (:mod:`mesosim.checks`) read their findings off the trace, and
``mesosim simulate`` renders it.

Conventions, documented in the README:

* a step lasts its ``duration`` parameter, else its ``wait`` parameter (anaesthesia, the
  nourishing cream "half an hour later"), else the technique's default for the step, else the
  vocabulary's;
* a step ends in the states it provides: ``anesthetised`` is reached at the end of the
  anaesthesia step, once its wait has elapsed; a step that punctures the skin leaves
  ``punctures-made``;
* the span a technique's session range measures (``session_span``) runs from the start of the
  first step that does not have to come before its first step to the end of the last step that
  does not have to come after its last step, so an optional step of the span (marking) that is
  left out does not leave the session unmeasured;
* a restriction of N days after a session covers the session's day and the N-1 days after it
  (``sauna: 2 d`` after a session on 1 December: 1 and 2 December); shorter ones cover the
  session's day; a before-care restriction of N days covers the N days before the session; a
  restriction of 0 opens no window;
* a plan conflicts with the windows of its own activity and of the activities it involves
  (:data:`PLAN_INVOLVES`: a beach holiday is sun exposure).
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Final

from attrs import frozen

from mesosim.loader import Path

if TYPE_CHECKING:
    from mesosim.host import Registry
    from mesosim.model import Plan, Protocol
    from mesosim.technique import Care, Technique

#: Version of the JSON shape of a trace (``mesosim simulate --format json``).
TRACE_VERSION: Final = 1
#: The state a step that punctures the skin leaves (``StepKind.punctures``).
PUNCTURED: Final = "punctures-made"
#: plan activity -> the restricted activities it also involves. 000:98 lists "tanning beds,
#: direct sun" and "sauna, steam room" as one restriction each; 002:478-485 lists the beach
#: among heat and UV exposure.
PLAN_INVOLVES: Final[Mapping[str, tuple[str, ...]]] = {
    "beach": ("sun",),
    "solarium": ("sun",),
    "steam-room": ("sauna",),
}


@frozen
class StepRun:
    """One step in the simulated session. Minutes are counted from the session's start."""

    index: int
    name: str
    start: float
    end: float
    path: Path
    #: states the step needed but the session did not have when it started
    missing: tuple[str, ...] = ()
    state_after: tuple[str, ...] = ()


@frozen
class Session:
    """A session of the course: its number (from 1) and its date."""

    number: int
    date: _dt.date


@frozen
class Window:
    """A restriction window: ``activity`` is avoided from ``start`` to ``end`` (inclusive)."""

    session: int
    activity: str
    kind: str  # aftercare | beforecare
    start: _dt.date
    end: _dt.date
    source: str


@frozen
class Conflict:
    """A patient's plan inside a restriction window (the window may be of an activity the plan
    involves: a ``beach`` plan in a ``sun`` window)."""

    plan_index: int
    activity: str
    date: _dt.date
    window: Window
    path: Path
    #: the plan's last day, when it lasts several (a holiday)
    until: _dt.date | None = None


@frozen
class Trace:
    technique: str
    steps: tuple[StepRun, ...]
    #: minutes of the whole session, and of the span the technique's range measures
    total_minutes: float
    measured_minutes: float | None
    #: total volume of the active step per session, in ml (None when not computable)
    total_volume_ml: float | None
    sessions: tuple[Session, ...]
    #: days between consecutive sessions (len = sessions - 1)
    intervals: tuple[float, ...]
    #: what is avoided around every session: (activity, kind, minutes, source)
    restrictions: tuple[tuple[str, str, float, str], ...]
    conflicts: tuple[Conflict, ...]

    @cached_property
    def windows(self) -> tuple[Window, ...]:
        """The restriction windows of every session, laid out when first asked for: the checks
        need them only when the patient has plans, so most checks never build them."""
        return _lay_windows(self.sessions, self.restrictions)
    #: positions in ``steps`` of the first and last step of the measured span (``None``: none)
    measured_steps: tuple[int, int] | None = None


def _days(minutes: float) -> int:
    return max(1, math.ceil(minutes / 1440 - 1e-9))


def step_minutes(step_name: str, params: Mapping[str, object], tech: Technique, reg: Registry
                 ) -> float:
    """How long a step lasts: its ``duration``, else its ``wait``, else the technique's default
    for the step, else the vocabulary's, else 0."""
    from mesosim.units import Quantity

    for p in ("duration", "wait"):
        q = params.get(p)
        if isinstance(q, Quantity):
            return q.to("min")
    return _prepare(tech, reg).minutes.get(step_name, 0.0)


@frozen
class _Prepared:
    """What the simulation needs of a technique, worked out once per technique, not per file."""

    #: step name -> default minutes (the technique's, else the vocabulary's)
    minutes: dict[str, float]
    #: step name -> (requires, provides, consumes, punctures)
    kinds: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str], bool]]
    #: step name -> inside the measured span (``None``: the whole session is measured)
    inside: dict[str, bool] | None
    #: activity -> (minimum minutes, source) of the technique's aftercare and before-care
    after: dict[str, tuple[float, str]]
    before: dict[str, tuple[float, str]]


_PREPARED: dict[int, tuple[Technique, Registry, _Prepared]] = {}


def _prepare(tech: Technique, reg: Registry) -> _Prepared:
    hit = _PREPARED.get(id(tech))
    if hit is not None and hit[0] is tech and hit[1] is reg:
        return hit[2]
    minutes = {name: k.duration.to("min") for name, k in reg.steps.items() if k.duration}
    minutes.update({name: q.to("min") for name, q in tech.durations.items()})
    kinds = {name: (k.requires, k.provides, k.consumes, k.punctures)
             for name, k in reg.steps.items()}
    prepared = _Prepared(
        minutes, kinds, _span_verdicts(tech),
        {c.activity: (_minimum_minutes(c), c.minimum.source) for c in tech.aftercare},
        {c.activity: (_minimum_minutes(c), c.minimum.source) for c in tech.beforecare})
    if len(_PREPARED) > 256:  # techniques built on the fly (tests, overrides): stay bounded
        _PREPARED.clear()
    _PREPARED[id(tech)] = (tech, reg, prepared)
    return prepared


def simulate(protocol: Protocol, tech: Technique, reg: Registry) -> Trace:
    """Simulate ``protocol`` with ``tech``; linear in the number of steps, sessions and plans."""
    runs, clock = _session(protocol, tech, reg)
    measured_steps = _measured_steps(runs, tech, reg)
    if measured_steps is not None:
        first, last = measured_steps
        measured: float | None = runs[last].end - runs[first].start
    else:
        measured = clock if tech.session_span is None else None
    dates, intervals = _calendar(protocol)
    sessions = tuple(Session(i + 1, d) for i, d in enumerate(dates))
    restrictions = _restrictions(protocol, tech, reg)
    conflicts = _conflicts(protocol.patient.plans, sessions, restrictions)
    return Trace(tech.name, tuple(runs), clock, measured, _dose(protocol, tech), sessions,
                 intervals, restrictions, conflicts, measured_steps)


def _session(protocol: Protocol, tech: Technique, reg: Registry) -> tuple[list[StepRun], float]:
    """Walk the steps in order, keeping the clock and the session's state."""
    prepared = _prepare(tech, reg)
    state: set[str] = set()
    runs: list[StepRun] = []
    clock = 0.0
    for step in protocol.steps:
        kind = prepared.kinds.get(step.name)
        params = step.params
        if "duration" in params or "wait" in params:
            minutes = step_minutes(step.name, params, tech, reg)
        else:
            minutes = prepared.minutes.get(step.name, 0.0)
        missing: tuple[str, ...] = ()
        if kind is not None:
            requires, provides, consumes, punctures = kind
            if not requires <= state:
                missing = tuple(sorted(requires - state))
            state |= provides
            state -= consumes
            if punctures:
                state.add(PUNCTURED)
        runs.append(StepRun(step.index, step.name, clock, clock + minutes, step.path, missing,
                            tuple(sorted(state))))
        clock += minutes
    return runs, clock


def _span_verdicts(tech: Technique) -> dict[str, bool] | None:
    """Step name -> inside the technique's measured span; ``None`` when it measures it all.

    A step is outside the span when every slot of it must come before the span's first step
    (the consultation, the anaesthetic's wait) or after its last step (the evaluation). A step
    foreign to the technique neither opens nor closes the span (it is already a finding), but
    its time counts when it lies inside.
    """
    if tech.session_span is None:
        return None
    graph = tech.steps
    first, last = tech.session_span
    first_slots = [s for s in graph.order if graph.slots[s] == first]
    last_slots = [s for s in graph.order if graph.slots[s] == last]
    before_first = graph.ancestors[first_slots[0]]
    after_last_anchor = last_slots[-1]
    slots_of: dict[str, list[str]] = {}
    for sid, name in graph.slots.items():
        slots_of.setdefault(name, []).append(sid)

    def inside(name: str) -> bool:
        slots = slots_of[name]
        if name in (first, last):
            return True
        if all(s in before_first for s in slots):
            return False
        return not all(after_last_anchor in graph.ancestors[s] for s in slots)

    return {name: inside(name) for name in slots_of}


def _measured_steps(runs: list[StepRun], tech: Technique, reg: Registry
                    ) -> tuple[int, int] | None:
    """Positions of the first and last step inside the technique's measured span."""
    verdicts = _prepare(tech, reg).inside
    if verdicts is None:
        return (0, len(runs) - 1) if runs else None
    kept = [i for i, r in enumerate(runs) if verdicts.get(r.name, False)]
    return (kept[0], kept[-1]) if kept else None


def _dose(protocol: Protocol, tech: Technique) -> float | None:
    """Total volume of the active step: points x volume per point, in ml."""
    volume = None
    for step in protocol.steps:
        if step.name == tech.active_step:
            vpp, points = step.params.get("volume_per_point"), step.params.get("points")
            if vpp is not None and points is not None:
                volume = (volume or 0.0) + vpp.to("ml") * points.value
    return volume


def _calendar(protocol: Protocol) -> tuple[list[_dt.date], tuple[float, ...]]:
    """The session dates and the days between consecutive sessions.

    With ``start``/``interval`` the dates are rounded to the day but the intervals are the
    declared interval, so that ``14.4 d`` is not read as 14 days.
    """
    course = protocol.course
    if course.dates:
        dates = list(course.dates)
        return dates, tuple(float((b - a).days) for a, b in zip(dates, dates[1:], strict=False))
    if course.start is None or not course.sessions:
        return [], ()
    if course.interval is None and course.sessions > 1:
        # no readable interval (missing, or already reported as a unit error): laying the
        # sessions on one day would add a bogus "interval is None" finding (hostile-input issue)
        return [], ()
    step_days = course.interval.to("d") if course.interval is not None else 0.0
    try:
        dates = [course.start + _dt.timedelta(days=round(i * step_days))
                 for i in range(course.sessions)]
    except OverflowError:  # an absurd interval runs past year 9999: no calendar
        return [], ()
    return dates, (step_days,) * (len(dates) - 1)


def _minimum_minutes(care: Care) -> float:
    from mesosim.units import UNITS

    r = care.minimum
    lo = r.min if r.min is not None else r.max or 0.0
    return lo * UNITS[r.unit][1]


def _restrictions(protocol: Protocol, tech: Technique, reg: Registry
                  ) -> tuple[tuple[str, str, float, str], ...]:
    """What is avoided around every session: the protocol's own aftercare, at least the
    technique's minimum, and the technique's before-care; restrictions of 0 are dropped."""
    prepared = _prepare(tech, reg)
    after = dict(prepared.after)
    for activity, q in protocol.aftercare.items():
        minutes = q.to("min")
        if activity not in after or minutes > after[activity][0]:
            after[activity] = (minutes, "protocol")
    before = prepared.before
    return tuple(
        [(a, "beforecare", m, src) for a, (m, src) in sorted(before.items()) if m > 0]
        + [(a, "aftercare", m, src) for a, (m, src) in sorted(after.items()) if m > 0])


def _lay_windows(sessions: tuple[Session, ...],
                 restrictions: tuple[tuple[str, str, float, str], ...]) -> tuple[Window, ...]:
    """The restriction windows of every session, session by session."""
    one_day = _dt.timedelta(days=1)
    spans = [(a, kind, _dt.timedelta(days=_days(m)), src) for a, kind, m, src in restrictions]
    windows: list[Window] = []
    for s in sessions:
        if s.date.year < 2 or s.date.year > 9998:  # no window can be laid past the calendar
            continue
        for activity, kind, n, source in spans:
            if kind == "beforecare":
                windows.append(Window(s.number, activity, kind, s.date - n, s.date - one_day,
                                      source))
            else:
                windows.append(Window(s.number, activity, kind, s.date, s.date + n - one_day,
                                      source))
    return tuple(windows)


def _conflicts(plans: Sequence[Plan], sessions: tuple[Session, ...],
               restrictions: tuple[tuple[str, str, float, str], ...]) -> tuple[Conflict, ...]:
    """Each plan against the windows of the activities it involves: one conflict per plan, with
    the earliest window it overlaps (by start, then session).

    No window is laid out: a window of N days after a session on day ``s`` overlaps the plan's
    days ``[d0, d1]`` exactly when ``d0 - N + 1 <= s <= d1`` (before-care: ``d0 + 1 <= s <=
    d1 + N``), so a binary search over the sorted session dates finds the earliest such session.
    The cost is O(plans x restrictions x log sessions).
    """
    import bisect

    if not plans:
        return ()
    wanted = {a for p in plans for a in (p.activity, *PLAN_INVOLVES.get(p.activity, ()))}
    by_activity: dict[str, list[tuple[str, _dt.timedelta, str]]] = {}
    for activity, kind, minutes, source in restrictions:
        if activity in wanted:
            by_activity.setdefault(activity, []).append(
                (kind, _dt.timedelta(days=_days(minutes)), source))
    if not by_activity:
        return ()
    order = [(s.date, s.number) for s in sessions if 1 < s.date.year < 9999]
    if any(a > b for a, b in zip(order, order[1:], strict=False)):  # explicit dates, unsorted
        order.sort()
    dates = [d for d, _n in order]
    one = _dt.timedelta(days=1)
    conflicts = []
    for i, plan in enumerate(plans):
        d0, d1 = plan.date, plan.until or plan.date
        best: Window | None = None
        for activity in (plan.activity, *PLAN_INVOLVES.get(plan.activity, ())):
            for kind, n, source in by_activity.get(activity, ()):
                try:
                    lo, hi = (d0 - n + one, d1) if kind == "aftercare" else (d0 + one, d1 + n)
                except OverflowError:  # a plan at the calendar's edge
                    continue
                k = bisect.bisect_left(dates, lo)
                if k == len(dates) or dates[k] > hi:
                    continue
                day, number = order[k]
                w = Window(number, activity, kind, day, day + n - one, source) \
                    if kind == "aftercare" else \
                    Window(number, activity, kind, day - n, day - one, source)
                if best is None or (w.start, w.session) < (best.start, best.session):
                    best = w
        if best is not None:
            conflicts.append(Conflict(i, plan.activity, plan.date, best, plan.path, plan.until))
    return tuple(conflicts)


def trace_as_dict(trace: Trace) -> dict[str, object]:
    """The documented JSON shape of a trace (see ``mesosim/trace.schema.json``)."""
    return {
        "version": TRACE_VERSION,
        "technique": trace.technique,
        "session": {
            "total_minutes": trace.total_minutes,
            "measured_minutes": trace.measured_minutes,
            #: the protocol step indexes of the first and last step the measure spans
            "measured_span": None if trace.measured_steps is None else {
                "from_step": trace.steps[trace.measured_steps[0]].index,
                "to_step": trace.steps[trace.measured_steps[1]].index},
            "total_volume_ml": trace.total_volume_ml,
            "steps": [
                {"index": r.index, "name": r.name, "start_minute": r.start, "end_minute": r.end,
                 "missing_states": list(r.missing), "state_after": list(r.state_after)}
                for r in trace.steps
            ],
        },
        "course": {
            "sessions": [{"number": s.number, "date": s.date.isoformat()} for s in trace.sessions],
            "intervals_days": list(trace.intervals),
        },
        "windows": [
            {"session": w.session, "activity": w.activity, "kind": w.kind,
             "start": w.start.isoformat(), "end": w.end.isoformat(), "source": w.source}
            for w in trace.windows
        ],
        "conflicts": [
            {"plan": c.plan_index, "activity": c.activity, "date": c.date.isoformat(),
             "until": c.until.isoformat() if c.until else None,
             "session": c.window.session, "window_activity": c.window.activity,
             "window_kind": c.window.kind,
             "window_start": c.window.start.isoformat(), "window_end": c.window.end.isoformat()}
            for c in trace.conflicts
        ],
    }
