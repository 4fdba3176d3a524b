"""Human-readable descriptions of the catalog (layer 5): a rule (``mesosim explain``), a
technique (``mesosim techniques show``), the vocabulary, the plugins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mesosim import rules

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.declarations import Range, Technique

#: a rule's ``figure`` -> how to read it off a technique, with a label
_FIGURES = {
    "interval": lambda t: [("interval", t.interval)],
    "course_length": lambda t: [("course length", t.course_length)],
    "session_duration": lambda t: [("session duration", t.session_duration)],
    "session_dose": lambda t: [("session dose", t.session_dose)],
    "aftercare": lambda t: [(f"aftercare {c.activity}", c.minimum) for c in t.aftercare],
}


def _src(r: Range) -> str:
    s = f"[{r.source}]"
    if r.source == "default":
        s += " (no figure in the sources: a conservative default, override it in mesosim.toml)"
    if r.note:
        s += f"\n        note: {r.note}"
    return s


def figures_for(catalog: Catalog, tech: Technique, code: str) -> list[tuple[str, Range]]:
    """The ranges of ``tech`` that rule ``code`` checks (the rule's ``figure``, or the
    parameters of its ``parameter_kind``)."""
    rule = catalog.rules.get(code)
    if rule is not None and rule.figure in _FIGURES:
        return [(n, r) for n, r in _FIGURES[rule.figure](tech) if r is not None]
    out = []
    for pr in tech.parameters:
        if catalog.parameter_rule(pr.param) == code:
            scope = " ".join(x for x in (pr.zone, pr.setting) if x) or "all zones"
            out.append((f"{pr.step}.{pr.param} ({scope})", pr.range))
    return out


def explain_rule(reg: Catalog, code: str) -> str | None:
    rule = reg.rules.get(code)
    if rule is None:
        return None
    lines = [f"{rule.code} {rule.name} [{rule.kind}, default severity {rule.severity}]",
             "", rule.summary, "", rule.explanation]
    if rule.origin != "core":
        lines += ["", f"Added by plugin '{rule.origin}'."]
    if code in (rules.CONTRAINDICATED, rules.RELATIVE_CONTRAINDICATION):
        lines += ["", "General contraindications (every technique):"]
        lines += [f"  {c.condition} [{c.source}]" + (f" - {c.note}" if c.note else "")
                  for c in reg.general]
        for t in sorted(reg.techniques.values(), key=lambda t: t.name):
            sev = "error" if code == rules.CONTRAINDICATED else "warning"
            cs = [c for c in t.contraindications if c.severity == sev]
            if cs:
                lines.append(f"{t.name}: " + ", ".join(f"{c.condition} [{c.source}]" for c in cs))
    if code == rules.ALLERGY_TEST_MISSING:
        lines += ["", "Techniques requiring an allergy test: " + ", ".join(
            f"{t.name} [{t.allergy_test}]" for t in sorted(reg.techniques.values(),
                                                           key=lambda t: t.name)
            if t.allergy_test)]
    per_tech = []
    for t in sorted(reg.techniques.values(), key=lambda t: t.name):
        figs = figures_for(reg, t, code)
        if figs:
            per_tech.append(f"  {t.name}:")
            per_tech += [f"    {name}: {r} {_src(r)}" for name, r in figs]
    if per_tech:
        lines += ["", "Figures in force, by technique (source in brackets):", *per_tech]
    return "\n".join(lines)


def show_technique(reg: Catalog, t: Technique) -> str:
    g = t.steps
    lines = [f"{t.name}: {t.description}",
             f"plugin: {t.plugin} ({t.distribution} {t.version}), API {t.api_version}",
             f"settings: {', '.join(sorted(t.settings))}; zones: {', '.join(sorted(t.zones))}",
             f"active step: {t.active_step}", "",
             "Steps (a valid order; * required):"]
    for slot in g.order:
        step = g.slots[slot]
        label = step if slot == step else f"{step} (slot {slot})"
        lines.append(f"  {'*' if slot in t.required else ' '} {label}")
    lines += ["", "Graph (A -> B: A must come before B):"]
    lines += [f"  {a} -> {b}" for a, b in sorted(g.edges, key=lambda e: (g.order.index(e[0]),
                                                                       g.order.index(e[1])))]
    lines += ["", "Ranges (source in brackets):"]
    for pr in sorted(t.parameters, key=lambda p: (p.step, p.param, p.zone or "", p.setting or "")):
        scope = " ".join(x for x in (pr.zone, pr.setting) if x) or "all"
        lines.append(f"  {pr.step}.{pr.param} [{scope}]: {pr.range} {_src(pr.range)}")
    for name, r in (("interval", t.interval), ("course length (sessions)", t.course_length),
                    ("session duration", t.session_duration),
                    ("session dose", t.session_dose)):
        if r is not None:
            lines.append(f"  {name}: {r} {_src(r)}")
    if t.session_span:
        lines.append(f"    (session duration measured from {t.session_span[0]} to "
                     f"{t.session_span[1]})")
    lines += ["", "Contraindications (general ones apply too, see 'mesosim explain MS601'):"]
    for c in t.contraindications:
        note = f" - {c.note}" if c.note else ""
        lines.append(f"  {c.condition} ({c.severity}) [{c.source}]{note}")
    lines += ["", "Aftercare (minimum):"]
    lines += [f"  {c.activity}: {c.minimum} {_src(c.minimum)}" for c in t.aftercare]
    if t.beforecare:
        lines += ["", "Before-care (before each session):"]
        lines += [f"  {c.activity}: {c.minimum} {_src(c.minimum)}" for c in t.beforecare]
    lines += ["", f"Allergy test required: {'yes [' + t.allergy_test + ']' if t.allergy_test else 'no'}"]
    return "\n".join(lines)


def show_vocabulary(reg: Catalog) -> str:
    lines = ["Steps (parameters):"]
    for s in sorted(reg.steps.values(), key=lambda s: s.name):
        params = ", ".join(f"{p} ({reg.parameters.get(p, '?')})" for p in s.params)
        lines.append(f"  {s.name}{': ' + params if params else ''}  - {s.description}")
    lines += ["", "Conditions:", "  " + ", ".join(sorted(reg.conditions))]
    lines += ["", "Activities:", "  " + ", ".join(sorted(reg.activities))]
    return "\n".join(lines)


def plugins_as_dict(reg: Catalog) -> dict[str, Any]:
    return {
        "techniques": [
            {"name": t.name, "plugin": t.plugin, "distribution": t.distribution,
             "version": t.version, "description": t.description}
            for t in sorted(reg.techniques.values(), key=lambda t: t.name)
        ],
        "plugins": [
            {"name": p.name, "distribution": p.distribution, "version": p.version,
             "builtin": p.builtin, "status": p.status, "reason": p.reason,
             "techniques": list(p.techniques), "hooks": list(p.hooks)}
            for p in reg.plugins
        ],
    }
