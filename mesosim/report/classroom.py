"""``mesosim class``'s outputs: an aligned table, CSV for a spreadsheet, JSON; and the feedback
files, one Markdown file per student (``--feedback DIR``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

from mesosim.findings import visible

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.classroom import ClassSummary, Student
    from mesosim.findings import Finding


def _codes_text(codes: Sequence[tuple[str, int]]) -> str:
    return ", ".join(f"{c} ({n})" for c, n in codes)


def _score(s: Student) -> str:
    from mesosim.units import fmt_number

    return "" if s.score is None else fmt_number(s.score)


def render_text(summary: ClassSummary) -> str:
    """An aligned table per student (with the score when the class has an assignment), what
    the submissions themselves got wrong, copies, then the rules most often broken."""
    graded = summary.assignment is not None
    width = max([len("student"), *(len(visible(s.name)) for s in summary.students)])
    head = f"{'student':<{width}}  files  errors  warnings  suppressed"
    head += "  score" if graded else ""
    out = [head + "  result  most frequent rules"]
    for s in summary.students:
        line = (f"{visible(s.name):<{width}}  {s.files:>5}  {s.errors:>6}  {s.warnings:>8}  "
                f"{s.suppressed:>10}")
        line += f"  {_score(s):>5}" if graded else ""
        out.append(f"{line}  {'pass' if s.passed else 'fail':<6}  "
                   f"{_codes_text(s.top_codes)}".rstrip())
    n = len(summary.students)
    tail = f"{n} student{'s' * (n != 1)}: {summary.passed} pass, {n - summary.passed} fail"
    if graded and summary.assignment is not None:
        from mesosim.units import fmt_number

        tail += f" (pass mark {fmt_number(summary.assignment.pass_mark)}; fails whatever the " \
                f"score: {', '.join(summary.assignment.fail_on) or 'nothing'})"
    out.append(tail)
    failed_by = [s for s in summary.students if s.failed_by]
    notes = [(s.name, f) for s in summary.students for f in s.notes]
    if failed_by or notes:
        out.append("")
        out += [f"  {visible(s.name)}: fails because of {s.failed_by}" for s in failed_by]
        out += [f"  {visible(name)}: {f.rule} {visible(f.message)}" for name, f in notes]
    if summary.copies:
        out.append("")
        out.append("identical protocols (whitespace, comments, key order and id aside); grades "
                   "unchanged:")
        out += [f"  {' = '.join(visible(x) for x in group)}" for group in summary.copies]
    if summary.rules:
        out.append("")
        out.append("rules most often broken (students, findings): what to teach again")
        for r in summary.rules[:10]:
            school = f"  (severity set by {r.configured})" if r.configured else ""
            out.append(f"  {r.code} {r.name:<34} {r.severity:<8} {r.students:>3} "
                       f"{r.findings:>4}{school}")
    return "\n".join(out) + "\n"


def cell(text: str) -> str:
    """A text cell a spreadsheet shows as text: one starting with = + - @ (or a tab or CR) would
    run as a formula (a student folder named ``=cmd|calc``), so it gets a leading quote (OWASP's
    advice for CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_csv(summary: ClassSummary) -> str:
    """Two tables for a spreadsheet, separated by an empty row: one row per student
    (``student,files,errors,warnings,suppressed,score,result,top_codes``), then one row per
    rule broken (``rule,name,severity,students,findings,configured``: where the school's
    configuration set the severity, if it did)."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", "files", "errors", "warnings", "suppressed", "score", "result",
                "top_codes"])
    for s in summary.students:
        w.writerow([cell(s.name), s.files, s.errors, s.warnings, s.suppressed, _score(s),
                    "pass" if s.passed else "fail", _codes_text(s.top_codes)])
    w.writerow([])
    w.writerow(["rule", "name", "severity", "students", "findings", "configured"])
    for r in summary.rules:
        w.writerow([r.code, r.name, r.severity, r.students, r.findings, r.configured])
    return buf.getvalue()


def summary_as_dict(summary: ClassSummary) -> dict[str, Any]:
    a = summary.assignment
    return {
        "version": 1,
        "assignment": None if a is None else {
            "techniques": list(a.techniques), "zones": list(a.zones), "setting": a.setting,
            "files": a.files, "suppressions": a.suppressions, "pass_mark": a.pass_mark,
            "points": dict(a.points), "caps": dict(a.caps), "fail_on": list(a.fail_on),
            "source": a.source},
        "students": [
            {"student": s.name, "files": s.files, "errors": s.errors, "warnings": s.warnings,
             "suppressed": s.suppressed, "score": s.score, "passed": s.passed,
             "failed_by": s.failed_by or None,
             "notes": [{**f.as_dict(), "path": f.path} for f in s.notes],
             "codes": [{"rule": c, "findings": n} for c, n in s.codes]}
            for s in summary.students],
        "copies": [list(g) for g in summary.copies],
        "rules": [{"rule": r.code, "name": r.name, "severity": r.severity,
                   "students": r.students, "findings": r.findings,
                   "configured": r.configured or None} for r in summary.rules],
        "summary": {"students": len(summary.students), "passed": summary.passed,
                    "failed": len(summary.students) - summary.passed},
    }


def render_json(summary: ClassSummary) -> str:
    import json

    return json.dumps(summary_as_dict(summary), indent=2, ensure_ascii=False) + "\n"


RENDERERS: Final[dict[str, Callable[[ClassSummary], str]]] = {
    "text": render_text,
    "csv": render_csv,
    "json": render_json,
}


# --- feedback files ------------------------------------------------------------------------


def _md(text: str) -> str:
    """Text a Markdown viewer shows as written: what a student wrote (a folder name, a value in
    a message) cannot open an HTML tag or a link there."""
    return (visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("[", "\\[").replace("]", "\\]"))


def feedback(student: Student, summary: ClassSummary, catalog: Catalog) -> str:
    """One student's feedback, in plain words: the grade, then each finding (what is wrong,
    where, why the rule exists with the source's claim, and how to fix it)."""
    from mesosim.describe import claims_of
    from mesosim.units import fmt_number

    name = _md(student.name)
    out = [f"# Feedback for {name}", ""]
    verdict = "**passed**" if student.passed else "**not passed yet**"
    if student.score is not None and summary.assignment is not None:
        out.append(f"Score: **{fmt_number(student.score)} / 100** (pass mark "
                   f"{fmt_number(summary.assignment.pass_mark)}): {verdict}.")
    else:
        out.append(f"Result: {verdict} ({student.errors} error{'s' * (student.errors != 1)}, "
                   f"{student.warnings} warning{'s' * (student.warnings != 1)}).")
    if student.failed_by:
        out.append(f"This fails the assignment whatever the score: "
                   f"{student.failed_by}.")
    out.append("")
    if student.files == 0:
        out += ["No protocol file was found in your submission.", ""]
    for f in student.notes:
        out += _item(f, catalog, claims_of, "your submission")
    for r in student.results:
        found = list(r.findings)
        title = _md(r.path.replace("\\", "/").rsplit("/", 1)[-1])
        out += [f"## {title}", ""]
        if not found:
            out += ["Nothing to correct: this protocol follows every rule mesosim checks.", ""]
        for f in found:
            out += _item(f, catalog, claims_of, title)
        if r.suppressed:
            out.append("Findings you suppressed with a comment (counted, not graded):")
            out += [f"- line {s.finding.line}: {s.finding.rule}: {_md(s.finding.message)} "
                    f"(your reason: {_md(s.reason) or 'none given'})" for s in r.suppressed]
            out.append("")
    out.append("mesosim is a training tool, not medical advice.")
    return "\n".join(out).rstrip() + "\n"


def _item(f: Finding, catalog: Catalog, claims_of: Any, where: str) -> list[str]:
    from mesosim.classroom import corrected_line

    rule = catalog.rules.get(f.rule)
    what = rule.summary if rule is not None else f.rule
    lines = [f"### Line {f.line}: {what} ({f.rule}, {f.severity})", "",
             f"- **What is wrong:** {_md(f.message)}."]
    claims = claims_of(catalog, f.source) if f.source else []
    if claims:
        lines.append("- **Why:** " + " ".join(f"{text} ({ref})" for ref, text in claims))
    elif rule is not None:
        lines.append("- **Why:** " + " ".join(rule.explanation.split()))
    if f.suggestion:
        lines.append(f"- **How to fix it:** {_md(f.suggestion)}.")
    if f.related:
        lines.append("- **This also explains:** " + "; ".join(_md(x) for x in f.related)
                     + ".")
    fix = corrected_line(f)
    if fix is not None:
        fence = "`" * max(3, 1 + max(len(run) for run in re.findall(r"`*", "".join(fix))))
        lines += ["", "  Your line, then the line corrected:", "", f"  {fence}yaml",
                  f"  {visible(fix[0])}", f"  {visible(fix[1])}", f"  {fence}"]
    return [*lines, ""]


def _is_feedback(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(15) == b"# Feedback for "
    except OSError:
        return False


def write_feedback(summary: ClassSummary, folder: str, catalog: Catalog) -> list[str]:
    """Write one ``STUDENT.md`` per student into ``folder`` (created if needed; a name a file
    system would refuse or confuse gets ``_`` and, if it then meets another, ``-2``); returns
    the paths written."""
    import os
    import re

    from mesosim.atomic import write_atomic

    os.makedirs(folder, exist_ok=True)
    planned = []
    taken: set[str] = set()
    for s in summary.students:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", s.name).strip("._")[:100] or "student"
        name, n = safe, 1
        while name.casefold() in taken:  # "a b" and "a_b"; "Ana" and "ana" on macOS
            n += 1
            name = f"{safe}-{n}"
        taken.add(name.casefold())
        path = os.path.join(folder, f"{name}.md")
        if os.path.lexists(path) and not _is_feedback(path):  # checked before writing any
            raise FileExistsError(f"{path} exists and is not a feedback file of mesosim's: "
                                  "choose an empty folder")
        planned.append((s, path))
    for s, path in planned:
        write_atomic(path, feedback(s, summary, catalog))
    return [path for _s, path in planned]
