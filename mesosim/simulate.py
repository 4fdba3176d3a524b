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
  (the vocabulary's :class:`~mesosim.declarations.Activity`: a beach holiday is sun exposure,
  a bath is sauna heat, a shower washes the hair);
* maintenance sessions (a protocol's ``maintenance`` section) follow the course's sessions,
  numbered on; every session has its restriction windows;
* a step the procedures in force leave unmeasured (the eye area's rest) does not count in the
  measured span.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final, NamedTuple, TypeVar

from mesosim.trace import Conflict, Session, StepRun, Trace, Window, clamp_add, days_of

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.declarations import Care, Technique
    from mesosim.document import Path
    from mesosim.protocol import Course, Plan, Protocol
    from mesosim.units import Quantity

#: the most entries a memo keeps (past it, it starts again), and the most steps, sessions or
#: restrictions an entry holds: hostile input (files of ever new sessions, of thousands of
#: steps) must not fill the memory
_MEMO_LIMIT: Final = 256
_MEMO_SIZE: Final = 64

_K = TypeVar("_K")
_V = TypeVar("_V")


def _remember(memo: dict[_K, _V], key: _K, value: _V, size: int) -> _V:
    """Keep ``value`` (of ``size`` items) in ``memo`` unless it is large; return it."""
    if size <= _MEMO_SIZE:
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[key] = value
    return value

#: The state a step that punctures the skin leaves (``StepKind.punctures``).
PUNCTURED: Final = "punctures-made"


def step_minutes(step_name: str, params: Mapping[str, object], tech: Technique, catalog: Catalog
                 ) -> float:
    """How long a step lasts: its ``duration``, else its ``wait``, else the technique's default
    for the step, else the vocabulary's, else 0."""
    from mesosim.units import Quantity

    for p in ("duration", "wait"):
        q = params.get(p)
        if isinstance(q, Quantity):
            return q.to("min")
    return _prepare(tech, catalog).minutes.get(step_name, 0.0)


class _Prepared(NamedTuple):
    """What the simulation needs of a technique, worked out once per technique, not per file."""

    #: step name -> default minutes (the technique's, else the vocabulary's)
    minutes: dict[str, float]
    #: step name -> (requires, provides, consumes, punctures)
    kinds: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str], bool]]
    #: step name -> inside the measured span (``None``: the whole session is measured)
    inside: dict[str, tuple[bool, ...]] | None
    #: activity -> (minimum minutes, source) of the technique's aftercare and before-care
    after: dict[str, tuple[float, str]]
    before: dict[str, tuple[float, str]]
    #: what :func:`_walk` and :func:`restrictions` worked out for the sessions and the
    #: aftercare sections met so far (a class's files repeat a few of each)
    walks: dict[tuple[_StepIn, ...], _Walk]
    restrictions: dict[tuple[tuple[str, Quantity], ...], tuple[tuple[str, str, float, str], ...]]


#: what the session's walk reads of a step: its index, name, minutes and path
_StepIn = tuple[int, str, float, "Path"]


class _Walk(NamedTuple):
    """The session played minute by minute (:func:`_walk`)."""

    runs: tuple[StepRun, ...]
    clock: float
    measured: float | None
    measured_steps: tuple[int, int] | None


_PREPARED: dict[int, tuple[Technique, Catalog, _Prepared]] = {}


def _prepare(tech: Technique, catalog: Catalog) -> _Prepared:
    hit = _PREPARED.get(id(tech))
    if hit is not None and hit[0] is tech and hit[1] is catalog:
        return hit[2]
    minutes = {name: k.duration.to("min") for name, k in catalog.steps.items() if k.duration}
    minutes.update({name: q.to("min") for name, q in tech.durations.items()})
    kinds = {name: (k.requires, k.provides, k.consumes, k.punctures)
             for name, k in catalog.steps.items()}
    prepared = _Prepared(
        minutes, kinds, _span_verdicts(tech),
        {c.activity: (_minimum_minutes(c), c.minimum.source) for c in tech.aftercare},
        {c.activity: (_minimum_minutes(c), c.minimum.source) for c in tech.beforecare},
        {}, {})
    if len(_PREPARED) > 256:  # techniques built on the fly (tests, overrides): stay bounded
        _PREPARED.clear()
    _PREPARED[id(tech)] = (tech, catalog, prepared)
    return prepared


def simulate(protocol: Protocol, tech: Technique, catalog: Catalog) -> Trace:
    """Simulate ``protocol`` with ``tech``; linear in the number of steps, sessions and plans."""
    runs, clock, measured, measured_steps = _session(protocol, tech, catalog)
    dates, intervals, sessions = _sessions(protocol.course, protocol.course.kind, 1)
    kept_intervals: tuple[float, ...] = ()
    gap: float | None = None
    if protocol.maintenance is not None:
        more, kept_intervals, later = _sessions(protocol.maintenance, "maintenance",
                                                len(dates) + 1)
        if dates and more:
            gap = float((more[0] - dates[-1]).days)
        sessions += later
    windows = restrictions(protocol, tech, catalog)
    conflicts = _conflicts(protocol.patient.plans, sessions, windows, catalog.involves)
    return Trace(tech.name, runs, clock, measured, _dose(protocol, tech), sessions,
                 intervals, windows, conflicts, measured_steps, kept_intervals, gap)


_Calendar = tuple[tuple[_dt.date, ...], tuple[float, ...], tuple[Session, ...]]
_CALENDARS: dict[tuple[object, ...], _Calendar] = {}


def _sessions(course: Course, phase: str, first: int) -> _Calendar:
    """A course's :func:`calendar` and its sessions, numbered from ``first``.

    A class's files lay the same few calendars: each is laid once, 5.3 -> 0.4 us per course
    (speed round 2).
    """
    interval = course.interval
    # "-0 d" equals "0 d", but its intervals are -0.0: the sign is part of the key
    key = (course.dates, course.start, course.sessions, interval, phase, first,
           interval is not None and math.copysign(1.0, interval.value) < 0)
    found = _CALENDARS.get(key)
    if found is None:
        dates, intervals = calendar(course)
        found = _remember(_CALENDARS, key, (tuple(dates), intervals, tuple(
            [Session(first + i, d, phase) for i, d in enumerate(dates)])), len(dates))
    return found


def _session(protocol: Protocol, tech: Technique, catalog: Catalog) -> _Walk:
    """The session's steps with their minutes, walked by :func:`_walk`.

    A class's files write the same few sessions, so the walk is kept per technique, keyed by
    all it reads of the steps: 13 -> 3.5 us per protocol when it is met again (speed round 2).
    """
    prepared = _prepare(tech, catalog)
    default_minutes = prepared.minutes
    steps: list[_StepIn] = []
    for step in protocol.steps:
        params = step.params
        if "duration" in params or "wait" in params:
            minutes = step_minutes(step.name, params, tech, catalog)
        else:
            minutes = default_minutes.get(step.name, 0.0)
        steps.append((step.index, step.name, minutes, step.path))
    key = tuple(steps)
    walk = prepared.walks.get(key)
    if walk is None:
        walk = _remember(prepared.walks, key, _walk(key, tech, catalog), len(key))
    return walk


def _walk(steps: tuple[_StepIn, ...], tech: Technique, catalog: Catalog) -> _Walk:
    """Walk the steps in order, keeping the clock and the session's state; measure the span."""
    prepared = _prepare(tech, catalog)
    state: set[str] = set()
    runs: list[StepRun] = []
    clock = 0.0
    for index, name, minutes, path in steps:
        kind = prepared.kinds.get(name)
        missing: tuple[str, ...] = ()
        if kind is not None:
            requires, provides, consumes, punctures = kind
            if not requires <= state:
                missing = tuple(sorted(requires - state))
            state |= provides
            state -= consumes
            if punctures:
                state.add(PUNCTURED)
        runs.append(StepRun(index, name, clock, clock + minutes, path, missing,
                            tuple(sorted(state))))
        clock += minutes
    measured_steps = _measured_steps(runs, tech, catalog)
    if measured_steps is not None:
        first, last = measured_steps
        span = runs[last].end - runs[first].start
        if tech.unmeasured:
            span -= sum(r.end - r.start for r in runs[first:last + 1]
                        if r.name in tech.unmeasured)
        measured: float | None = span
    else:
        measured = clock if tech.session_span is None else None
    return _Walk(tuple(runs), clock, measured, measured_steps)


def _span_verdicts(tech: Technique) -> dict[str, tuple[bool, ...]] | None:
    """Step name -> for each of its slots in order, inside the technique's measured span;
    ``None`` when it measures the whole session.

    A slot is outside the span when it must come before the span's first step (the
    consultation, the anaesthetic's wait) or after its last step (the evaluation). A step
    written several times takes its slots in order (the eye area's second disinfection is
    inside the span where the first is not). A step foreign to the technique neither opens nor
    closes the span (it is already a finding), but its time counts when it lies inside.
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

    def inside(name: str, slot: str) -> bool:
        if name in (first, last):
            return True
        if slot in before_first:
            return False
        return after_last_anchor not in graph.ancestors[slot]

    return {name: tuple(inside(name, s) for s in sorted(slots, key=graph.order.index))
            for name, slots in slots_of.items()}


def _measured_steps(runs: Sequence[StepRun], tech: Technique, catalog: Catalog
                    ) -> tuple[int, int] | None:
    """Positions of the first and last step inside the technique's measured span."""
    verdicts = _prepare(tech, catalog).inside
    if verdicts is None:
        return (0, len(runs) - 1) if runs else None
    seen: dict[str, int] = {}
    kept = []
    for i, r in enumerate(runs):
        slots = verdicts.get(r.name)
        if slots is None:
            continue
        n = seen.get(r.name, 0)
        seen[r.name] = n + 1
        if slots[min(n, len(slots) - 1)]:
            kept.append(i)
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


def calendar(course: Course) -> tuple[list[_dt.date], tuple[float, ...]]:
    """A course's session dates and the days between consecutive sessions.

    With ``start``/``interval`` the dates are rounded to the day but the intervals are the
    declared interval, so that ``14.4 d`` is not read as 14 days.
    """
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


def restrictions(protocol: Protocol, tech: Technique, catalog: Catalog
                  ) -> tuple[tuple[str, str, float, str], ...]:
    """What is avoided around every session: the protocol's own aftercare, at least the
    technique's minimum, and the technique's before-care; restrictions of 0 are dropped."""
    prepared = _prepare(tech, catalog)
    # a class's files write the same few aftercare sections: each is worked out once per
    # technique, 4.7 -> 1.6 us per protocol (speed round 2)
    key = tuple(protocol.aftercare.items())
    found = prepared.restrictions.get(key)
    if found is None:
        found = _remember(prepared.restrictions, key, _restrictions(protocol.aftercare, prepared),
                          len(key))
    return found


def _restrictions(aftercare: Mapping[str, Quantity], prepared: _Prepared
                  ) -> tuple[tuple[str, str, float, str], ...]:
    after = dict(prepared.after)
    for activity, q in aftercare.items():
        minutes = q.to("min")
        if activity not in after or minutes > after[activity][0]:
            after[activity] = (minutes, "protocol")
    before = prepared.before
    return tuple(
        [(a, "beforecare", m, src) for a, (m, src) in sorted(before.items()) if m > 0]
        + [(a, "aftercare", m, src) for a, (m, src) in sorted(after.items()) if m > 0])


_Span = tuple[str, _dt.timedelta, str, float]
_SPANS: dict[tuple[tuple[tuple[str, str, float, str], ...], frozenset[str]],
             dict[str, list[_Span]]] = {}


def _spans(restrictions: tuple[tuple[str, str, float, str], ...], wanted: frozenset[str]
           ) -> dict[str, list[_Span]]:
    """Activity -> (kind, days as a timedelta, source, minutes) of its restrictions, for the
    ``wanted`` activities. A class's files meet the same few restrictions and plans: each is
    laid out once, 4.2 -> 2.5 us per protocol with plans (speed round 2)."""
    key = (restrictions, wanted)
    found = _SPANS.get(key)
    if found is None:
        found = {}
        for activity, kind, minutes, source in restrictions:
            if activity in wanted:
                found.setdefault(activity, []).append(
                    (kind, _dt.timedelta(days=days_of(minutes)), source, minutes))
        _remember(_SPANS, key, found, len(restrictions) + len(wanted))
    return found


def _first_not_before(dates: list[_dt.date], day: _dt.date) -> int:
    """``bisect.bisect_left(dates, day)``, written out: the module and its C helper cost 0.9 ms
    of a one-file check to import (speed round 2), for a handful of searches."""
    lo, hi = 0, len(dates)
    while lo < hi:
        mid = (lo + hi) // 2
        if dates[mid] < day:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _conflicts(plans: Sequence[Plan], sessions: tuple[Session, ...],
               restrictions: tuple[tuple[str, str, float, str], ...],
               involves: Mapping[str, frozenset[str]] | None = None) -> tuple[Conflict, ...]:
    """Each plan against the windows of the activities it involves: one conflict per plan, with
    the earliest window it overlaps (by start, then session).

    No window is laid out: a window of N days after a session on day ``s`` overlaps the plan's
    days ``[d0, d1]`` exactly when ``d0 - N + 1 <= s <= d1`` (before-care: ``d0 + 1 <= s <=
    d1 + N``), so a binary search over the sorted session dates finds the earliest such session.
    The cost is O(plans x restrictions x log sessions).
    """
    if not plans:
        return ()
    involves = involves or {}
    wanted = frozenset([a for p in plans for a in (p.activity, *involves.get(p.activity, ()))])
    by_activity = _spans(restrictions, wanted)
    if not by_activity:
        return ()
    order = [(s.date, s.number) for s in sessions]
    order.sort()  # explicit dates may be unsorted (sorted ones cost one comparison a pair)
    dates = [d for d, _n in order]
    one = _dt.timedelta(days=1)
    conflicts = []
    for i, plan in enumerate(plans):
        d0, d1 = plan.date, plan.until or plan.date
        best: Window | None = None
        for activity in (plan.activity, *sorted(involves.get(plan.activity, ()))):
            for kind, n, source, minutes in by_activity.get(activity, ()):
                # the sessions whose window meets the plan's days, the calendar's edges kept
                lo, hi = (clamp_add(d0, one - n), d1) if kind == "aftercare" else \
                    (clamp_add(d0, one), clamp_add(d1, n))
                k = _first_not_before(dates, lo)
                if k == len(dates) or dates[k] > hi:
                    continue
                day, number = order[k]
                w = Window(number, activity, kind, day, clamp_add(day, n - one), source,
                           minutes) if kind == "aftercare" else \
                    Window(number, activity, kind, clamp_add(day, -n), clamp_add(day, -one),
                           source, minutes)
                if best is None or (w.start, w.session) < (best.start, best.session):
                    best = w
        if best is not None:
            conflicts.append(Conflict(i, plan.activity, plan.date, best, plan.path, plan.until))
    return tuple(conflicts)
