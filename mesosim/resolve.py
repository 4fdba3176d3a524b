"""The declarations in force for one protocol (layer 2): a technique, on a zone, in a setting,
for a course kind.

Scoped declarations combine as follows:

* contraindications and cautions **add up**: the general ones (every technique), the zone's
  and the technique's, each that applies; a condition named by several keeps the strictest
  severity and every source;
* a care minimum (aftercare, before-care) is **the longest** that applies;
* a figure (course length, interval, session duration, session dose) comes from **the most
  specific scope**: the technique's for the zone, then the zone's own, then the technique's
  for the setting or course kind, then its general one; for ``interval`` and ``course_length``
  a declaration without a course kind is for the intensive course;
* a parameter range likewise: the technique's for the zone, then the zone's, then the
  technique's general one (then by setting);
* required steps add up, and a procedure's steps join the technique's step graph after its
  active step (a step it already has there is reused).

:func:`resolve` returns the technique with all of that applied (what the simulator, the checks
and the plugins' checks read); :func:`provenance` says, for ``techniques show`` and
``explain``, which declaration applied and which one a more specific or longer one replaced.
Both are cached per (catalog, technique, zone, setting, course kind): a class's files repeat a
handful of contexts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from attr import evolve

from mesosim.declarations import (
    FIGURES,
    Care,
    Contraindication,
    Figure,
    Procedure,
    Range,
    Scope,
    StepGraph,
    Technique,
)

if TYPE_CHECKING:
    from mesosim.catalog import Catalog


class Applied(NamedTuple):
    """One declaration met while resolving: what it is, its value and source, and whether it
    is in force or was replaced (and by what)."""

    what: str
    value: str
    source: str
    origin: str  # general | zone ZONE | technique NAME
    status: str  # in force | adds up | replaced
    note: str = ""


class _Key(NamedTuple):
    catalog: int
    technique: int
    zone: str | None
    setting: str | None
    course: str


_CACHE: dict[_Key, tuple[Catalog, Technique, Technique, tuple[Applied, ...]]] = {}


def resolve(catalog: Catalog, tech: Technique, zone: str | None, setting: str | None,
            course: str | None = None) -> Technique:
    """``tech`` with every declaration that applies to the context collapsed into it."""
    return _resolved(catalog, tech, zone, setting, course or "intensive")[0]


def provenance(catalog: Catalog, tech: Technique, zone: str | None, setting: str | None,
               course: str | None = None) -> tuple[Applied, ...]:
    """Every declaration met, in force or replaced, with its source."""
    return _resolved(catalog, tech, zone, setting, course or "intensive")[1]


def _resolved(catalog: Catalog, tech: Technique, zone: str | None, setting: str | None,
              course: str) -> tuple[Technique, tuple[Applied, ...]]:
    key = _Key(id(catalog), id(tech), zone, setting, course)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is catalog and hit[1] is tech:
        return hit[2], hit[3]
    resolved, applied = _resolve(catalog, tech, zone, setting, course)
    if len(_CACHE) > 1024:  # techniques built on the fly (tests, overrides): stay bounded
        _CACHE.clear()
    _CACHE[key] = (catalog, tech, resolved, applied)
    return resolved, applied


class _Context(NamedTuple):
    zone: str | None
    setting: str | None
    course: str
    method: str

    def applies(self, scope: Scope, own_zone: str | None = None) -> bool:
        """Whether a declaration of ``scope`` applies here; a zone's own declarations ignore
        their ``zone`` (it is the zone's)."""
        z = own_zone if own_zone is not None else scope.zone
        return ((z is None or z == self.zone)
                and (scope.setting is None or scope.setting == self.setting)
                and (scope.course is None or scope.course == self.course)
                and (scope.method is None or scope.method == self.method))


def method_of(catalog: Catalog, tech: Technique) -> str:
    """``injection`` when the technique's active step punctures the skin, else
    ``non-injection``."""
    kind = catalog.steps.get(tech.active_step)
    return "injection" if kind is not None and kind.punctures else "non-injection"


def _minutes(r: Range) -> float:
    from mesosim.units import UNITS

    lo = r.min if r.min is not None else r.max or 0.0
    return lo * UNITS[r.unit][1] if r.unit in UNITS else lo


def _resolve(catalog: Catalog, tech: Technique, zone: str | None, setting: str | None,
             course: str) -> tuple[Technique, tuple[Applied, ...]]:
    ctx = _Context(zone, setting, course, method_of(catalog, tech))
    z = catalog.zones.get(zone) if zone is not None else None
    zname = f"zone {zone}"
    tname = f"technique {tech.name}"
    applied: list[Applied] = []

    # --- contraindications: they add up -----------------------------------------------------
    met: list[tuple[Contraindication, str]] = []
    met += [(c, "general") for c in catalog.general if ctx.applies(c.scope)]
    if z is not None:
        met += [(c, zname) for c in z.contraindications
                if ctx.applies(c.scope, own_zone=zone)]
    met += [(c, tname) for c in tech.contraindications if ctx.applies(c.scope)]
    contraindications = _merge_conditions(met, applied)

    # --- care: the longest minimum -----------------------------------------------------------
    cares = {}
    for kind, own, zone_own in (("aftercare", tech.aftercare, z.aftercare if z else ()),
                                ("beforecare", tech.beforecare, z.beforecare if z else ())):
        found: list[tuple[Care, str]] = [(c, tname) for c in own
                                         if ctx.applies(c.scope)]
        found += [(c, zname) for c in zone_own
                  if ctx.applies(c.scope, own_zone=zone)]
        cares[kind] = _longest(kind, found, applied)

    # --- figures: the most specific ----------------------------------------------------------
    figures: dict[str, Range | None] = {}
    for name in FIGURES:
        figures[name] = _figure(name, tech, z, ctx, applied)

    # --- parameters: the technique's for the zone beat the zone's, which beat the general ones
    parameters = list(tech.parameters)
    if z is not None:
        parameters += [evolve(pr, zone=zone) for pr in z.parameters]

    # --- steps: required ones add up, procedures join the graph ------------------------------
    procedures: list[tuple[Procedure, str]] = [
        (p, tname) for p in tech.procedures if ctx.applies(p.scope)]
    if z is not None:
        procedures += [(p, zname) for p in z.procedures
                       if ctx.applies(p.scope, own_zone=zone)]
    graph, required, unmeasured = tech.steps, set(tech.required), set(tech.unmeasured)
    required_by: dict[str, tuple[str, str]] = dict(tech.required_by)
    for proc, origin in procedures:
        graph, slot_of = _join(graph, tech.active_step, proc.after_active)
        for s in proc.required:
            slot = slot_of.get(s, s)
            required.add(slot)
            if slot not in tech.required:
                required_by.setdefault(slot, (f"the procedure of {origin}", proc.source))
        unmeasured |= {graph.slots[slot_of[s]] for s in proc.unmeasured if s in slot_of}
        applied.append(Applied("procedure", " -> ".join(
            (s if isinstance(s, str) else s[1]) for s in proc.after_active) or "required steps",
            proc.source, origin, "adds up", proc.note))
    required &= set(graph.slots)

    resolved = evolve(
        tech, contraindications=tuple(contraindications), aftercare=cares["aftercare"],
        beforecare=cares["beforecare"], parameters=tuple(parameters), steps=graph,
        required=frozenset(required), unmeasured=frozenset(unmeasured), figures=(),
        required_by=required_by,
        procedures=(), interval=figures["interval"], course_length=figures["course_length"],
        session_duration=figures["session_duration"], session_dose=figures["session_dose"])
    return resolved, tuple(applied)


def _merge_conditions(met: list[tuple[Contraindication, str]], applied: list[Applied]
                      ) -> list[Contraindication]:
    """One contraindication per condition: the strictest severity, every source of it."""
    by: dict[str, list[tuple[Contraindication, str]]] = {}
    for c, origin in met:
        by.setdefault(c.condition, []).append((c, origin))
    out = []
    for condition, group in by.items():
        errors = [g for g in group if g[0].severity == "error"]
        chosen = errors or group
        sources: list[str] = []
        for c, _o in chosen:
            for part in c.source.split(","):
                if part.strip() not in sources:
                    sources.append(part.strip())
        if len(sources) > 1 and "default" in sources:  # a cited source says more than none
            sources.remove("default")
        note = next((c.note for c, _o in chosen if c.note), "")
        out.append(Contraindication(condition, ", ".join(sources), chosen[0][0].severity, note))
        for c, origin in group:
            status = "adds up" if (c, origin) in chosen else "replaced"
            applied.append(Applied(f"contraindication {condition}", c.severity, c.source,
                                   origin, status, c.note))
    return out


def _overridden(r: Range) -> bool:
    """A school's configuration set this range (its source is ``FILE.toml:LINE``): it is final."""
    return ".toml:" in r.source


def _longest(kind: str, found: list[tuple[Care, str]], applied: list[Applied]
             ) -> tuple[Care, ...]:
    best: dict[str, tuple[Care, str]] = {}
    for c, origin in found:
        old = best.get(c.activity)
        # a school's override first, then the longest, then (a tie) a cited figure over a
        # default: the finding then names the source (002:169's 2 days of sun for the scalp)
        if old is None or (_overridden(c.minimum), _minutes(c.minimum),
                           c.minimum.source != "default") > (
                _overridden(old[0].minimum), _minutes(old[0].minimum),
                old[0].minimum.source != "default"):
            best[c.activity] = (c, origin)
    for c, origin in found:
        status = "in force" if best[c.activity] == (c, origin) else "replaced"
        applied.append(Applied(f"{kind} {c.activity}", str(c.minimum), c.minimum.source,
                               origin, status, c.minimum.note))
    return tuple(Care(c.activity, c.minimum) for c, _o in best.values())


def _figure(name: str, tech: Technique, z: object, ctx: _Context, applied: list[Applied]
            ) -> Range | None:
    """The most specific figure ``name`` for the context (see the module's docstring)."""
    per_course = name in ("interval", "course_length")
    candidates: list[tuple[tuple[int, int], Range, str, str]] = []

    zone, course = ctx.zone, ctx.course

    def fits(scope: Scope, own_zone: str | None = None) -> bool:
        if per_course and (scope.course or "intensive") != course:
            return False
        return ctx.applies(scope, own_zone)

    for fig in tech.figures:
        if fig.name == name and fits(fig.scope):
            tier = 3 if fig.scope.zone is not None else 1
            tier += 10 * _overridden(fig.range)  # a school's override is final
            spec = (fig.scope.setting is not None) + (fig.scope.course is not None) + \
                (fig.scope.method is not None)
            candidates.append(((tier, spec), fig.range, f"technique {tech.name}", str(fig.scope)))
    zone_figures: Iterable[Figure] = getattr(z, "figures", ())
    for fig in zone_figures:
        if fig.name == name and fits(fig.scope, own_zone=zone):
            spec = (fig.scope.setting is not None) + (fig.scope.course is not None) + \
                (fig.scope.method is not None)
            candidates.append(((2, spec), fig.range, f"zone {zone}", str(fig.scope)))
    general = getattr(tech, name)
    if general is not None and (not per_course or course == "intensive"):
        candidates.append(((10 * _overridden(general), 0), general, f"technique {tech.name}",
                           "everywhere"))
    if not candidates:
        return None
    best = max(candidates, key=lambda c: c[0])  # max keeps the first of equals
    for key, r, origin, _scope in candidates:
        status = "in force" if (key, r, origin) == best[:3] else "replaced"
        applied.append(Applied(name.replace("_", " "), str(r), r.source, origin, status, r.note))
    return best[1]


def _join(graph: StepGraph, active_step: str, chain: tuple[str | tuple[str, str], ...]
          ) -> tuple[StepGraph, dict[str, str]]:
    """``graph`` with ``chain`` after the active step; a slot of the step that already comes
    after the active step (and not before the chain's previous item) is reused."""
    if not chain:
        return graph, {}
    slots = dict(graph.slots)
    edges = list(graph.edges)
    anchor = graph.slots_of[active_step][-1]
    after_active = {s for s in graph.order if anchor in graph.ancestors[s]}
    slot_of: dict[str, str] = {}
    prev = anchor
    current = graph
    for item in chain:
        sid, step = (item, item) if isinstance(item, str) else item
        reuse = next((s for s in current.order if s in after_active and slots[s] == step
                      and s not in slot_of.values() and s not in current.ancestors[prev]
                      and s != prev), None)
        if reuse is None:
            target, n = sid, 2
            while target in slots:
                target, n = f"{sid}-{n}", n + 1
            slots[target] = step
        else:
            target = reuse
        edges.append((prev, target))
        slot_of[sid] = target
        prev = target
        current = StepGraph(slots, tuple(edges))
    return current, slot_of
