"""The simulation trace: what :func:`mesosim.simulate.simulate` returns (layer 1: data types).

Plain frozen data: each step with its start and end minute and the session state it found and
left; the calendar of sessions; the restriction windows (aftercare after each session,
before-care before it); and the patient's plans that fall in a window.
"""

from __future__ import annotations

import datetime as _dt
import math
from functools import cached_property
from typing import Final

from attr import frozen

from mesosim.document import Path

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
    """A session of the course: its number (from 1) and its date."""

    number: int
    date: _dt.date
    #: ``intensive`` (the course) or ``maintenance`` (the sessions after it)
    phase: str = "intensive"


@frozen
class Window:
    """A restriction window: ``activity`` is avoided from ``start`` to ``end`` (inclusive)."""

    session: int
    activity: str
    kind: str  # aftercare | beforecare
    start: _dt.date
    end: _dt.date
    source: str
    #: how long the restriction lasts; under a day (10 h) it covers the session's day only
    minutes: float = 0.0


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
    #: every session: the course's, then the maintenance sessions', numbered on
    sessions: tuple[Session, ...]
    #: days between consecutive sessions of the course (len = course sessions - 1)
    intervals: tuple[float, ...]
    #: what is avoided around every session: (activity, kind, minutes, source)
    restrictions: tuple[tuple[str, str, float, str], ...]
    conflicts: tuple[Conflict, ...]

    @cached_property
    def windows(self) -> tuple[Window, ...]:
        """The restriction windows of every session, laid out when first asked for: the checks
        need them only when the patient has plans, so most checks never build them."""
        return lay_windows(self.sessions, self.restrictions)
    #: positions in ``steps`` of the first and last step of the measured span (``None``: none)
    measured_steps: tuple[int, int] | None = None
    #: days between consecutive maintenance sessions, and from the course's last session to the
    #: first maintenance session (``None`` without maintenance sessions)
    maintenance_intervals: tuple[float, ...] = ()
    gap_to_maintenance: float | None = None


#: the longest window laid out, in days: past the calendar's 10,000 years every window covers
#: every date there is, and a longer one would overflow the date arithmetic (hostile input)
MAX_WINDOW_DAYS: Final = 3_700_000


def days_of(minutes: float) -> int:
    """How many days a restriction of ``minutes`` covers (at least the session's day)."""
    if not minutes < MAX_WINDOW_DAYS * 1440:  # also NaN and infinity
        return MAX_WINDOW_DAYS
    return max(1, math.ceil(minutes / 1440 - 1e-9))


def lay_windows(sessions: tuple[Session, ...],
                 restrictions: tuple[tuple[str, str, float, str], ...]) -> tuple[Window, ...]:
    """The restriction windows of every session, session by session."""
    one_day = _dt.timedelta(days=1)
    spans = [(a, kind, _dt.timedelta(days=days_of(m)), src, m)
             for a, kind, m, src in restrictions]
    windows: list[Window] = []
    for s in sessions:
        for activity, kind, n, source, minutes in spans:
            # a window that would run past the calendar's first or last day stops there
            if kind == "beforecare":
                start = clamp_add(s.date, -n)
                end = clamp_add(s.date, -one_day)
            else:
                start, end = s.date, clamp_add(s.date, n - one_day)
            windows.append(Window(s.number, activity, kind, start, end, source, minutes))
    return tuple(windows)


def clamp_add(day: _dt.date, delta: _dt.timedelta) -> _dt.date:
    """``day + delta``, stopped at the calendar's first or last day."""
    try:
        return day + delta
    except OverflowError:
        return _dt.date.max if delta.days > 0 else _dt.date.min
