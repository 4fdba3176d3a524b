"""``mesosim class``'s outputs: an aligned table, CSV for a spreadsheet, JSON."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from mesosim.classroom import ClassSummary


def _codes_text(codes: Sequence[tuple[str, int]]) -> str:
    return ", ".join(f"{c} ({n})" for c, n in codes)


def render_text(summary: ClassSummary) -> str:
    """An aligned table per student, then the rules most often broken."""
    width = max([len("student"), *(len(s.name) for s in summary.students)])
    out = [f"{'student':<{width}}  files  errors  warnings  result  most frequent rules"]
    for s in summary.students:
        out.append(f"{s.name:<{width}}  {s.files:>5}  {s.errors:>6}  {s.warnings:>8}  "
                   f"{'pass' if s.passed else 'fail':<6}  {_codes_text(s.top_codes)}".rstrip())
    n = len(summary.students)
    out.append(f"{n} student{'s' * (n != 1)}: {summary.passed} pass, {n - summary.passed} fail")
    if summary.rules:
        out.append("")
        out.append("rules most often broken (students, findings): what to teach again")
        for r in summary.rules[:10]:
            out.append(f"  {r.code} {r.name:<34} {r.severity:<8} {r.students:>3} "
                       f"{r.findings:>4}")
    return "\n".join(out) + "\n"


def cell(text: str) -> str:
    """A text cell a spreadsheet shows as text: one starting with = + - @ (or a tab or CR) would
    run as a formula (a student folder named ``=cmd|calc``), so it gets a leading quote (OWASP's
    advice for CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_csv(summary: ClassSummary) -> str:
    """Two tables for a spreadsheet, separated by an empty row: one row per student
    (``student,files,errors,warnings,result,top_codes``), then one row per rule broken
    (``rule,name,severity,students,findings``)."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", "files", "errors", "warnings", "result", "top_codes"])
    for s in summary.students:
        w.writerow([cell(s.name), s.files, s.errors, s.warnings, "pass" if s.passed else "fail",
                    _codes_text(s.top_codes)])
    w.writerow([])
    w.writerow(["rule", "name", "severity", "students", "findings"])
    for r in summary.rules:
        w.writerow([r.code, r.name, r.severity, r.students, r.findings])
    return buf.getvalue()


def summary_as_dict(summary: ClassSummary) -> dict[str, Any]:
    return {
        "version": 1,
        "students": [
            {"student": s.name, "files": s.files, "errors": s.errors, "warnings": s.warnings,
             "passed": s.passed, "codes": [{"rule": c, "findings": n} for c, n in s.codes]}
            for s in summary.students],
        "rules": [{"rule": r.code, "name": r.name, "severity": r.severity,
                   "students": r.students, "findings": r.findings} for r in summary.rules],
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
