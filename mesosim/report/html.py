"""HTML reports (layer 6): ``simulate``, ``check`` and ``class`` with ``--format html``.

One self-contained file: the styles are inline, the pictures are inline SVG drawn by
:mod:`mesosim.report.svg`, there is no script, font or image to fetch, and nothing refers to
the network. Jinja2 fills one template (``templates/report.html.j2``) with autoescaping on: every
text that comes from a protocol, a file name or a plugin is escaped; only the SVG, built here
from escaped parts, is passed through as markup.

Jinja2 because it is the templating library of the Python field (Flask, Sphinx, Ansible...),
autoescapes, and keeps the page's structure in one readable file; the SVG is drawn in Python
because its coordinates come from arithmetic on the trace and the graph's layers (networkx's
``topological_generations``), which a template would only obscure. No system binary (Graphviz)
and no JavaScript.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mesosim.findings import visible
from mesosim.report import svg

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.classroom import ClassSummary
    from mesosim.findings import Finding
    from mesosim.results import FileResult, Outcome


_ENV: list[Any] = []


def _env() -> Any:
    """The Jinja2 environment, made once per process (a worker renders many fragments)."""
    if not _ENV:
        import jinja2

        _ENV.append(jinja2.Environment(
            loader=jinja2.PackageLoader("mesosim.report", "templates"), autoescape=True,
            undefined=jinja2.StrictUndefined))
    return _ENV[0]


def ident_of(path: str) -> str:
    """A protocol's prefix for the ids of its elements: the same wherever it is rendered (a
    worker process draws it without knowing its place in the page)."""
    import hashlib

    return "p" + hashlib.sha1(path.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def fragment(outcome: Outcome, catalog: Catalog) -> str:
    """One protocol's view as HTML (what ``check_paths(each=...)`` draws in a worker)."""
    view = protocol_view(outcome, catalog, ident_of(outcome.result.path))
    return str(_env().get_template("protocol.html.j2").render(p=view))


def _markup(text: str) -> Any:
    from markupsafe import Markup

    return Markup(text)  # noqa: S704 - built from escaped parts in mesosim.report.svg


def protocol_view(outcome: Outcome, catalog: Catalog, ident: str, name: str = "") -> dict[str, Any]:
    """What the template shows of one protocol: its pictures, findings and text."""
    from mesosim.describe import claims_of

    result = outcome.result
    findings = list(result.findings)
    p, t, trace = outcome.protocol, outcome.technique, outcome.trace
    view: dict[str, Any] = {
        "ident": ident, "path": visible(result.path), "name": name or visible(result.path),
        "technique": t.name if t is not None else "", "zone": p.zone if p is not None else "",
        "setting": p.setting if p is not None else "",
        "errors": result.errors, "warnings": result.warnings, "passed": result.errors == 0,
        "suppressed": len(result.suppressed), "timeline": "", "calendar": "", "graph": "",
        "intervals": [], "lines": [],
    }
    targets: dict[int, str] = {}
    flagged: dict[int, Finding] = {}
    if p is not None and t is not None and trace is not None:
        flagged = svg.flagged_runs(p, t, trace, findings)
        view["timeline"] = _markup(svg.timeline(p, t, trace, findings, f"{ident}-timeline",
                                                flagged))
        view["calendar"] = _markup(svg.calendar(p, t, trace, findings, f"{ident}-calendar"))
        view["intervals"] = svg.intervals(t, trace)
        for i, f in flagged.items():
            targets.setdefault(f.line, f"{ident}-timeline-step-{trace.steps[i].index}")
        for k, c in enumerate(trace.conflicts):
            targets[p.pos(c.path)[0]] = f"{ident}-calendar-conflict-{k}"
    marks: list[str] = []
    if t is not None:
        view["graph"] = _markup(svg.step_graph(t, p, findings, f"{ident}-graph"))
        for what, codes in (("missing", (svg.MISSING,)), ("out of order", (svg.ORDER,)),
                            ("not a step of the technique", svg.OUTSIDE)):
            named = sorted({visible(f.subject) for f in findings
                            if f.rule in codes and f.subject})
            if named:
                marks.append(f"{what}: {', '.join(named)}")
    view["graph_marks"] = marks
    outside = {name: k for k, name in enumerate(sorted(
        {f.subject for f in findings if f.rule in svg.OUTSIDE and f.subject}))}
    text = p.doc.text if p is not None else _read(result.path)
    lines = text.split("\n") if text else []  # as the loader counts lines (not \x0c, \x1c)
    items = []
    for n, f in enumerate(findings):
        target = ""
        if f.subject and f.rule in (svg.MISSING, svg.ORDER) and t is not None:
            target = f"{ident}-graph-slot-{f.subject}"
        elif f.subject and f.rule in svg.OUTSIDE:
            target = f"{ident}-graph-outside-{outside[f.subject]}"
        elif f.line in targets:
            target = targets[f.line]
        claims = claims_of(catalog, f.source) if f.source else []
        rule = catalog.rules.get(f.rule)
        why = " ".join(f"{text} ({ref})" for ref, text in claims) if claims else (
            rule.summary if rule is not None else "")
        items.append({"anchor": f"{ident}-finding-{n}", "rule": f.rule, "severity": f.severity,
                      "line": f.line, "listed": 1 <= f.line <= len(lines),
                      "message": visible(f.message), "why": why,
                      "suggestion": visible(f.suggestion or ""), "subject": f.subject or "",
                      "related": "; ".join(visible(x) for x in f.related), "target": target})
    view["findings"] = items
    view["suppressed_list"] = [
        {"line": s.finding.line, "rule": s.finding.rule, "message": visible(s.finding.message),
         "reason": visible(s.reason)} for s in result.suppressed]
    marked: dict[int, str] = {}  # line -> its first finding, for the listing
    for f in findings:
        marked.setdefault(f.line, f"{f.rule}: {visible(f.message)}")
    view["lines"] = [{"text": visible(line.rstrip("\r")), "flagged": marked.get(i, "")}
                     for i, line in enumerate(lines, 1)]
    return view


def _read(path: str, limit: int = 1 << 20) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read(limit)
    except (OSError, ValueError):
        return ""


def _page(title: str, items: list[dict[str, Any]], overview: dict[str, Any] | None = None,
          collapse: bool = False, subtitle: str = "") -> str:
    from mesosim import __version__

    return str(_env().get_template("report.html.j2").render(
        title=title, subtitle=subtitle, version=__version__, items=items, overview=overview,
        collapse=collapse))


def render_simulation(outcome: Outcome, catalog: Catalog) -> str:
    """``simulate --format html``: one protocol, its pictures open."""
    p = outcome.protocol
    title = visible(p.title or p.id) if p is not None else visible(outcome.result.path)
    item = {"anchor": "protocol-1", "heading": title, "passed": outcome.result.errors == 0,
            "verdict": "", "notes": [], "protocols": [("", _markup(fragment(outcome, catalog)))]}
    return _page(f"mesosim: {title}", [item])


def _rules_chart(catalog: Catalog, by: dict[str, set[str]], ident: str) -> str:
    rows = sorted(by.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return svg.bar_chart(((code, catalog.rules[code].name if code in catalog.rules else "",
                           len(who)) for code, who in rows), ident, "Rules most often broken")


def _fragment_of(result: FileResult, fragments: dict[str, str], catalog: Catalog) -> Any:
    from mesosim.results import Outcome

    done = fragments.get(result.path)
    if done is None:  # a folder that could not be listed, a worker that died: findings only
        done = fragment(Outcome(result), catalog)
    return _markup(done)


def render_outcomes(results: Sequence[FileResult], fragments: dict[str, str],
                    catalog: Catalog) -> str:
    """``check --format html``: an overview of the files, then one collapsed section each
    (``fragments``: each file's view, drawn where it was checked)."""
    items, rows = [], []
    by: dict[str, set[str]] = {}
    for n, r in enumerate(results, 1):
        ok = r.errors == 0
        items.append({"anchor": f"file-{n}", "heading": visible(r.path), "passed": ok,
                      "verdict": "no error" if ok else f"{r.errors} error"
                      f"{'s' * (r.errors != 1)}", "notes": [],
                      "protocols": [("", _fragment_of(r, fragments, catalog))]})
        rows.append({"name": visible(r.path), "anchor": f"file-{n}", "cells": [
            {"text": "pass" if ok else "fail", "cls": "pass" if ok else "fail"},
            {"text": r.errors, "cls": "num"}, {"text": r.warnings, "cls": "num"},
            {"text": len(r.suppressed), "cls": "num"}]})
        for f in r.findings:
            by.setdefault(f.rule, set()).add(r.path)
    errors = sum(r.errors for r in results)
    overview = {"head": [{"text": "file", "num": False}, {"text": "result", "num": False},
                         {"text": "errors", "num": True}, {"text": "warnings", "num": True},
                         {"text": "suppressed", "num": True}],
                "rows": rows, "notes": [],
                "tail": f"{len(results)} file{'s' * (len(results) != 1)} checked: {errors} "
                        f"error{'s' * (errors != 1)}.",
                "chart": _markup(_rules_chart(catalog, by, "overview-rules")) if by else "",
                "chart_caption": "the number of files each rule was broken in."}
    return _page("mesosim: check report", items, overview, collapse=True)


def render_class(summary: ClassSummary, fragments: dict[str, str], catalog: Catalog) -> str:
    """``class --format html``: the students' table and the rules chart, then one collapsed
    section per student with each of their protocols (``fragments`` as for
    :func:`render_outcomes`)."""
    from mesosim.units import fmt_number

    graded = summary.assignment is not None
    items, rows = [], []
    by: dict[str, set[str]] = {}
    for i, s in enumerate(summary.students, 1):
        views = [(visible(r.path.replace("\\", "/").rsplit("/", 1)[-1]),
                  _fragment_of(r, fragments, catalog)) for r in s.results]
        notes = [f"{f.rule}: {visible(f.message)}" for f in s.notes]
        if s.failed_by:
            notes.insert(0, f"fails because of {visible(s.failed_by)}")
        score = "" if s.score is None else fmt_number(s.score)
        items.append({"anchor": f"student-{i}", "heading": visible(s.name), "passed": s.passed,
                      "verdict": ("pass" if s.passed else "fail") + (f", {score}" if score
                                                                       else ""),
                      "notes": notes, "protocols": views})
        cells = [{"text": s.files, "cls": "num"}, {"text": s.errors, "cls": "num"},
                 {"text": s.warnings, "cls": "num"}, {"text": s.suppressed, "cls": "num"}]
        if graded:
            cells.append({"text": score, "cls": "num"})
        cells.append({"text": "pass" if s.passed else "fail",
                      "cls": "pass" if s.passed else "fail"})
        rows.append({"name": visible(s.name), "anchor": f"student-{i}", "cells": cells})
        for code, _k in s.codes:
            by.setdefault(code, set()).add(s.name)
    head = [{"text": h, "num": h not in ("student", "result")} for h in (
        "student", "files", "errors", "warnings", "suppressed", *(("score",) if graded else ()),
        "result")]
    total = len(summary.students)
    tail = f"{total} student{'s' * (total != 1)}: {summary.passed} pass, " \
           f"{total - summary.passed} fail."
    if summary.assignment is not None:
        tail += f" Pass mark {fmt_number(summary.assignment.pass_mark)}."
    notes = [f"identical protocols (grades unchanged): {' = '.join(visible(x) for x in g)}"
             for g in summary.copies]
    overview = {"head": head, "rows": rows, "tail": tail, "notes": notes,
                "chart": _markup(_rules_chart(catalog, by, "overview-rules")) if by else "",
                "chart_caption": "the number of students who broke each rule."}
    return _page("mesosim: class report", items, overview, collapse=True)
