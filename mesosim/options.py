"""What to check and how to report it: :class:`Options` (layer 1: data types).

Built by the command line from flags and the configuration; read by the pipeline (selection,
severities, suppressions) and the runner (exclusions, the size limit).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from attrs import field, frozen

from mesosim.document import DEFAULT_MAX_BYTES


def _codes(v: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(v or ())


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
    #: codes or prefixes no suppression comment may silence besides the contraindications,
    #: which never are (a student must not suppress a pregnant patient into a pass): a comment
    #: naming one is itself an error (MS012) and the finding stays
    unsuppressable: tuple[str, ...] = field(default=(), converter=_codes)
    #: whether suppression comments are allowed at all (a class assignment may say no)
    suppressions: bool = True

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
