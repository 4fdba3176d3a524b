"""Class summaries for an instructor: ``mesosim class SUBMISSIONS_DIR`` (layer 5).

The folder holds one sub-folder, or one protocol file, per student. Every protocol file is
checked as ``mesosim check`` would, with the instructor's configuration only (a configuration
inside a submission is ignored, and said so: MS024); the findings are then counted per student.

Without an assignment a student passes when they handed in at least one protocol file and none
has an error finding. With one (``[class]`` in the instructor's ``mesosim.toml``, or
``--assignment FILE``), each protocol must be of the techniques, zones and setting asked for
(MS021), each student hands in the number of files asked for (MS022, MS023), suppression
comments are refused unless the assignment allows them, and the findings turn into a score
out of 100 (each finding costs points by code, kind or severity; a kind's cost may be capped);
a student passes at the pass mark, unless a finding of a ``fail-on`` kind (a contraindication,
by default) fails them.
Suppressed findings cost nothing where suppressions are allowed, and are always counted.

Across the class, the rules broken by the most students come first (what to teach again), and
students whose protocols are identical once whitespace, comments, key order and the ``id`` are
set aside are pointed out (copies), without changing anyone's grade.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from attr import evolve, frozen

from mesosim import rules
from mesosim.findings import Finding

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.options import Assignment, Options
    from mesosim.plugin.host import HostRecipe, PluginHost
    from mesosim.results import FileResult, Outcome, Report

#: how many of a student's rule codes the table shows
TOP_CODES: Final = 3
PROTOCOL_SUFFIXES: Final = (".yaml", ".yml", ".json")
CONFIG_NAMES: Final = ("mesosim.toml", "pyproject.toml")


@frozen
class Student:
    """One student: their files' results, what the submission itself got wrong, the score."""

    name: str
    files: int
    errors: int
    warnings: int
    #: (rule code, findings) most frequent first, ties by code
    codes: tuple[tuple[str, int], ...]
    suppressed: int = 0
    #: findings about the submission itself (missing files, ignored configuration...)
    notes: tuple[Finding, ...] = ()
    #: each protocol file's result, for the feedback files
    results: tuple[FileResult, ...] = ()
    #: out of 100, with an assignment; ``None`` without one
    score: float | None = None
    #: why the student fails whatever the score (a contraindication), if anything
    failed_by: str = ""
    pass_mark: float | None = None

    @property
    def passed(self) -> bool:
        if self.files == 0 or self.failed_by:
            return False
        if self.score is None:
            return self.errors == 0
        return not self.failed_by and self.score >= (self.pass_mark or 0)

    @property
    def top_codes(self) -> tuple[tuple[str, int], ...]:
        return self.codes[:TOP_CODES]


@frozen
class RuleCount:
    """A rule across the class: how many students broke it, and how many findings in all;
    the severity is the one in force (a school's configuration may change it)."""

    code: str
    name: str
    severity: str
    students: int
    findings: int
    #: where the school's configuration set the severity, if it did
    configured: str = ""


@frozen
class ClassSummary:
    students: tuple[Student, ...]
    rules: tuple[RuleCount, ...]
    #: groups of "student/file" whose protocols are identical once normalised
    copies: tuple[tuple[str, ...], ...] = ()
    assignment: Assignment | None = None

    @property
    def passed(self) -> int:
        return sum(s.passed for s in self.students)


def shown(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (a folder made on another system) become
    the replacement character, so that no report or feedback file fails to be written."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace") \
        if not name.isprintable() else name


def _entries(folder: str) -> list[tuple[str, str]]:
    """``(student, path)`` for each sub-folder and each protocol file directly in ``folder``;
    hidden entries and other files (a README, a grading sheet) are not students."""
    out = []
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if name.startswith("."):
            continue
        if os.path.isdir(path):
            out.append((shown(name), path))
        elif name.lower().endswith(PROTOCOL_SUFFIXES):
            out.append((shown(os.path.splitext(name)[0]), path))
    return out


def _inside(path: str, root: str) -> bool:
    real = os.path.realpath(path)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _student_files(path: str, root: str, catalog: Catalog) -> tuple[list[str], list[Finding]]:
    """A student's protocol files, and notes on what else the submission holds: a
    configuration of its own (ignored, MS024), files that are not protocols, and links that
    lead out of the submissions (not followed, not graded: MS025). Never walks outside
    ``root`` (the submissions folder, resolved)."""
    files: list[str] = []
    notes: list[Finding] = []
    if not _inside(path, root):
        notes.append(_note(rules.SKIPPED_FILE, path, f"'{shown(os.path.basename(path))}' links "
                           "outside the submissions and was not graded", catalog))
        return files, notes
    if not os.path.isdir(path):
        return [path], notes
    for here, dirs, names in os.walk(path, followlinks=False):
        for d in sorted(dirs):
            p = os.path.join(here, d)
            if not d.startswith(".") and os.path.islink(p) and not _inside(p, root):
                notes.append(_note(rules.SKIPPED_FILE, p, f"folder '{shown(d)}' links outside "
                                   "the submissions and was not graded", catalog))
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (
            os.path.islink(os.path.join(here, d))))
        for name in sorted(names):
            if name.startswith("."):
                continue
            p = os.path.join(here, name)
            label = shown(name)
            if os.path.islink(p) and not _inside(p, root):
                notes.append(_note(rules.SKIPPED_FILE, p, f"'{label}' links outside the "
                                   "submissions and was not graded", catalog))
            elif name in CONFIG_NAMES:
                notes.append(_note(rules.IGNORED_CONFIGURATION, p, f"{label} in the submission "
                                   "is ignored: only the instructor's configuration counts",
                                   catalog))
            elif name.lower().endswith(PROTOCOL_SUFFIXES):
                files.append(p)
            else:
                notes.append(_note(rules.SKIPPED_FILE, p, f"'{label}' is not a protocol (a "
                                   "protocol is a .yaml, .yml or .json file) and was not "
                                   "graded", catalog, suggestion="save a protocol as NAME.yaml"))
    return files, notes


def _note(code: str, path: str, message: str, catalog: Catalog, suggestion: str | None = None
          ) -> Finding:
    rule = catalog.rules[code]
    return Finding(code, rule.kind, rule.severity, path, 1, 1, message, source="mesosim",
                   suggestion=suggestion)


def summarize(folder: str, host: PluginHost, options: Options | None = None, jobs: int = 1,
              recipe: HostRecipe | None = None, assignment: Assignment | None = None,
              origins: dict[str, str] | None = None,
              each: Callable[[Outcome], Any] | None = None,
              extras: dict[str, Any] | None = None) -> ClassSummary:
    """Check every student's files under ``folder`` and grade them per student (``each`` and
    ``extras`` as for :func:`mesosim.runner.check_paths`: an HTML report's pictures)."""
    from mesosim.options import Options
    from mesosim.runner import check_paths

    options = options or Options()
    # the configuration's globs are the instructor's own tree's: in a class a student could
    # name a folder to match one, so per-file ignores and excludes do not apply here
    options = evolve(options, per_file_ignores={}, exclude=())
    if assignment is not None:
        # what fails a student whatever the score is never suppressed, nor is the assignment's
        unsuppressable = (*options.unsuppressable, *assignment.fail_on, "assignment")
        options = evolve(options, assignment=assignment, unsuppressable=unsuppressable,
                         suppressions=options.suppressions and assignment.suppressions)
    catalog = host.catalog
    root = os.path.realpath(folder)
    owner: dict[str, str] = {}
    names: set[str] = set()
    notes: dict[str, list[Finding]] = {}
    for student, path in _entries(folder):
        names.add(student)  # alice/ and alice.yaml are one student
        files, extra = _student_files(path, root, catalog)
        for f in files:
            owner[f] = student
        notes.setdefault(student, []).extend(extra)
    report = check_paths(sorted(owner), host, options, jobs=jobs, recipe=recipe, each=each,
                         extras=extras)
    return summary_of(report, owner, names, catalog, assignment, notes, origins or {})


def summary_of(report: Report, owner: dict[str, str], names: set[str], catalog: Catalog,
               assignment: Assignment | None = None,
               notes: dict[str, list[Finding]] | None = None,
               origins: dict[str, str] | None = None) -> ClassSummary:
    """Group a check report by student (``owner`` maps each file to its student)."""
    notes = {n: list(v) for n, v in (notes or {}).items()}
    by_student: dict[str, list[FileResult]] = {n: [] for n in names}
    for r in report.files:
        by_student[owner[r.path]].append(r)
    students = []
    for n in sorted(names, key=lambda n: (n.casefold(), n)):
        results = by_student[n]
        extra = notes.setdefault(n, [])
        if assignment is not None and assignment.files is not None:
            have, want = len(results), assignment.files
            if have < want:
                extra.append(_note(rules.MISSING_SUBMISSION, n, f"{have} protocol file"
                                   f"{'s' * (have != 1)} handed in, the assignment asks for "
                                   f"{want}", catalog))
            elif have > want:
                extra.append(_note(rules.EXTRA_SUBMISSION, n, f"{have} protocol files handed "
                                   f"in, the assignment asks for {want}: every one is graded",
                                   catalog))
        findings = [f for r in results for f in r.findings] + extra
        codes = Counter(f.rule for f in findings)
        student = Student(
            n, len(results), sum(f.severity == "error" for f in findings),
            sum(f.severity == "warning" for f in findings),
            tuple(sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))),
            sum(len(r.suppressed) for r in results), tuple(extra), tuple(results))
        unchecked = next((r for r in results if not r.checked), None)
        if unchecked is not None:  # a file no check could run on earns nothing
            first = next((f for f in unchecked.findings if f.severity == "error"), None)
            why = f" ({first.rule} {_name(first.rule)})" if first is not None else ""
            student = evolve(student, failed_by=f"{_label(n, unchecked.path)} could not be "
                             f"checked{why}")
        if assignment is not None:
            student = evolve(student, score=score(findings, assignment),
                             failed_by=student.failed_by or _failed_by(findings, assignment),
                             pass_mark=assignment.pass_mark)
        students.append(student)
    by_students: Counter[str] = Counter(c for s in students for c, _n in s.codes)
    by_findings: Counter[str] = Counter()
    for s in students:
        by_findings.update(dict(s.codes))
    origins = origins or {}
    table = tuple(
        RuleCount(code, catalog.rules[code].name if code in catalog.rules else "",
                  _severity_in_force(code, report, catalog), by_students[code],
                  by_findings[code], origins.get(f"severity.{code}", ""))
        for code in sorted(by_students, key=lambda c: (-by_students[c], -by_findings[c], c)))
    return ClassSummary(tuple(students), table, copies(owner), assignment)


def _severity_in_force(code: str, report: Report, catalog: Catalog) -> str:
    """The severity the findings of ``code`` carry (the configuration's), else the rule's."""
    for r in report.files:
        for f in r.findings:
            if f.rule == code:
                return f.severity
    return catalog.rules[code].severity if code in catalog.rules else ""


def score(findings: list[Finding], assignment: Assignment) -> float:
    """100 minus what the findings cost (by code, kind or severity), each kind's cost capped."""
    by_code: dict[str, float] = {}
    kind_of: dict[str, str] = {}
    for f in findings:
        by_code[f.rule] = by_code.get(f.rule, 0.0) + assignment.cost(f.rule, f.kind, f.severity)
        kind_of[f.rule] = f.kind
    by_kind: dict[str, float] = {}
    for code, cost in by_code.items():  # a code's cap first, then its kind's
        kind = kind_of[code]
        by_kind[kind] = by_kind.get(kind, 0.0) + min(cost, assignment.caps.get(code, cost))
    lost = sum(min(cost, assignment.caps.get(kind, cost)) for kind, cost in by_kind.items())
    return max(0.0, round(100.0 - lost, 1))


def _name(code: str) -> str:
    return rules.RULES[code].name if code in rules.RULES else ""


def _label(student: str, path: str) -> str:
    return f"{student}/{shown(os.path.basename(path))}"


def _failed_by(findings: list[Finding], assignment: Assignment) -> str:
    for f in findings:
        like = f.rule in rules.LIKE_CONTRAINDICATION and "contraindication" in assignment.fail_on
        if f.kind in assignment.fail_on or f.rule in assignment.fail_on or like:
            name = rules.RULES[f.rule].name if f.rule in rules.RULES else f.kind
            return f"{f.rule} {name}"
    return ""


def copies(owner: dict[str, str]) -> tuple[tuple[str, ...], ...]:
    """Groups of files of different students that are the same protocol once whitespace,
    comments, key order and the ``id`` are set aside."""
    import hashlib
    import json

    from mesosim.loader import load_file

    groups: dict[str, list[tuple[str, str]]] = {}
    for path, student in sorted(owner.items()):
        data = load_file(path).data
        if not isinstance(data, dict) or len(data) < 3:
            continue
        data = {k: v for k, v in data.items() if k not in ("id", "title", "notes",
                                                              "description")}
        digest = hashlib.sha256(json.dumps(_canonical(data), sort_keys=True,
                                           default=str).encode()).hexdigest()
        groups.setdefault(digest, []).append((student, _label(student, path)))
    return tuple(tuple(label for _s, label in g) for g in groups.values()
                 if len({s for s, _label in g}) > 1)


def corrected_line(finding: Finding) -> tuple[str, str] | None:
    """The offending line of a finding and the same line fixed, when the fix is mechanical
    (the suggestion says ``write 'KEY: VALUE'`` and the line writes ``KEY:``); else ``None``."""
    import re

    m = re.fullmatch(r"write '([a-z_]+): ([^']+)'.*", finding.suggestion or "")
    if m is None:
        return None
    key, value = m.groups()
    import itertools

    try:
        with open(finding.path, encoding="utf-8-sig") as fh:
            found = next(itertools.islice(fh, finding.line - 1, None), None)
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if found is None:
        return None
    line = found.rstrip("\r\n")
    pattern = re.compile(rf"(?<![A-Za-z0-9_-])({re.escape(key)}\s*:\s*)([^,}}\]#\n]*?)(\s*(?=[,}}\]#]|$))")
    fixed, n = pattern.subn(lambda mm: f"{mm.group(1)}{value}{mm.group(3)}", line, count=1)
    return (line, fixed) if n and fixed != line else None


def _canonical(value: object) -> object:
    """A protocol's data with every quantity in its dimension's canonical unit (``1 week`` and
    ``7 d`` are the same interval), so that a copy is not hidden by rewriting units."""
    from mesosim.units import _QUANTITY, UNITS, UnitError, parse_quantity

    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, str):
        m = _QUANTITY.match(value)
        if m and m.group(2) in UNITS:
            try:
                q = parse_quantity(value, UNITS[m.group(2)][0])
            except UnitError:
                return value
            return f"{q.canonical:.9g} {q.dimension}"
    return value
