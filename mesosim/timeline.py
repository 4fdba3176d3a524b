"""``mesosim simulate``: a protocol file played forward, and the ways to show it.

:func:`simulate_file` loads and checks one file (its findings are exactly those of
``mesosim check``) and, when the protocol can be simulated, keeps its trace. Three renderings
read that :class:`Simulation`: :func:`render_timeline` (text an instructor can read: the course's
calendar with each session's restriction windows, the session minute by minute, the totals
against the technique's ranges, the conflicts, the findings), :func:`simulation_as_dict` (the
versioned JSON shape, described by ``mesosim/trace.schema.json``) and :func:`calendar_ics` (the
course as an iCalendar file).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from attrs import frozen

from mesosim.units import fmt_number

if TYPE_CHECKING:
    from mesosim.host import Registry
    from mesosim.model import Protocol
    from mesosim.runner import FileResult, Options
    from mesosim.simulate import Trace, Window
    from mesosim.technique import Range, Technique

#: Version of the JSON shape of ``mesosim simulate --format json``.
SIMULATION_VERSION: Final = 1
#: The time of day of a session in the calendar when none is given: protocols give dates only.
DEFAULT_SESSION_TIME: Final = _dt.time(9, 0)


@frozen
class Simulation:
    """One protocol file simulated: the findings ``mesosim check`` gives it and, when it could be
    simulated (it parsed, and its technique is loaded), its model, technique and trace."""

    result: FileResult
    protocol: Protocol | None = None
    tech: Technique | None = None
    trace: Trace | None = None

    @property
    def exit_code(self) -> int:
        """As ``mesosim check``: 3 a plugin failed, 1 an error finding (or nothing to simulate)."""
        from mesosim.runner import EXIT_ERRORS, EXIT_OK, EXIT_PLUGIN

        if self.result.failures:
            return EXIT_PLUGIN
        return EXIT_ERRORS if self.result.errors or self.trace is None else EXIT_OK


def simulate_file(path: str, reg: Registry, options: Options | None = None) -> Simulation:
    """Load, check and simulate one protocol file. Never raises for bad content."""
    from mesosim import model
    from mesosim.findings import Sink
    from mesosim.loader import load_file
    from mesosim.runner import Options, check_document
    from mesosim.simulate import simulate

    options = options or Options()
    doc = load_file(path, options.max_bytes)
    result = check_document(doc, reg, options)
    if doc.data is None:
        return Simulation(result)
    # The findings are in ``result`` already: this second build only recovers the model.
    protocol = model.build(doc, reg, Sink(doc.path, reg.rules, lambda _p, _k: (1, 1)))
    tech = reg.techniques.get(protocol.technique) if protocol is not None else None
    if protocol is None or tech is None:
        return Simulation(result, protocol)
    return Simulation(result, protocol, tech, simulate(protocol, tech, reg))


# --- JSON ---------------------------------------------------------------------------------------

def simulation_as_dict(sim: Simulation) -> dict[str, object]:
    """``{"version", "path", "trace", "findings"}``; ``trace`` is ``null`` when the protocol could
    not be simulated. Described by ``mesosim/trace.schema.json``."""
    from mesosim.simulate import trace_as_dict

    return {
        "version": SIMULATION_VERSION,
        "path": sim.result.path,
        "trace": trace_as_dict(sim.trace) if sim.trace is not None else None,
        "findings": [f.as_dict() for f in sim.result.findings],
    }


def render_json(sim: Simulation) -> str:
    import json

    return json.dumps(simulation_as_dict(sim), indent=2, ensure_ascii=False) + "\n"


def trace_schema() -> dict[str, object]:
    """The JSON Schema of :func:`simulation_as_dict`, shipped as ``mesosim/trace.schema.json``."""
    import json
    from importlib.resources import files

    data: dict[str, object] = json.loads(
        files("mesosim").joinpath("trace.schema.json").read_text("utf-8"))
    return data


# --- text ---------------------------------------------------------------------------------------

def _minutes(x: float) -> str:
    return fmt_number(round(x, 1))


def _verdict(r: Range | None, q: float, unit: str, tech: Technique, what: str = "") -> str:
    """``(manual-injection allows 20-25 min)``, with ``OUT OF RANGE`` when it is."""
    if r is None:
        return ""
    from mesosim.units import Quantity, dimension_of

    inside = r.contains(Quantity(q, unit, dimension_of(unit) or "count"))
    return f" ({tech.name} allows {r}{what}{'' if inside else '; OUT OF RANGE'})"


def _group(windows: Iterable[Window], key_end: bool) -> str:
    """``until 2026-12-02: sauna, sport; until 2026-12-03: sun``: windows of one session and kind
    grouped by the day they end (aftercare) or start (before-care)."""
    groups: dict[_dt.date, list[str]] = {}
    for w in windows:
        groups.setdefault(w.end if key_end else w.start, []).append(w.activity)
    word = "until" if key_end else "from"
    return "; ".join(f"{word} {d.isoformat()}: {', '.join(sorted(acts))}"
                     for d, acts in sorted(groups.items()))


def render_timeline(sim: Simulation, reg: Registry, color: bool = False) -> str:
    """The readable timeline, then the findings exactly as ``mesosim check`` prints them."""
    from mesosim.report import render_text
    from mesosim.runner import Report

    out: list[str] = []
    p, t, tr = sim.protocol, sim.tech, sim.trace
    if p is not None and t is not None and tr is not None:
        head = p.title or p.id or sim.result.path
        out.append(f"{head}" + (f" ({p.id})" if p.title and p.id else ""))
        out.append(f"technique {t.name}, zone {p.zone or '?'}, setting {p.setting}")
        out.append("")
        out += _course_lines(tr, t)
        out.append("")
        out += _session_lines(p, tr, t)
        out.append("")
        out += _conflict_lines(p, tr)
        out.append("")
    else:
        out.append(f"{sim.result.path}: cannot be simulated (see the findings below)")
        out.append("")
    out.append("Findings:")
    out.append(render_text(Report((sim.result,), reg.plugins), reg, color).rstrip("\n"))
    return "\n".join(out) + "\n"


def _course_lines(tr: Trace, t: Technique) -> list[str]:
    n = len(tr.sessions)
    if not n:
        return ["Course: no calendar (give 'start' and 'sessions', or 'dates')"]
    out = [f"Course: {n} session{'s' * (n != 1)}{_verdict(t.course_length, n, '', t, ' sessions')}"]
    if tr.intervals:
        lo, hi = min(tr.intervals), max(tr.intervals)
        days = fmt_number(lo) if lo == hi else f"{fmt_number(lo)}-{fmt_number(hi)}"
        bad = [d for d in tr.intervals if not _inside(t.interval, d, "d")]
        out.append(f"  every {days} d ({t.name} allows {t.interval} between sessions"
                   f"{'; OUT OF RANGE' if bad else ''})")
    out.append("  restriction windows, inclusive dates")
    by_session: dict[int, list[Window]] = {}
    for w in tr.windows:
        by_session.setdefault(w.session, []).append(w)
    for i, s in enumerate(tr.sessions):
        gap = f"+{fmt_number(tr.intervals[i - 1])} d" if i else ""
        out.append(f"  {s.number:>3}  {s.date.strftime('%a')} {s.date.isoformat()}  {gap}".rstrip())
        ws = by_session.get(s.number, [])
        before = [w for w in ws if w.kind == "beforecare"]
        after = [w for w in ws if w.kind == "aftercare"]
        if before:
            out.append(f"         before-care {_group(before, key_end=False)}")
        if after:
            out.append(f"         aftercare   {_group(after, key_end=True)}")
    return out


def _inside(r: Range, value: float, unit: str) -> bool:
    from mesosim.units import Quantity, dimension_of

    return r.contains(Quantity(value, unit, dimension_of(unit) or "count"))


def _session_lines(p: Protocol, tr: Trace, t: Technique) -> list[str]:
    out = ["Session (the same at every session), minutes from its start:"]
    if not tr.steps:
        return [*out, "  no steps"]
    width = max(len(r.name) for r in tr.steps)
    previous: set[str] = set()
    for r in tr.steps:
        reached = [s for s in r.state_after if s not in previous]
        lost = sorted(previous - set(r.state_after))
        previous = set(r.state_after)
        line = f"  {_minutes(r.start):>5}-{_minutes(r.end):<5} {r.name:<{width}}"
        if reached:
            line += f"  -> {', '.join(reached)}"
        if lost:  # a state a step ends: rolling leaves the device used
            line += f"  (ends {', '.join(lost)})"
        if r.missing:
            line += f"  [needs {', '.join(r.missing)}: not there yet]"
        out.append(line.rstrip())
    out.append(f"  total {_minutes(tr.total_minutes)} min")
    if t.session_duration is not None:
        if tr.measured_minutes is None or tr.measured_steps is None:
            out.append(f"  measured: no step of the span the technique measures"
                       f" ({t.name} allows {t.session_duration})")
        else:
            a, b = (tr.steps[i].name for i in tr.measured_steps)
            out.append(f"  measured from '{a}' to '{b}': {_minutes(tr.measured_minutes)} min"
                       f"{_verdict(t.session_duration, tr.measured_minutes, 'min', t)}")
    if tr.total_volume_ml is not None:
        out.append(f"  dose: {fmt_number(round(tr.total_volume_ml, 4))} ml per session "
                   f"(points x volume per point)"
                   f"{_verdict(t.session_dose, tr.total_volume_ml, 'ml', t)}")
    elif t.session_dose is not None and any(s.name == t.active_step for s in p.steps):
        out.append(f"  dose: not computable (no 'points' and 'volume_per_point' on "
                   f"'{t.active_step}')")
    return out


def _conflict_lines(p: Protocol, tr: Trace) -> list[str]:
    plans = p.patient.plans
    if not plans:
        return ["Plans: none given"]
    if not tr.conflicts:
        n = len(plans)
        return [f"Plans: {n} plan{'s' * (n != 1)}, no conflict with a restriction window"]
    out = ["Conflicts:"]
    for c in tr.conflicts:
        w = c.window
        when = f"{c.date} to {c.until}" if c.until and c.until != c.date else f"{c.date}"
        span = w.start.isoformat() if w.start == w.end else f"{w.start} to {w.end}"
        side = "before" if w.kind == "beforecare" else "after"
        out.append(f"  plan {c.plan_index + 1} '{c.activity}' {when}: in the '{w.activity}' "
                   f"{w.kind} window {side} session {w.session} ({span})")
    return out


# --- iCalendar ----------------------------------------------------------------------------------

def calendar_ics(sim: Simulation, session_time: _dt.time = DEFAULT_SESSION_TIME) -> bytes:
    """The course as an iCalendar file: each session an event at ``session_time`` (floating local
    time) lasting the simulated session, with its steps in the description; each session's
    restriction windows as all-day events, one per kind and span (``No sauna, sport``)."""
    from icalendar import Calendar, Event  # lazily: only ``--ics`` pays its import

    from mesosim import __version__

    p, t, tr = sim.protocol, sim.tech, sim.trace
    if p is None or t is None or tr is None:
        raise ValueError("the protocol could not be simulated: no calendar")
    # one line each: a block-scalar title (`title: |`) ends in a newline, which icalendar
    # refuses in X-WR-CALNAME with an AssertionError (hostile-input issue)
    uid_base = " ".join(p.id.split()) or "protocol"
    stamp = _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    name = " ".join((p.title or p.id or sim.result.path).split())
    cal = Calendar()
    cal.add("prodid", f"-//mesosim//mesosim {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{name} ({t.name})")
    steps = "\n".join(f"{_minutes(r.start)}-{_minutes(r.end)} min  {r.name}" for r in tr.steps)
    n = len(tr.sessions)
    for s in tr.sessions:
        start = _dt.datetime.combine(s.date, session_time)
        ev = Event()
        ev.add("uid", f"{uid_base}-session-{s.number}@mesosim")
        ev.add("dtstamp", stamp)
        ev.add("summary", f"Session {s.number}/{n}: {name}")
        ev.add("dtstart", start)
        ev.add("dtend", start + _dt.timedelta(minutes=max(1.0, tr.total_minutes)))
        ev.add("description", f"{t.name}, {p.zone or 'zone not given'}. Steps (minutes from the "
               f"start):\n{steps}\nTotal {_minutes(tr.total_minutes)} min.\nThe time of day is "
               f"not in the protocol: {session_time.strftime('%H:%M')} is a placeholder.")
        ev.add("categories", ["mesosim", "session"])
        cal.add_component(ev)
    for (session, kind, start_d, end_d), acts in window_events(tr).items():
        ev = Event()
        ev.add("uid", f"{uid_base}-{kind}-{session}-{start_d.isoformat()}-{end_d.isoformat()}"
               "@mesosim")
        ev.add("dtstamp", stamp)
        ev.add("summary", window_summary(session, kind, acts))
        ev.add("dtstart", start_d)
        ev.add("dtend", end_d + _dt.timedelta(days=1))  # DTEND of an all-day event is exclusive
        ev.add("transp", "TRANSPARENT")
        ev.add("description", "Avoid: " + "; ".join(f"{a} (source: {src})" for a, src in acts))
        ev.add("categories", ["mesosim", kind])
        cal.add_component(ev)
    data: bytes = cal.to_ical()
    return data


def window_events(tr: Trace) -> dict[tuple[int, str, _dt.date, _dt.date], list[tuple[str, str]]]:
    """Windows grouped as the calendar shows them: (session, kind, start, end) -> [(activity,
    source)], in the trace's order."""
    out: dict[tuple[int, str, _dt.date, _dt.date], list[tuple[str, str]]] = {}
    for w in tr.windows:
        out.setdefault((w.session, w.kind, w.start, w.end), []).append((w.activity, w.source))
    return out


def window_summary(session: int, kind: str, acts: list[tuple[str, str]]) -> str:
    """``No sauna, sport (after session 1)``: the title of a window's calendar event."""
    side = "before" if kind == "beforecare" else "after"
    return f"No {', '.join(a for a, _ in acts)} ({side} session {session})"
