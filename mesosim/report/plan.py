"""``mesosim plan`` as text and as JSON (layer 6): the calendar with the reason for every shift,
or why no calendar exists and what would make one possible."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mesosim.planner import PlannedFile, PlanResult

#: the version of the JSON document ``mesosim plan --format json`` prints
PLAN_VERSION = 1


def _day(d: _dt.date) -> str:
    return f"{d:%a} {d.isoformat()}"


def _days(clinic: tuple[str, ...]) -> str:
    from mesosim.planner import WEEKDAYS

    if tuple(clinic) == WEEKDAYS:
        return "every day"
    runs: list[list[int]] = []
    for i in sorted(WEEKDAYS.index(d) for d in clinic):
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return ", ".join(WEEKDAYS[r[0]] if len(r) == 1 else f"{WEEKDAYS[r[0]]}-{WEEKDAYS[r[-1]]}"
                     for r in runs)


def render_text(planned: PlannedFile) -> str:
    path = planned.outcome.result.path
    r = planned.result
    if r is None:
        return f"{path}: cannot be planned: {planned.error}\n"
    where = ", ".join(x for x in (r.technique, r.zone) if x)
    n = r.total or len(r.sessions) or len(r.own)
    lines = [f"{path}: {where}, {n} session{'s' * (n != 1)}",
             f"  clinic days: {_days(r.clinic_days)}; closed: "
             f"{_closed(r.closed)}; last session by {r.until}"]
    if not r.feasible:
        lines.append(f"no calendar meets every constraint by {r.until}:")
        lines += [f"  {c}" for c in r.conflicts]
        if r.changes:
            lines.append("any one of these would make a calendar possible:")
            lines += [f"  - {c.text}" for c in r.changes]
        elif not r.conflicts:
            lines.append("  (no single change found: several constraints must change)")
        return "\n".join(lines) + "\n"
    lines.append("")
    for s in r.sessions:
        head = f"  {'maintenance ' if s.kind == 'maintenance' else ''}session {s.number:>2}  " \
               f"{_day(s.date)}"
        if s.done:
            lines.append(f"{head}  (given)")
        elif s.moved_from is not None:
            lines.append(f"{head}  moved from {_day(s.moved_from)}: " + "; ".join(s.reasons))
        else:
            lines.append(head)
    lines.append("")
    lines += [f"note: {n}" for n in r.notes]
    others = _other_errors(planned)
    if others:
        lines.append(f"note: the protocol has {others} other error{'s' * (others != 1)} "
                     f"(mesosim check {path})")
    if planned.error:
        lines.append(f"note: {planned.error}")
    end = r.sessions[-1].date
    own = f" (the protocol's own calendar: {r.own[-1]})" if r.own and r.own[-1] != end else ""
    lines.append(f"the last session is on {_day(end)}{own}.")
    return "\n".join(lines) + "\n"


def _other_errors(planned: PlannedFile) -> int:
    """The protocol's errors that are not the calendar's (which the plan resolves)."""
    from mesosim.planner import GUARANTEED

    return sum(f.severity == "error" and f.kind not in GUARANTEED
               for f in planned.outcome.result.findings)


def _closed(closed: tuple[_dt.date, ...]) -> str:
    if not closed:
        return "none"
    if len(closed) <= 4:
        return ", ".join(d.isoformat() for d in closed)
    return f"{len(closed)} days from {closed[0]} to {closed[-1]}"


def plan_as_dict(planned: PlannedFile) -> dict[str, Any]:
    r: PlanResult | None = planned.result
    out: dict[str, Any] = {"version": PLAN_VERSION, "path": planned.outcome.result.path}
    if r is None:
        out.update(feasible=False, error=planned.error)
        return out
    out.update(
        technique=r.technique, zone=r.zone, feasible=r.feasible, until=r.until.isoformat(),
        clinic_days=list(r.clinic_days), closed=[d.isoformat() for d in r.closed],
        kept_interval_days=r.kept_interval,
        sessions=[{"number": s.number, "date": s.date.isoformat(), "kind": s.kind,
                   "done": s.done,
                   "moved_from": s.moved_from.isoformat() if s.moved_from else None,
                   "reasons": list(s.reasons)} for s in r.sessions],
        protocol_dates=[d.isoformat() for d in r.own], notes=list(r.notes),
        other_errors=_other_errors(planned), error=planned.error,
        conflicts=list(r.conflicts),
        changes=[{"kind": c.kind, "text": c.text, **c.data} for c in r.changes])
    return out


def render_json(planned: PlannedFile) -> str:
    import json

    return json.dumps(plan_as_dict(planned), indent=2, ensure_ascii=False) + "\n"
