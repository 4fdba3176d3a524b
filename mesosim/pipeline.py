"""The one straight line for one document (layer 3).

``load -> build the model -> simulate -> core checks -> plugin checks -> suppress -> filter``.
:func:`run_document` returns an :class:`~mesosim.results.Outcome`: the file's result together
with the protocol model, its technique and the trace, so that ``simulate``, ``class`` and the
reports reuse them instead of building them again.

The pipeline reads a :class:`~mesosim.catalog.Catalog` and never sees the plugin manager: the
plugins' own checks come in through ``hooks``, any object with a ``run_checks`` method (the
plugin host is one), so this layer does not import the layer above it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from attr import evolve

from mesosim import rules
from mesosim.findings import Finding, Sink
from mesosim.options import Options
from mesosim.results import FileResult, HookFailure, Outcome, SuppressedFinding

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mesosim.catalog import Catalog
    from mesosim.declarations import Technique
    from mesosim.document import Document
    from mesosim.options import Assignment
    from mesosim.protocol import Protocol as ProtocolModel
    from mesosim.trace import Trace


class CheckHooks(Protocol):
    """What the pipeline needs of the plugins: their checks of one protocol."""

    def run_checks(self, protocol: ProtocolModel, technique: Technique, trace: Trace
                   ) -> tuple[Sequence[Finding], Sequence[HookFailure]]:
        """The plugins' findings on ``protocol``, and the plugins that failed."""
        ...


_STAGES: tuple[Any, ...] | None = None


def _stages() -> tuple[Any, ...]:
    """The stages' modules, imported on the first file rather than with this module (the
    model builder brings the YAML loader), and kept: an ``import`` in the function costs
    ~2 us a file, 1% of checking one (speed round 2). Modules, not their functions, so that
    what is called is what the module holds at the time."""
    global _STAGES
    from mesosim import build, checks, resolve, simulate

    _STAGES = (build, checks, resolve, simulate)
    return _STAGES


def run_document(doc: Document, catalog: Catalog, options: Options | None = None,
                 hooks: CheckHooks | None = None) -> Outcome:
    """Check an already loaded document. Never raises for bad content."""
    build, checks, resolving, simulation = _STAGES or _stages()
    options = options or Options()

    def locate(p: tuple[object, ...], key: bool) -> tuple[int, int]:
        return doc.key_pos(p) if key else doc.pos(p)  # type: ignore[arg-type]

    sink = Sink(doc.path, catalog.rules, locate)
    for problem in doc.problems:
        sink.add(problem.code, (), problem.message, pos=problem.pos, source="mesosim",
                 suggestion=problem.suggestion)
    failures: Sequence[HookFailure] = ()
    protocol = tech = trace = None
    if doc.data is not None:
        protocol = build.build(doc, catalog, sink)
        declared = catalog.techniques.get(protocol.technique) if protocol is not None else None
        if protocol is not None and declared is not None:
            # the declarations in force here: the technique's, the zone's and the general ones
            tech = resolving.resolve(catalog, declared, protocol.zone, protocol.setting,
                                     protocol.course.kind)
            maintenance = resolving.resolve(
                catalog, declared, protocol.zone, protocol.setting, "maintenance"
            ) if protocol.maintenance is not None else None
            trace = simulation.simulate(protocol, tech, catalog)
            judged = Sink(doc.path, catalog.rules, locate, technique=tech.name)
            sink.findings += checks.run_checks(protocol, tech, catalog, trace, judged, maintenance)
            if hooks is not None:
                extra, failures = hooks.run_checks(protocol, tech, trace)
                sink.findings += extra
                for fail in failures:
                    sink.findings.append(judged.new(
                        rules.PLUGIN_FAILED, (), f"plugin '{fail.plugin}' failed in hook "
                        f"{fail.hook} while checking this file: {fail.error}", pos=(1, 1)))
        if protocol is not None and options.assignment is not None:
            sink.findings += assignment_findings(
                protocol, options.assignment,
                Sink(doc.path, catalog.rules, locate, technique=tech.name if tech else None))
    kept, suppressed = finish(fold(sink.findings), doc, options)
    result = FileResult(doc.path, kept, tuple(failures), suppressed, checked=trace is not None)
    return Outcome(result, protocol, tech, trace)


def assignment_findings(protocol: ProtocolModel, assignment: Assignment, sink: Sink
                        ) -> list[Finding]:
    """The protocol is of a technique, zone and setting the class assignment asks for."""
    out = []
    for key, value, wanted in (("technique", protocol.technique, assignment.techniques),
                               ("zone", protocol.zone, assignment.zones),
                               ("setting", protocol.setting,
                                (assignment.setting,) if assignment.setting else ())):
        if wanted and value not in wanted:
            out.append(sink.new(rules.NOT_THE_ASSIGNMENT, (key,),
                                f"the assignment asks for {key} {' or '.join(wanted)}, and this "
                                f"protocol's {key} is {value or 'not given'}",
                                source=assignment.source or None,
                                suggestion=f"write a protocol for {' or '.join(wanted)}"))
    return out


#: a root cause -> the rules that follow from it (one root cause, one finding)
_FOLLOW: dict[str, frozenset[str]] = {
    rules.UNKNOWN_STEP: frozenset({rules.MISSING_REQUIRED_STEP, rules.STATE_NOT_REACHED,
                                   rules.MISSING_PARAMETER, rules.SESSION_DURATION_OUT_OF_RANGE}),
    rules.UNKNOWN_PARAMETER: frozenset({rules.MISSING_PARAMETER}),
    rules.UNKNOWN_ACTIVITY: frozenset({rules.AFTERCARE_MISSING}),
    rules.UNKNOWN_CONDITION: frozenset(),
}
#: a section of the wrong type -> what cannot be checked without it
_SECTION_FOLLOW: dict[str, frozenset[str]] = {
    "'patient'": frozenset({rules.ALLERGY_TEST_MISSING}),
    "'session'": frozenset({rules.MISSING_REQUIRED_STEP, rules.STATE_NOT_REACHED,
                            rules.SESSION_DURATION_OUT_OF_RANGE}),
    "'steps'": frozenset({rules.MISSING_REQUIRED_STEP, rules.STATE_NOT_REACHED,
                          rules.SESSION_DURATION_OUT_OF_RANGE}),
    "'course'": frozenset({rules.COURSE_LENGTH_OUT_OF_RANGE}),
}


def fold(findings: list[Finding]) -> list[Finding]:
    """One root cause, one finding: a misspelt step, parameter or activity (with its
    did-you-mean) or a section of the wrong type takes in the findings that follow from it
    (the step it meant is then missing, the state it provides is not reached...), which are
    listed as its ``related`` findings instead of being reported again."""
    if not findings:  # most files (with finish's fast path, 1.6 -> 0.9 us: speed round 2)
        return findings
    import re

    # the first root per suggested word and rule: suggestions are vocabulary names, so there
    # are few distinct ones however many misspellings a file holds (an alias bomb of 100,000
    # unknown steps), and folding stays linear
    roots: dict[tuple[str, str], tuple[int, frozenset[str], re.Pattern[str] | None]] = {}
    for i, f in enumerate(findings):
        if f.rule in _FOLLOW and f.suggestion:
            m = re.match(r"did you mean '(.+)'\?$", f.suggestion)
            if m and (f.rule, m.group(1)) not in roots:
                roots[(f.rule, m.group(1))] = (
                    i, _FOLLOW[f.rule], re.compile(rf"\b{re.escape(m.group(1))}\b"))
        elif f.rule == rules.WRONG_TYPE:
            section = next((k for k in _SECTION_FOLLOW if f.message.startswith(k + " must be")),
                           None)
            if section is not None and (f.rule, section) not in roots:
                roots[(f.rule, section)] = (i, _SECTION_FOLLOW[section], None)
    if not roots:
        return findings
    following = frozenset().union(*(follows for _i, follows, _w in roots.values()))
    folded: dict[int, list[Finding]] = {}
    gone: set[int] = set()
    for j, f in enumerate(findings):
        if f.rule not in following:
            continue
        for i, follows, word in roots.values():
            if f.rule in follows and j != i and (word is None or word.search(
                    f"{f.message} {f.suggestion or ''}")):
                folded.setdefault(i, []).append(f)
                gone.add(j)
                break
    rank = {"error": 2, "warning": 1, "info": 0}
    out = []
    for i, f in enumerate(findings):
        if i in gone:
            continue
        if i in folded:
            # the root is at least as severe as what it took in: folding never softens a grade
            worst = max((f, *folded[i]), key=lambda g: rank[g.severity]).severity
            f = evolve(f, severity=worst, related=(*f.related, *(
                f"{g.rule} line {g.line}: {g.message}" for g in folded[i])))
        out.append(f)
    return out


def finish(findings: list[Finding], doc: Document, options: Options
           ) -> tuple[tuple[Finding, ...], tuple[SuppressedFinding, ...]]:
    """Apply suppressions, then selection and severity overrides; sort; drop exact duplicates.
    Returns the findings kept and those suppression comments silenced (kept too, to be counted
    and shown).

    Suppressions come first so that MS010/MS011 (findings about the suppressions) obey
    ``select``, ``ignore`` and ``severity`` like any other rule, and so that a suppression of a
    finding that the configuration also ignores is not reported as unused.
    """
    silenced: list[SuppressedFinding] = []
    if "ignore[" in doc.text:  # the fast path: most files suppress nothing (and need no import)
        from mesosim.suppress import apply_suppressions

        findings, sup = apply_suppressions(findings, doc, options.report_unused_ignores,
                                           options.unsuppressable, options.suppressions)
        silenced = [SuppressedFinding(s.finding, s.reason) for s in sup
                    if options.wanted(s.finding.rule, doc.path)]
    if not findings and not silenced:  # most files: nothing to select or sort (see fold)
        return (), ()
    out = []
    for f in findings:
        if not options.wanted(f.rule, doc.path):
            continue
        sev = options.severity.get(f.rule)
        out.append(evolve(f, severity=sev) if sev else f)
    return (tuple(sorted(set(out), key=Finding.sort_key)),
            tuple(sorted(set(silenced), key=lambda s: s.finding.sort_key())))


def run_file(path: str, catalog: Catalog, options: Options | None = None,
             hooks: CheckHooks | None = None) -> Outcome:
    """Load and check one file. Never raises for bad content."""
    from mesosim.loader import load_file

    options = options or Options()
    return run_document(load_file(path, options.max_bytes), catalog, options, hooks)


def run_text(text: str, catalog: Catalog, path: str = "<string>",
             options: Options | None = None, hooks: CheckHooks | None = None) -> Outcome:
    """Check protocol text (YAML, or JSON when ``path`` ends in ``.json``)."""
    from mesosim.loader import load_text

    return run_document(load_text(text, path), catalog, options, hooks)
