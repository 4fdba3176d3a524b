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
#: session-days the search for the smallest changes may plan over in all (a few seconds)
WORK_BUDGET: Final = 20_000_000


class PlanError(ValueError):
    """The protocol cannot be planned at all (no start, no sessions): a message for the user.
    ``option`` names the command-line option at fault, when one is (a usage error)."""

    def __init__(self, message: str, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option


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
    #: how many sessions the protocol has (course and maintenance)
    total: int = 0
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


_DAY_NAMES: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                     "sunday")


def parse_weekdays(text: str) -> tuple[str, ...]:
    """``mon,tue,thu``, ``Monday`` or ``mon-fri`` -> the weekdays, in week order
    (``ValueError`` if not)."""
    wanted: set[str] = set()
    for part in (p.strip().lower() for p in text.split(",")):
        if not part:
            continue
        lo, _, hi = part.partition("-")
        for name in (lo, hi or lo):
            if len(name) < 3 or not any(full.startswith(name) for full in _DAY_NAMES):
                raise ValueError(f"'{name}' is not a day of the week (mon, tue, ... sun)")
        a, b = WEEKDAYS.index(lo[:3]), WEEKDAYS.index((hi or lo)[:3])
        span = range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)]
        wanted.update(WEEKDAYS[i] for i in span)
    if not wanted:
        raise ValueError("no day of the week given")
    return tuple(d for d in WEEKDAYS if d in wanted)


def parse_dates(text: str, unique: bool = False) -> tuple[_dt.date, ...]:
    """``2027-03-01,2027-03-08`` and ranges ``2027-12-24..2028-01-02`` -> sorted dates;
    ``unique``: a date given twice is an error (two sessions cannot share a day)."""
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
        days = [lo + _dt.timedelta(days=i) for i in range((hi - lo).days + 1)]
        if unique and out.intersection(days):
            raise ValueError(f"{min(out.intersection(days))} is given twice")
        out.update(days)
    return tuple(sorted(out))


def _days(r: Range, days: int) -> bool:
    from mesosim.units import Quantity

    return r.contains(Quantity(float(days), "d", "time"))


def _gap(r: Range | None, horizon: int, what: str = "") -> _Gap:
    """The whole days ``r`` allows between two sessions, as a range (the check's own test)."""
    if r is None:
        return _Gap(1, horizon, "any interval")
    ok = [g for g in range(0, horizon + 1) if _days(r, g)]
    label = what or f"{r} ({r.source})"
    if not ok:
        return _Gap(horizon + 1, horizon + 1, label)  # nothing fits within the horizon
    return _Gap(max(ok[0], 1), ok[-1], label)


def _own_calendar(course: Course) -> list[_dt.date]:
    from mesosim.simulate import calendar

    return calendar(course)[0]


def _count(course: Course) -> int:
    return len(course.dates) if course.dates else course.sessions or 0


def _kept(course: Course, r: Range | None) -> int | None:
    """The protocol's interval in whole days (for a list of dates, its shortest gap), when the
    technique allows it."""
    import math

    if course.dates:
        ordered = sorted(course.dates)
        gaps = [(b - a).days for a, b in zip(ordered, ordered[1:], strict=False)]
        days = min(gaps) if gaps else 0
    elif course.interval is None:
        return None
    else:
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
             keep_interval: bool | tuple[bool, bool],
             plans: Sequence[Plan] | None = None) -> _Problem:
    """The constraints on day offsets. ``keep_interval``: keep the protocol's own interval
    (and the maintenance section's start) as preferences, for the course and for maintenance
    (one flag for both, or a pair)."""
    from mesosim.simulate import restrictions
    from mesosim.trace import days_of

    course = protocol.course
    earliest = min(course.dates) if course.dates else course.start
    if earliest is None:
        raise PlanError("the protocol gives no start date ('course: start:' or 'course: "
                        "dates:'): the planner needs the earliest day of the course")
    n1 = _count(course)
    n2 = _count(protocol.maintenance) if protocol.maintenance is not None else 0
    if n1 < 1:
        raise PlanError("the protocol gives no readable number of sessions ('course: "
                        "sessions:', a whole number from 1; see mesosim check)")
    if len(done) > n1 + n2:
        raise PlanError(f"{len(done)} sessions given, but the protocol has {n1 + n2}",
                        "--done")
    first_day = start if start is not None else earliest  # --from wins (a re-plan)
    day0 = min([first_day, *done])  # the days before are of no session still to give
    horizon = (until - day0).days
    if horizon < 0:
        raise PlanError(f"{until} is before the course can start ({first_day})", "--until")
    if done and max(done) > until:
        raise PlanError(f"a session given ({max(done)}) is after {until}", "--until")
    if horizon > MAX_DAYS:
        raise PlanError(f"{until} is more than {MAX_DAYS} days after {day0}: plan a shorter "
                        "span", "--done" if done and min(done) < first_day else "--until")
    keep_course, keep_maint = (keep_interval, keep_interval) if isinstance(keep_interval, bool) \
        else keep_interval
    keep1 = _kept(course, tech.interval) if keep_course else None
    plain1 = g1 = _gap(tech.interval, horizon)
    if keep1 is not None and g1.lo <= keep1 <= g1.hi:
        g1 = _Gap(keep1, g1.hi, g1.what)
    gaps = [g1] * max(0, n1 - 1)
    plain = [plain1] * max(0, n1 - 1)
    kinds = [course.kind] * n1
    if n2:
        assert protocol.maintenance is not None
        mtech = maintenance or tech
        bounds = [r for r in (tech.interval, mtech.interval) if r is not None and r.min is not None]
        least = max((_gap(r, horizon).lo for r in bounds), default=1)
        after = _Gap(least, horizon, f"at least {least} d, the longer of the two courses' "
                                     "shortest intervals")
        gaps.append(after)
        plain.append(after)
        plain2 = g2 = _gap(mtech.interval, horizon)
        keep2 = _kept(protocol.maintenance, mtech.interval) if keep_maint else None
        if keep2 is not None and g2.lo <= keep2 <= g2.hi:
            g2 = _Gap(keep2, g2.hi, g2.what)
        gaps += [g2] * (n2 - 1)
        plain += [plain2] * (n2 - 1)
        kinds += ["maintenance"] * n2
        m = protocol.maintenance
        m_start = min(m.dates) if m.dates else m.start
    # between sessions given, the technique's range only: they are history, not a preference
    gaps[:max(0, len(done) - 1)] = plain[:max(0, len(done) - 1)]
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
        # the maintenance section's start is the protocol's wish, kept like its interval
        later = max(m_start, first_day) if m_start is not None and keep_maint else first_day
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
    earliest = min(protocol.course.dates) if protocol.course.dates else protocol.course.start
    own = sorted([*_own_calendar(protocol.course),
                  *(_own_calendar(protocol.maintenance) if protocol.maintenance else ())])
    if until is None and earliest is not None:
        # a year after the protocol's own last session (or after --from): room for its own
        # calendar, however long, and for shifts
        until = _add_year(max([earliest, *own[-1:], *([start] if start else [])]))
    if until is None:
        until = _dt.date.max
    args: dict[str, Any] = {"until": until, "clinic_days": tuple(clinic_days),
                            "closed": tuple(closed), "done": tuple(sorted(done)),
                            "start": start}
    count = _count(protocol.course) + (_count(protocol.maintenance)
                                       if protocol.maintenance is not None else 0)
    base = PlanResult(protocol.path, tech.name, protocol.zone, False, (), until,
                      tuple(clinic_days), tuple(closed), tuple(own), None, total=count)
    notes: list[str] = []
    sections = ((protocol.course, tech, "the course's interval"),
                (protocol.maintenance, maintenance or tech,
                 "the maintenance section's interval and start"))
    wished = [c is not None and (_kept(c, t.interval) is not None or (
        c is protocol.maintenance and (c.start is not None or bool(c.dates))))
        for c, t, _what in sections]
    # the protocol's own intervals (and maintenance start) are wishes: kept where a calendar
    # allows, the course's before the maintenance's, dropped one section at a time
    attempts = [(True, True), (True, False), (False, True), (False, False)]
    days = problem = None
    for keep in attempts:
        if any(k and not w for k, w in zip(keep, wished, strict=True)) and keep != (True, True):
            continue
        problem = _problem(protocol, tech, maintenance, catalog, keep_interval=keep, **args)
        days = _solve(problem)
        if days is not None:
            dropped = [what for (c, _t, what), k, w in zip(sections, keep, wished, strict=True)
                       if w and not k]
            if dropped:
                notes.append(f"{' and '.join(dropped)} could not be kept: the technique's "
                             "range is used there")
            break
    loose = _problem(protocol, tech, maintenance, catalog, keep_interval=False, **args)
    if days is None or problem is None:
        if _reach(loose) is None:  # the sessions given break a constraint themselves
            return base._replace(conflicts=tuple(_done_problems(loose)),
                                 changes=tuple(c for c in _changes(
                                     protocol, tech, maintenance, catalog, loose, args)
                                     if c.kind == "move-plan"))
        return base._replace(conflicts=tuple(_why_not(loose)),
                             changes=tuple(_changes(protocol, tech, maintenance, catalog,
                                                    loose, args)))
    sessions = _sessions(problem, days, own if not notes else own[:0])
    kept = _kept(protocol.course, tech.interval) if not notes or "course's" not in notes[0] \
        else None
    return base._replace(feasible=True, sessions=tuple(sessions), kept_interval=kept,
                         notes=tuple(notes))


def _add_year(d: _dt.date) -> _dt.date:
    if d.year >= _dt.MAXYEAR:
        return _dt.date.max
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
        if d < nominal:  # earlier than the protocol's own date: the sessions before set the pace
            out.append(Planned(i + 1, date, p.kinds[i], moved_from=p.day0 + _dt.timedelta(
                days=nominal), reasons=("earlier: it follows the sessions before it at the "
                                        "interval",)))
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
    closed: list[_dt.date] = []
    closed_at: int | None = None
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
            elif r.startswith("clinic closed on "):
                closed.append(_dt.date.fromisoformat(r[len("clinic closed on "):]))
                if closed_at is None:
                    closed_at = len(causes)
                    causes.append("")
            elif r.endswith(": not a clinic day"):
                if r.split(":")[0] not in off:
                    off.append(r.split(":")[0])
            elif r not in causes:
                causes.append(r)
    if closed_at is not None:
        causes[closed_at] = "clinic closed " + ", ".join(
            f"on {r[0]}" if len(r) == 1 else f"from {r[0]} to {r[-1]}" for r in _runs(closed))
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
        head += f" must come {g.what} after session {i}"
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
    from attr import evolve

    out: list[Change] = []

    # each try plans again (O(sessions x days)): a bounded number of tries, so that a course
    # of hundreds of sessions over years answers in seconds, with the changes found so far
    budget = [min(400, max(3, WORK_BUDGET // max(1, p.n * (p.days + 1))))]

    def feasible(**kw: Any) -> list[int] | None:
        if budget[0] <= 0:
            return None
        budget[0] -= 1
        merged = {**args, **kw}
        plans = merged.pop("plans", None)
        try:
            q = _problem(protocol, tech, maintenance, catalog, keep_interval=False,
                         plans=plans, **merged)
        except PlanError:
            return None
        return _solve(q)

    # a later --until
    from mesosim.trace import clamp_add

    far = clamp_add(p.day0, _dt.timedelta(days=MAX_DAYS))
    later = feasible(until=far)
    if later is not None and p.day0 + _dt.timedelta(days=later[-1]) > args["until"]:
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
    # a closed day opened: each run of closed days (a holiday closure) tried as one, at most
    # 50 runs (a closure of years is not a change to suggest day by day)
    for run in _runs(args["closed"])[:50]:
        shut = set(run)
        if feasible(closed=tuple(x for x in args["closed"] if x not in shut)) is None:
            continue
        # the one day of a short run that is enough, when one is
        for one in run if len(run) <= 14 else ():
            if feasible(closed=tuple(x for x in args["closed"] if x != one)) is not None:
                out.append(Change("open-date", f"open on {one}", {"date": one.isoformat()}))
                break
        else:
            out.append(Change("open-dates", f"open from {run[0]} to {run[-1]}",
                              {"from": run[0].isoformat(), "to": run[-1].isoformat()}))
    return out


def _runs(days: Sequence[_dt.date]) -> list[list[_dt.date]]:
    """Consecutive days grouped: ``[[1, 2, 3], [7]]``."""
    out: list[list[_dt.date]] = []
    for d in sorted(days):
        if out and (d - out[-1][-1]).days == 1:
            out[-1].append(d)
        else:
            out.append([d])
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

def with_dates(text: str, doc: Any, dates: Mapping[str, Sequence[_dt.date]]) -> str:
    """``text`` with each section's (``course``, ``maintenance``) calendar written as its
    ``dates``: a list of dates is rewritten item by item (its layout and comments kept);
    ``start`` becomes ``dates`` and ``interval`` is commented out (a protocol gives one or the
    other). Every other key, every comment, the line endings and a BOM stay as written. JSON
    is written again whole (it has no comments), its keys in their order. :class:`PlanError`
    for a layout the planner does not rewrite (an anchor, a tag, a block scalar)."""
    if doc.path.lower().endswith(".json"):
        return _json_with_dates(text, dates)
    crlf = "\r\n" in text
    body = text.replace("\r\n", "\n") if crlf else text
    starts = [0]
    for line in body.split("\n"):
        starts.append(starts[-1] + len(line) + 1)

    def at(pos: tuple[int, int]) -> int:
        return starts[pos[0] - 1] + pos[1] - 1

    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) on ``body``
    for section, days in dates.items():
        data = doc.data.get(section) if isinstance(doc.data, dict) else None
        if not isinstance(data, dict):
            raise PlanError(f"'{section}' is not a mapping: the calendar cannot be written")
        flow = body[at(doc.pos((section,)))] == "{"
        listed = "[" + ", ".join(d.isoformat() for d in days) + "]"
        if "dates" in data:
            items = data["dates"]
            if not isinstance(items, list) or len(items) != len(days):
                raise PlanError(f"'{section}: dates' does not list one date per session")
            for i, day in enumerate(days):
                begin = at(doc.pos((section, "dates", i)))
                edits.append((begin, _scalar_end(body, begin, True), day.isoformat()))
            for key in ("start", "interval"):
                if key in data:
                    edits.append(_removal(body, doc, section, key, at, flow))
        elif "start" in data:
            begin = at(doc.key_pos((section, "start")))
            end = _scalar_end(body, at(doc.pos((section, "start"))), flow)
            edits.append((begin, end, "dates: " + listed))
            if "interval" in data:
                edits.append(_removal(body, doc, section, "interval", at, flow))
        else:
            raise PlanError(f"'{section}' has neither 'start' nor 'dates'")
    edits.sort(reverse=True)
    for (begin, end, new), later in zip(edits, [None, *edits], strict=False):
        if later is not None and end > later[0]:
            raise PlanError("the course's keys overlap: the calendar cannot be written")
        body = body[:begin] + new + body[end:]
    return body.replace("\n", "\r\n") if crlf else body


def _scalar_end(text: str, begin: int, flow: bool) -> int:
    """Where the scalar starting at ``begin`` ends (quoted or plain, on its line)."""
    first = text[begin:begin + 1]
    if first in ('"', "'"):
        i = begin + 1
        while i < len(text):
            if first == '"' and text[i] == "\\":
                i += 2
                continue
            if text[i] == first:
                if first == "'" and text[i + 1:i + 2] == "'":
                    i += 2
                    continue
                return i + 1
            i += 1
        raise PlanError("a quoted value is not closed")
    if not first or first in "&*!|>[{\n":
        raise PlanError("a date or interval is written with an anchor, a tag or over several "
                        "lines: write it as a plain value for the planner to rewrite it")
    end = text.find("\n", begin)
    end = len(text) if end == -1 else end
    stops = [text.find(c, begin, end) for c in ((" #", "\t#", ",", "}", "]") if flow
                                                 else (" #", "\t#"))]
    end = min([x for x in stops if x != -1] + [end])
    while end > begin and text[end - 1] in " \t":
        end -= 1
    return end


def _removal(body: str, doc: Any, section: str, key: str, at: Any,
             flow: bool) -> tuple[int, int, str]:
    """The edit that takes ``key`` out of a section: in a flow mapping the entry and its
    comma; in a block mapping the key's line commented out (with a value on the next line,
    those lines too)."""
    begin = at(doc.key_pos((section, key)))
    value = at(doc.pos((section, key)))
    end = _scalar_end(body, value, flow)
    if flow:
        rest = body[end:]
        stripped = rest.lstrip(" \t")
        if stripped.startswith(","):  # `key: v, next` -> `next`
            after = end + len(rest) - len(stripped) + 1
            while after < len(body) and body[after] in " \t":
                after += 1
            return begin, after, ""
        before = body[:begin].rstrip(" \t\n")
        if before.endswith(","):  # `prev, key: v}` -> `prev}`
            return len(before) - 1, end, ""
        return begin, end, ""
    line_start = body.rfind("\n", 0, begin) + 1
    line_end = body.find("\n", end)
    line_end = len(body) if line_end == -1 else line_end
    block = body[line_start:line_end].split("\n")
    indent = begin - line_start
    out = [block[0][:indent] + "# " + block[0][indent:] + (
        "" if "#" in block[0][indent:] else "  # the dates replace it (mesosim plan)")]
    for line in block[1:]:
        pad = len(line) - len(line.lstrip())
        out.append(line[:pad] + "# " + line[pad:])
    return line_start, line_end, "\n".join(out)


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
    or ``plan-conflict`` finding in it (else :class:`AssertionError`, a bug in the planner).

    A layout the rewrite does not handle (an anchor on the start date...) leaves ``text``
    ``None`` with the reason in ``error``; the calendar is still checked, on the protocol's
    data written out as JSON."""
    from mesosim.loader import load_file, load_text
    from mesosim.pipeline import run_document

    max_bytes = getattr(options, "max_bytes", None)
    doc = load_file(path, max_bytes) if max_bytes else load_file(path)
    outcome = run_document(doc, catalog, options, hooks)
    try:
        result = plan_course(outcome, catalog, **constraints)
    except PlanError as exc:
        if exc.option is not None:
            raise
        return PlannedFile(outcome, None, str(exc))
    if not result.feasible:
        return PlannedFile(outcome, result)
    assert outcome.protocol is not None
    n1 = _count(outcome.protocol.course)
    by_section = {"course": [s.date for s in result.sessions[:n1]]}
    if result.sessions[n1:]:
        by_section["maintenance"] = [s.date for s in result.sessions[n1:]]
    error: str | None = None
    text: str | None
    try:
        text = with_dates(outcome.protocol.doc.text, outcome.protocol.doc, by_section)
        written = run_document(load_text(text, path), catalog, options, hooks)
        got = [s.date for s in written.trace.sessions] if written.trace is not None else []
        if got != [s.date for s in result.sessions]:
            raise PlanError("the dates could not be written into this file's layout")
    except PlanError as exc:
        error, text = f"-o cannot write the dates into this file: {exc}", None
        as_json = _as_json(outcome.protocol.doc.data, by_section)
        written = run_document(load_text(as_json, "planned.json"), catalog, options, hooks)
    bad = [f for f in written.result.findings if f.kind in GUARANTEED]
    got = [s.date for s in written.trace.sessions] if written.trace is not None else []
    if bad or got != [s.date for s in result.sessions]:
        raise AssertionError(f"the planned calendar does not pass its own checks: {bad or got}")
    if text is not None:
        with open(path, "rb") as fh:  # the file's BOM, which the loader left out, kept
            if fh.read(3) == b"\xef\xbb\xbf":
                text = "\ufeff" + text
    return PlannedFile(outcome, result, error, text, written)


def _as_json(data: Any, dates: Mapping[str, Sequence[_dt.date]]) -> str:
    """The protocol's data with the planned dates, as JSON text (dates as ISO strings)."""
    import json

    copy = dict(data)
    for section, days in dates.items():
        part = {k: v for k, v in dict(copy[section]).items() if k not in ("start", "interval")}
        part["dates"] = [d.isoformat() for d in days]
        copy[section] = part
    return json.dumps(copy, default=lambda v: v.isoformat() if hasattr(v, "isoformat")
                      else str(v))
