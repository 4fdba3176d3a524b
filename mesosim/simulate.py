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
* a restriction of N days after a session covers the session's day and the N-1 days after it
  (``sauna: 2 d`` after a session on 1 December: 1 and 2 December); shorter ones cover the
  session's day; a before-care restriction of N days covers the N days before the session.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from attrs import frozen

from mesosim.loader import Path

if TYPE_CHECKING:
    from mesosim.host import Registry
    from mesosim.model import Protocol
    from mesosim.technique import Technique

#: Version of the JSON shape of a trace (``mesosim simulate --format json``).
TRACE_VERSION: Final = 1


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
    """A patient's plan inside a restriction window."""

    plan_index: int
    activity: str
    date: _dt.date
    window: Window
    path: Path


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
    windows: tuple[Window, ...]
    conflicts: tuple[Conflict, ...]


def _days(minutes: float) -> int:
    return max(1, math.ceil(minutes / 1440 - 1e-9))


def step_minutes(step_name: str, params: Mapping[str, object], tech: Technique, reg: Registry
                 ) -> float:
    from mesosim.units import Quantity

    for p in ("duration", "wait"):
        q = params.get(p)
        if isinstance(q, Quantity):
            return q.to("min")
    if step_name in tech.durations:
        return tech.durations[step_name].to("min")
    kind = reg.steps.get(step_name)
    if kind is not None and kind.duration is not None:
        return kind.duration.to("min")
    return 0.0


def simulate(protocol: Protocol, tech: Technique, reg: Registry) -> Trace:
    """Simulate ``protocol`` with ``tech``; linear in the number of steps, sessions and plans."""
    # --- the session ---
    state: set[str] = set()
    runs: list[StepRun] = []
    clock = 0.0
    for step in protocol.steps:
        kind = reg.steps.get(step.name)
        minutes = step_minutes(step.name, step.params, tech, reg)
        missing: tuple[str, ...] = ()
        if kind is not None:
            missing = tuple(sorted(kind.requires - state))
            state |= kind.provides
            state -= kind.consumes
        runs.append(StepRun(step.index, step.name, clock, clock + minutes, step.path, missing,
                            tuple(sorted(state))))
        clock += minutes
    measured = None
    if tech.session_span is not None:
        first, last = tech.session_span
        starts = [r for r in runs if r.name == first]
        ends = [r for r in runs if r.name == last]
        # compare step order, not minutes: a mask written just before the marking ends the
        # minute the marking starts, which is no span at all (not a 0 min session)
        if starts and ends and ends[-1].index >= starts[0].index:
            measured = ends[-1].end - starts[0].start
    else:
        measured = clock
    # --- the dose ---
    volume = None
    for step in protocol.steps:
        if step.name == tech.active_step:
            vpp, points = step.params.get("volume_per_point"), step.params.get("points")
            if vpp is not None and points is not None:
                volume = (volume or 0.0) + vpp.to("ml") * points.value
    # --- the course ---
    course = protocol.course
    dates: list[_dt.date] = list(course.dates)
    if not dates and course.start is not None and course.sessions:
        step_days = course.interval.to("d") if course.interval is not None else 0.0
        try:
            dates = [course.start + _dt.timedelta(days=round(i * step_days))
                     for i in range(course.sessions)]
        except OverflowError:  # an absurd interval runs past year 9999: no calendar
            dates = []
    sessions = tuple(Session(i + 1, d) for i, d in enumerate(dates))
    intervals = tuple(float((b - a).days) for a, b in zip(dates, dates[1:], strict=False))
    # --- windows: the protocol's own aftercare, at least the technique's minimum ---
    after: dict[str, tuple[float, str]] = {}
    for care in tech.aftercare:
        lo = care.minimum.min if care.minimum.min is not None else care.minimum.max or 0.0
        from mesosim.units import UNITS

        after[care.activity] = (lo * UNITS[care.minimum.unit][1], care.minimum.source)
    for activity, q in protocol.aftercare.items():
        minutes = q.to("min")
        if activity not in after or minutes > after[activity][0]:
            after[activity] = (minutes, "protocol")
    before = {}
    for care in tech.beforecare:
        from mesosim.units import UNITS

        lo = care.minimum.min if care.minimum.min is not None else care.minimum.max or 0.0
        before[care.activity] = (lo * UNITS[care.minimum.unit][1], care.minimum.source)
    windows: list[Window] = []
    for s in sessions:
        if s.date.year < 2 or s.date.year > 9998:  # no window can be laid past the calendar
            continue
        for activity, (minutes, source) in sorted(before.items()):
            n = _days(minutes)
            windows.append(Window(s.number, activity, "beforecare",
                                  s.date - _dt.timedelta(days=n), s.date - _dt.timedelta(days=1),
                                  source))
        for activity, (minutes, source) in sorted(after.items()):
            n = _days(minutes)
            windows.append(Window(s.number, activity, "aftercare", s.date,
                                  s.date + _dt.timedelta(days=n - 1), source))
    # --- plans against windows: index windows by activity, so the cost stays linear ---
    by_activity: dict[str, list[Window]] = {}
    for w in windows:
        by_activity.setdefault(w.activity, []).append(w)
    conflicts = []
    for i, plan in enumerate(protocol.patient.plans):
        until = plan.until or plan.date
        for w in by_activity.get(plan.activity, ()):
            if plan.date <= w.end and until >= w.start:
                conflicts.append(Conflict(i, plan.activity, plan.date, w, plan.path))
                break  # one finding per plan: the first window it falls in
    return Trace(tech.name, tuple(runs), clock, measured, volume, sessions, intervals,
                 tuple(windows), tuple(conflicts))


def trace_as_dict(trace: Trace) -> dict[str, object]:
    """The documented JSON shape of a trace (see ``mesosim/trace.schema.json``)."""
    return {
        "version": TRACE_VERSION,
        "technique": trace.technique,
        "session": {
            "total_minutes": trace.total_minutes,
            "measured_minutes": trace.measured_minutes,
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
             "session": c.window.session, "window_kind": c.window.kind,
             "window_start": c.window.start.isoformat(), "window_end": c.window.end.isoformat()}
            for c in trace.conflicts
        ],
    }
