"""GitLab Code Quality (``check --format gitlab``): a JSON array of issues, the subset of the
Code Climate spec GitLab reads (``description``, ``check_name``, ``fingerprint``, ``severity``,
``location.path`` and ``location.lines.begin``), shown in merge requests.

Paths are relative to the repository's root, as in SARIF. The fingerprint is built from the
file, the rule and the finding's place in the protocol's data (its JSON pointer), not its line,
so that GitLab recognises a finding as the same one across edits; findings sharing all three
are numbered to keep every fingerprint unique, as GitLab requires.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Final
from urllib.parse import unquote

from mesosim.findings import finding_text
from mesosim.report._paths import relative_uri

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.results import Report

#: mesosim's severity -> GitLab's (info, minor, major, critical, blocker)
SEVERITY: Final = {"error": "major", "warning": "minor", "info": "info"}


def render(report: Report, catalog: Catalog, color: bool = False) -> str:
    issues = []
    seen: dict[str, int] = {}
    for r in report.files:
        path = unquote(relative_uri(r.path))
        for f in r.findings:
            key = f"{path}\0{f.rule}\0{f.pointer if f.pointer is not None else f.line}"
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                key += f"\0{seen[key]}"
            rule = catalog.rules.get(f.rule)
            issues.append({
                "type": "issue",
                "check_name": f.rule,
                "description": f"{f.rule}: {finding_text(f)}",
                "categories": ["Bug Risk" if f.severity == "error" else "Style"],
                "severity": SEVERITY.get(f.severity, "info"),
                "fingerprint": hashlib.md5(key.encode("utf-8", "surrogatepass"),
                                           usedforsecurity=False).hexdigest(),
                "location": {"path": path, "lines": {"begin": max(1, f.line)}},
                **({"content": {"body": rule.explanation}} if rule is not None else {}),
            })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
