"""The course planner (layer 5): lay a protocol's sessions around the patient's life.

:func:`plan_course` takes a checked protocol (its :class:`~mesosim.results.Outcome`) and the
clinic's constraints and returns the calendar that **finishes earliest** while meeting every
constraint ``mesosim check`` enforces on a calendar:

* each interval within the technique's range for the zone, setting and course kind (the
  ``interval`` figure in force, :func:`mesosim.resolve.resolve`), and the first maintenance
  session at least the longer of the two courses' shortest intervals after the course;
* no plan of the patient inside a before- or aftercare window of any session (the windows of
  the plan's activity and of the activities it involves, as the simulator lays them);

and the clinic's own: sessions on working days only, never on a closed date, none before
``--from`` (the day of a re-plan) or after ``--until``. Sessions already given (``--done``) are
kept as they are and counted among the course's sessions. The protocol's own interval is kept
as the shortest gap when the technique allows it (a weekly course is not squeezed to the
technique's minimum); if no calendar keeps it, the technique's whole range is used, and the
plan says so.

**The algorithm.** Whether session *i* may fall on day *d* depends on *d* alone (its windows
against the plans, the clinic's days) and on the day of session *i-1* (the interval): a chain.
Over the days from the start to ``--until`` (at most a few hundred), a forward pass marks the
days each session can reach (a prefix sum makes each pass linear in the days, the gaps being a
range), the earliest day the last session reaches is the optimum, a backward pass keeps the
days from which that end is still reachable, and a final forward pass takes for each session
the earliest such day: the calendar ending earliest, and among those the one with every
session as early as possible. O(sessions x days), a few milliseconds for 20 sessions and 50
plans; exact, so no solver is needed (a constraint solver would add a dependency to solve a
shortest path). ``tests/test_planner.py`` checks it against an exhaustive search.

When no calendar exists, :func:`plan_course` says which constraints cannot be met together
(the first session no day can take, and why each day of its reach is excluded) and the
smallest changes that would make one possible, each found by planning again: a plan moved by N
days, a later ``--until``, a longer interval than the technique allows (with its source), a
working day more, a closed date opened.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, NamedTuple

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.declarations import Range, Technique
    from mesosim.protocol import Course, Plan, Protocol
    from mesosim.results import Outcome

WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: the longest span planned over (ten years): beyond it ``--until`` is refused
MAX_DAYS: Final = 3660
#: how far a plan is moved, each way, when looking for the smallest change
MAX_SHIFT: Final = 120


class PlanError(ValueError):
    """The protocol cannot be planned at all (no start, no sessions): a message for the user."""


class Planned(NamedTuple):
    """One session of the calendar."""

    number: int
    date: _dt.date
    #: ``intensive`` or ``maintenance``
    kind: str
    #: given already (``--done``): kept as it is
    done: bool = False
    #: where it would have fallen without the constraints (the previous session plus the
    #: interval), when it was moved
    moved_from: _dt.date | None = None
    #: why it was moved, one reason per cause (a plan's window, a closed day...)
    reasons: tuple[str, ...] = ()


class Change(NamedTuple):
    """A change that would make a calendar possible."""

    kind: str  # move-plan | until | interval | clinic-day | open-date | interval-kept
    text: str
    data: Mapping[str, Any]


class PlanResult(NamedTuple):
    """What :func:`plan_course` found."""

    path: str
    technique: str
    zone: str | None
    feasible: bool
    sessions: tuple[Planned, ...]
    until: _dt.date
    clinic_days: tuple[str, ...]
    closed: tuple[_dt.date, ...]
    #: the protocol's own calendar (its dates, or start plus interval), for comparison
    own: tuple[_dt.date, ...]
    #: the interval kept as the shortest gap, in days (``None``: the technique's minimum)
    kept_interval: int | None
    #: notes on the calendar (an interval that could not be kept)
    notes: tuple[str, ...] = ()
    #: when no calendar exists: the constraints that cannot be met together
    conflicts: tuple[str, ...] = ()
    #: when no calendar exists: the smallest changes that would make one possible
    changes: tuple[Change, ...] = ()


class _Gap(NamedTuple):
    lo: int
    hi: int
    what: str  # the figure, for messages: "7-14 d (002:640)"


class _Problem(NamedTuple):
    """The constraints, on day offsets from ``day0``."""

    day0: _dt.date
    days: int  # last day offset (``until``)
    n: int
    kinds: tuple[str, ...]
    gaps: tuple[_Gap, ...]  # gaps[i]: between session i and i + 1 (0-based)
    done: tuple[int, ...]
    first: tuple[int, ...]  # session index -> its earliest day offset
    free: list[bool]  # day offset -> a session may take it
    why: list[list[str]]  # day offset -> why not (empty when free)
    #: day offset -> a plan's window excludes it (what a session given already must respect)
    planned_over: list[bool]


def parse_weekdays(text: str) -> tuple[str, ...]:
    """``mon,tue,thu`` or ``mon-fri`` -> the weekdays, in week order (``ValueError`` if not)."""
    wanted: set[str] = set()
    for part in (p.strip().lower() for p in text.split(",")):
        if not part:
            continue
        lo, _, hi = part.partition("-")
        for name in (lo, hi or lo):
            if name[:3] not in WEEKDAYS or not WEEKDAYS[WEEKDAYS.index(name[:3])].startswith(
                    name[:3]) or len(name) < 3:
                raise ValueError(f"'{name}' is not a day of the week (mon, tue, ... sun)")
        a, b = WEEKDAYS.index(lo[:3]), WEEKDAYS.index((hi or lo)[:3])
        span = range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)]
        wanted.update(WEEKDAYS[i] for i in span)
    if not wanted:
        raise ValueError("no day of the week given")
    return tuple(d for d in WEEKDAYS if d in wanted)


def parse_dates(text: str) -> tuple[_dt.date, ...]:
    """``2027-03-01,2027-03-08`` and ranges ``2027-12-24..2028-01-02`` -> sorted dates."""
    out: set[_dt.date] = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        a, sep, b = part.partition("..")
        try:
            lo = _dt.date.fromisoformat(a.strip())
            hi = _dt.date.fromisoformat(b.strip()) if sep else lo
        except ValueError:
            raise ValueError(f"'{part}' is not a date (YYYY-MM-DD) or a range "
                             "(YYYY-MM-DD..YYYY-MM-DD)") from None
        if hi < lo:
            raise ValueError(f"'{part}': the range ends before it starts")
        if (hi - lo).days > MAX_DAYS:
            raise ValueError(f"'{part}': a range of more than {MAX_DAYS} days")
        out.update(lo + _dt.timedelta(days=i) for i in range((hi - lo).days + 1))
    return tuple(sorted(out))


def _days(r: Range, days: int) -> bool:
    from mesosim.units import Quantity

    return r.contains(Quantity(float(days), "d", "time"))


def _gap(r: Range | None, horizon: int, what: str = "") -> _Gap:
    """The whole days ``r`` allows between two sessions, as a range (the check's own test)."""
    if r is None:
        return _Gap(1, horizon, "any interval")
    ok = [g for g in range(0, horizon + 1) if _days(r, g)]
    label = what or f"{r}, {r.source}"
    if not ok:
        return _Gap(horizon + 1, horizon + 1, label)  # nothing fits within the horizon
    return _Gap(max(ok[0], 1), ok[-1], label)


def _own_calendar(course: Course) -> list[_dt.date]:
    from mesosim.simulate import calendar

    return calendar(course)[0]


def _count(course: Course) -> int:
    return len(course.dates) if course.dates else course.sessions or 0


def _kept(course: Course, r: Range | None) -> int | None:
    """The protocol's interval in whole days, when the technique allows it."""
    import math

    if course.dates or course.interval is None:
        return None
    days = math.ceil(course.interval.to("d") - 1e-9)
    if days < 1 or (r is not None and not _days(r, days)):
        return None
    return days


def _explain_window(plan: Plan, activity: str, kind: str, minutes: float, source: str) -> str:
    """A plan's window as a reason, in parts (``\t``-separated) that :func:`_reasons` merges:
    the plan, the window's length, activity, side and source."""
    from mesosim.trace import days_of

    when = plan.date.isoformat() if plan.until in (None, plan.date) else \
        f"{plan.date} to {plan.until}"
    length = f"{days_of(minutes)}-day" if minutes >= 1440 else f"{minutes / 60:g}-hour"
    side = "after" if kind == "aftercare" else "before"
    return f"{plan.activity} on {when}\t{length}\t{activity}\t{side}\t{source}"


def _merged(parts: list[list[str]]) -> str:
    """``sauna on 2027-03-17: 7-day sauna window after a session [002:478]``, the windows of
    one plan that differ only in their activity said once (``7-day sauna and sun windows``)."""
    plan = parts[0][0]
    groups: dict[tuple[str, str, str], list[str]] = {}
    for _plan, length, activity, side, source in parts:
        groups.setdefault((length, side, source), []).append(activity)
    said = []
    for (length, side, source), acts in groups.items():
        what = " and ".join(acts) + (" windows" if len(acts) > 1 else " window")
        said.append(f"{length} {what} {side} a session [{source}]")
    return f"{plan}: " + ", ".join(said)


def _problem(protocol: Protocol, tech: Technique, maintenance: Technique | None,
             catalog: Catalog, *, until: _dt.date, clinic_days: Sequence[str],
             closed: Iterable[_dt.date], done: Sequence[_dt.date], start: _dt.date | None,
             keep_interval: bool, plans: Sequence[Plan] | None = None) -> _Problem:
    from mesosim.simulate import restrictions
    from mesosim.trace import days_of

    course = protocol.course
    earliest = course.dates[0] if course.dates else course.start
    if earliest is None:
        raise PlanError("the protocol gives no start date ('course: start:' or 'course: "
                        "dates:'): the planner needs the earliest day of the course")
    n1 = _count(course)
    n2 = _count(protocol.maintenance) if protocol.maintenance is not None else 0
    if n1 < 1:
        raise PlanError("the protocol gives no number of sessions ('course: sessions:')")
    if len(done) > n1 + n2:
        raise PlanError(f"{len(done)} sessions given (--done), but the protocol has "
                        f"{n1 + n2}")
    first_day = max(earliest, start) if start is not None else earliest
    day0 = min([earliest, first_day, *done])
    horizon = (until - day0).days
    if horizon < 0:
        raise PlanError(f"--until {until} is before the course can start ({first_day})")
    if done and max(done) > until:
        raise PlanError(f"a session given ({max(done)}) is after --until ({until})")
    if horizon > MAX_DAYS:
        raise PlanError(f"--until {until} is more than {MAX_DAYS} days after the start "
                        f"({day0}): plan a shorter span")
    keep1 = _kept(course, tech.interval) if keep_interval else None
    g1 = _gap(tech.interval, horizon)
    if keep1 is not None and g1.lo <= keep1 <= g1.hi:
        g1 = _Gap(keep1, g1.hi, g1.what)
    gaps = [g1] * max(0, n1 - 1)
    kinds = [course.kind] * n1
    if n2:
        assert protocol.maintenance is not None
        mtech = maintenance or tech
        bounds = [r for r in (tech.interval, mtech.interval) if r is not None and r.min is not None]
        least = max((_gap(r, horizon).lo for r in bounds), default=1)
        gaps.append(_Gap(least, horizon, "after the course: at least the shortest interval "
                                         f"either course allows ({least} d)"))
        g2 = _gap(mtech.interval, horizon)
        keep2 = _kept(protocol.maintenance, mtech.interval) if keep_interval else None
        if keep2 is not None and g2.lo <= keep2 <= g2.hi:
            g2 = _Gap(keep2, g2.hi, g2.what)
        gaps += [g2] * (n2 - 1)
        kinds += ["maintenance"] * n2
        m = protocol.maintenance
        m_start = m.dates[0] if m.dates else m.start
    days = horizon
    free = [True] * (days + 1)
    why: list[list[str]] = [[] for _ in range(days + 1)]

    planned_over = [False] * (days + 1)

    def exclude(lo: int, hi: int, reason: str) -> None:
        for d in range(max(lo, 0), min(hi, days) + 1):
            free[d] = False
            why[d].append(reason)
            if "\t" in reason:
                planned_over[d] = True

    exclude(0, (first_day - day0).days - 1, f"before the first day a session may take "
                                             f"({first_day})")
    wanted = set(clinic_days)
    for d in range(days + 1):
        weekday = WEEKDAYS[(day0 + _dt.timedelta(days=d)).weekday()]
        if weekday not in wanted:
            free[d] = False
            why[d].append(f"{weekday}: not a clinic day")
    for c in closed:
        off = (c - day0).days
        if 0 <= off <= days:
            exclude(off, off, f"clinic closed on {c}")
    windows = restrictions(protocol, tech, catalog)
    involves = catalog.involves
    for plan in protocol.patient.plans if plans is None else plans:
        d0, d1 = (plan.date - day0).days, ((plan.until or plan.date) - day0).days
        for activity in (plan.activity, *sorted(involves.get(plan.activity, ()))):
            for act, kind, minutes, source in windows:
                if act != activity:
                    continue
                n = days_of(minutes)
                reason = _explain_window(plan, act, kind, minutes, source)
                if kind == "aftercare":
                    exclude(d0 - n + 1, d1, reason)
                else:
                    exclude(d0 + 1, d1 + n, reason)
    firsts = [(first_day - day0).days] * n1
    if n2:
        later = max(m_start, first_day) if m_start is not None else first_day
        firsts += [(later - day0).days] * n2
    return _Problem(day0, days, n1 + n2, tuple(kinds), tuple(gaps),
                    tuple((d - day0).days for d in sorted(done)), tuple(firsts), free, why,
                    planned_over)


def _reach(p: _Problem) -> list[list[bool]] | None:
    """Forward pass: for each session still to give, the days it can take given the sessions
    before it; ``None`` when the sessions given already break a constraint."""
    k = len(p.done)
    size = p.days + 1
    out: list[list[bool]] = []
    if k:
        prev = [False] * size
        # the sessions given are history: they are checked (interval, windows) but never moved
        for i in range(1, k):
            g = p.gaps[i - 1]
            if not g.lo <= p.done[i] - p.done[i - 1] <= g.hi:
                return None
        if any(p.planned_over[d] for d in p.done):
            return None
        prev[p.done[-1]] = True
    for i in range(k, p.n):
        if i == 0:
            cur = [p.free[d] and d >= p.first[0] for d in range(size)]
        else:
            g = p.gaps[i - 1]
            before = out[-1] if out else prev
            prefix = [0] * (size + 1)
            for d in range(size):
                prefix[d + 1] = prefix[d] + before[d]
            cur = [False] * size
            for d in range(size):
                if p.free[d] and d >= p.first[i]:
                    a, b = d - g.hi, d - g.lo
                    if b >= 0 and prefix[b + 1] - prefix[max(a, 0)] > 0:
                        cur[d] = True
        out.append(cur)
    return out


def _solve(p: _Problem) -> list[int] | None:
    """The calendar ending earliest (day offsets of every session), or ``None``."""
    k = len(p.done)
    if k == p.n:
        reach = _reach(p)
        return list(p.done) if reach is not None else None
    reach = _reach(p)
    if reach is None or not any(reach[-1]):
        return None
    size = p.days + 1
    end = reach[-1].index(True)
    back = [[False] * size for _ in reach]
    back[-1][end] = True
    for j in range(len(reach) - 2, -1, -1):
        g = p.gaps[k + j]
        after = back[j + 1]
        prefix = [0] * (size + 1)
        for d in range(size):
            prefix[d + 1] = prefix[d] + after[d]
        for d in range(size):
            if reach[j][d]:
                a, b = d + g.lo, min(d + g.hi, size - 1)
                if a <= b and prefix[b + 1] - prefix[a] > 0:
                    back[j][d] = True
    days = list(p.done)
    for j in range(len(reach)):
        if j == 0:
            lo, hi = 0, size - 1
            if k:
                g = p.gaps[k - 1]
                lo, hi = days[-1] + g.lo, min(days[-1] + g.hi, size - 1)
        else:
            g = p.gaps[k + j - 1]
            lo, hi = days[-1] + g.lo, min(days[-1] + g.hi, size - 1)
        days.append(next(d for d in range(lo, hi + 1) if back[j][d]))
    return days


def _first_blocked(p: _Problem) -> tuple[int, int, int] | None:
    """The first session no day can take: (session index, first and last candidate day)."""
    reach = _reach(p)
    if reach is None:
        return None
    k = len(p.done)
    for j, row in enumerate(reach):
        if any(row):
            continue
        i = k + j
        if i == 0:
            return i, p.first[0], p.days
        before = reach[j - 1] if j else [d in p.done[-1:] for d in range(p.days + 1)]
        days = [d for d, ok in enumerate(before) if ok]
        g = p.gaps[i - 1]
        return i, max(days[0] + g.lo, p.first[i]), days[-1] + g.hi
    return None


def plan_course(outcome: Outcome, catalog: Catalog, *, until: _dt.date | None = None,
                done: Sequence[_dt.date] = (), clinic_days: Sequence[str] = WEEKDAYS,
                closed: Sequence[_dt.date] = (), start: _dt.date | None = None) -> PlanResult:
    """Plan the course of a checked protocol; :class:`PlanError` when it cannot be planned at
    all (no model: the file's own errors come first; no start; no sessions)."""
    from mesosim.resolve import resolve

    protocol, tech = outcome.protocol, outcome.technique
    if protocol is None or tech is None or outcome.trace is None:
        raise PlanError("the protocol cannot be simulated (see mesosim check): fix its errors "
                        "first")
    declared = catalog.techniques.get(protocol.technique)
    maintenance = resolve(catalog, declared, protocol.zone, protocol.setting, "maintenance") \
        if declared is not None and protocol.maintenance is not None else None
    earliest = protocol.course.dates[0] if protocol.course.dates else protocol.course.start
    if until is None and earliest is not None:
        until = _add_year(max(earliest, start) if start else earliest)
    if until is None:
        until = _dt.date.max
    args: dict[str, Any] = {"until": until, "clinic_days": tuple(clinic_days),
                            "closed": tuple(closed), "done": tuple(sorted(done)),
                            "start": start}
    problem = _problem(protocol, tech, maintenance, catalog, keep_interval=True, **args)
    own = [*_own_calendar(protocol.course),
           *(_own_calendar(protocol.maintenance) if protocol.maintenance else ())]
    base = PlanResult(protocol.path, tech.name, protocol.zone, False, (), until,
                      tuple(clinic_days), tuple(closed), tuple(own), None)
    notes: list[str] = []
    days = _solve(problem)
    kept = _kept(protocol.course, tech.interval)
    if days is None and kept is not None:
        loose = _problem(protocol, tech, maintenance, catalog, keep_interval=False, **args)
        days = _solve(loose)
        if days is not None:
            notes.append(f"the protocol's interval ({protocol.course.interval}) could not be "
                         f"kept: the sessions are {loose.gaps[0].what} apart where needed")
            problem = loose
            kept = None
    if days is None:
        loose = _problem(protocol, tech, maintenance, catalog, keep_interval=False, **args)
        if _reach(loose) is None:
            return base._replace(conflicts=tuple(_done_problems(loose)))
        return base._replace(conflicts=tuple(_why_not(loose)),
                             changes=tuple(_changes(protocol, tech, maintenance, catalog,
                                                    loose, args)))
    sessions = _sessions(problem, days, own)
    return base._replace(feasible=True, sessions=tuple(sessions), kept_interval=kept,
                         notes=tuple(notes))


def _add_year(d: _dt.date) -> _dt.date:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year + 1, day=28)


def _sessions(p: _Problem, days: list[int], own: Sequence[_dt.date] = ()) -> list[Planned]:
    """The sessions of a calendar, each moved one with where it would have been: the
    protocol's own date for it, or the day its interval after the previous session allows,
    whichever is later (a session pushed only by the one before it is not "moved")."""
    out = []
    k = len(p.done)
    for i, d in enumerate(days):
        date = p.day0 + _dt.timedelta(days=d)
        if i < k:
            out.append(Planned(i + 1, date, p.kinds[i], done=True))
            continue
        nominal = p.first[i] if i == 0 else max(days[i - 1] + p.gaps[i - 1].lo, p.first[i])
        if i < len(own):
            nominal = max(nominal, (own[i] - p.day0).days)
        if d == nominal or nominal > p.days:
            out.append(Planned(i + 1, date, p.kinds[i]))
            continue
        reasons = _reasons(p, range(nominal, d))
        out.append(Planned(i + 1, date, p.kinds[i], moved_from=p.day0 + _dt.timedelta(
            days=nominal), reasons=tuple(reasons)))
    return out


def _reasons(p: _Problem, days: range) -> tuple[str, ...]:
    """Why a session did not take any of ``days``: each cause once, in calendar order (a plan's
    windows merged), the clinic's days off folded into one; a free day left for the sake of the
    sessions after it."""
    causes: list[str | list[list[str]]] = []
    plans: dict[str, list[list[str]]] = {}
    off: list[str] = []
    lookahead = False
    for d in days:
        if not p.why[d]:
            lookahead = True
        for r in p.why[d]:
            if "\t" in r:
                parts = r.split("\t")
                if parts[0] not in plans:
                    plans[parts[0]] = []
                    causes.append(plans[parts[0]])
                if parts not in plans[parts[0]]:
                    plans[parts[0]].append(parts)
            elif r.endswith(": not a clinic day"):
                if r.split(":")[0] not in off:
                    off.append(r.split(":")[0])
            elif r not in causes:
                causes.append(r)
    out = [c if isinstance(c, str) else _merged(c) for c in causes]
    if off:
        out.append(f"not a clinic day ({', '.join(off)})")
    if lookahead:
        out.append("an earlier day would leave the next sessions no day within their "
                   "intervals")
    return tuple(out)


def _done_problems(p: _Problem) -> list[str]:
    out = []
    for i, d in enumerate(p.done):
        if p.planned_over[d]:
            by_plan: dict[str, list[list[str]]] = {}
            for r in p.why[d]:
                if "\t" in r:
                    parts = r.split("\t")
                    by_plan.setdefault(parts[0], []).append(parts)
            said = "; ".join(_merged(parts) for parts in by_plan.values())
            out.append(f"session {i + 1}, given on {p.day0 + _dt.timedelta(d)}, has a plan in "
                       f"its window ({said}): sessions given cannot be moved")
    for i in range(1, len(p.done)):
        g = p.gaps[i - 1]
        apart = p.done[i] - p.done[i - 1]
        if not g.lo <= apart <= g.hi:
            out.append(f"sessions {i} and {i + 1}, given on {p.day0 + _dt.timedelta(p.done[i - 1])}"
                       f" and {p.day0 + _dt.timedelta(p.done[i])}, are {apart} days apart; the "
                       f"technique allows {g.what}: sessions given cannot be moved")
    return out


def _why_not(p: _Problem) -> list[str]:
    blocked = _first_blocked(p)
    if blocked is None:
        return []
    i, lo, hi = blocked
    g = p.gaps[i - 1] if i else None
    head = f"session {i + 1} ({p.kinds[i]})"
    if g is not None:
        most = f"{g.lo}-{g.hi}" if g.hi < p.days else f"at least {g.lo}"
        head += f" must come {most} days after session {i} ({g.what})"
    if lo > p.days:
        return [f"{head}: after --until ({_day(p, p.days)})"]
    if lo > hi:  # the window closed before the first day a session may take
        return [f"{head}: by {_day(p, hi)}, but no session may be planned before "
                f"{_day(p, p.first[i])}"]
    last = min(hi, p.days)
    out = [f"{head}: between {_day(p, lo)} and {_day(p, last)}, and no day there is free:"]
    out += [f"  {r}" for r in _reasons(p, range(lo, last + 1))]
    if hi > p.days:
        out.append(f"  after {_day(p, p.days)}: past --until")
    return out


def _day(p: _Problem, off: int) -> str:
    return (p.day0 + _dt.timedelta(days=off)).isoformat()


def _changes(protocol: Protocol, tech: Technique, maintenance: Technique | None,
             catalog: Catalog, p: _Problem, args: dict[str, Any]) -> list[Change]:
    """The smallest changes, each on its own, that make a calendar possible."""
    from attrs import evolve

    out: list[Change] = []

    def feasible(**kw: Any) -> list[int] | None:
        merged = {**args, **kw}
        plans = merged.pop("plans", None)
        try:
            q = _problem(protocol, tech, maintenance, catalog, keep_interval=False,
                         plans=plans, **merged)
        except PlanError:
            return None
        return _solve(q)

    # a later --until
    far = min(_dt.date.max - _dt.timedelta(days=1), p.day0 + _dt.timedelta(days=MAX_DAYS))
    later = feasible(until=far)
    if later is not None:
        end = p.day0 + _dt.timedelta(days=later[-1])
        out.append(Change("until", f"a later --until: the course can end on {end}",
                          {"until": end.isoformat()}))
    # a plan moved
    plans = list(protocol.patient.plans)
    for i, plan in enumerate(plans):
        if feasible(plans=plans[:i] + plans[i + 1:]) is None:
            continue
        for shift in range(1, MAX_SHIFT + 1):
            found = None
            for sign in (1, -1):
                delta = _dt.timedelta(days=sign * shift)
                try:
                    moved = evolve(plan, date=plan.date + delta,
                                   until=plan.until + delta if plan.until else None)
                except OverflowError:
                    continue
                if feasible(plans=[*plans[:i], moved, *plans[i + 1:]]) is not None:
                    found = (sign * shift, moved)
                    break
            if found:
                n, moved = found
                when = f"{plan.date}" + (f" to {plan.until}" if plan.until else "")
                to = f"{moved.date}" + (f" to {moved.until}" if moved.until else "")
                out.append(Change("move-plan", f"move the {plan.activity} of {when} {abs(n)} "
                                  f"day{'s' * (abs(n) != 1)} {'later' if n > 0 else 'earlier'} "
                                  f"({to})", {"plan": i, "activity": plan.activity,
                                              "days": n}))
                break
    # a longer interval than the technique allows (which a source would have to support)
    r = tech.interval
    if r is not None and r.max is not None:
        hi = _gap(r, p.days).hi
        for extra in range(1, 61):
            wider = evolve(r, max=r.max + extra / _unit_days(r))
            if _solve_with(protocol, evolve(tech, interval=wider), maintenance, catalog,
                           args) is not None:
                out.append(Change("interval", f"sessions up to {hi + extra} days apart: "
                                  f"{tech.name} allows at most {hi} here ({r}, {r.source}), "
                                  "so only a source that allows more could justify it",
                                  {"max_days": hi + extra}))
                break
    # a working day more, a closed date opened
    for day in WEEKDAYS:
        if day not in args["clinic_days"] and feasible(
                clinic_days=(*args["clinic_days"], day)) is not None:
            out.append(Change("clinic-day", f"open on {day}", {"weekday": day}))
    for c in args["closed"]:
        if feasible(closed=tuple(x for x in args["closed"] if x != c)) is not None:
            out.append(Change("open-date", f"open on {c}", {"date": c.isoformat()}))
    return out


def _unit_days(r: Range) -> float:
    from mesosim.units import Quantity

    return Quantity(1.0, r.unit, "time").to("d")


def _solve_with(protocol: Protocol, tech: Technique, maintenance: Technique | None,
                catalog: Catalog, args: dict[str, Any]) -> list[int] | None:
    try:
        q = _problem(protocol, tech, maintenance, catalog, keep_interval=False, **args)
    except PlanError:
        return None
    return _solve(q)


# --- writing the calendar into the protocol ----------------------------------------------

#: a date as a YAML scalar, quoted or not
_DATE_TEXT: Final = r"""(['"]?)\d{4}-\d{2}-\d{2}\1"""


def with_dates(text: str, doc: Any, dates: Mapping[str, Sequence[_dt.date]]) -> str:
    """``text`` with each section's (``course``, ``maintenance``) calendar written as its
    ``dates``: ``start`` becomes ``dates`` and ``interval`` a comment (a protocol gives one or
    the other); every other key and every comment stays as written. JSON is written again
    whole (it has no comments), its keys in their order."""
    if doc.path.lower().endswith(".json"):
        return _json_with_dates(text, dates)
    lines = text.split("\n")
    for section, days in dates.items():
        flow = "[" + ", ".join(d.isoformat() for d in days) + "]"
        data = doc.data.get(section) if isinstance(doc.data, dict) else None
        if not isinstance(data, dict):
            raise PlanError(f"'{section}' is not a mapping: the calendar cannot be written")
        if "dates" in data:
            lines = _replace_dates(lines, doc, section, flow)
        elif "start" in data:
            # the later edit first, so that the earlier one's position still holds when both
            # are on one line (``course: {start: ..., interval: ...}``)
            edits = [(doc.key_pos((section, "start")), "start")]
            if "interval" in data:
                edits.append((doc.key_pos((section, "interval")), "interval"))
            for _pos, key in sorted(edits, reverse=True):
                lines = _start_to_dates(lines, doc, section, flow) if key == "start" else \
                    _drop_interval(lines, doc, section)
        else:
            raise PlanError(f"'{section}' has neither 'start' nor 'dates'")
    return "\n".join(lines)


def _json_with_dates(text: str, dates: Mapping[str, Sequence[_dt.date]]) -> str:
    import json

    data = json.loads(text)
    for section, days in dates.items():
        old = data[section]
        new: dict[str, Any] = {}
        for key, value in old.items():
            if key in ("start", "dates"):
                new["dates"] = [d.isoformat() for d in days]
            elif key != "interval":
                new[key] = value
        data[section] = new
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _start_to_dates(lines: list[str], doc: Any, section: str, flow: str) -> list[str]:
    import re

    line, col = doc.key_pos((section, "start"))
    text = lines[line - 1]
    m = re.compile(r"start(\s*):\s*" + _DATE_TEXT).match(text, col - 1)
    if m is None:
        raise PlanError(f"'{section}: start' is not written as a plain date on line {line}")
    lines[line - 1] = text[:col - 1] + "dates: " + flow + text[m.end():]
    return lines


def _drop_interval(lines: list[str], doc: Any, section: str) -> list[str]:
    import re

    line, col = doc.key_pos((section, "interval"))
    text = lines[line - 1]
    if not text[:col - 1].strip():  # block style: the key starts its line
        lines[line - 1] = text[:col - 1] + "# " + text[col - 1:] + \
            ("" if "#" in text[col - 1:] else "  # the dates above replace it (mesosim plan)")
        return lines
    flow = re.compile(r"\s*,?\s*interval\s*:\s*[^,}]*")
    start = col - 1
    m = flow.match(text, start)
    if m is None:
        raise PlanError(f"'{section}: interval' cannot be removed on line {line}")
    before = text[:start].rstrip()
    if before.endswith(","):
        lines[line - 1] = before[:-1] + text[m.end():]
    else:
        rest = text[m.end():].lstrip()
        lines[line - 1] = text[:start] + (rest[1:].lstrip() if rest.startswith(",") else rest)
    return lines


def _replace_dates(lines: list[str], doc: Any, section: str, flow: str) -> list[str]:
    key_line, key_col = doc.key_pos((section, "dates"))
    value_line, value_col = doc.pos((section, "dates"))
    text = lines[value_line - 1]
    if text[value_col - 1:value_col] == "[":
        end_line, end_col = value_line - 1, text.index("]", value_col - 1) \
            if "]" in text[value_col - 1:] else -1
        while end_col == -1:  # a flow list over several lines
            end_line += 1
            if end_line >= len(lines):
                raise PlanError(f"'{section}: dates' has no closing ']'")
            end_col = lines[end_line].find("]")
        head = lines[value_line - 1][:value_col - 1]
        tail = lines[end_line][end_col + 1:]
        return [*lines[:value_line - 1], head + flow + tail, *lines[end_line + 1:]]
    # a block list: one item per line below the key
    items = doc.data[section]["dates"]
    rows = sorted({doc.pos((section, "dates", i))[0] for i in range(len(items))})
    for row in rows:
        if not lines[row - 1].lstrip().startswith("-"):
            raise PlanError(f"'{section}: dates' is written in a way the planner cannot "
                            f"rewrite (line {row})")
    key_text = lines[key_line - 1]
    colon = key_text.index(":", key_col - 1)
    lines[key_line - 1] = key_text[:colon + 1] + " " + flow + (
        "  " + key_text[key_text.index("#", colon):] if "#" in key_text[colon:] else "")
    return [t for i, t in enumerate(lines, 1) if i not in rows]


# --- one file, end to end --------------------------------------------------------------------

#: the kinds of finding a written calendar must never have (the planner's guarantee)
GUARANTEED: Final = frozenset({"interval", "plan-conflict"})


class PlannedFile(NamedTuple):
    """A protocol planned: what the planner found and, when a calendar exists, the protocol
    with it (its text and its outcome when checked again)."""

    outcome: Outcome
    result: PlanResult | None
    #: why the file could not be planned at all (its errors come first)
    error: str | None = None
    text: str | None = None
    written: Outcome | None = None


def plan_file(path: str, catalog: Catalog, hooks: Any = None, options: Any = None,
              **constraints: Any) -> PlannedFile:
    """Check ``path``, plan its course under ``constraints`` (the keywords of
    :func:`plan_course`) and, when a calendar exists, write it into the protocol's text and
    check that text again: the calendar is returned only if the checks find no ``interval``
    or ``plan-conflict`` finding in it (else :class:`AssertionError`, a bug in the planner)."""
    from mesosim.loader import load_file, load_text
    from mesosim.pipeline import run_document

    max_bytes = getattr(options, "max_bytes", None)
    doc = load_file(path, max_bytes) if max_bytes else load_file(path)
    outcome = run_document(doc, catalog, options, hooks)
    try:
        result = plan_course(outcome, catalog, **constraints)
    except PlanError as exc:
        return PlannedFile(outcome, None, str(exc))
    if not result.feasible:
        return PlannedFile(outcome, result)
    assert outcome.protocol is not None
    n1 = _count(outcome.protocol.course)
    by_section = {"course": [s.date for s in result.sessions[:n1]]}
    if result.sessions[n1:]:
        by_section["maintenance"] = [s.date for s in result.sessions[n1:]]
    try:
        text = with_dates(outcome.protocol.doc.text, outcome.protocol.doc, by_section)
    except PlanError as exc:
        return PlannedFile(outcome, result, str(exc))
    written = run_document(load_text(text, path), catalog, options, hooks)
    bad = [f for f in written.result.findings if f.kind in GUARANTEED]
    planned = [s.date for s in result.sessions]
    got = [s.date for s in written.trace.sessions] if written.trace is not None else []
    if bad or got != planned:
        raise AssertionError(f"the planned calendar does not pass its own checks: {bad or got}")
    return PlannedFile(outcome, result, None, text, written)
