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
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final, NamedTuple

from mesosim.trace import Conflict, Session, StepRun, Trace, Window, clamp_add, days_of

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.declarations import Care, Technique
    from mesosim.protocol import Course, Plan, Protocol

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
        {c.activity: (_minimum_minutes(c), c.minimum.source) for c in tech.beforecare})
    if len(_PREPARED) > 256:  # techniques built on the fly (tests, overrides): stay bounded
        _PREPARED.clear()
    _PREPARED[id(tech)] = (tech, catalog, prepared)
    return prepared


def simulate(protocol: Protocol, tech: Technique, catalog: Catalog) -> Trace:
    """Simulate ``protocol`` with ``tech``; linear in the number of steps, sessions and plans."""
    runs, clock = _session(protocol, tech, catalog)
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
    dates, intervals = calendar(protocol.course)
    sessions = [Session(i + 1, d, protocol.course.kind) for i, d in enumerate(dates)]
    kept_intervals: tuple[float, ...] = ()
    gap: float | None = None
    if protocol.maintenance is not None:
        more, kept_intervals = calendar(protocol.maintenance)
        if dates and more:
            gap = float((more[0] - dates[-1]).days)
        sessions += [Session(len(dates) + i + 1, d, "maintenance") for i, d in enumerate(more)]
    windows = restrictions(protocol, tech, catalog)
    conflicts = _conflicts(protocol.patient.plans, tuple(sessions), windows, catalog.involves)
    return Trace(tech.name, tuple(runs), clock, measured, _dose(protocol, tech), tuple(sessions),
                 intervals, windows, conflicts, measured_steps, kept_intervals, gap)


def _session(protocol: Protocol, tech: Technique, catalog: Catalog) -> tuple[list[StepRun], float]:
    """Walk the steps in order, keeping the clock and the session's state."""
    prepared = _prepare(tech, catalog)
    state: set[str] = set()
    runs: list[StepRun] = []
    clock = 0.0
    for step in protocol.steps:
        kind = prepared.kinds.get(step.name)
        params = step.params
        if "duration" in params or "wait" in params:
            minutes = step_minutes(step.name, params, tech, catalog)
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


def _measured_steps(runs: list[StepRun], tech: Technique, catalog: Catalog
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
    after = dict(prepared.after)
    for activity, q in protocol.aftercare.items():
        minutes = q.to("min")
        if activity not in after or minutes > after[activity][0]:
            after[activity] = (minutes, "protocol")
    before = prepared.before
    return tuple(
        [(a, "beforecare", m, src) for a, (m, src) in sorted(before.items()) if m > 0]
        + [(a, "aftercare", m, src) for a, (m, src) in sorted(after.items()) if m > 0])


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
    import bisect

    if not plans:
        return ()
    involves = involves or {}
    wanted = {a for p in plans for a in (p.activity, *sorted(involves.get(p.activity, ())))}
    by_activity: dict[str, list[tuple[str, _dt.timedelta, str, float]]] = {}
    for activity, kind, minutes, source in restrictions:
        if activity in wanted:
            by_activity.setdefault(activity, []).append(
                (kind, _dt.timedelta(days=days_of(minutes)), source, minutes))
    if not by_activity:
        return ()
    order = [(s.date, s.number) for s in sessions]
    if any(a > b for a, b in zip(order, order[1:], strict=False)):  # explicit dates, unsorted
        order.sort()
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
                k = bisect.bisect_left(dates, lo)
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
