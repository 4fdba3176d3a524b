"""What to check and how to report it: :class:`Options` (layer 1: data types).

Built by the command line from flags and the configuration; read by the pipeline (selection,
severities, suppressions) and the runner (exclusions, the size limit).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Final

from attr import field, frozen

from mesosim.document import DEFAULT_MAX_BYTES


def _codes_any(v: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(v or ())


def _codes(v: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(v or ())


@frozen
class Assignment:
    """What an instructor expects of a class (``[class]`` in ``mesosim.toml``, or
    ``mesosim class --assignment FILE``): the technique(s), zone(s) and setting of the
    protocols, how many files each student hands in, whether suppression comments are
    allowed, and how findings turn into a score out of 100."""

    techniques: tuple[str, ...] = field(default=(), converter=_codes_any)
    zones: tuple[str, ...] = field(default=(), converter=_codes_any)
    setting: str | None = None
    #: protocol files each student hands in (``None``: any number, at least one)
    files: int | None = None
    #: whether suppression comments may silence findings in a graded class (by default not: a
    #: student could otherwise silence every finding at no cost)
    suppressions: bool = False
    #: the score a student needs to pass (out of 100)
    pass_mark: float = 100.0
    #: points one finding costs, by rule code, kind or severity (the most specific wins)
    points: Mapping[str, float] = field(factory=dict)
    #: the most points one kind of finding may cost in all
    caps: Mapping[str, float] = field(factory=dict)
    #: kinds or codes that fail a student whatever the score; ``contraindication`` also takes
    #: in a condition mesosim cannot read (a misspelt ``pregnacy``), which no check can clear
    fail_on: tuple[str, ...] = field(default=("contraindication",), converter=_codes_any)
    #: where the assignment is written (``mesosim.toml:12``)
    source: str = ""

    def cost(self, rule: str, kind: str, severity: str) -> float:
        """Points one finding of ``rule`` costs."""
        for key in (rule, kind, severity):
            if key in self.points:
                return float(self.points[key])
        return DEFAULT_POINTS.get(severity, 0.0)


#: points one finding costs when the rubric says nothing of it
DEFAULT_POINTS: Final = {"error": 10.0, "warning": 2.0, "info": 0.0}


@frozen
class Options:
    """What to check and how to report it. Built by the CLI from flags and configuration."""

    max_bytes: int = DEFAULT_MAX_BYTES
    #: rule codes or prefixes to report (empty: all), and to leave out
    select: tuple[str, ...] = field(default=(), converter=_codes)
    ignore: tuple[str, ...] = field(default=(), converter=_codes)
    #: rule code -> severity, overriding the rule's default
    severity: Mapping[str, str] = field(factory=dict)
    #: glob -> codes or prefixes ignored in matching files
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(factory=dict)
    exclude: tuple[str, ...] = field(default=(), converter=_codes)
    report_unused_ignores: bool = False
    #: codes, prefixes or kinds no suppression comment may silence besides the contraindications,
    #: which never are (a student must not suppress a pregnant patient into a pass): a comment
    #: naming one is itself an error (MS012) and the finding stays
    unsuppressable: tuple[str, ...] = field(default=(), converter=_codes)
    #: whether suppression comments are allowed at all (a class assignment may say no)
    suppressions: bool = True
    #: the class assignment the protocols are graded against (``mesosim class`` only)
    assignment: Assignment | None = None

    def wanted(self, code: str, path: str) -> bool:
        """Whether a finding of rule ``code`` in ``path`` is reported (select, ignore and
        per-file-ignores; codes match by prefix)."""
        if self.select and not any(code.startswith(s) for s in self.select):
            return False
        if any(code.startswith(s) for s in self.ignore):
            return False
        for pattern, codes in self.per_file_ignores.items():
            if any(code.startswith(c) for c in codes) and path_matches(path, pattern):
                return False
        return True

    def excluded(self, path: str) -> bool:
        """Whether ``path`` is left out by an ``exclude`` glob."""
        return any(path_matches(path, pattern) for pattern in self.exclude)


def path_matches(path: str, pattern: str) -> bool:
    """Whether a glob of the configuration matches ``path`` or one of its folders.

    The glob is matched against every run of the path's components, so ``drafts`` or ``drafts/*``
    leave out ``./course/drafts/a.yaml`` whether mesosim was given ``.``, ``course`` or an
    absolute path, and ``*.json`` matches a file name (as ruff's ``exclude`` does).
    """
    import fnmatch

    parts = [p for p in path.replace(os.sep, "/").split("/") if p not in ("", ".")]
    pat = pattern.replace(os.sep, "/").strip("/")
    while pat.startswith("./"):
        pat = pat[2:]
    return any(fnmatch.fnmatchcase("/".join(parts[i:j]), pat)
               for i in range(len(parts)) for j in range(i + 1, len(parts) + 1))
