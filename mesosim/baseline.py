"""Baselines (layer 5): record today's findings, then report only new ones.

``mesosim check --write-baseline FILE PATHS`` records each finding by file, rule and where in
the protocol's data it is (its JSON pointer, list positions left out), never by line: adding
lines above a known finding, or a step before it, does not bring it back. ``--baseline FILE``
then leaves out as many findings of each key as were recorded; one more of the same key, or
a finding of another key, is new and reported. Paths are relative to the baseline file's
folder, so the check may run from anywhere.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from typing import TYPE_CHECKING, Final

from attr import evolve

from mesosim.errors import ConfigError

if TYPE_CHECKING:
    from mesosim.findings import Finding
    from mesosim.results import Report

VERSION: Final = 1
_INDEX: Final = re.compile(r"/\d+(?=/|$)")

Key = tuple[str, str, str]


def key_of(f: Finding, base: str) -> Key:
    """``(path relative to base, rule, pointer without list positions)``."""
    rel = os.path.relpath(os.path.abspath(f.path), base).replace(os.sep, "/")
    return rel, f.rule, _INDEX.sub("/*", f.pointer or "")


def baseline_text(report: Report, path: str) -> str:
    """The baseline file recording every finding of ``report`` (to be written at ``path``)."""
    base = os.path.dirname(os.path.abspath(path))
    counts = Counter(key_of(f, base) for r in report.files for f in r.findings)
    rows = [{"path": p, "rule": rule, "pointer": ptr, "count": n}
            for (p, rule, ptr), n in sorted(counts.items())]
    return json.dumps({"version": VERSION, "tool": "mesosim", "findings": rows}, indent=2,
                      ensure_ascii=False) + "\n"


def load_baseline(path: str) -> Counter[Key]:
    """The recorded findings. Raises :class:`ConfigError` for a file that is not a baseline."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    except (ValueError, RecursionError):
        raise ConfigError(f"{path}: the baseline is not JSON; write one with "
                          "'mesosim check --write-baseline FILE PATHS'") from None
    rows = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(rows, list):
        raise ConfigError(f"{path}: not a mesosim baseline (version {VERSION}); write one with "
                          "'mesosim check --write-baseline FILE PATHS'")
    out: Counter[Key] = Counter()
    for i, row in enumerate(rows):
        ok = isinstance(row, dict) and all(isinstance(row.get(k), str) for k in
                                           ("path", "rule", "pointer")) and \
            isinstance(row.get("count"), int) and not isinstance(row.get("count"), bool) and \
            row["count"] > 0
        if not ok:
            raise ConfigError(f"{path}: finding {i + 1} of the baseline is not "
                              "{path, rule, pointer, count}")
        out[(row["path"], row["rule"], row["pointer"])] += row["count"]
    return out


def apply_baseline(report: Report, known: Counter[Key], path: str) -> tuple[Report, int]:
    """``report`` without the findings the baseline records, and how many were left out."""
    base = os.path.dirname(os.path.abspath(path))
    left = Counter(known)
    files = []
    dropped = 0
    for r in report.files:
        kept = []
        for f in r.findings:
            k = key_of(f, base)
            if left[k] > 0:
                left[k] -= 1
                dropped += 1
            else:
                kept.append(f)
        files.append(evolve(r, findings=tuple(kept)) if len(kept) != len(r.findings) else r)
    return evolve(report, files=tuple(files)), dropped
