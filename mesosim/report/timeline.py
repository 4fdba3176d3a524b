"""``mesosim simulate``'s text and JSON: one protocol file played forward.

Both read an :class:`~mesosim.results.Outcome` (:func:`mesosim.runner.simulate_file`):
:func:`render_timeline` (text an instructor can read: the course's calendar with each session's
restriction windows, the session minute by minute, the totals against the technique's ranges,
the conflicts, the findings) and :func:`simulation_as_dict` (the versioned JSON shape, described
by ``mesosim/trace.schema.json``). The calendar file is :mod:`mesosim.report.ics`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from mesosim.trace import TRACE_VERSION
from mesosim.units import fmt_number

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.declarations import Range, Technique
    from mesosim.protocol import Protocol
    from mesosim.results import Outcome
    from mesosim.trace import Trace, Window

#: Version of the JSON shape of ``mesosim simulate --format json``.
SIMULATION_VERSION: Final = 1


# --- JSON ---------------------------------------------------------------------------------------

def simulation_as_dict(sim: Outcome) -> dict[str, object]:
    """``{"version", "path", "trace", "findings"}``; ``trace`` is ``null`` when the protocol could
    not be simulated. Described by ``mesosim/trace.schema.json``."""
    return {
        "version": SIMULATION_VERSION,
        "path": sim.result.path,
        "trace": trace_as_dict(sim.trace) if sim.trace is not None else None,
        "findings": [f.as_dict() for f in sim.result.findings],
    }


def render_json(sim: Outcome) -> str:
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

def minutes_text(x: float) -> str:
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


def render_timeline(sim: Outcome, catalog: Catalog, color: bool = False) -> str:
    """The readable timeline, then the findings exactly as ``mesosim check`` prints them."""
    from mesosim.report.text import render_text
    from mesosim.results import Report

    out: list[str] = []
    p, t, tr = sim.protocol, sim.technique, sim.trace
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
    out.append(render_text(Report((sim.result,), catalog.plugins), catalog, color).rstrip("\n"))
    return "\n".join(out) + "\n"


def _course_lines(tr: Trace, t: Technique) -> list[str]:
    n = sum(s.phase != "maintenance" for s in tr.sessions) or len(tr.sessions)
    if not tr.sessions:
        return ["Course: no calendar (give 'start' and 'sessions', or 'dates')"]
    out = [f"Course: {n} session{'s' * (n != 1)}{_verdict(t.course_length, n, '', t, ' sessions')}"]
    if tr.intervals:
        lo, hi = min(tr.intervals), max(tr.intervals)
        days = fmt_number(lo) if lo == hi else f"{fmt_number(lo)}-{fmt_number(hi)}"
        if t.interval is None:
            out.append(f"  every {days} d")
        else:
            bad = [d for d in tr.intervals if not _inside(t.interval, d, "d")]
            out.append(f"  every {days} d ({t.name} allows {t.interval} between sessions"
                       f"{'; OUT OF RANGE' if bad else ''})")
    if tr.maintenance_intervals or tr.gap_to_maintenance is not None:
        m = sum(s.phase == "maintenance" for s in tr.sessions)
        line = f"  then {m} maintenance session{'s' * (m != 1)}"
        if tr.gap_to_maintenance is not None:
            line += f", the first {fmt_number(tr.gap_to_maintenance)} d after the course"
        if tr.maintenance_intervals:
            lo, hi = min(tr.maintenance_intervals), max(tr.maintenance_intervals)
            line += f", every {fmt_number(lo) if lo == hi else f'{fmt_number(lo)}-{fmt_number(hi)}'} d"
        out.append(line)
    out.append("  restriction windows, inclusive dates")
    by_session: dict[int, list[Window]] = {}
    for w in tr.windows:
        by_session.setdefault(w.session, []).append(w)
    for i, s in enumerate(tr.sessions):
        if not i:
            gap = ""
        elif i - 1 < len(tr.intervals):
            gap = f"+{fmt_number(tr.intervals[i - 1])} d"
        else:  # a maintenance session: days since the session before
            gap = f"+{(s.date - tr.sessions[i - 1].date).days} d"
        phase = "  (maintenance)" if s.phase == "maintenance" else ""
        out.append(f"  {s.number:>3}  {s.date.strftime('%a')} {s.date.isoformat()}  {gap}"
                   f"{phase}".rstrip())
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
        line = f"  {minutes_text(r.start):>5}-{minutes_text(r.end):<5} {r.name:<{width}}"
        if reached:
            line += f"  -> {', '.join(reached)}"
        if lost:  # a state a step ends: rolling leaves the device used
            line += f"  (ends {', '.join(lost)})"
        if r.missing:
            line += f"  [needs {', '.join(r.missing)}: not there yet]"
        out.append(line.rstrip())
    out.append(f"  total {minutes_text(tr.total_minutes)} min")
    if t.session_duration is not None:
        if tr.measured_minutes is None or tr.measured_steps is None:
            out.append(f"  measured: no step of the span the technique measures"
                       f" ({t.name} allows {t.session_duration})")
        else:
            a, b = (tr.steps[i].name for i in tr.measured_steps)
            out.append(f"  measured from '{a}' to '{b}': {minutes_text(tr.measured_minutes)} min"
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
            "sessions": [{"number": s.number, "date": s.date.isoformat(), "phase": s.phase}
                         for s in trace.sessions],
            "intervals_days": list(trace.intervals),
            "maintenance_intervals_days": list(trace.maintenance_intervals),
            "gap_to_maintenance_days": trace.gap_to_maintenance,
        },
        "windows": [
            {"session": w.session, "activity": w.activity, "kind": w.kind,
             "start": w.start.isoformat(), "end": w.end.isoformat(), "source": w.source,
             "minutes": w.minutes}
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
