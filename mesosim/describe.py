"""Human-readable descriptions of the catalog (layer 5): a rule (``mesosim explain``), a
technique (``mesosim techniques show``), the vocabulary, the plugins."""

from __future__ import annotations

from collections.abc import Sequence
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


def claims_of(catalog: Catalog, source: str | None) -> list[tuple[str, str]]:
    """``(citation, what the cited line says)`` for every citation in ``source`` whose source
    has a claim for it (exactly, or a claim whose lines cover a single cited line)."""
    from mesosim.declarations import citations

    out = []
    for sid, lines in citations(source or "default"):
        src = catalog.sources.get(sid)
        if src is None:
            continue
        text = src.claims.get(lines)
        if text is None and lines.isdigit():
            n = int(lines)
            for key, claim in src.claims.items():
                lo, _, hi = key.partition("-")
                if hi and lo.isdigit() and hi.isdigit() and int(lo) <= n <= int(hi):
                    text = claim
                    break
        if text is not None:
            out.append((f"{sid}:{lines}", text))
    return out


def _cited_block(catalog: Catalog, sources: list[str | None]) -> list[str]:
    """The claims of every citation in ``sources``, each once, in order."""
    seen: dict[str, str] = {}
    for source in sources:
        for ref, text in claims_of(catalog, source):
            seen.setdefault(ref, text)
    if not seen:
        return []
    return ["", "What the cited lines say (in mesosim's words; 'mesosim sources REF'):",
            *(f"  {ref}: {text}" for ref, text in seen.items())]


def configured(source: str) -> bool:
    """Whether a figure's source is a school's configuration (``mesosim.toml:4``)."""
    return source.rpartition(":")[0].endswith(".toml")


def _src(r: Range) -> str:
    s = f"[{r.source}]"
    if configured(r.source):
        s += " (set by the school's configuration)"
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


def explain_rule(reg: Catalog, code: str, in_force: Sequence[str] = ()) -> str | None:
    """What ``mesosim explain CODE`` prints: the rule, the figures in force (a school's
    overrides included, and said so) and what the cited lines say. ``in_force`` holds what the
    configuration in force does to the rule (``severity warning, set by mesosim.toml:2``)."""
    rule = reg.rules.get(code)
    if rule is None:
        return None
    lines = [f"{rule.code} {rule.name} [{rule.kind}, default severity {rule.severity}]"]
    lines += [f"In force here: {x}." for x in in_force]
    lines += ["", rule.summary, "", rule.explanation]
    if rule.origin != "core":
        lines += ["", f"Added by plugin '{rule.origin}'."]
    if code in (rules.CONTRAINDICATED, rules.RELATIVE_CONTRAINDICATION):
        sev = "error" if code == rules.CONTRAINDICATED else "warning"
        lines += ["", "General contraindications (every technique, or every injection or "
                  "non-injection technique where scoped):"]
        lines += [f"  {c.condition} [{c.source}]"
                  + (f" ({c.scope})" if str(c.scope) != "everywhere" else "")
                  + (f" - {c.note}" if c.note else "")
                  for c in reg.general if c.severity == sev]
        for z in sorted(reg.zones.values(), key=lambda z: z.name):
            cs = [c for c in z.contraindications if c.severity == sev]
            if cs:
                lines.append(f"zone {z.name}: " + ", ".join(
                    f"{c.condition} [{c.source}]" for c in cs))
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
    cited: list[str | None] = [r.source for t in reg.techniques.values()
                               for _n, r in figures_for(reg, t, code)]
    if code in (rules.CONTRAINDICATED, rules.RELATIVE_CONTRAINDICATION):
        cited += [c.source for c in reg.general]
        cited += [c.source for z in reg.zones.values() for c in z.contraindications]
        cited += [c.source for t in reg.techniques.values() for c in t.contraindications]
    lines += _cited_block(reg, cited)
    return "\n".join(lines)


def show_technique(reg: Catalog, t: Technique, zone: str | None = None,
                   setting: str | None = None, course: str | None = None) -> str:
    """What ``techniques show`` prints; with a zone, setting or course kind, also which
    declarations are in force there and which ones they replace."""
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
    if t.figures:
        lines += ["", "Figures for a scope (the most specific in force):"]
        lines += [f"  {f.name.replace('_', ' ')} [{f.scope}]: {f.range} {_src(f.range)}"
                  for f in t.figures]
    if t.procedures:
        lines += ["", "Steps a scope adds:"]
        for proc in t.procedures:
            chain = " -> ".join(x if isinstance(x, str) else x[1] for x in proc.after_active)
            lines.append(f"  [{proc.scope}] after '{t.active_step}': {chain} [{proc.source}]")
    if t.limits:
        lines += ["", "Not used (why):"]
        for lim in t.limits:
            where = f"zone {lim.zone}" if lim.zone else f"setting {lim.setting}"
            lines.append(f"  {where} [{lim.source}]" + (f" - {lim.note}" if lim.note else ""))
    cited: list[str | None] = [pr.range.source for pr in t.parameters]
    cited += [r.source for r in (t.interval, t.course_length, t.session_duration,
                                 t.session_dose) if r is not None]
    cited += [c.source for c in t.contraindications]
    cited += [c.minimum.source for c in (*t.aftercare, *t.beforecare)]
    cited += [t.allergy_test] + [f.range.source for f in t.figures]
    cited += [lim.source for lim in t.limits]
    if zone is not None or setting is not None or course is not None:
        from mesosim.resolve import provenance

        where = ", ".join(x for x in (f"zone {zone}" if zone else "",
                                      f"setting {setting}" if setting else "",
                                      f"{course} course" if course else "") if x)
        lines += ["", f"In force for {where} (technique, zone and general declarations; "
                  "'replaced': a longer, stricter or more specific one applies):"]
        for a in provenance(reg, t, zone, setting or "clinic", course):
            note = f"\n        note: {a.note}" if a.note and a.status != "replaced" else ""
            lines.append(f"  {a.what}: {a.value} [{a.source}] ({a.origin}; {a.status}){note}")
            cited.append(a.source)
    lines += _cited_block(reg, cited)
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


def show_sources(catalog: Catalog, refs: tuple[str, ...] = ()) -> tuple[str, bool]:
    """``mesosim sources [REF...]``: the sources, or what each cited line says. Returns the text
    and whether every reference was found."""
    if not refs:
        lines = ["Sources (cite them as ID:LINE; 'mesosim sources ID:LINE' prints the claim):"]
        for src in sorted(catalog.sources.values(), key=lambda s: s.id):
            where = f" ({src.where})" if src.where else ""
            lines.append(f"  {src.id}: {src.title}{where}, {len(src.claims)} claims")
        return "\n".join(lines), True
    out, ok = [], True
    for ref in refs:
        found = claims_of(catalog, ref)
        if found:
            out += [f"{r}: {text}" for r, text in found]
            continue
        ok = False
        sid = ref.partition(":")[0]
        if sid not in catalog.sources:
            known = ", ".join(sorted(catalog.sources)) or "none"
            out.append(f"{ref}: no source '{sid}' (sources: {known})")
        else:
            out.append(f"{ref}: no claim for this line of source {sid}")
    return "\n".join(out), ok


def sources_markdown() -> str:
    """``docs/sources.md``: the two source articles and, for every line mesosim cites, what it
    says in mesosim's own words, grouped by topic (generated from ``mesosim/sources.toml``)."""
    from mesosim.plugin.claims import CLAIMS

    data = CLAIMS.data()
    out = ["<!-- generated by `mesosim sources --markdown`; edit mesosim/sources.toml instead -->",
           "# The sources mesosim cites", "",
           "Every figure mesosim enforces cites a line of one of two general-audience web "
           "articles on mesotherapy, as `FILE:LINE` (`002:11`), or says `default` where they give "
           "no figure. The articles themselves are not part of this repository; this page says, "
           "for every cited line, what it states, **in mesosim's own words** (a paraphrase, never "
           "the article's sentences). `mesosim sources REF` prints one of these claims, and "
           "`mesosim explain CODE` and `mesosim techniques show NAME` print them beside the "
           "figures they support. mesosim is a training tool, not medical advice.", ""]
    for src in data.get("source", ()):
        out.append(f'<a id="{src["id"]}"></a>')
        out.append(f"## `{src['id']}`: {src['title']}")
        out.append("")
        out.append(f"File `{src['file']}`; cited as `{src['id']}:LINE`.")
        out.append("")
    topics: dict[str, list[dict[str, str]]] = {}
    for claim in data.get("claim", ()):
        topics.setdefault(claim["topic"], []).append(claim)
    out.append("## What the cited lines say, by topic")
    out.append("")
    for topic, claims in topics.items():
        out.append(f"### {topic}")
        out.append("")
        out += [f"- `{c['ref']}`: {c['text']}" for c in claims]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
