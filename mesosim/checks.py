"""The core checks: each function reads what it is given (the protocol, its technique, the
catalog, the simulation trace) and returns its findings; :func:`run_checks` runs them all.

No check writes to a shared state. Where one check's verdict shapes another's (a missing step
explains why a later step lacks a state; a step blamed for its order is not blamed again for a
state), the earlier check returns that verdict and :func:`run_checks` passes it on explicitly.

Every check costs O(size of the protocol) (the technique's graph is a constant): the order check
works on the filled slots only, and the calendar checks read the trace once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from mesosim import rules
from mesosim.units import NEGATIVE_ALLOWED, OFFSETS, UNITS, Quantity, fmt_number

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.declarations import Range, Technique
    from mesosim.findings import Finding, Sink
    from mesosim.protocol import Course, Protocol, Step
    from mesosim.trace import Trace


class Filling(NamedTuple):
    """How the protocol's steps fill the technique's graph (:func:`check_steps`)."""

    #: slot id -> the protocol step that fills it
    filled: Mapping[str, Step]
    #: indexes of steps that belong to no slot of the technique (already reported)
    foreign: frozenset[int]


class Explained(NamedTuple):
    """What a step check already reported, so that the state check does not repeat it."""

    #: session states whose absence an earlier finding explains
    states: frozenset[str] = frozenset()
    #: step indexes already blamed
    steps: frozenset[int] = frozenset()


#: what a clean check explains: nothing (one shared value, not a new one per protocol)
_NOTHING_EXPLAINED = Explained()


def _range_text(r: Range, tech: Technique) -> str:
    return f"{tech.name} allows {r}"


def _nearest(r: Range, value: float) -> str:
    """The bound of ``r`` nearest a value outside it, in the range's unit (``2 mm``): the
    mechanical fix a student can copy."""
    target = r.min if r.min is not None and value < r.min else r.max
    return f"{fmt_number(target if target is not None else value)} {r.unit}".rstrip()


def check_setting_and_zone(p: Protocol, t: Technique, sink: Sink) -> list[Finding]:
    out = []

    def why(zone: str | None, setting: str | None) -> tuple[str, str | None]:
        limit = next((lim for lim in t.limits if lim.zone == zone and lim.setting == setting),
                     None)
        if limit is None:
            return "", None
        return (f": {limit.note}" if limit.note else ""), limit.source

    if p.setting not in t.settings:
        note, source = why(None, p.setting)
        out.append(sink.new(rules.TECHNIQUE_NOT_FOR_SETTING, ("setting",),
                            f"{t.name} is not used in the '{p.setting}' setting (it is used in: "
                            f"{', '.join(sorted(t.settings))}){note}", source=source))
    if p.zone is not None and p.zone not in t.zones:
        note, source = why(p.zone, None)
        out.append(sink.new(rules.TECHNIQUE_NOT_FOR_SETTING, ("zone",),
                            f"{t.name} is not used on the '{p.zone}' zone (zones: "
                            f"{', '.join(sorted(t.zones))}){note}", source=source))
    return out


def check_steps(p: Protocol, t: Technique, catalog: Catalog, sink: Sink
                ) -> tuple[list[Finding], Filling]:
    """Known steps belong to the technique (MS203); fill the graph's slots in order."""
    graph = t.steps
    by_step = graph.slots_of
    next_free: dict[str, int] = {}
    filled: dict[str, Step] = {}
    foreign: set[int] = set()
    out = []
    for step in p.steps:
        if step.name not in catalog.steps:
            continue  # MS202 already reported by the model
        slots = by_step.get(step.name)
        if slots is None:
            out.append(sink.new(rules.STEP_NOT_IN_TECHNIQUE, step.path,
                                f"step '{step.name}' is not part of {t.name} (its steps: "
                                f"{', '.join(sorted(graph.steps()))})", subject=step.name))
            foreign.add(step.index)
            continue
        i = next_free.get(step.name, 0)
        # A repeated step (the roller's disinfection before and after rolling) skips a slot
        # that must precede a step already written: the one disinfection after rolling is
        # the second, and the first is the one missing (not an order error).
        while i + 1 < len(slots) and any(slots[i] in graph.ancestors[s] for s in filled):
            i += 1
        if i < len(slots):
            filled[slots[i]] = step
            next_free[step.name] = i + 1
    return out, Filling(filled, frozenset(foreign))


def check_required(t: Technique, catalog: Catalog, filled: Mapping[str, Step], sink: Sink
                   ) -> tuple[list[Finding], Explained]:
    """Required slots are filled (MS301), pointing at the first step that needed them."""
    if t.required.issubset(filled):  # the usual case, without the walk below
        return [], _NOTHING_EXPLAINED
    graph = t.steps
    explained: set[str] = set()
    out = []
    for slot in graph.order:
        if slot not in t.required or slot in filled:
            continue
        step_name = graph.slots[slot]
        kind = catalog.steps.get(step_name)
        if kind is not None:
            explained |= kind.provides
        after = [s for sid, s in filled.items() if slot in graph.ancestors[sid]]
        first = min(after, key=lambda s: s.index) if after else None
        where = first.path if first is not None else ("session", "steps")
        before = f" before '{first.name}'" if first is not None else ""
        again = " again" if step_name != slot and any(
            graph.slots[s] == step_name for s in filled) else ""
        who, source = t.required_by.get(slot, (t.name, None))
        out.append(sink.new(rules.MISSING_REQUIRED_STEP, where,
                            f"missing required step '{step_name}'{again}{before}: {who} "
                            "requires it", suggestion=f"add '- {step_name}'{before}",
                            source=source, subject=slot))
    return out, Explained(frozenset(explained))


def check_order(p: Protocol, t: Technique, catalog: Catalog, filled: Mapping[str, Step],
                sink: Sink) -> tuple[list[Finding], Explained]:
    """Filled slots respect the graph (MS311). The steps blamed are the fewest whose removal
    leaves the rest in order, found greedily (a technique has a few dozen slots at most)."""
    anc = t.steps.ancestors
    slots = list(filled)
    pos = {s: filled[s].index for s in slots}
    if _in_order(sorted(slots, key=pos.__getitem__), anc):  # the usual case: no pair to weigh
        return [], _NOTHING_EXPLAINED
    explained: set[str] = set()
    blamed: set[int] = set()
    out: list[Finding] = []

    def bad_pairs(live: list[str]) -> dict[str, list[str]]:
        pairs: dict[str, list[str]] = {s: [] for s in live}
        for b in live:
            for a in live:
                if a in anc[b] and pos[a] > pos[b]:
                    pairs[a].append(b)
                    pairs[b].append(a)
        return pairs

    def names(group: list[str]) -> str:
        return ", ".join(f"'{filled[o].name}' (line {p.pos(filled[o].path)[0]})" for o in group)

    live = slots
    while True:
        pairs = bad_pairs(live)
        worst = max(live, key=lambda s: (len(pairs[s]), pos[s]), default=None)
        if worst is None or not pairs[worst]:
            return out, Explained(frozenset(explained), frozenset(blamed))
        step = filled[worst]
        others = sorted(pairs[worst], key=lambda s: pos[s])
        must_precede = [o for o in others if o in anc[worst]]
        must_follow = [o for o in others if worst in anc[o]]
        if must_precede:
            msg = f"step '{step.name}' comes too early: {t.name} does {names(must_precede)} " \
                  f"before '{step.name}'"
            hint = f"move '{step.name}' after {filled[must_precede[-1]].name!r}"
        else:
            msg = f"step '{step.name}' comes too late: {t.name} does '{step.name}' before " \
                  f"{names(must_follow)}"
            hint = f"move '{step.name}' before {filled[must_follow[0]].name!r}"
            kind = catalog.steps.get(step.name)
            if kind is not None:
                explained |= kind.provides
        out.append(sink.new(rules.STEP_OUT_OF_ORDER, step.path, msg, suggestion=hint,
                            subject=worst))
        blamed.add(step.index)
        live = [s for s in live if s != worst]


def _in_order(slots: list[str], ancestors: Mapping[str, frozenset[str]]) -> bool:
    """Whether no slot of ``slots`` (in the order of their steps) has an ancestor filled after
    it: a set test per slot, where :func:`check_order` weighs every pair (8 -> 5 us per
    protocol with :func:`check_steps`, speed round 2)."""
    later = set(slots)
    for s in slots:
        later.discard(s)
        if not ancestors[s].isdisjoint(later):
            return False
    return True


def check_states(trace: Trace, catalog: Catalog, explained: Explained, sink: Sink
                 ) -> list[Finding]:
    """A step whose needed state the session lacks (MS302), from the simulation trace, unless
    an earlier finding already explains it."""
    out = []
    for run in trace.steps:
        if not run.missing:
            continue
        missing = [m for m in run.missing if m not in explained.states]
        if not missing or run.index in explained.steps:
            continue
        providers = sorted(k.name for k in catalog.steps.values() if set(missing) & k.provides)
        out.append(sink.new(
            rules.STATE_NOT_REACHED, run.path, f"step '{run.name}' needs {', '.join(missing)}, "
            "which no step before it provides",
            suggestion=f"add {' or '.join(repr(p) for p in providers)} before it"
            if providers else None, subject=run.name))
    return out


def check_parameters(p: Protocol, t: Technique, catalog: Catalog, sink: Sink) -> list[Finding]:
    """Each step parameter within the technique's range for the zone and setting."""
    out = []
    declared, quiet = _in_force(t, p.zone, p.setting)
    for step in p.steps:
        for param, q in step.params.items():
            key = (step.name, param, q.value, q.unit, q.dimension)
            if key in quiet:
                continue
            pr = t.range_for(step.name, param, p.zone, p.setting)
            if pr is None or pr.range.dimension != q.dimension or pr.range.contains(q):
                if q.unit in UNITS:
                    if len(quiet) >= 4096:
                        quiet.clear()
                    quiet.add(key)
            else:
                scope = " ".join(x for x in (pr.zone, pr.setting) if x)
                scope = f" ({scope})" if scope else ""
                shown = str(q)
                if q.unit != pr.range.unit and (q.unit in OFFSETS or pr.range.unit in OFFSETS
                                                or q.dimension in NEGATIVE_ALLOWED):
                    # an offset unit (240 K) says little next to the range's (-20 to -5 °C)
                    shown += f" ({fmt_number(round(q.to(pr.range.unit), 2))} {pr.range.unit})"
                fix = f"{param}: {_nearest(pr.range, q.to(pr.range.unit))}"
                out.append(sink.new(catalog.parameter_rule(param), (*step.path, step.name, param),
                                    f"{step.name} {param} is {shown}, but "
                                    f"{_range_text(pr.range, t)}{scope}",
                                    source=pr.range.source,
                                    suggestion=f"write '{fix}' (or another value in range)"))
    # the active step's declared parameters should be written, or they cannot be checked
    for step in p.steps:
        if step.name != t.active_step:
            continue
        missing = [d for d in declared if d not in step.written]
        if missing:
            out.append(sink.new(rules.MISSING_PARAMETER, step.path,
                                f"step '{step.name}' gives no {', '.join(missing)}: mesosim "
                                f"cannot check it against {t.name}'s range",
                                suggestion=f"write e.g. '- {step.name}: {{{missing[0]}: ...}}'"))
    return out


_IN_FORCE: dict[tuple[int, str | None, str | None],
                tuple[Technique, list[str], set[tuple[str, str, float, str, str]]]] = {}


def _in_force(t: Technique, zone: str | None, setting: str | None
              ) -> tuple[list[str], set[tuple[str, str, float, str, str]]]:
    """What :func:`check_parameters` reads of a technique on a zone in a setting: the active
    step's declared parameters (but its duration and wait), and the (step, parameter, value,
    unit, dimension) met so far that no range blames. Kept per technique: a class's files
    write the same few values, 7.7 -> 5.0 us per protocol (speed round 2). A unit unknown yet
    could be registered later with a meaning of its own: its values are not kept."""
    hit = _IN_FORCE.get((id(t), zone, setting))
    if hit is not None and hit[0] is t:
        return hit[1], hit[2]
    declared = sorted({pr.param for pr in t.parameters if pr.step == t.active_step and
                       pr.applies(zone, setting) and pr.param not in ("duration", "wait")})
    if len(_IN_FORCE) > 256:  # techniques built on the fly (tests, overrides): stay bounded
        _IN_FORCE.clear()
    quiet: set[tuple[str, str, float, str, str]] = set()
    _IN_FORCE[(id(t), zone, setting)] = (t, declared, quiet)
    return declared, quiet


def check_session(p: Protocol, t: Technique, trace: Trace, sink: Sink) -> list[Finding]:
    """Session length and total dose, read off the simulation trace (MS422, MS403)."""
    out = []
    if t.session_duration is not None and trace.measured_minutes is not None and p.steps:
        if not t.session_duration.contains_value(trace.measured_minutes, "min", "time"):
            span = f" from '{t.session_span[0]}' to '{t.session_span[1]}'" if t.session_span else ""
            out.append(sink.new(
                rules.SESSION_DURATION_OUT_OF_RANGE, ("session", "steps"),
                f"the simulated session lasts {fmt_number(round(trace.measured_minutes, 1))} min"
                f"{span}, but {_range_text(t.session_duration, t)}",
                source=t.session_duration.source))
    if t.session_dose is not None and trace.total_volume_ml is not None:
        if not t.session_dose.contains_value(trace.total_volume_ml, "ml", "volume"):
            q = Quantity(trace.total_volume_ml, "ml", "volume")
            active = next((s for s in p.steps if s.name == t.active_step), None)
            where = active.path if active else ("session", "steps")
            out.append(sink.new(
                rules.SESSION_DOSE_OUT_OF_RANGE, where,
                f"the session injects {fmt_number(round(q.value, 4))} ml in total (points x "
                f"volume per point), but {t.name} allows {t.session_dose} per session",
                source=t.session_dose.source))
    return out


def check_course(p: Protocol, t: Technique, trace: Trace, sink: Sink,
                 maintenance: Technique | None = None) -> list[Finding]:
    """Intervals and course length, read off the simulated calendar (MS501, MS502, MS511),
    for the course and for its maintenance sessions, each against its own figures."""
    course_sessions = [s for s in trace.sessions if s.phase != "maintenance" or
                       p.course.kind == "maintenance"]
    out = _course_findings(p.course, t, trace.intervals, len(course_sessions), sink)
    if p.maintenance is not None and maintenance is not None:
        n = len(trace.sessions) - len(course_sessions)
        out += _course_findings(p.maintenance, maintenance, trace.maintenance_intervals, n, sink)
        out += _gap_findings(p, t, maintenance, trace.gap_to_maintenance, sink)
    return out


def _gap_findings(p: Protocol, t: Technique, maintenance: Technique, gap: float | None,
                  sink: Sink) -> list[Finding]:
    """The first maintenance session comes after the course, at least the shortest interval
    either course allows after its last session."""
    if gap is None or p.maintenance is None:
        return []
    bounds = [r for r in (t.interval, maintenance.interval) if r is not None and r.min is not None]
    if not bounds:
        return []
    r = max(bounds, key=lambda b: Quantity(b.min or 0, b.unit, "time").to("d"))
    least = Quantity(r.min or 0, r.unit, "time")
    if gap >= least.to("d") - 1e-9:
        return []
    m = p.maintenance
    where: tuple[object, ...] = (*m.path, "dates", 0) if m.dates else (*m.path, "start")
    when = "before the course's last session" if gap < 0 else "after the course's last session"
    return [sink.new(rules.INTERVAL_TOO_SHORT, where,
                     f"the first maintenance session is {fmt_number(abs(gap))} days {when}, but "
                     f"{t.name} allows at least {fmt_number(r.min or 0)} {r.unit} between "
                     "sessions", source=r.source)]


def _course_findings(course: Course, t: Technique, intervals: tuple[float, ...], n: int,
                     sink: Sink) -> list[Finding]:
    r = t.interval
    where_section = course.path
    label = "maintenance sessions" if course.kind == "maintenance" else "sessions"
    out = []
    # a course laid from start and interval repeats one interval: judge each value once
    verdicts: dict[float, bool] = {}
    for i, days in enumerate(intervals if r is not None else ()):
        assert r is not None
        ok = verdicts.get(days)
        if ok is None:
            ok = verdicts[days] = r.contains_value(days, "d", "time")
        if ok:
            continue
        q = Quantity(days, "d", "time")
        where: tuple[object, ...] = (*where_section, "dates", i + 1) if course.dates else \
            (*where_section, "interval")
        low = r.min is not None and q.to(r.unit) < r.min
        what = f"{label} {i + 1} and {i + 2} are {fmt_number(days)} days apart"
        if not course.dates:
            what = f"the interval is {course.interval}"
            if course.kind == "maintenance":
                what = f"the maintenance interval is {course.interval}"
        between_what = "maintenance sessions" if course.kind == "maintenance" else "sessions"
        fix = f"interval: {_nearest(r, q.to(r.unit))}" if not course.dates else \
            f"dates at least {fmt_number(r.min or 0)} {r.unit} apart" if low else \
            f"dates at most {fmt_number(r.max or 0)} {r.unit} apart"
        out.append(sink.new(rules.INTERVAL_TOO_SHORT if low else rules.INTERVAL_TOO_LONG, where,
                            f"{what}, but {t.name} allows {r} between {between_what}",
                            source=r.source, suggestion=f"write '{fix}'" if not course.dates
                            else f"set the {fix}"))
        if not course.dates:
            break  # a fixed interval: one finding, not one per pair
    length = t.course_length
    if n and length is not None and not length.contains_value(n, "", "count"):
        where = (*where_section, "dates") if course.dates else (*where_section, "sessions")
        kind = "maintenance course" if course.kind == "maintenance" else "course"
        out.append(sink.new(rules.COURSE_LENGTH_OUT_OF_RANGE, where,
                            f"the {kind} has {n} session{'s' * (n != 1)}, but {t.name} allows "
                            f"{length} sessions", source=length.source,
                            suggestion=f"write 'sessions: {_nearest(length, n)}'"
                            if not course.dates else None))
    return out


def check_patient(p: Protocol, t: Technique, catalog: Catalog, sink: Sink) -> list[Finding]:
    """Contraindications (general and the technique's) and the allergy test."""
    patient = p.patient
    out = []
    if patient.conditions:
        # the technique in force holds every contraindication that applies here: the general
        # ones, the zone's and its own (mesosim.resolve)
        known = {c.condition: c for c in t.contraindications}
        for cond in patient.conditions:
            c = known.get(cond)
            if c is None:
                continue
            code = rules.CONTRAINDICATED if c.severity == "error" else \
                rules.RELATIVE_CONTRAINDICATION
            note = f"; {c.note}" if c.note else ""
            verb = "contraindicates" if c.severity == "error" else "calls for caution with"
            out.append(sink.new(code, patient.condition_paths.get(cond, ("patient", "conditions")),
                                f"patient condition '{cond}' {verb} {t.name}{note}",
                                source=c.source))
    if patient.allergy_test == "positive":
        out.append(sink.new(rules.ALLERGY_TEST_POSITIVE, ("patient", "allergy_test"),
                            f"the allergy test is positive: the cocktail must not be used "
                            f"({t.name})", source="002:69"))
    elif t.allergy_test is not None and patient.allergy_test in (None, "not-done"):
        where = ("patient", "allergy_test") if patient.allergy_test else ("patient",)
        out.append(sink.new(rules.ALLERGY_TEST_MISSING, where,
                            f"{t.name} requires an allergy test before the course, and it is "
                            f"{'not done' if patient.allergy_test else 'not recorded'}",
                            source=t.allergy_test, suggestion="record 'allergy_test: negative' "
                            "once the test is done"))
    return out


def check_aftercare(p: Protocol, t: Technique, sink: Sink) -> list[Finding]:
    """Aftercare at least the technique's minimum (MS701), and none missing (MS702)."""
    after = p.aftercare
    data = p.doc.data if isinstance(p.doc.data, dict) else {}
    written = data.get("aftercare")
    if written is not None and not isinstance(written, dict):
        return []  # a list or text: already MS103, and every activity would look "missing"
    out = []
    for care in t.aftercare:
        q = after.get(care.activity)
        if q is None:
            where = ("aftercare",) if "aftercare" in data else ()
            out.append(sink.new(rules.AFTERCARE_MISSING, where,
                                f"aftercare does not mention '{care.activity}': {t.name} "
                                f"requires avoiding it for {care.minimum}",
                                source=care.minimum.source, key=bool(where),
                                suggestion=f"add '{care.activity}: {_at_least(care.minimum)}' "
                                "under aftercare"))
        elif not care.minimum.contains(q):
            out.append(sink.new(rules.AFTERCARE_TOO_SHORT, ("aftercare", care.activity),
                                f"aftercare '{care.activity}' is {q}, but {t.name} requires "
                                f"{care.minimum}", source=care.minimum.source))
    return out


def _at_least(r: Range) -> str:
    return f"{fmt_number(r.min if r.min is not None else r.max or 0)} {r.unit}".strip()


def check_plans(trace: Trace, sink: Sink) -> list[Finding]:
    """The patient's plans against the simulated restriction windows (MS801)."""
    out = []
    for c in trace.conflicts:
        w = c.window
        span = w.start.isoformat() if w.start == w.end else f"{w.start} to {w.end}"
        when = "before" if w.kind == "beforecare" else "after"
        # a plan may meet the window of an activity it involves (a beach holiday, the sun)
        which = f"'{w.activity}' " if w.activity != c.activity else ""
        out.append(sink.new(rules.PLAN_CONFLICT, c.path,
                            f"plan '{c.activity}' on {c.date} falls in the {which}{w.kind} "
                            f"window {when} session {w.session} ({span})",
                            source=w.source if w.source != "protocol" else None))
    return out


def run_checks(p: Protocol, t: Technique, catalog: Catalog, trace: Trace, sink: Sink,
               maintenance: Technique | None = None) -> list[Finding]:
    """Every core check on one protocol; ``sink`` makes the findings (it keeps none). ``t`` is
    the technique in force for the protocol (:func:`mesosim.resolve.resolve`), ``maintenance``
    the one in force for its maintenance sessions."""
    found = check_setting_and_zone(p, t, sink)
    steps, filling = check_steps(p, t, catalog, sink)
    required, by_required = check_required(t, catalog, filling.filled, sink)
    order, by_order = check_order(p, t, catalog, filling.filled, sink)
    explained = Explained(by_required.states | by_order.states, filling.foreign | by_order.steps)
    found += steps + required + order
    found += check_states(trace, catalog, explained, sink)
    found += check_parameters(p, t, catalog, sink)
    found += check_session(p, t, trace, sink)
    found += check_course(p, t, trace, sink, maintenance)
    found += check_patient(p, t, catalog, sink)
    found += check_aftercare(p, t, sink)
    found += check_plans(trace, sink)
    return found
