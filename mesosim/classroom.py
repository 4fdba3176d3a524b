"""Class summaries for an instructor: ``mesosim class SUBMISSIONS_DIR``.

The folder holds one sub-folder, or one protocol file, per student. Every protocol file is
checked as ``mesosim check`` would (same configuration, suppressions and rules); the findings are
then counted per student: files, errors, warnings, the most frequent rule codes, and pass or
fail. A student passes when they handed in at least one protocol file and none of their files
has an error finding (an empty folder is not a pass: there is nothing to grade). Across the
class, the rules broken by the most students come first: what to teach again.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

from attrs import frozen

if TYPE_CHECKING:
    from mesosim.host import Registry
    from mesosim.runner import Options, Report

#: how many of a student's rule codes the table shows
TOP_CODES: Final = 3
PROTOCOL_SUFFIXES: Final = (".yaml", ".yml", ".json")


@frozen
class Student:
    """One student's line of the summary."""

    name: str
    files: int
    errors: int
    warnings: int
    #: (rule code, findings) most frequent first, ties by code
    codes: tuple[tuple[str, int], ...]

    @property
    def passed(self) -> bool:
        return self.files > 0 and self.errors == 0

    @property
    def top_codes(self) -> tuple[tuple[str, int], ...]:
        return self.codes[:TOP_CODES]


@frozen
class RuleCount:
    """A rule across the class: how many students broke it, and how many findings in all."""

    code: str
    name: str
    severity: str
    students: int
    findings: int


@frozen
class ClassSummary:
    students: tuple[Student, ...]
    rules: tuple[RuleCount, ...]

    @property
    def passed(self) -> int:
        return sum(s.passed for s in self.students)


def _entries(folder: str) -> list[tuple[str, str]]:
    """``(student, path)`` for each sub-folder and each protocol file directly in ``folder``;
    hidden entries and other files (a README, a grading sheet) are not students."""
    out = []
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if name.startswith("."):
            continue
        if os.path.isdir(path):
            out.append((name, path))
        elif name.endswith(PROTOCOL_SUFFIXES):
            out.append((os.path.splitext(name)[0], path))
    return out


def summarize(folder: str, reg: Registry, options: Options | None = None, jobs: int = 1,
              registry_args: tuple[object, ...] | None = None) -> ClassSummary:
    """Check every student's files under ``folder`` and count the findings per student."""
    from mesosim.loader import iter_files
    from mesosim.runner import Options, check_paths

    options = options or Options()
    owner: dict[str, str] = {}
    names: set[str] = set()
    for student, path in _entries(folder):
        names.add(student)  # alice/ and alice.yaml are one student
        for f in iter_files([path]):
            if not options.excluded(f):
                owner[f] = student
    report = check_paths(sorted(owner), reg, options, jobs=jobs, registry_args=registry_args)
    return summary_of(report, owner, names, reg)


def summary_of(report: Report, owner: dict[str, str], names: set[str], reg: Registry
               ) -> ClassSummary:
    """Group a check report by student (``owner`` maps each file to its student)."""
    files: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    warnings: Counter[str] = Counter()
    codes: dict[str, Counter[str]] = {n: Counter() for n in names}
    for r in report.files:
        who = owner[r.path]
        files[who] += 1
        errors[who] += r.errors
        warnings[who] += r.warnings
        codes[who].update(f.rule for f in r.findings)
    students = tuple(
        Student(n, files[n], errors[n], warnings[n],
                tuple(sorted(codes[n].items(), key=lambda kv: (-kv[1], kv[0]))))
        for n in sorted(names, key=lambda n: (n.casefold(), n)))
    by_students: Counter[str] = Counter(c for n in names for c in codes[n])
    by_findings: Counter[str] = Counter()
    for n in names:
        by_findings.update(codes[n])
    rules = tuple(
        RuleCount(code, reg.rules[code].name if code in reg.rules else "",
                  reg.rules[code].severity if code in reg.rules else "", by_students[code],
                  by_findings[code])
        for code in sorted(by_students, key=lambda c: (-by_students[c], -by_findings[c], c)))
    return ClassSummary(students, rules)


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
        w.writerow([s.name, s.files, s.errors, s.warnings, "pass" if s.passed else "fail",
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
