"""The course as an iCalendar file (``mesosim simulate --ics``): each session an event, each
session's restriction windows all-day events."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Final

from mesosim.report.timeline import minutes_text

if TYPE_CHECKING:
    from mesosim.results import Outcome
    from mesosim.trace import Trace

#: the steps a session's event lists (the rest: ``mesosim simulate``)
MAX_STEPS_SHOWN: Final = 100


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 3] + "..."


#: The time of day of a session in the calendar when none is given: protocols give dates only.
DEFAULT_SESSION_TIME: Final = _dt.time(9, 0)


def calendar_ics(sim: Outcome, session_time: _dt.time = DEFAULT_SESSION_TIME) -> bytes:
    """The course as an iCalendar file: each session an event at ``session_time`` (floating local
    time) lasting the simulated session, with its steps in the description; each session's
    restriction windows as all-day events, one per kind and span (``No sauna, sport``)."""
    from icalendar import Calendar, Event  # lazily: only ``--ics`` pays its import

    from mesosim import __version__

    p, t, tr = sim.protocol, sim.technique, sim.trace
    if p is None or t is None or tr is None:
        raise ValueError("the protocol could not be simulated: no calendar")
    # one line each: a block-scalar title (`title: |`) ends in a newline, which icalendar
    # refuses in X-WR-CALNAME with an AssertionError (hostile-input issue)
    uid_base = _short(" ".join(p.id.split()), 80) or "protocol"
    stamp = _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    name = _short(" ".join((p.title or p.id or sim.result.path).split()), 120)
    cal = Calendar()
    cal.add("prodid", f"-//mesosim//mesosim {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{name} ({t.name})")
    # bounded: icalendar folds lines character by character (a 450 KB step list took 1.1 s),
    # and a calendar's reader wants the session, not every step of a hostile file
    steps = "\n".join(f"{minutes_text(r.start)}-{minutes_text(r.end)} min  {_short(r.name, 60)}"
                      for r in tr.steps[:MAX_STEPS_SHOWN])
    if len(tr.steps) > MAX_STEPS_SHOWN:
        steps += f"\n... and {len(tr.steps) - MAX_STEPS_SHOWN} more steps (mesosim simulate)"
    n = len(tr.sessions)
    for s in tr.sessions:
        start = _dt.datetime.combine(s.date, session_time)
        ev = Event()
        ev.add("uid", f"{uid_base}-session-{s.number}@mesosim")
        ev.add("dtstamp", stamp)
        phase = " (maintenance)" if s.phase == "maintenance" else ""
        ev.add("summary", f"Session {s.number}/{n}{phase}: {name}")
        ev.add("dtstart", start)
        ev.add("dtend", _later(start, max(1.0, tr.total_minutes)))
        # the steps once, in the first session's event: repeated in every event, a protocol of
        # 257 KB made a calendar of 306 MB (the size stays linear in sessions plus steps)
        shown = f"Steps (minutes from the start):\n{steps}" if s.number == tr.sessions[0].number \
            else f"The same steps as session {tr.sessions[0].number}."
        ev.add("description", f"{t.name}, {p.zone or 'zone not given'}. {shown}\nTotal "
               f"{minutes_text(tr.total_minutes)} min.\nThe time of day is not in the protocol: "
               f"{session_time.strftime('%H:%M')} is a placeholder.")
        ev.add("categories", ["mesosim", "session"])
        cal.add_component(ev)
    dates = {s.number: s.date for s in tr.sessions}
    for (session, kind, start_d, end_d), acts in window_events(tr).items():
        ev = Event()
        ev.add("uid", f"{uid_base}-{kind}-{session}-{start_d.isoformat()}-{end_d.isoformat()}"
               "@mesosim")
        ev.add("dtstamp", stamp)
        ev.add("summary", window_summary(session, kind, acts))
        ev.add("dtstart", start_d)
        # DTEND of an all-day event is exclusive
        ev.add("dtend", end_d + _dt.timedelta(days=1) if end_d < _dt.date.max else end_d)
        ev.add("transp", "TRANSPARENT")
        ev.add("description", "Avoid: " + "; ".join(f"{a} (source: {src})" for a, src in acts))
        ev.add("categories", ["mesosim", kind])
        cal.add_component(ev)
    # restrictions of hours (no hair washing for 10 h) are timed events: from the session's end
    # (aftercare) or up to its start (before-care), at the placeholder time of day
    for (session, kind, minutes), acts in hour_events(tr).items():
        begin = _dt.datetime.combine(dates[session], session_time)
        if kind == "aftercare":
            begin = _later(begin, tr.total_minutes)
            start_t, end_t = begin, _later(begin, minutes)
        else:
            start_t, end_t = _later(begin, -minutes), begin
        ev = Event()
        ev.add("uid", f"{uid_base}-{kind}-{session}-{int(minutes)}min@mesosim")
        ev.add("dtstamp", stamp)
        ev.add("summary", window_summary(session, kind, acts)
               + f" for {minutes_text(minutes / 60)} h")
        ev.add("dtstart", start_t)
        ev.add("dtend", end_t)
        ev.add("transp", "TRANSPARENT")
        ev.add("description", "Avoid: " + "; ".join(f"{a} (source: {src})" for a, src in acts))
        ev.add("categories", ["mesosim", kind])
        cal.add_component(ev)
    data: bytes = cal.to_ical()
    return data


def _later(t: _dt.datetime, minutes: float) -> _dt.datetime:
    """``t`` plus ``minutes``, stopped at the calendar's first or last moment (a session
    written to last 190,000 years, or held on 31 December 9999)."""
    try:
        return t + _dt.timedelta(minutes=minutes)
    except OverflowError:
        return _dt.datetime.max if minutes > 0 else _dt.datetime.min


def window_events(tr: Trace) -> dict[tuple[int, str, _dt.date, _dt.date], list[tuple[str, str]]]:
    """Windows of a day or more, grouped as the calendar shows them: (session, kind, start,
    end) -> [(activity, source)], in the trace's order."""
    out: dict[tuple[int, str, _dt.date, _dt.date], list[tuple[str, str]]] = {}
    for w in tr.windows:
        if 0 < w.minutes < 1440:
            continue
        out.setdefault((w.session, w.kind, w.start, w.end), []).append((w.activity, w.source))
    return out


def hour_events(tr: Trace) -> dict[tuple[int, str, float], list[tuple[str, str]]]:
    """Windows under a day (hours), grouped: (session, kind, minutes) -> [(activity, source)]."""
    out: dict[tuple[int, str, float], list[tuple[str, str]]] = {}
    for w in tr.windows:
        if 0 < w.minutes < 1440:
            out.setdefault((w.session, w.kind, w.minutes), []).append((w.activity, w.source))
    return out


def window_summary(session: int, kind: str, acts: list[tuple[str, str]]) -> str:
    """``No sauna, sport (after session 1)``: the title of a window's calendar event."""
    side = "before" if kind == "beforecare" else "after"
    return f"No {', '.join(a for a, _ in acts)} ({side} session {session})"
