"""Pictures of one protocol as inline SVG (layer 6): the session timeline, the course calendar
and the step graph. Drawn from the trace and the technique's step graph, never from a
technique's name: a vendor's technique is drawn like a built-in one.

Every picture has a ``<title>`` and a ``<desc>`` (what a screen reader says, what a printout
without colour still shows), marks problems with a symbol and a word as well as a colour, and
costs time and bytes linear in the protocol: one element per step, session, window, plan or
graph node, and a bounded number of axis ticks.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Final

from mesosim import rules
from mesosim.findings import visible

if TYPE_CHECKING:
    from mesosim.declarations import Range, StepGraph, Technique
    from mesosim.findings import Finding
    from mesosim.protocol import Protocol
    from mesosim.trace import Trace, Window

#: rule codes whose subject is a slot of the step graph, and what the picture calls them
MISSING: Final = rules.MISSING_REQUIRED_STEP
ORDER: Final = rules.STEP_OUT_OF_ORDER
OUTSIDE: Final = (rules.UNKNOWN_STEP, rules.STEP_NOT_IN_TECHNIQUE)
STATE: Final = rules.STATE_NOT_REACHED
CONFLICT: Final = rules.PLAN_CONFLICT

LABEL_W: Final = 190
CHART_W: Final = 560
ROW_H: Final = 22
FONT: Final = 12


def _t(text: object) -> str:
    """Text for an SVG or HTML text node or attribute: escaped, control characters shown."""
    return escape(visible(str(text)), quote=True)


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _minutes(x: float) -> str:
    return f"{_num(x)} min"


def _head(kind: str, width: float, height: float, title: str, desc: str, ident: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="picture {kind}" id="{_t(ident)}" '
            f'role="img" aria-labelledby="{_t(ident)}-title {_t(ident)}-desc" '
            f'width="{_num(width)}" height="{_num(height)}" '
            f'viewBox="0 0 {_num(width)} {_num(height)}">'
            f'<title id="{_t(ident)}-title">{_t(title)}</title>'
            f'<desc id="{_t(ident)}-desc">{_t(desc)}</desc>'
            '<defs><pattern id="hatch-' + _t(ident) + '" width="6" height="6" '
            'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            '<line x1="0" y1="0" x2="0" y2="6" class="hatch"/></pattern>'
            '<marker id="arrow-' + _t(ident) + '" viewBox="0 0 10 10" refX="10" refY="5" '
            'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            '<path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead"/></marker></defs>')


def _ticks(span: float, want: int = 8) -> float:
    """A round step giving at most about ``want`` ticks over ``span``."""
    if span <= 0:
        return 1.0
    raw = span / want
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return float(m * mag)
    return float(10 * mag)


def _range_ok(r: Range | None, value: float, unit: str) -> tuple[str, bool]:
    """``"20-25 min"`` and whether ``value`` (in ``unit``) lies in it."""
    if r is None:
        return "", True
    from mesosim.units import Quantity

    return str(r), r.contains(Quantity(value, unit, "time"))


# --- the session timeline --------------------------------------------------------------------


def flagged_runs(protocol: Protocol, technique: Technique, trace: Trace,
                 findings: Sequence[Finding]) -> dict[int, Finding]:
    """Position in ``trace.steps`` -> the first finding about that step: a finding naming a
    step (its subject) marks the step of that name on its line; one without a subject marks
    the step written on its line at or before its column (a flow list holds several). A
    missing step marks nothing here (the graph shows it)."""
    on_line: dict[int, list[tuple[int, int]]] = {}
    for i, run in enumerate(trace.steps):
        line, col = protocol.pos(run.path)
        on_line.setdefault(line, []).append((col, i))
    out: dict[int, Finding] = {}
    for f in findings:
        if f.rule == MISSING:
            continue
        here = on_line.get(f.line, [])
        if f.subject:
            name = technique.steps.slots.get(f.subject, f.subject)
            hits = [i for _c, i in here if trace.steps[i].name == name]
        else:  # the step written last before the finding's column (a flow list's item)
            before = [(c, i) for c, i in here if c <= f.column]
            hits = [max(before)[1]] if before else []
        for i in hits:
            out.setdefault(i, f)
    return out



def timeline(protocol: Protocol, technique: Technique, trace: Trace,
             findings: Sequence[Finding], ident: str,
             flagged: Mapping[int, Finding] | None = None) -> str:
    """A Gantt-style picture of one session: a row per step on a minute axis, waits hatched and
    labelled, the span the session-duration range measures bracketed with its range, the
    states each step adds, and the steps a finding is about marked."""
    runs = trace.steps
    total = max(trace.total_minutes, 1e-9)
    scale = CHART_W / total if trace.total_minutes > 0 else 0.0
    if flagged is None:
        flagged = flagged_runs(protocol, technique, trace, findings)
    top = 34
    states_x = LABEL_W + CHART_W + 16
    width = states_x + 220
    height = top + ROW_H * len(runs) + 46
    span_text = ""
    if trace.measured_minutes is not None:
        r = technique.session_duration
        text, ok = _range_ok(r, trace.measured_minutes, "min")
        span_text = f"measured {_minutes(trace.measured_minutes)}" + (
            f", range {text}: {'within' if ok else 'OUTSIDE'}" if text else "")
    desc = (f"{len(runs)} steps over {_minutes(trace.total_minutes)}"
            + (f"; {span_text}" if span_text else "") + ".")
    out = [_head("timeline", width, height, f"Session timeline: {protocol.title or protocol.id}",
                 desc, ident)]
    step = _ticks(trace.total_minutes)
    n_ticks = int(trace.total_minutes // step) + 1 if trace.total_minutes > 0 else 1
    for k in range(min(n_ticks, 50)):
        x = LABEL_W + k * step * scale
        out.append(f'<line class="grid" x1="{_num(x)}" y1="{top - 4}" x2="{_num(x)}" '
                   f'y2="{top + ROW_H * len(runs)}"/>'
                   f'<text class="tick" x="{_num(x)}" y="{top - 8}" text-anchor="middle">'
                   f'{_num(k * step)}</text>')
    out.append(f'<text class="axis" x="{LABEL_W + CHART_W}" y="{top - 20}" text-anchor="end">'
               'minutes from the start of the session</text>')
    previous: set[str] = set()
    by_index = {s.index: s for s in protocol.steps}
    for row, run in enumerate(runs):
        y = top + row * ROW_H
        step_obj = by_index.get(run.index)
        line = protocol.pos(run.path)[0] if step_obj is not None else 0
        finding = flagged.get(row)
        wait = step_obj is not None and "wait" in step_obj.params
        classes = ["step"] + (["wait"] if wait else []) + (["flagged"] if finding else [])
        label = run.name + ("  \u26a0" if finding else "")
        x = LABEL_W + run.start * scale
        w = max((run.end - run.start) * scale, 2.0)
        what = (f"{run.name}: {_minutes(run.start)} to {_minutes(run.end)}"
                + (" (a wait)" if wait else "") + (f"; {finding.rule}" if finding else ""))
        out.append(f'<g class="{" ".join(classes)}" id="{_t(ident)}-step-{run.index}" '
                   f'data-step="{_t(run.name)}" data-line="{line}">'
                   f'<title>{_t(what)}</title>'
                   f'<text class="label" x="{LABEL_W - 8}" y="{y + 15}" text-anchor="end">'
                   f'{_t(label)}</text>'
                   f'<rect class="bar" x="{_num(x)}" y="{y + 4}" width="{_num(w)}" '
                   f'height="{ROW_H - 8}"'
                   + (f' style="fill: url(#hatch-{_t(ident)})"' if wait else "") + '/>')
        if wait:
            out.append(f'<text class="note" x="{_num(x + w + 4)}" y="{y + 15}">wait</text>')
        gained = [s for s in run.state_after if s not in previous]
        previous = set(run.state_after)
        if gained:
            out.append(f'<text class="states" x="{states_x}" y="{y + 15}">+ '
                       f'{_t(", ".join(gained))}</text>')
        out.append("</g>")
    if trace.measured_steps is not None and runs:
        first, last = trace.measured_steps
        x1 = LABEL_W + runs[first].start * scale
        x2 = LABEL_W + runs[last].end * scale
        y = top + ROW_H * len(runs) + 10
        ok_class = "ok" if "within" in span_text else "bad"
        out.append(f'<g class="span {ok_class}"><title>{_t(span_text)}</title>'
                   f'<path class="bracket" d="M {_num(x1)} {y - 6} V {y} H {_num(x2)} '
                   f'V {y - 6}"/>'
                   f'<text class="span-label" x="{_num((x1 + x2) / 2)}" y="{y + 16}" '
                   f'text-anchor="middle">{_t(span_text)}</text></g>')
    out.append(f'<text class="states-head" x="{states_x}" y="{top - 8}">states reached</text>')
    out.append("</svg>")
    return "".join(out)


# --- the course calendar ---------------------------------------------------------------------


def calendar(protocol: Protocol, technique: Technique, trace: Trace,
             findings: Sequence[Finding], ident: str) -> str:
    """The course on a date axis: the sessions, a row per activity with its before- and
    after-care windows, a row per plan of the patient, and each conflict (a plan inside a
    window) marked with a cross where it happens."""
    sessions = trace.sessions
    windows = trace.windows
    plans = protocol.patient.plans
    dates: list[dt.date] = [s.date for s in sessions]
    dates += [w.start for w in windows] + [w.end for w in windows]
    dates += [p.date for p in plans] + [p.until for p in plans if p.until is not None]
    if not dates:
        return ""
    lo, hi = min(dates), max(dates)
    days = (hi - lo).days + 1
    scale = CHART_W / days

    def x(d: dt.date) -> float:
        return LABEL_W + (d - lo).days * scale

    activities = sorted({w.activity for w in windows})
    top = 40
    rows = 1 + len(activities) + len(plans)
    height = top + rows * ROW_H + 20
    width = LABEL_W + CHART_W + 20
    conflicts = trace.conflicts
    desc = (f"{len(sessions)} sessions from {sessions[0].date} to {sessions[-1].date}"
            if sessions else "no session") + (
        f"; {len(activities)} activities avoided around them; {len(plans)} plans; "
        f"{len(conflicts)} conflict{'s' * (len(conflicts) != 1)}.")
    out = [_head("calendar", width, height, f"Course calendar: {protocol.title or protocol.id}",
                 desc, ident)]
    # month ticks (or years, or weeks), at most a few dozen
    for d, label in _date_ticks(lo, hi):
        out.append(f'<line class="grid" x1="{_num(x(d))}" y1="{top - 4}" x2="{_num(x(d))}" '
                   f'y2="{top + rows * ROW_H}"/><text class="tick" x="{_num(x(d))}" '
                   f'y="{top - 8}" text-anchor="middle">{_t(label)}</text>')
    y = top
    out.append(f'<text class="label" x="{LABEL_W - 8}" y="{y + 15}" text-anchor="end">sessions'
               '</text>')
    for s in sessions:
        cx = x(s.date) + scale / 2
        out.append(f'<g class="session {s.phase}" id="{_t(ident)}-session-{s.number}" '
                   f'data-date="{s.date}"><title>session {s.number} ({s.phase}): '
                   f'{s.date:%a %Y-%m-%d}</title><circle cx="{_num(cx)}" cy="{y + 11}" r="5"/>'
                   '</g>')
    by_activity: dict[str, list[int]] = {}
    for i, w in enumerate(windows):
        by_activity.setdefault(w.activity, []).append(i)
    for a in activities:
        y += ROW_H
        out.append(f'<g class="activity" data-activity="{_t(a)}"><text class="label" '
                   f'x="{LABEL_W - 8}" y="{y + 15}" text-anchor="end">no {_t(a)}</text>')
        for kind, first, last, start, end, source in _merged(windows, by_activity[a]):
            x1, x2 = x(start), x(end) + scale
            fill = f' style="fill: url(#hatch-{_t(ident)})"' if kind == "beforecare" else ""
            which = f"session {first}" if first == last else f"sessions {first}-{last}"
            out.append(f'<rect class="window {kind}" x="{_num(x1)}" y="{y + 5}" '
                       f'width="{_num(max(x2 - x1, 1.0))}" height="{ROW_H - 10}"{fill}>'
                       f'<title>{_t(a)}: {kind} of {which}, {start} to {end} '
                       f'({_t(source)})</title></rect>')
        out.append("</g>")
    conflict_of: dict[int, list[int]] = {}
    for k, c in enumerate(conflicts):
        conflict_of.setdefault(c.plan_index, []).append(k)
    finding_lines = {f.line for f in findings if f.rule == CONFLICT}
    for i, p in enumerate(plans):
        y += ROW_H
        end = p.until or p.date
        out.append(f'<g class="plan" id="{_t(ident)}-plan-{i}"><text class="label" '
                   f'x="{LABEL_W - 8}" y="{y + 15}" text-anchor="end">plan: {_t(p.activity)}'
                   f'</text><rect class="plan-bar" x="{_num(x(p.date))}" y="{y + 5}" '
                   f'width="{_num(max(x(end) + scale - x(p.date), 2.0))}" height="{ROW_H - 10}">'
                   f'<title>plan: {_t(p.activity)} {p.date}'
                   + (f" to {p.until}" if p.until else "") + '</title></rect>')
        for k in conflict_of.get(i, ()):
            c = conflicts[k]
            line = protocol.pos(c.path)[0]
            cx = x(c.date) + scale / 2
            named = " finding" if line in finding_lines else " unreported"
            out.append(f'<g class="conflict{named}" id="{_t(ident)}-conflict-{k}" '
                       f'data-line="{line}" data-date="{c.date}"><title>conflict: '
                       f'{_t(c.activity)} on {c.date} falls in the {_t(c.window.activity)} '
                       f'{c.window.kind} window of session {c.window.session}</title>'
                       + (f'<path class="cross" d="M {_num(cx - 6)} {y + 5} L {_num(cx + 6)} '
                          f'{y + 17} M {_num(cx + 6)} {y + 5} L {_num(cx - 6)} {y + 17}"/>'
                          f'<text class="note" x="{_num(cx + 9)}" y="{y + 15}">conflict</text>'
                          if named == " finding" else
                          f'<circle class="ring" cx="{_num(cx)}" cy="{y + 11}" r="6"/>'
                          f'<text class="note" x="{_num(cx + 9)}" y="{y + 15}">conflict (not '
                          'reported: ignored or suppressed)</text>') + '</g>')
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def _merged(windows: Sequence[Window], indexes: list[int]
            ) -> list[tuple[str, int, int, dt.date, dt.date, str]]:
    """One activity's windows of one kind that touch or overlap drawn as one bar (a week's
    aftercare after weekly sessions is one long stretch): ``(kind, first session, last
    session, start, end, source)``, linear in the windows."""
    out: list[tuple[str, int, int, dt.date, dt.date, str]] = []
    open_: dict[str, int] = {}  # kind -> its bar being extended in out
    for i in sorted(indexes, key=lambda i: (windows[i].start, windows[i].session)):
        w = windows[i]
        k = open_.get(w.kind)
        if k is not None and w.start <= out[k][4] + dt.timedelta(days=1):
            kind, first, _last, start, end, source = out[k]
            out[k] = (kind, first, w.session, start, max(end, w.end), source)
            continue
        open_[w.kind] = len(out)
        out.append((w.kind, w.session, w.session, w.start, w.end, w.source))
    return out


def _date_ticks(lo: dt.date, hi: dt.date) -> list[tuple[dt.date, str]]:
    days = (hi - lo).days
    if days <= 62:
        step = max(1, days // 8 or 1)
        return [(lo + dt.timedelta(d), f"{lo + dt.timedelta(d):%d %b}")
                for d in range(0, days + 1, step)][:40]
    out: list[tuple[dt.date, str]] = []
    months = (hi.year - lo.year) * 12 + hi.month - lo.month
    every = max(1, math.ceil(months / 10))
    y, m = lo.year, lo.month
    while len(out) < 40:
        m += every
        while m > 12:
            m -= 12
            y += 1
        if y > hi.year or (y == hi.year and m > hi.month) or y > dt.MAXYEAR:
            break
        d = dt.date(y, m, 1)
        out.append((d, f"{d:%b %Y}" if every < 12 else f"{d:%Y}"))
    return out


def intervals(technique: Technique, trace: Trace) -> list[tuple[int, str, str, str, str]]:
    """A row per session for the calendar's table: number, date, days since the previous one,
    the technique's range and the verdict in words."""
    from mesosim.units import Quantity

    rows = []
    r = technique.interval
    prev: dt.date | None = None
    for s in trace.sessions:
        gap = "" if prev is None else str((s.date - prev).days)
        verdict = ""
        if prev is not None and r is not None and s.phase == "intensive":
            q = Quantity(float((s.date - prev).days), "d", "time")
            low = r.min is not None and q.to(r.unit) < r.min
            verdict = "within" if r.contains(q) else ("too short" if low else "too long")
        rows.append((s.number, f"{s.date:%a %Y-%m-%d}", gap,
                     str(r) if r is not None and prev is not None else "", verdict))
        prev = s.date
    return rows


# --- the step graph --------------------------------------------------------------------------


_LAYERS: dict[int, tuple[object, list[list[str]]]] = {}


def _layers(graph: StepGraph) -> list[list[str]]:
    """The graph's layers (networkx's topological generations), each in the graph's order;
    worked out once per graph (a class's files share a handful of techniques)."""
    hit = _LAYERS.get(id(graph))
    if hit is not None and hit[0] is graph:
        return hit[1]
    import networkx as nx

    index = {s: i for i, s in enumerate(graph.order)}
    layers = [sorted(layer, key=index.__getitem__)
              for layer in nx.topological_generations(graph.networkx())]
    if len(_LAYERS) > 256:
        _LAYERS.clear()
    _LAYERS[id(graph)] = (graph, layers)
    return layers


_GRAPHS: dict[tuple[object, ...], str] = {}
_SLOT: Final = "mesosim-graph-ident-slot"


def step_graph(technique: Technique, protocol: Protocol | None, findings: Sequence[Finding],
               ident: str) -> str:
    """:func:`_step_graph`, drawn once per technique and set of marks (a class's protocols
    mostly share both) and given this protocol's ids."""
    key = (id(technique.steps), technique.name, technique.required,
           frozenset(s.name for s in protocol.steps) if protocol is not None else frozenset(),
           tuple(sorted((f.rule, f.subject or "") for f in findings
                        if f.rule in (MISSING, ORDER, *OUTSIDE) and f.subject)))
    drawn = _GRAPHS.get(key)
    if drawn is None:
        if len(_GRAPHS) > 512:
            _GRAPHS.clear()
        drawn = _GRAPHS[key] = _step_graph(technique, protocol, findings, _SLOT)
    return drawn.replace(_SLOT, _t(ident))


def _step_graph(technique: Technique, protocol: Protocol | None, findings: Sequence[Finding],
                ident: str) -> str:
    """The technique's step graph ("must come before") in layers, left to right, with the
    protocol's steps laid over it: written, required but missing, out of order; steps the
    graph lacks in a column of their own. Marks come from the findings' subjects only, so the
    picture names exactly the steps the findings do."""
    graph = technique.steps
    layers = _layers(graph)
    missing = {f.subject for f in findings if f.rule == MISSING and f.subject}
    order = {f.subject for f in findings if f.rule == ORDER and f.subject}
    outside = sorted({f.subject for f in findings if f.rule in OUTSIDE and f.subject})
    written = {s.name for s in protocol.steps} if protocol is not None else set()
    # layers run top to bottom (a technique's graph is mostly a chain: a column reads on a
    # page where a row would not fit); the steps of one layer side by side
    row_h, node_w, node_h, gap = 46, 150, 26, 14
    widest = max((len(layer) for layer in layers), default=1)
    width = 20 + widest * (node_w + gap) + (node_w + 40 if outside else 0) + 60
    height = 24 + len(layers) * row_h + 10
    where: dict[str, tuple[float, float]] = {}
    for i, layer in enumerate(layers):
        for j, slot in enumerate(layer):
            where[slot] = (20 + j * (node_w + gap), 24 + i * row_h)
    desc = (f"{len(graph.slots)} steps in {len(layers)} layers; an arrow means 'comes before'."
            + (f" Missing: {', '.join(sorted(missing))}." if missing else "")
            + (f" Out of order: {', '.join(sorted(order))}." if order else "")
            + (f" Not in the graph: {', '.join(outside)}." if outside else ""))
    out = [_head("graph", width, height, f"Step graph of {technique.name}", desc, ident)]
    for a, b in graph.edges:
        (x1, y1), (x2, y2) = where[a], where[b]
        out.append(f'<line class="edge" x1="{_num(x1 + node_w / 2)}" y1="{_num(y1 + node_h)}" '
                   f'x2="{_num(x2 + node_w / 2)}" y2="{_num(y2)}" '
                   f'marker-end="url(#arrow-{_t(ident)})"/>')
    for slot, (x, y) in where.items():
        name = graph.slots[slot]
        state = ("missing" if slot in missing else "order" if slot in order
                 else "written" if name in written else "absent")
        required = slot in technique.required
        mark = {"missing": "\u2715 missing", "order": "\u21c4 order", "written": "\u2713",
                "absent": ""}[state]
        what = f"{name} ({'required' if required else 'optional'}): " + {
            "missing": "required and missing", "order": "written out of order",
            "written": "written", "absent": "not written"}[state]
        out.append(f'<g class="node {state}{" required" if required else ""}" '
                   f'id="{_t(ident)}-slot-{_t(slot)}" data-slot="{_t(slot)}" '
                   f'data-step="{_t(name)}" data-state="{state}"><title>{_t(what)}</title>'
                   f'<rect x="{_num(x)}" y="{_num(y)}" width="{node_w}" height="{node_h}" '
                   f'rx="4"/><text x="{_num(x + 6)}" y="{_num(y + 17)}">{_t(name)}</text>'
                   + (f'<text class="mark" x="{_num(x + node_w + 6)}" y="{_num(y + 17)}">'
                      f'{_t(mark)}</text>' if mark else "") + "</g>")
    if outside:
        x0 = 20 + widest * (node_w + gap) + 70
        out.append(f'<text class="axis" x="{x0}" y="16">not in the graph</text>')
        for j, name in enumerate(outside):
            y = 24 + j * row_h
            out.append(f'<g class="node outside" id="{_t(ident)}-outside-{j}" '
                       f'data-step="{_t(name)}" data-state="outside"><title>{_t(name)}: not a '
                       f'step of {_t(technique.name)}</title><rect x="{x0}" y="{y}" '
                       f'width="{node_w}" height="{node_h}" rx="4"/><text x="{x0 + 6}" '
                       f'y="{y + 17}">? {_t(name)}</text></g>')
    out.append("</svg>")
    return "".join(out)


# --- class and folder overviews --------------------------------------------------------------


def bar_chart(rows: Iterable[tuple[str, str, int]], ident: str, title: str) -> str:
    """Horizontal bars, one per rule: its code and name as text, the count as text and length."""
    items = list(rows)[:15]
    if not items:
        return ""
    most = max(n for _c, _n, n in items) or 1
    height = 20 + len(items) * ROW_H
    width = LABEL_W + 260 + CHART_W // 2 + 50  # the count after the longest bar
    out = [_head("bars", width, height, title, "; ".join(f"{c} {n}: {k}" for c, n, k in items),
                 ident)]
    for i, (code, name, n) in enumerate(items):
        y = 10 + i * ROW_H
        w = (CHART_W // 2) * n / most
        out.append(f'<g class="bar-row" data-rule="{_t(code)}"><text class="label" '
                   f'x="{LABEL_W + 250}" y="{y + 15}" text-anchor="end">{_t(code)} {_t(name)}'
                   f'</text><rect class="bar" x="{LABEL_W + 260}" y="{y + 4}" '
                   f'width="{_num(max(w, 1.0))}" height="{ROW_H - 8}"/><text class="note" '
                   f'x="{_num(LABEL_W + 264 + w)}" y="{y + 15}">{n}</text></g>')
    out.append("</svg>")
    return "".join(out)


def counts(findings: Iterable[Finding]) -> Mapping[str, int]:
    out: dict[str, int] = {}
    for f in findings:
        out[f.severity] = out.get(f.severity, 0) + 1
    return out
