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

from typing import TYPE_CHECKING, Protocol

from attrs import evolve

from mesosim import rules
from mesosim.findings import Finding, Sink
from mesosim.options import Options
from mesosim.results import FileResult, HookFailure, Outcome

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mesosim.catalog import Catalog
    from mesosim.declarations import Technique
    from mesosim.document import Document
    from mesosim.protocol import Protocol as ProtocolModel
    from mesosim.trace import Trace


class CheckHooks(Protocol):
    """What the pipeline needs of the plugins: their checks of one protocol."""

    def run_checks(self, protocol: ProtocolModel, technique: Technique, trace: Trace
                   ) -> tuple[Sequence[Finding], Sequence[HookFailure]]:
        """The plugins' findings on ``protocol``, and the plugins that failed."""
        ...


def run_document(doc: Document, catalog: Catalog, options: Options | None = None,
                 hooks: CheckHooks | None = None) -> Outcome:
    """Check an already loaded document. Never raises for bad content."""
    from mesosim.build import build
    from mesosim.checks import run_checks
    from mesosim.resolve import resolve
    from mesosim.simulate import simulate

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
        protocol = build(doc, catalog, sink)
        declared = catalog.techniques.get(protocol.technique) if protocol is not None else None
        if protocol is not None and declared is not None:
            # the declarations in force here: the technique's, the zone's and the general ones
            tech = resolve(catalog, declared, protocol.zone, protocol.setting,
                           protocol.course.kind)
            maintenance = resolve(catalog, declared, protocol.zone, protocol.setting,
                                  "maintenance") if protocol.maintenance is not None else None
            trace = simulate(protocol, tech, catalog)
            judged = Sink(doc.path, catalog.rules, locate, technique=tech.name)
            sink.findings += run_checks(protocol, tech, catalog, trace, judged, maintenance)
            if hooks is not None:
                extra, failures = hooks.run_checks(protocol, tech, trace)
                sink.findings += extra
                for fail in failures:
                    sink.findings.append(judged.new(
                        rules.PLUGIN_FAILED, (), f"plugin '{fail.plugin}' failed in hook "
                        f"{fail.hook} while checking this file: {fail.error}", pos=(1, 1)))
    result = FileResult(doc.path, finish(sink.findings, doc, options), tuple(failures))
    return Outcome(result, protocol, tech, trace)


def finish(findings: list[Finding], doc: Document, options: Options) -> tuple[Finding, ...]:
    """Apply suppressions, then selection and severity overrides; sort; drop exact duplicates.

    Suppressions come first so that MS010/MS011 (findings about the suppressions) obey
    ``select``, ``ignore`` and ``severity`` like any other rule, and so that a suppression of a
    finding that the configuration also ignores is not reported as unused.
    """
    if "ignore[" in doc.text:  # the fast path: most files suppress nothing (and need no import)
        from mesosim.suppress import apply_suppressions

        findings = apply_suppressions(findings, doc, options.report_unused_ignores)
    out = []
    for f in findings:
        if not options.wanted(f.rule, doc.path):
            continue
        sev = options.severity.get(f.rule)
        out.append(evolve(f, severity=sev) if sev else f)
    return tuple(sorted(set(out), key=Finding.sort_key))


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
