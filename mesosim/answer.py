"""Model answers: ``mesosim new TECHNIQUE [--zone Z] [--setting S] [--start DATE]`` (layer 5).

A complete protocol built from the declarations in force for a technique on a zone in a
setting (see :mod:`mesosim.resolve`): every required step in the step graph's order, each
declared parameter at the middle of its range, the course's length and interval inside theirs,
and the aftercare the technique and the zone require, each figure with a comment naming its
source. Nothing is hard-coded per technique: a vendor's technique gets its model answer from its
own declarations, and a test checks that every answer passes ``mesosim check`` with no finding.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Final

from mesosim.declarations import SETTINGS, Range
from mesosim.units import fmt_number

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.declarations import Technique

__all__ = ["Unsupported", "combinations", "model_answer"]

#: where the comments start, so that the sources line up
COMMENT_AT: Final = 40


class Unsupported(ValueError):
    """The technique, zone or setting asked for is not one the technique supports; the message
    says what it supports."""


def combinations(catalog: Catalog, technique: str) -> list[tuple[str, str]]:
    """Every (zone, setting) a technique supports, zones sorted, settings in their usual order."""
    t = catalog.techniques[technique]
    return [(z, s) for z in sorted(t.zones) for s in SETTINGS if s in t.settings]


def _default(options: list[str], preferred: tuple[str, ...]) -> str:
    return next((p for p in preferred if p in options), options[0])


def _supported(catalog: Catalog, technique: str, zone: str | None, setting: str | None
               ) -> tuple[str, str]:
    from mesosim._text import did_you_mean

    if technique not in catalog.techniques:
        hint = did_you_mean(technique, catalog.techniques)
        raise Unsupported(f"no technique '{technique}'" + (
            f"; did you mean '{hint}'?" if hint else
            f"; techniques: {', '.join(sorted(catalog.techniques))}"))
    t = catalog.techniques[technique]
    zones = sorted(t.zones)
    settings = [s for s in SETTINGS if s in t.settings]
    if zone is None:
        zone = _default(zones, ("face",))
    if setting is None:
        setting = settings[0]
    problems = []
    if zone not in t.zones:
        problems.append(f"zone '{zone}' (its zones: {', '.join(zones)})")
    if setting not in t.settings:
        problems.append(f"setting '{setting}' (its settings: {', '.join(settings)})")
    if problems:
        why = [lim.note for lim in t.limits if lim.note and (
            (lim.zone == zone and lim.setting is None)
            or (lim.setting == setting and lim.zone is None))]
        raise Unsupported(f"{technique} does not support the " + " or the ".join(problems)
                          + (f": {why[0]}" if why else ""))
    return zone, setting


def _middle(r: Range, whole: bool = False) -> float:
    """A value well inside ``r``: its middle, or its one bound; a whole number for counts and
    days (rounded towards the lower bound, and never outside the range)."""
    if r.min is not None and r.max is not None:
        v = (r.min + r.max) / 2
    else:
        v = r.min if r.min is not None else (r.max or 0.0)
    if whole:
        lo = math.ceil(r.min) if r.min is not None else -math.inf
        hi = math.floor(r.max) if r.max is not None else math.inf
        w = float(math.floor(v))
        v = w if lo <= w <= hi else float(lo if lo != -math.inf else hi)
    else:
        v = float(f"{v:.3g}")
    return v


def _line(text: str, comment: str) -> str:
    return f"{text:<{COMMENT_AT}}# {comment}" if comment else text


def _cite(r: Range) -> str:
    if r.source == "default" and r.note:  # why mesosim chose it, in its first clause
        return f"{r} (default: {r.note.split(';')[0].strip()})"
    return f"{r} ({r.source})"


def model_answer(catalog: Catalog, technique: str, zone: str | None = None,
                 setting: str | None = None, start: dt.date | None = None) -> str:
    """The model answer's YAML text. Raises :class:`Unsupported` for a technique, zone or
    setting the technique does not support."""
    from mesosim.resolve import resolve

    zone, setting = _supported(catalog, technique, zone, setting)
    t: Technique = resolve(catalog, catalog.techniques[technique], zone, setting)
    start = start or dt.date.today()
    out = [
        f"# Model answer for {technique} on the {zone} zone ({setting}), written by",
        "# `mesosim new` from the declarations in force: every figure is in its range, and the",
        "# comment after it gives the range and its source. A training aid, not medical advice.",
        "mesosim: 1",
        f"id: model-{technique}-{zone}-{setting}",
        f"title: Model answer, {technique} on the {zone} zone",
        f"technique: {technique}",
        f"zone: {zone}",
        f"setting: {setting}",
        "patient:",
        "  age: 35",
        "  conditions: []",
    ]
    if t.allergy_test:
        out.append(_line("  allergy_test: negative",
                         f"a test before the course is required ({t.allergy_test})"))
    sessions = int(_middle(t.course_length, whole=True)) if t.course_length else 1
    out += ["course:", f"  start: {start.isoformat()}",
            _line(f"  sessions: {sessions}", _cite(t.course_length) if t.course_length else "")]
    if sessions > 1 and t.interval is not None:
        days = _middle(t.interval, whole=t.interval.unit == "d")
        out.append(_line(f"  interval: {fmt_number(days)} {t.interval.unit}", _cite(t.interval)))
    elif sessions > 1:
        out.append(_line("  interval: 7 d", "default: no interval is declared"))
    steps = _steps(t, zone, setting)
    tail = []
    if t.aftercare:
        tail.append("aftercare:")
        for care in sorted(t.aftercare, key=lambda c: c.activity):
            r = care.minimum
            least = r.min if r.min is not None else (r.max or 0.0)
            tail.append(_line(f"  {care.activity}: {fmt_number(least)} {r.unit}",
                              f"at least {fmt_number(least)} {r.unit} ({r.source})"))

    def text() -> str:
        return "\n".join([*out, *_render_steps(steps), *tail]) + "\n"

    if t.session_duration is not None:
        for _ in range(len(steps) + 2):  # each round fixes timings or drops one step
            if not _fit_duration(text(), catalog, t, steps):
                break
    from mesosim.pipeline import run_text

    answer = text()
    found = run_text(answer, catalog, "model.yaml").result.findings
    if found:  # a model answer is one that passes: say why this one cannot, write nothing
        f = found[0]
        raise Unsupported(f"no model answer passes with these options: {f.rule} {f.message}")
    return answer


#: a step's values: parameter -> (value, its range)
Values = dict[str, tuple[float, Range]]
#: timing parameters a protocol need not write (the step's default duration stands in)
TIMING: Final = ("duration", "wait")


def _render_steps(steps: list[tuple[str, Values]]) -> list[str]:
    out = ["session:", "  steps:"]
    for step, values in steps:
        if not values:
            out.append(f"    - {step}")
            continue
        out.append(f"    - {step}:")
        for param, (v, r) in values.items():
            out.append(_line(f"        {param}: {fmt_number(v)} {r.unit}".rstrip(), _cite(r)))
    return out


def _steps(t: Technique, zone: str, setting: str) -> list[tuple[str, Values]]:
    """Every slot of the step graph in its order (the whole procedure, the required steps and
    the others), each with its declared parameters at the middle of their ranges; timing
    parameters are left to the steps' default durations."""
    out = []
    for slot in t.steps.order:
        step = t.steps.slots[slot]
        values: Values = {}
        for param in sorted({pr.param for pr in t.parameters
                             if pr.step == step and pr.applies(zone, setting)}):
            pr = t.range_for(step, param, zone, setting)
            if pr is None or param in TIMING:
                continue
            values[param] = (_middle(pr.range, whole=pr.range.dimension == "count"), pr.range)
        if step == t.active_step and t.session_dose is not None:
            _fit_dose(values, t.session_dose)
        out.append((step, values))
    return out


def _fit_duration(text: str, catalog: Catalog, t: Technique,
                  steps: list[tuple[str, Values]]) -> bool:
    """When the steps' default durations put the measured span of the session outside its
    range, give the steps inside the span that declare a duration (or wait) range, the active
    step first, the minutes that bring it to the middle of the range, each within its own
    range; when that is not enough to shorten it, leave out the longest step of the span the
    technique does not require. Returns whether anything changed (then measure again)."""
    from mesosim.pipeline import run_text
    from mesosim.units import Quantity

    r = t.session_duration
    trace = run_text(text, catalog, "model.yaml").trace
    if r is None or trace is None or trace.measured_minutes is None:
        return False
    measured = trace.measured_minutes
    if r.contains(Quantity(measured, "min", "time")) or len(trace.steps) != len(steps):
        return False
    first, last = trace.measured_steps or (0, len(steps) - 1)
    inside = range(first, last + 1)
    gap = Quantity(_middle(r), r.unit, "time").to("min") - measured  # minutes to add
    changed = False
    for i in sorted(inside, key=lambda i: steps[i][0] != t.active_step):
        step, values = steps[i]
        for param in TIMING:
            pr = next((p for p in t.parameters if p.step == step and p.param == param), None)
            if pr is None:
                continue
            u = pr.range.unit
            now = trace.steps[i].end - trace.steps[i].start
            want = Quantity(now + gap, "min", "time").to(u)
            lo = pr.range.min if pr.range.min is not None else 0.0
            hi = pr.range.max if pr.range.max is not None else want
            new = float(f"{min(max(want, lo), hi):.3g}")
            if abs(Quantity(new, u, "time").to("min") - now) > 1e-6:
                values[param] = (new, pr.range)
                gap -= Quantity(new, u, "time").to("min") - now
                changed = True
            break
        if abs(gap) < 1e-6:
            return changed
    if changed or gap > 0:
        return changed
    required_steps = {t.steps.slots[s] for s in t.required}
    optional = [i for i in inside if steps[i][0] not in required_steps
                and steps[i][0] not in (t.session_span or ())]
    if not optional:
        return False
    longest = max(optional, key=lambda i: trace.steps[i].end - trace.steps[i].start)
    if trace.steps[longest].end == trace.steps[longest].start:
        return False
    del steps[longest]
    return True


def _fit_dose(values: dict[str, tuple[float, Range]], dose: Range) -> None:
    """Bring points x volume per point inside the session's dose range by choosing the number
    of points (within its own range) when the middles overshoot or fall short."""
    from mesosim.units import Quantity

    if "points" not in values or "volume_per_point" not in values:
        return
    vpp, vr = values["volume_per_point"]
    points, pr = values["points"]
    per = Quantity(vpp, vr.unit, "volume").to(dose.unit)
    if per <= 0 or dose.contains(Quantity(per * points, dose.unit, "volume")):
        return
    target = _middle(dose)
    n = max(1.0, float(round(target / per)))
    if pr.min is not None:
        n = max(n, math.ceil(pr.min))
    if pr.max is not None:
        n = min(n, math.floor(pr.max))
    values["points"] = (n, pr)
