"""The core checks: each function reads the protocol, its technique and the simulation trace,
and reports findings into the sink. :data:`CHECKS` lists them in the order they run.

Every check costs O(size of the protocol) (the technique's graph is a constant): the order check
works on the filled slots only, and the calendar checks read the trace once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from mesosim.findings import Sink
from mesosim.units import fmt_number

if TYPE_CHECKING:
    from mesosim.host import Registry
    from mesosim.model import Protocol, Step
    from mesosim.simulate import Trace
    from mesosim.technique import Range, Technique

#: parameter -> rule code for a value out of range. A parameter a plugin adds is a device
#: setting unless listed here.
PARAM_RULES: Final = {
    "depth": "MS401",
    "needle_length": "MS401",
    "volume_per_point": "MS402",
    "volume": "MS402",
    "points": "MS402",
    "duration": "MS421",
    "wait": "MS421",
}


class Context:
    """What a check needs: the protocol, its technique, the registry, the trace, the sink."""

    def __init__(self, protocol: Protocol, tech: Technique, reg: Registry, trace: Trace,
                 sink: Sink) -> None:
        self.protocol = protocol
        self.tech = tech
        self.reg = reg
        self.trace = trace
        self.sink = sink
        #: session states whose absence is already explained by an earlier finding
        self.explained: set[str] = set()
        #: step indexes already flagged for order, so a state check does not repeat them
        self.flagged_steps: set[int] = set()
        #: slot id -> the protocol step that fills it
        self.filled: dict[str, Step] = {}


def _range_text(r: Range, tech: Technique) -> str:
    return f"{tech.name} allows {r}"


def _add(ctx: Context, code: str, where: tuple[object, ...], message: str, *,
         source: str | None = None, key: bool = False, suggestion: str | None = None) -> None:
    ctx.sink.add(code, where, message, technique=ctx.tech.name, source=source, key=key,
                 suggestion=suggestion)


def check_setting_and_zone(ctx: Context) -> None:
    p, t = ctx.protocol, ctx.tech
    if p.setting not in t.settings:
        _add(ctx, "MS204", ("setting",), f"{t.name} is not used in the '{p.setting}' setting "
             f"(it is used in: {', '.join(sorted(t.settings))})")
    if p.zone is not None and p.zone not in t.zones:
        _add(ctx, "MS204", ("zone",), f"{t.name} is not used on the '{p.zone}' zone (zones: "
             f"{', '.join(sorted(t.zones))})")


def check_steps(ctx: Context) -> None:
    """Known steps belong to the technique; fill the graph's slots in order (MS203)."""
    graph = ctx.tech.steps
    by_step = graph.slots_of
    next_free: dict[str, int] = {}
    for step in ctx.protocol.steps:
        if step.name not in ctx.reg.steps:
            continue  # MS202 already reported by the model
        slots = by_step.get(step.name)
        if slots is None:
            _add(ctx, "MS203", step.path, f"step '{step.name}' is not part of {ctx.tech.name} "
                 f"(its steps: {', '.join(sorted(graph.steps()))})")
            ctx.flagged_steps.add(step.index)
            continue
        i = next_free.get(step.name, 0)
        # A repeated step (the roller's disinfection before and after rolling) skips a slot
        # that must precede a step already written: the one disinfection after rolling is
        # the second, and the first is the one missing (not an order error).
        while i + 1 < len(slots) and any(slots[i] in graph.ancestors[s] for s in ctx.filled):
            i += 1
        if i < len(slots):
            ctx.filled[slots[i]] = step
            next_free[step.name] = i + 1


def check_required(ctx: Context) -> None:
    """Required slots are filled (MS301), pointing at the first step that needed them."""
    graph = ctx.tech.steps
    for slot in graph.order:
        if slot not in ctx.tech.required or slot in ctx.filled:
            continue
        step_name = graph.slots[slot]
        kind = ctx.reg.steps.get(step_name)
        if kind is not None:
            ctx.explained |= kind.provides
        after = [s for sid, s in ctx.filled.items() if slot in graph.ancestors[sid]]
        first = min(after, key=lambda s: s.index) if after else None
        where = first.path if first is not None else ("session", "steps")
        before = f" before '{first.name}'" if first is not None else ""
        again = " again" if step_name != slot and any(
            graph.slots[s] == step_name for s in ctx.filled) else ""
        _add(ctx, "MS301", where, f"missing required step '{step_name}'{again}{before}: "
             f"{ctx.tech.name} requires it", suggestion=f"add '- {step_name}'{before}")


def check_order(ctx: Context) -> None:
    """Filled slots respect the graph (MS311). The steps blamed are the fewest whose removal
    leaves the rest in order, found greedily (a technique has a few dozen slots at most)."""
    anc = ctx.tech.steps.ancestors
    slots = list(ctx.filled)
    pos = {s: ctx.filled[s].index for s in slots}

    def bad_pairs(live: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {s: [] for s in live}
        for b in live:
            for a in live:
                if a in anc[b] and pos[a] > pos[b]:
                    out[a].append(b)
                    out[b].append(a)
        return out

    live = slots
    while True:
        pairs = bad_pairs(live)
        worst = max(live, key=lambda s: (len(pairs[s]), pos[s]), default=None)
        if worst is None or not pairs[worst]:
            return
        step = ctx.filled[worst]
        others = sorted(pairs[worst], key=lambda s: pos[s])
        must_precede = [o for o in others if o in anc[worst]]
        must_follow = [o for o in others if worst in anc[o]]

        def names(group: list[str]) -> str:
            return ", ".join(f"'{ctx.filled[o].name}' (line {ctx.protocol.pos(ctx.filled[o].path)[0]})"
                             for o in group)

        if must_precede:
            msg = f"step '{step.name}' comes too early: {ctx.tech.name} does {names(must_precede)} " \
                  f"before '{step.name}'"
            hint = f"move '{step.name}' after {ctx.filled[must_precede[-1]].name!r}"
        else:
            msg = f"step '{step.name}' comes too late: {ctx.tech.name} does '{step.name}' before " \
                  f"{names(must_follow)}"
            hint = f"move '{step.name}' before {ctx.filled[must_follow[0]].name!r}"
            kind = ctx.reg.steps.get(step.name)
            if kind is not None:
                ctx.explained |= kind.provides
        _add(ctx, "MS311", step.path, msg, suggestion=hint)
        ctx.flagged_steps.add(step.index)
        live = [s for s in live if s != worst]


def check_states(ctx: Context) -> None:
    """A step whose needed state the session lacks (MS302), from the simulation trace."""
    for run in ctx.trace.steps:
        missing = [m for m in run.missing if m not in ctx.explained]
        if not missing or run.index in ctx.flagged_steps:
            continue
        providers = sorted(k.name for k in ctx.reg.steps.values() if set(missing) & k.provides)
        _add(ctx, "MS302", run.path, f"step '{run.name}' needs {', '.join(missing)}, which no "
             f"step before it provides", suggestion=f"add {' or '.join(repr(p) for p in providers)}"
             f" before it" if providers else None)


def check_parameters(ctx: Context) -> None:
    """Each step parameter within the technique's range for the zone and setting."""
    p, t = ctx.protocol, ctx.tech
    for step in p.steps:
        for param, q in step.params.items():
            pr = t.range_for(step.name, param, p.zone, p.setting)
            if pr is None or pr.range.dimension != q.dimension:
                continue
            if not pr.range.contains(q):
                scope = " ".join(x for x in (pr.zone, pr.setting) if x)
                scope = f" ({scope})" if scope else ""
                code = PARAM_RULES.get(param, "MS411")
                _add(ctx, code, (*step.path, step.name, param),
                     f"{step.name} {param} is {q}, but {_range_text(pr.range, t)}{scope}",
                     source=pr.range.source)
    # the active step's declared parameters should be written, or they cannot be checked
    for step in p.steps:
        if step.name != t.active_step:
            continue
        declared = sorted({pr.param for pr in t.parameters if pr.step == step.name and
                           pr.applies(p.zone, p.setting) and pr.param not in ("duration", "wait")})
        missing = [d for d in declared if d not in step.written]
        if missing:
            _add(ctx, "MS110", step.path, f"step '{step.name}' gives no {', '.join(missing)}: "
                 f"mesosim cannot check it against {t.name}'s range",
                 suggestion=f"write e.g. '- {step.name}: {{{missing[0]}: ...}}'")


def check_session(ctx: Context) -> None:
    """Session length and total dose, read off the simulation trace (MS422, MS403)."""
    t, tr = ctx.tech, ctx.trace
    if t.session_duration is not None and tr.measured_minutes is not None and ctx.protocol.steps:
        from mesosim.units import Quantity

        q = Quantity(tr.measured_minutes, "min", "time")
        if not t.session_duration.contains(q):
            span = f" from '{t.session_span[0]}' to '{t.session_span[1]}'" if t.session_span else ""
            _add(ctx, "MS422", ("session", "steps"), f"the simulated session lasts "
                 f"{fmt_number(round(tr.measured_minutes, 1))} min{span}, but "
                 f"{_range_text(t.session_duration, t)}", source=t.session_duration.source)
    if t.session_dose is not None and tr.total_volume_ml is not None:
        from mesosim.units import Quantity

        q = Quantity(tr.total_volume_ml, "ml", "volume")
        if not t.session_dose.contains(q):
            active = next((s for s in ctx.protocol.steps if s.name == t.active_step), None)
            where = active.path if active else ("session", "steps")
            _add(ctx, "MS403", where, f"the session injects {fmt_number(round(q.value, 4))} ml in "
                 f"total (points x volume per point), but {t.name} allows {t.session_dose} per "
                 "session", source=t.session_dose.source)


def check_course(ctx: Context) -> None:
    """Intervals and course length, read off the simulated calendar (MS501, MS502, MS511)."""
    t, tr, course = ctx.tech, ctx.trace, ctx.protocol.course
    r = t.interval
    from mesosim.units import Quantity

    # a course laid from start and interval repeats one interval: judge each value once
    verdicts: dict[float, bool] = {}
    for i, days in enumerate(tr.intervals):
        q = Quantity(days, "d", "time")
        ok = verdicts.get(days)
        if ok is None:
            ok = verdicts[days] = r.contains(q)
        if ok:
            continue
        where: tuple[object, ...] = ("course", "dates", i + 1) if course.dates else \
            ("course", "interval")
        low = r.min is not None and q.to(r.unit) < r.min
        what = f"sessions {i + 1} and {i + 2} are {fmt_number(days)} days apart"
        if not course.dates:
            what = f"the interval is {course.interval}"
        _add(ctx, "MS501" if low else "MS502", where,
             f"{what}, but {t.name} allows {r} between sessions", source=r.source)
        if not course.dates:
            break  # a fixed interval: one finding, not one per pair
    n = len(tr.sessions)
    if n and not t.course_length.contains(Quantity(n, "", "count")):
        where = ("course", "dates") if course.dates else ("course", "sessions")
        _add(ctx, "MS511", where, f"the course has {n} session{'s' * (n != 1)}, but {t.name} "
             f"allows {t.course_length} sessions", source=t.course_length.source)


def check_patient(ctx: Context) -> None:
    """Contraindications (general and the technique's) and the allergy test."""
    p, t = ctx.protocol.patient, ctx.tech
    if p.conditions:
        rules = {c.condition: c for c in ctx.reg.general}
        rules.update({c.condition: c for c in t.contraindications})
        for cond in p.conditions:
            c = rules.get(cond)
            if c is None:
                continue
            code = "MS601" if c.severity == "error" else "MS602"
            note = f"; {c.note}" if c.note else ""
            verb = "contraindicates" if c.severity == "error" else "calls for caution with"
            _add(ctx, code, p.condition_paths.get(cond, ("patient", "conditions")),
                 f"patient condition '{cond}' {verb} {t.name}{note}", source=c.source)
    if p.allergy_test == "positive":
        _add(ctx, "MS612", ("patient", "allergy_test"), "the allergy test is positive: the "
             f"cocktail must not be used ({t.name})", source="002:69")
    elif t.allergy_test is not None and p.allergy_test in (None, "not-done"):
        where = ("patient", "allergy_test") if p.allergy_test else ("patient",)
        _add(ctx, "MS611", where, f"{t.name} requires an allergy test before the course, and "
             f"it is {'not done' if p.allergy_test else 'not recorded'}",
             source=t.allergy_test, suggestion="record 'allergy_test: negative' once the test "
             "is done")


def check_aftercare(ctx: Context) -> None:
    """Aftercare at least the technique's minimum (MS701), and none missing (MS702)."""
    after = ctx.protocol.aftercare
    written = (ctx.protocol.doc.data or {}).get("aftercare")
    if written is not None and not isinstance(written, dict):
        return  # a list or text: already MS103, and every activity would look "missing"
    for care in ctx.tech.aftercare:
        q = after.get(care.activity)
        if q is None:
            where = ("aftercare",) if "aftercare" in (ctx.protocol.doc.data or {}) else ()
            _add(ctx, "MS702", where, f"aftercare does not mention '{care.activity}': "
                 f"{ctx.tech.name} requires avoiding it for {care.minimum}",
                 source=care.minimum.source, key=bool(where),
                 suggestion=f"add '{care.activity}: {_at_least(care.minimum)}' under "
                 "aftercare")
        elif not care.minimum.contains(q):
            _add(ctx, "MS701", ("aftercare", care.activity), f"aftercare '{care.activity}' is "
                 f"{q}, but {ctx.tech.name} requires {care.minimum}",
                 source=care.minimum.source)


def _at_least(r: Range) -> str:
    return f"{fmt_number(r.min if r.min is not None else r.max or 0)} {r.unit}".strip()


def check_plans(ctx: Context) -> None:
    """The patient's plans against the simulated restriction windows (MS801)."""
    for c in ctx.trace.conflicts:
        w = c.window
        span = w.start.isoformat() if w.start == w.end else f"{w.start} to {w.end}"
        when = "before" if w.kind == "beforecare" else "after"
        # a plan may meet the window of an activity it involves (a beach holiday, the sun)
        which = f"'{w.activity}' " if w.activity != c.activity else ""
        _add(ctx, "MS801", c.path, f"plan '{c.activity}' on {c.date} falls in the {which}{w.kind} "
             f"window {when} session {w.session} ({span})",
             source=w.source if w.source != "protocol" else None)


CHECKS: Final[tuple[Callable[[Context], None], ...]] = (
    check_setting_and_zone,
    check_steps,
    check_required,
    check_order,
    check_states,
    check_parameters,
    check_session,
    check_course,
    check_patient,
    check_aftercare,
    check_plans,
)
