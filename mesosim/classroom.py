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
from typing import TYPE_CHECKING, Final

from attrs import frozen

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.options import Options
    from mesosim.plugin.host import HostRecipe, PluginHost
    from mesosim.results import Report

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


def summarize(folder: str, host: PluginHost, options: Options | None = None, jobs: int = 1,
              recipe: HostRecipe | None = None) -> ClassSummary:
    """Check every student's files under ``folder`` and count the findings per student."""
    from mesosim.loader import iter_files
    from mesosim.options import Options
    from mesosim.runner import check_paths

    options = options or Options()
    owner: dict[str, str] = {}
    names: set[str] = set()
    for student, path in _entries(folder):
        names.add(student)  # alice/ and alice.yaml are one student
        for f in iter_files([path]):
            if not options.excluded(f):
                owner[f] = student
    report = check_paths(sorted(owner), host, options, jobs=jobs, recipe=recipe)
    return summary_of(report, owner, names, host.catalog)


def summary_of(report: Report, owner: dict[str, str], names: set[str], catalog: Catalog
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
        RuleCount(code, catalog.rules[code].name if code in catalog.rules else "",
                  catalog.rules[code].severity if code in catalog.rules else "", by_students[code],
                  by_findings[code])
        for code in sorted(by_students, key=lambda c: (-by_students[c], -by_findings[c], c)))
    return ClassSummary(students, rules)
